//! Configuration from the environment (and `.env`), validated into one typed `Config`.
//!
//! Every error names the variable and says what is wrong in one line. The Discord token is a
//! `SecretString`, so it never appears in logs or `Debug` output, and a database URL is never
//! echoed back because it may carry a password.

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use sqlx::ConnectOptions;
use sqlx::postgres::PgConnectOptions;
use thiserror::Error;
use url::Url;

/// Where the bot keeps its data when it runs its own PostgreSQL (no `DATABASE_URL`).
pub const DEFAULT_DATA_DIR: &str = "data";
/// Where the question pool lives unless `QUESTIONS_DIR` says otherwise.
pub const DEFAULT_QUESTIONS_DIR: &str = "questions";

/// The whole configuration of a running bot.
#[derive(Debug, Clone)]
pub struct Config {
    pub discord_token: SecretString,
    pub database: DatabaseConfig,
    /// Send Discord REST calls here instead of discord.com (a proxy, or a local fake).
    pub discord_api_base: Option<Url>,
    pub questions_dir: PathBuf,
}

/// Which PostgreSQL the bot uses.
#[derive(Debug, Clone)]
pub enum DatabaseConfig {
    /// A server the operator runs (`DATABASE_URL`).
    Url(Box<PgConnectOptions>),
    /// A private cluster the bot starts itself in `<data_dir>/postgres`.
    Local { data_dir: PathBuf },
}

/// A configuration problem, worded for the person who has to fix it.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "DISCORD_TOKEN is not set: put your bot's token in .env (see .env.example), or run `bar-raiser score` to try the rubric without Discord"
    )]
    MissingToken,
    #[error("DISCORD_TOKEN {0}")]
    BadToken(&'static str),
    #[error(
        "DATABASE_URL is not a valid PostgreSQL URL ({0}); expected e.g. postgres://user:password@host:5432/bar_raiser, or leave it unset to let the bot run its own database"
    )]
    BadDatabaseUrl(String),
    #[error("DISCORD_API_BASE is not a usable base URL ({0}); expected e.g. http://127.0.0.1:8080")]
    BadApiBase(String),
}

impl Config {
    /// Reads the configuration from the process environment, after loading `.env` if present.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal; a malformed one is reported by dotenvy's own error, which we
        // deliberately do not treat as fatal because every variable can come from the shell too.
        let _ = dotenvy::dotenv();
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Builds the configuration from any key lookup, so that tests need not touch the process
    /// environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let token = lookup("DISCORD_TOKEN").ok_or(ConfigError::MissingToken)?;
        let token = token.trim();
        if token.is_empty() {
            return Err(ConfigError::MissingToken);
        }
        if token.chars().any(char::is_whitespace) {
            return Err(ConfigError::BadToken(
                "contains spaces: paste the token alone, without the word Bot",
            ));
        }

        Ok(Config {
            discord_token: SecretString::from(token.to_owned()),
            database: database_from_lookup(&lookup)?,
            discord_api_base: api_base_from_lookup(&lookup)?,
            questions_dir: non_empty(&lookup, "QUESTIONS_DIR")
                .map_or_else(|| PathBuf::from(DEFAULT_QUESTIONS_DIR), PathBuf::from),
        })
    }

    /// The token as serenity wants it. Call this only where the token is handed to serenity.
    pub fn expose_token(&self) -> &str {
        self.discord_token.expose_secret()
    }
}

/// Reads only the database settings: `bar-raiser migrate` needs no Discord token.
pub fn database_from_env() -> Result<DatabaseConfig, ConfigError> {
    let _ = dotenvy::dotenv();
    database_from_lookup(&|key: &str| std::env::var(key).ok())
}

fn database_from_lookup(
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<DatabaseConfig, ConfigError> {
    match non_empty(lookup, "DATABASE_URL") {
        Some(url) => parse_database_url(&url).map(|options| DatabaseConfig::Url(Box::new(options))),
        None => Ok(DatabaseConfig::Local {
            data_dir: non_empty(lookup, "DATA_DIR")
                .map_or_else(|| PathBuf::from(DEFAULT_DATA_DIR), PathBuf::from),
        }),
    }
}

fn parse_database_url(raw: &str) -> Result<PgConnectOptions, ConfigError> {
    // Parse with the url crate first: its errors never quote the input, so a password in a
    // malformed URL cannot leak into the message.
    let url = Url::parse(raw.trim()).map_err(|e| ConfigError::BadDatabaseUrl(e.to_string()))?;
    if !matches!(url.scheme(), "postgres" | "postgresql") {
        return Err(ConfigError::BadDatabaseUrl(format!(
            "the scheme is {:?}, not postgres",
            url.scheme()
        )));
    }
    PgConnectOptions::from_url(&url).map_err(|e| ConfigError::BadDatabaseUrl(e.to_string()))
}

fn api_base_from_lookup(
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<Option<Url>, ConfigError> {
    let Some(raw) = non_empty(lookup, "DISCORD_API_BASE") else {
        return Ok(None);
    };
    let url = Url::parse(raw.trim()).map_err(|e| ConfigError::BadApiBase(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError::BadApiBase(
            "the scheme must be http or https".into(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::BadApiBase(
            "a base URL takes no query or fragment".into(),
        ));
    }
    Ok(Some(url))
}

/// An optional variable set to only white space means "unset": that is what a line such as
/// `DATABASE_URL=` copied from an example file intends.
fn non_empty(lookup: &impl Fn(&str) -> Option<String>, key: &str) -> Option<String> {
    lookup(key)
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests;
