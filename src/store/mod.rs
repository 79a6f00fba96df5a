//! The store: the only module that speaks SQL. It takes and returns domain values and turns
//! constraint violations into domain errors.
//!
//! Queries are checked at run time (`sqlx::query_as`), not by the compile-time macros: every
//! query here is exercised by the integration tests against a real PostgreSQL, and contributors
//! then need neither a live database nor `sqlx-cli` to build the crate.

mod answers;
mod digests;
mod leaderboard;
mod members;
mod prompts;
mod questions;
mod servers;
mod votes;

use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use thiserror::Error;

pub use answers::{NewAnswer, SavedAnswer, ScoreRecord, StoredAnswer};
pub use digests::{Digest, DigestAnswer};
pub use leaderboard::{HistoryEntry, LeaderboardPage, LeaderboardRow, Period};
pub use members::AnswerFeedback;
pub use prompts::{MemberCurrent, NewPrompt, Prompt, RotationState, ServerLock};
pub use questions::{PoolQuestion, SyncReport};
pub use servers::{ServerOptions, ServerSettings, Setup};
pub use votes::{ResultRow, Results, Reveal, RevealedAnswer, VoteOutcome};

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// A store failure, in domain terms where the database told us which rule was broken.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the database is unavailable right now")]
    Unavailable(#[source] sqlx::Error),
    #[error("that would break the rule {constraint}")]
    Conflict { constraint: String },
    #[error("not found")]
    NotFound,
    #[error("database error")]
    Db(#[source] sqlx::Error),
    #[error("migrating the database failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if is_transient(&error) {
            return StoreError::Unavailable(error);
        }
        if let sqlx::Error::RowNotFound = error {
            return StoreError::NotFound;
        }
        if let Some(db) = error.as_database_error() {
            if let Some(constraint) = db.constraint() {
                return StoreError::Conflict {
                    constraint: constraint.to_owned(),
                };
            }
        }
        StoreError::Db(error)
    }
}

/// Errors that mean "the server went away or is restarting": worth retrying, never the caller's
/// fault. SQLSTATE class 57 is operator intervention (e.g. 57P01 admin shutdown) and class 08 is
/// connection exceptions.
fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("57") || code.starts_with("08")),
        _ => false,
    }
}

/// A handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: PgPool,
}

impl Store {
    /// Connects, retrying with exponential backoff for up to `patience` and logging each failed
    /// attempt, so that a bot started together with its database waits for it instead of
    /// crashing; a wrong password or database name fails at once.
    pub async fn connect(
        options: PgConnectOptions,
        patience: Duration,
    ) -> Result<Self, StoreError> {
        let deadline = tokio::time::Instant::now() + patience;
        let mut delay = Duration::from_millis(250);
        let mut attempt = 1;
        // Probe with single connections, each bounded by the time left, so that the log shows
        // every failed attempt instead of one long silent pool timeout.
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let probe = tokio::time::timeout(left.max(Duration::from_millis(100)), async {
                PgConnection::connect_with(&options).await?.close().await
            })
            .await
            .unwrap_or(Err(sqlx::Error::PoolTimedOut));
            match probe {
                Ok(()) => break,
                Err(error)
                    if tokio::time::Instant::now() + delay < deadline
                        && is_transient_connect(&error) =>
                {
                    tracing::warn!(attempt, retry_in = ?delay, error = %error, "cannot reach the database yet");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(8));
                    attempt += 1;
                }
                Err(error) => return Err(StoreError::from(error)),
            }
        }
        let pool = pool_options().connect_with(options).await?;
        Ok(Store { pool })
    }

    /// Wraps an existing pool (tests build their own).
    pub fn from_pool(pool: PgPool) -> Self {
        Store { pool }
    }

    /// Applies any migrations not yet applied.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes every connection, waiting for queries in progress to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn pool_options() -> PgPoolOptions {
    // A team's bot serves a few interactions at a time; ten connections leave room on a shared
    // server. Pinging before use is what discards connections broken by a database restart.
    PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire(true)
}

/// At start-up a refused or timed-out connection is worth waiting for; a wrong password or an
/// unknown database is not.
fn is_transient_connect(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => db.code().is_some_and(|code| code == "57P03"),
        other => is_transient(other),
    }
}

/// Runs `operation` again after a transient failure (a database restart), up to three attempts.
/// Only for operations that run in one transaction, so a failed attempt left nothing behind.
async fn with_retry<T, F, Fut>(mut operation: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut delay = Duration::from_millis(200);
    for attempt in 1.. {
        match operation().await {
            Err(StoreError::Unavailable(error)) if attempt < 4 => {
                tracing::warn!(attempt, error = %error, "database unavailable; retrying");
                tokio::time::sleep(delay).await;
                delay *= 3;
            }
            other => return other,
        }
    }
    unreachable!("the retry loop returns from inside")
}
