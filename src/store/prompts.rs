//! Prompts: claiming the next one for a server exactly once, recording how posting went, and
//! finding the prompt a member is answering.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Postgres, Transaction};

use super::servers::{SETTINGS_COLUMNS, ServerSettings};
use super::{Store, StoreError};

/// A prompt as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Prompt {
    pub id: i64,
    pub guild_id: i64,
    pub question_id: i64,
    pub question_text: String,
    pub scheduled_for: Option<NaiveDate>,
    pub cycle: i32,
    pub channel_id: i64,
    pub message_id: Option<i64>,
    pub thread_id: Option<i64>,
    pub late: bool,
    pub posted_at: Option<DateTime<Utc>>,
    pub post_error: Option<String>,
    pub closes_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

const PROMPT_COLUMNS: &str = "id, guild_id, question_id, question_text, scheduled_for, cycle,
     channel_id, message_id, thread_id, late, posted_at, post_error, closes_at, closed_at";

/// Where a server's rotation stands: the cycle, what was asked in it, and the last question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationState {
    pub cycle: i32,
    /// Question ids (as text, the rotation's currency) asked in the current cycle.
    pub asked_this_cycle: HashSet<String>,
    pub last_asked: Option<String>,
    pub low_pool_warned_cycle: Option<i32>,
}

/// The prompt to insert once the caller has decided and picked.
#[derive(Debug, Clone)]
pub struct NewPrompt<'a> {
    pub question_id: i64,
    pub question_text: &'a str,
    /// The local date for a scheduled prompt; `None` for one posted early with `/post-now`.
    pub scheduled_for: Option<NaiveDate>,
    pub cycle: i32,
    pub late: bool,
    pub closes_at: Option<DateTime<Utc>>,
}

/// A server's row locked for one claim. Two schedulers (or a scheduler and `/post-now`) that
/// reach the same server queue on this lock, and the second sees what the first did.
pub struct ServerLock {
    tx: Transaction<'static, Postgres>,
    pub settings: ServerSettings,
}

impl Store {
    /// Locks a set-up server's row for a claim; `None` when the server has no schedule.
    pub async fn lock_server(&self, guild_id: u64) -> Result<Option<ServerLock>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let settings = sqlx::query_as::<_, ServerSettings>(&format!(
            "select {SETTINGS_COLUMNS}
             from servers where guild_id = $1 and channel_id is not null for update of servers"
        ))
        .bind(guild_id as i64)
        .fetch_optional(&mut *tx)
        .await?;
        Ok(settings.map(|settings| ServerLock { tx, settings }))
    }

    /// Records that the prompt is in the channel.
    pub async fn mark_posted(
        &self,
        prompt_id: i64,
        message_id: u64,
        thread_id: Option<u64>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "update prompts set message_id = $2, thread_id = $3, posted_at = $4, post_error = null
             where id = $1",
        )
        .bind(prompt_id)
        .bind(message_id as i64)
        .bind(thread_id.map(|t| t as i64))
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records why a prompt could not be posted; it is not retried automatically, so a channel
    /// the bot may not post in cannot cause a loop.
    pub async fn mark_post_failed(&self, prompt_id: i64, error: &str) -> Result<(), StoreError> {
        sqlx::query("update prompts set post_error = $2 where id = $1")
            .bind(prompt_id)
            .bind(error)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Prompts claimed but neither posted nor failed since before `claimed_before`: the process
    /// that claimed them stopped between claiming and posting.
    pub async fn stranded_prompts(
        &self,
        claimed_before: DateTime<Utc>,
    ) -> Result<Vec<Prompt>, StoreError> {
        let prompts = sqlx::query_as::<_, Prompt>(&format!(
            "select {PROMPT_COLUMNS} from prompts
             where posted_at is null and post_error is null and claimed_at < $1
             order by id"
        ))
        .bind(claimed_before)
        .fetch_all(&self.pool)
        .await?;
        Ok(prompts)
    }

    /// Takes over a stranded prompt for posting, once: only one caller gets `true`.
    pub async fn retake_prompt(
        &self,
        prompt_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "update prompts set claimed_at = $2
             where id = $1 and posted_at is null and post_error is null and claimed_at < $2 - interval '1 minute'",
        )
        .bind(prompt_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// The server's open prompt: the latest one posted whose window has not closed.
    pub async fn open_prompt(&self, guild_id: u64) -> Result<Option<Prompt>, StoreError> {
        let prompt = sqlx::query_as::<_, Prompt>(&format!(
            "select {PROMPT_COLUMNS} from prompts
             where guild_id = $1 and posted_at is not null and closed_at is null
             order by id desc limit 1"
        ))
        .bind(guild_id as i64)
        .fetch_optional(&self.pool)
        .await?;
        Ok(prompt)
    }

    /// A prompt by id.
    pub async fn prompt(&self, prompt_id: i64) -> Result<Option<Prompt>, StoreError> {
        let prompt = sqlx::query_as::<_, Prompt>(&format!(
            "select {PROMPT_COLUMNS} from prompts where id = $1"
        ))
        .bind(prompt_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(prompt)
    }

    /// Remembers the prompt a member was shown, which a direct message then answers.
    pub async fn set_current_prompt(&self, user_id: u64, prompt_id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "insert into members (user_id, current_prompt_id, current_question_id, current_set_at)
             values ($1, $2, null, now())
             on conflict (user_id) do update set current_prompt_id = $2,
                 current_question_id = null, current_set_at = now()",
        )
        .bind(user_id as i64)
        .bind(prompt_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Remembers the practice question a member was given.
    pub async fn set_current_question(
        &self,
        user_id: u64,
        question_id: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "insert into members (user_id, current_prompt_id, current_question_id, current_set_at)
             values ($1, null, $2, now())
             on conflict (user_id) do update set current_prompt_id = null,
                 current_question_id = $2, current_set_at = now()",
        )
        .bind(user_id as i64)
        .bind(question_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// What the member is answering: their current prompt or practice question, if any.
    pub async fn member_current(&self, user_id: u64) -> Result<MemberCurrent, StoreError> {
        let row: Option<(Option<i64>, Option<i64>, Option<String>)> = sqlx::query_as(
            "select m.current_prompt_id, m.current_question_id, q.text
             from members m left join questions q on q.id = m.current_question_id
             where m.user_id = $1",
        )
        .bind(user_id as i64)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some((Some(prompt_id), _, _)) => match self.prompt(prompt_id).await? {
                Some(prompt) => MemberCurrent::Prompt(prompt),
                None => MemberCurrent::Nothing,
            },
            Some((None, Some(question_id), Some(text))) => {
                MemberCurrent::Question { question_id, text }
            }
            _ => MemberCurrent::Nothing,
        })
    }

    /// Records that admins were told the pool is running low in this cycle.
    pub async fn mark_low_pool_warned(&self, guild_id: u64, cycle: i32) -> Result<(), StoreError> {
        sqlx::query("update servers set low_pool_warned_cycle = $2 where guild_id = $1")
            .bind(guild_id as i64)
            .bind(cycle)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// What a member's direct message answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberCurrent {
    Prompt(Prompt),
    Question { question_id: i64, text: String },
    Nothing,
}

impl ServerLock {
    /// The server's rotation: the current cycle and the questions asked in it.
    pub async fn rotation_state(&mut self) -> Result<RotationState, StoreError> {
        let guild_id = self.settings.guild_id;
        let (cycle, warned): (Option<i32>, Option<i32>) = sqlx::query_as(
            "select (select max(cycle) from prompts where guild_id = $1), low_pool_warned_cycle
             from servers where guild_id = $1",
        )
        .bind(guild_id)
        .fetch_one(&mut *self.tx)
        .await?;
        let cycle = cycle.unwrap_or(1);
        let asked: Vec<(i64,)> =
            sqlx::query_as("select question_id from prompts where guild_id = $1 and cycle = $2")
                .bind(guild_id)
                .bind(cycle)
                .fetch_all(&mut *self.tx)
                .await?;
        let last: Option<(i64,)> = sqlx::query_as(
            "select question_id from prompts where guild_id = $1 order by id desc limit 1",
        )
        .bind(guild_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(RotationState {
            cycle,
            asked_this_cycle: asked.into_iter().map(|(id,)| id.to_string()).collect(),
            last_asked: last.map(|(id,)| id.to_string()),
            low_pool_warned_cycle: warned,
        })
    }

    /// Inserts the prompt, closes the server's previous window, advances the schedule's memory
    /// when the prompt is a scheduled one, and commits. A second claim for the same local date
    /// fails with `Conflict { constraint: "prompts_one_per_local_date" }`.
    pub async fn claim(
        mut self,
        prompt: &NewPrompt<'_>,
        now: DateTime<Utc>,
    ) -> Result<Prompt, StoreError> {
        let guild_id = self.settings.guild_id;
        sqlx::query(
            "update prompts set closed_at = $2
             where guild_id = $1 and closed_at is null",
        )
        .bind(guild_id)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        let claimed = sqlx::query_as::<_, Prompt>(&format!(
            "insert into prompts (guild_id, question_id, question_text, scheduled_for, cycle,
                                  channel_id, late, claimed_at, closes_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             returning {PROMPT_COLUMNS}"
        ))
        .bind(guild_id)
        .bind(prompt.question_id)
        .bind(prompt.question_text)
        .bind(prompt.scheduled_for)
        .bind(prompt.cycle)
        .bind(self.settings.channel_id)
        .bind(prompt.late)
        .bind(now)
        .bind(prompt.closes_at)
        .fetch_one(&mut *self.tx)
        .await?;
        if let Some(date) = prompt.scheduled_for {
            sqlx::query(
                "update servers set last_scheduled_date = greatest(last_scheduled_date, $2)
                 where guild_id = $1",
            )
            .bind(guild_id)
            .bind(date)
            .execute(&mut *self.tx)
            .await?;
        }
        self.tx.commit().await?;
        Ok(claimed)
    }

    /// Gives the lock back without claiming anything.
    pub async fn release(self) -> Result<(), StoreError> {
        self.tx.rollback().await?;
        Ok(())
    }
}
