//! Servers: their schedule and options, set by `/setup`, `/pause`, `/resume` and `/settings`.

use chrono::{NaiveDate, NaiveTime};

use sqlx::{FromRow, Row};

use super::{Store, StoreError};

/// A server's schedule as stored. Time zone and weekdays stay raw here; the scheduler turns them
/// into a `domain::schedule::Schedule`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ServerSettings {
    pub guild_id: i64,
    pub channel_id: i64,
    pub post_time: NaiveTime,
    pub timezone: String,
    pub days: i16,
    pub role_id: Option<i64>,
    pub paused: bool,
    pub last_scheduled_date: Option<NaiveDate>,
    pub admin_user_id: Option<i64>,
    /// How long voting stays open after a reveal.
    pub voting_hours: i32,
    /// Only members who answered a prompt may vote on its answers.
    pub votes_require_answer: bool,
    pub weekly_digest: bool,
    /// The latest week (its local Monday) whose digest was claimed.
    pub last_digest_week: Option<NaiveDate>,
}

/// What `/setup` saves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    pub guild_id: u64,
    pub channel_id: u64,
    pub post_time: NaiveTime,
    pub timezone: String,
    pub days: u8,
    pub role_id: Option<u64>,
    pub admin_user_id: u64,
    /// The most recent due date before set-up, so a server set up after today's time does not
    /// immediately post a late prompt.
    pub last_scheduled_date: Option<NaiveDate>,
}

/// What `/settings` changes; `None` leaves an option as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerOptions {
    pub voting_hours: Option<i32>,
    pub votes_require_answer: Option<bool>,
    pub weekly_digest: Option<bool>,
}

/// The columns of `ServerSettings`, read from `servers` (which must be named so in the query).
pub(super) const SETTINGS_COLUMNS: &str = "guild_id, channel_id, post_time, timezone, days,
     role_id, paused, last_scheduled_date, admin_user_id, voting_hours, votes_require_answer,
     weekly_digest,
     (select max(d.week_start) from weekly_digests d where d.guild_id = servers.guild_id)
         as last_digest_week";

impl Store {
    /// Saves a server's schedule, replacing any earlier one, and unpauses it.
    pub async fn save_setup(&self, setup: &Setup) -> Result<ServerSettings, StoreError> {
        let settings = sqlx::query_as::<_, ServerSettings>(&format!(
            "insert into servers (guild_id, channel_id, post_time, timezone, days, role_id,
                                  admin_user_id, last_scheduled_date, paused)
             values ($1, $2, $3, $4, $5, $6, $7, $8, false)
             on conflict (guild_id) do update set
                 channel_id = excluded.channel_id, post_time = excluded.post_time,
                 timezone = excluded.timezone, days = excluded.days, role_id = excluded.role_id,
                 admin_user_id = excluded.admin_user_id, paused = false, updated_at = now(),
                 last_scheduled_date = greatest(servers.last_scheduled_date, excluded.last_scheduled_date)
             returning {SETTINGS_COLUMNS}"
        ))
        .bind(setup.guild_id as i64)
        .bind(setup.channel_id as i64)
        .bind(setup.post_time)
        .bind(&setup.timezone)
        .bind(i16::from(setup.days))
        .bind(setup.role_id.map(|r| r as i64))
        .bind(setup.admin_user_id as i64)
        .bind(setup.last_scheduled_date)
        .fetch_one(&self.pool)
        .await?;
        Ok(settings)
    }

    /// The server's settings, if it has been set up.
    pub async fn server_settings(
        &self,
        guild_id: u64,
    ) -> Result<Option<ServerSettings>, StoreError> {
        let settings = sqlx::query_as::<_, ServerSettings>(&format!(
            "select {SETTINGS_COLUMNS} from servers where guild_id = $1 and channel_id is not null"
        ))
        .bind(guild_id as i64)
        .fetch_optional(&self.pool)
        .await?;
        Ok(settings)
    }

    /// Changes the voting and digest options of a set-up server; `NotFound` when it was never
    /// set up. The voting hours apply to reveals from now on. Returns the new settings and
    /// whether the weekly digest was on before, read in the same statement.
    pub async fn save_server_options(
        &self,
        guild_id: u64,
        options: ServerOptions,
    ) -> Result<(ServerSettings, bool), StoreError> {
        let row = sqlx::query(&format!(
            "update servers set
                 voting_hours = coalesce($2, voting_hours),
                 votes_require_answer = coalesce($3, votes_require_answer),
                 weekly_digest = coalesce($4, weekly_digest),
                 updated_at = now()
             from (select weekly_digest as digest_was_on from servers
                   where guild_id = $1 for update) before
             where servers.guild_id = $1 and servers.channel_id is not null
             returning {SETTINGS_COLUMNS}, before.digest_was_on"
        ))
        .bind(guild_id as i64)
        .bind(options.voting_hours)
        .bind(options.votes_require_answer)
        .bind(options.weekly_digest)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let settings = ServerSettings::from_row(&row)?;
        Ok((settings, row.try_get("digest_was_on")?))
    }

    /// Pauses or resumes the daily prompt; `NotFound` when the server was never set up.
    pub async fn set_paused(&self, guild_id: u64, paused: bool) -> Result<(), StoreError> {
        let updated = sqlx::query(
            "update servers set paused = $2, updated_at = now()
             where guild_id = $1 and channel_id is not null",
        )
        .bind(guild_id as i64)
        .bind(paused)
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Every server with a schedule that is not paused: what the scheduler looks at each tick.
    pub async fn scheduled_servers(&self) -> Result<Vec<ServerSettings>, StoreError> {
        let servers = sqlx::query_as::<_, ServerSettings>(&format!(
            "select {SETTINGS_COLUMNS} from servers
             where channel_id is not null and not paused order by guild_id"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(servers)
    }
}
