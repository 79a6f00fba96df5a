//! The command line: parses arguments and dispatches to the offline tools.

pub mod questions;
pub mod score;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A Discord bot for daily Customer Obsession interview practice.
#[derive(Debug, Parser)]
#[command(name = "bar-raiser", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score an answer with the rubric, offline: no Discord and no database needed.
    Score(score::ScoreArgs),
    /// Work with the question pool.
    Questions {
        #[command(subcommand)]
        command: questions::QuestionsCommand,
    },
}

/// Runs the parsed command; the binary's `main` is only this call.
pub fn main(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Score(args) => score::run(&args),
        Command::Questions { command } => questions::run(&command),
    }
}
