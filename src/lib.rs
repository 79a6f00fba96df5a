//! bar-raiser: a Discord bot that runs a daily Customer Obsession interview-prep loop.
//!
//! Read `ARCHITECTURE.md` for the map. The modules below are listed in reading order.

/// Pure rules with no I/O, clock or randomness of their own: rubric, questions, schedule.
pub mod domain;
/// Configuration from the environment, validated once.
pub mod config;
/// The only module that speaks SQL.
pub mod store;
/// Reads the question pool's files (the I/O around `domain::questions`).
pub mod question_files;
/// A private PostgreSQL cluster for when no `DATABASE_URL` is given.
pub mod local_pg;
/// The command line: `score`, `questions lint`.
pub mod cli;
/// Logging set-up.
pub mod telemetry;
