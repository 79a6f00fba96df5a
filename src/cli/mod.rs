//! The command line: parses arguments and dispatches to the bot or to the offline tools.

pub mod questions;
pub mod score;

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config;
use crate::store::Store;

/// A Discord bot for daily Customer Obsession interview practice.
#[derive(Debug, Parser)]
#[command(name = "bar-raiser", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the bot (the default).
    Run,
    /// Score an answer with the rubric, offline: no Discord and no database needed.
    Score(score::ScoreArgs),
    /// Work with the question pool.
    Questions {
        #[command(subcommand)]
        command: questions::QuestionsCommand,
    },
    /// Apply the database migrations and exit.
    Migrate,
}

/// Runs the parsed command; the binary's `main` is only this call.
pub fn main(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => runtime()?.block_on(crate::app::run()),
        Command::Score(args) => score::run(&args),
        Command::Questions { command } => questions::run(&command),
        Command::Migrate => runtime()?.block_on(migrate()),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

async fn migrate() -> anyhow::Result<ExitCode> {
    let database = config::database_from_env()?;
    let (store, local) = crate::app::open_database(&database).await?;
    store.migrate().await.context("applying migrations")?;
    tracing::info!("migrations applied");
    close(store, local).await;
    Ok(ExitCode::SUCCESS)
}

async fn close(store: Store, local: Option<crate::local_pg::LocalPostgres>) {
    store.close().await;
    if let Some(local) = local {
        if let Err(e) = local.stop().await {
            tracing::warn!(error = %e, "stopping the private PostgreSQL failed");
        }
    }
}
