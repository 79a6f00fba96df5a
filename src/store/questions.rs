//! The question pool in the database: the shared pool synced from `questions/*.toml`, each
//! server's own questions (`/question add|list|remove`), and what a member has already answered.

use std::collections::{HashMap, HashSet};

use super::{Store, StoreError, with_retry};
use crate::domain::questions::Question;

/// A question as the rotation and the bot see it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PoolQuestion {
    pub id: i64,
    /// The pool file's id for a shared question, or `srv-<n>` for a server's own.
    pub slug: String,
    /// `None` for the shared pool; the server's id for its own questions.
    pub guild_id: Option<i64>,
    pub text: String,
    pub probes: Vec<String>,
}

/// What one sync of the shared pool changed, for the start-up log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncReport {
    /// New slugs, and retired slugs that came back to the files (they rejoin the rotation).
    pub added: usize,
    /// Active questions whose text, tags or probes changed.
    pub updated: usize,
    /// Active questions no longer in the files, now inactive.
    pub retired: usize,
    /// Active questions already as the files say.
    pub unchanged: usize,
}

/// The constraint name a duplicate server question is reported under. The schema has no such
/// index (the comparison ignores case and spacing, and spans the shared pool), so the check is
/// made here; the name follows the schema's style so that callers match on it the same way.
const QUESTIONS_TEXT_DUPLICATE: &str = "questions_text_duplicate";

/// The prefix of the slugs generated for a server's own questions.
const SERVER_SLUG_PREFIX: &str = "srv-";

/// An arbitrary, fixed key for the advisory lock that serializes pool syncs: two bot processes
/// starting together would otherwise both insert the same new slug and one would fail.
const SYNC_LOCK_KEY: i64 = 0x6261_725f_706f_6f6c; // "bar_pool"

const QUESTION_COLUMNS: &str = "id, slug, guild_id, text, probes";

/// A shared question's row as the sync compares it with its file.
#[derive(sqlx::FromRow)]
struct SharedRow {
    id: i64,
    slug: String,
    text: String,
    customers: Vec<String>,
    themes: Vec<String>,
    probes: Vec<String>,
    active: bool,
}

impl Store {
    /// Makes the shared pool (guild_id null) match the files, in one transaction: new slugs are
    /// inserted, changed text/tags/probes are updated (old prompts keep their own snapshot of the
    /// wording, so answers to an earlier wording are untouched), slugs no longer in the files are
    /// set inactive (never deleted: prompts and answers reference them), and a retired slug that
    /// comes back is reactivated.
    pub async fn sync_pool(&self, questions: &[Question]) -> Result<SyncReport, StoreError> {
        with_retry(|| self.sync_pool_once(questions)).await
    }

    async fn sync_pool_once(&self, questions: &[Question]) -> Result<SyncReport, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("select pg_advisory_xact_lock($1)")
            .bind(SYNC_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
        let rows = sqlx::query_as::<_, SharedRow>(
            "select id, slug, text, customers, themes, probes, active
             from questions where guild_id is null for update",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut existing: HashMap<String, SharedRow> = rows
            .into_iter()
            .map(|row| (row.slug.clone(), row))
            .collect();

        let mut report = SyncReport::default();
        for question in questions {
            let customers: Vec<&str> = question.customers.iter().map(|c| c.as_str()).collect();
            let themes: Vec<&str> = question.themes.iter().map(|t| t.as_str()).collect();
            match existing.remove(&question.id) {
                None => {
                    sqlx::query(
                        "insert into questions (slug, guild_id, text, customers, themes, probes)
                         values ($1, null, $2, $3, $4, $5)",
                    )
                    .bind(&question.id)
                    .bind(&question.text)
                    .bind(&customers)
                    .bind(&themes)
                    .bind(&question.probes)
                    .execute(&mut *tx)
                    .await?;
                    report.added += 1;
                }
                Some(row) => {
                    let same = row.text == question.text
                        && row.customers == customers
                        && row.themes == themes
                        && row.probes == question.probes;
                    if same && row.active {
                        report.unchanged += 1;
                        continue;
                    }
                    // Prompts copy the wording they were posted with, so rewriting the row here
                    // changes only what is asked from now on.
                    sqlx::query(
                        "update questions set text = $2, customers = $3, themes = $4,
                             probes = $5, active = true, updated_at = now()
                         where id = $1",
                    )
                    .bind(row.id)
                    .bind(&question.text)
                    .bind(&customers)
                    .bind(&themes)
                    .bind(&question.probes)
                    .execute(&mut *tx)
                    .await?;
                    if row.active {
                        report.updated += 1;
                    } else {
                        report.added += 1;
                    }
                }
            }
        }

        // What is left was removed from the files. Retiring rather than deleting keeps the
        // prompts and answers that reference these rows intact.
        let gone: Vec<i64> = existing
            .values()
            .filter(|row| row.active)
            .map(|row| row.id)
            .collect();
        if !gone.is_empty() {
            let retired = sqlx::query(
                "update questions set active = false, updated_at = now() where id = any($1)",
            )
            .bind(&gone)
            .execute(&mut *tx)
            .await?;
            report.retired = retired.rows_affected() as usize;
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Active questions that can be asked in a server: the shared pool plus the server's own,
    /// ordered by id. Guild id 0 (no server, as in a direct message) gives the shared pool alone.
    pub async fn rotation_pool(&self, guild_id: u64) -> Result<Vec<PoolQuestion>, StoreError> {
        let questions = sqlx::query_as::<_, PoolQuestion>(&format!(
            "select {QUESTION_COLUMNS} from questions
             where active and (guild_id is null or guild_id = $1)
             order by id"
        ))
        .bind(guild_id as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(questions)
    }

    /// Adds a server's own question with a generated slug (`srv-1`, `srv-2`, … per server, never
    /// reused), creating the server's row if missing. The text is stored as given: the caller
    /// validates it. The same text, ignoring case and spacing, as an active question of this
    /// server or of the shared pool is `Conflict { constraint: "questions_text_duplicate" }`.
    pub async fn add_server_question(
        &self,
        guild_id: u64,
        text: &str,
        created_by: u64,
    ) -> Result<PoolQuestion, StoreError> {
        with_retry(|| self.add_server_question_once(guild_id, text, created_by)).await
    }

    async fn add_server_question_once(
        &self,
        guild_id: u64,
        text: &str,
        created_by: u64,
    ) -> Result<PoolQuestion, StoreError> {
        let guild_id = guild_id as i64;
        let mut tx = self.pool.begin().await?;
        sqlx::query("insert into servers (guild_id) values ($1) on conflict do nothing")
            .bind(guild_id)
            .execute(&mut *tx)
            .await?;
        // Two admins adding at the same moment queue on the server's row, so the duplicate check
        // and the next slug number below see each other's additions.
        sqlx::query("select 1 from servers where guild_id = $1 for update")
            .bind(guild_id)
            .execute(&mut *tx)
            .await?;

        // The comparison is made here rather than with SQL's lower(), whose notion of case
        // depends on the database's locale (ASCII only under the C locale).
        let texts: Vec<(String,)> = sqlx::query_as(
            "select text from questions where active and (guild_id is null or guild_id = $1)",
        )
        .bind(guild_id)
        .fetch_all(&mut *tx)
        .await?;
        let wanted = normalized(text);
        if texts
            .iter()
            .any(|(existing,)| normalized(existing) == wanted)
        {
            return Err(StoreError::Conflict {
                constraint: QUESTIONS_TEXT_DUPLICATE.to_owned(),
            });
        }

        // Retired questions count too, so a removed question's slug is never given to a new
        // one: members' answers and old prompts still point at the old row.
        let (number,): (i64,) = sqlx::query_as(
            "select coalesce(max(substring(slug from '^srv-([0-9]{1,18})$')::bigint), 0) + 1
             from questions where guild_id = $1",
        )
        .bind(guild_id)
        .fetch_one(&mut *tx)
        .await?;
        let question = sqlx::query_as::<_, PoolQuestion>(&format!(
            "insert into questions (slug, guild_id, text, created_by)
             values ($1, $2, $3, $4)
             returning {QUESTION_COLUMNS}"
        ))
        .bind(format!("{SERVER_SLUG_PREFIX}{number}"))
        .bind(guild_id)
        .bind(text)
        .bind(created_by as i64)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(question)
    }

    /// The server's own active questions, oldest first; the shared pool is not included.
    pub async fn server_questions(&self, guild_id: u64) -> Result<Vec<PoolQuestion>, StoreError> {
        let questions = sqlx::query_as::<_, PoolQuestion>(&format!(
            "select {QUESTION_COLUMNS} from questions
             where active and guild_id = $1
             order by id"
        ))
        .bind(guild_id as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(questions)
    }

    /// How many shared-pool questions are active, for `/question list`.
    pub async fn shared_pool_size(&self) -> Result<usize, StoreError> {
        let (n,): (i64,) =
            sqlx::query_as("select count(*) from questions where active and guild_id is null")
                .fetch_one(&self.pool)
                .await?;
        Ok(n as usize)
    }

    /// Retires a server's own question by slug; `Ok(false)` when that server has no such active
    /// question. Shared-pool questions cannot be removed this way: they leave with their file.
    /// The row stays (inactive) because prompts and answers reference it.
    pub async fn remove_server_question(
        &self,
        guild_id: u64,
        slug: &str,
    ) -> Result<bool, StoreError> {
        let retired = sqlx::query(
            "update questions set active = false, updated_at = now()
             where guild_id = $1 and slug = $2 and active",
        )
        .bind(guild_id as i64)
        .bind(slug)
        .execute(&self.pool)
        .await?;
        Ok(retired.rows_affected() == 1)
    }

    /// Ids of questions the member has answered anywhere: the questions of the daily prompts they
    /// answered, and the questions of their practice answers. `/practice` skips these.
    pub async fn answered_question_ids(&self, user_id: u64) -> Result<HashSet<i64>, StoreError> {
        let ids: Vec<(i64,)> = sqlx::query_as(
            "select p.question_id from answers a join prompts p on p.id = a.prompt_id
             where a.user_id = $1
             union
             select question_id from answers where user_id = $1 and question_id is not null",
        )
        .bind(user_id as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(|(id,)| id).collect())
    }
}

/// A question's text for duplicate checks: case and spacing ignored, as the pool linter does,
/// since a reflowed or recapitalized copy is still a copy.
fn normalized(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
