//! The integration tests: one binary, one module per area.

/// The executable, driven black-box through its contracts.
mod binary;
/// The real bot code in process, through the fake Discord.
mod bot;
/// The daily loop end to end: setup, posting, answering by button, form, DM and practice.
mod daily;
/// A fresh PostgreSQL database per test.
mod db;
/// The weekly digest: due weeks, top answers, exactly once, and its post through Discord.
mod digest;
/// A fake Discord: REST and gateway on 127.0.0.1.
mod fake_discord;
/// Points, the leaderboard and history: the maintained tallies and the queries.
mod leaderboard;
/// `/leaderboard`, `/history`, `/export` and `/forget-me` end to end.
mod progress;
/// `/question add|list|remove` through the fake Discord.
mod question_commands;
/// The scheduler's `tick(now)` with fixed clocks.
mod scheduler;
/// The store against a real PostgreSQL.
mod store;
/// The question pool in PostgreSQL: sync, server questions, rotation pool.
mod store_questions;
/// Blind peer voting: reveal, votes, results.
mod voting;
