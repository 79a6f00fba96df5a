//! bar-raiser: a Discord bot that runs a daily Customer Obsession interview-prep loop.
//!
//! Read `ARCHITECTURE.md` for the map. The modules below are listed in reading order.

/// The running bot: database, Discord client, signals and graceful shutdown.
pub mod app;
/// The command line: `run`, `score`, `questions lint`, `migrate`.
pub mod cli;
/// Configuration from the environment, validated once.
pub mod config;
/// The Discord layer: the only code that imports serenity or poise.
pub mod discord;
/// Pure rules with no I/O, clock or randomness of their own: rubric, questions, schedule.
pub mod domain;
/// A private PostgreSQL cluster for when no `DATABASE_URL` is given.
pub mod local_pg;
/// Reads the question pool's files (the I/O around `domain::questions`).
pub mod question_files;
/// Pure renderings for members: the history chart (PNG) and the `/export` file.
pub mod report;
/// Posts each server's daily prompt exactly once; `tick(now)` is one step.
pub mod scheduler;
/// The only module that speaks SQL.
pub mod store;
/// Logging set-up.
pub mod telemetry;
