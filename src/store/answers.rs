//! Answers, their revisions and their scores.

use sqlx::types::Json;

use super::{Store, StoreError, with_retry};
use crate::domain::answer::{AnswerSource, AnswerText};

/// The rubric's verdict as stored: the version, the total and band, and the full breakdown.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRecord {
    pub rubric_version: String,
    pub total: u8,
    pub band: String,
    pub dimensions: serde_json::Value,
    pub flags: Vec<String>,
}

/// An answer to save: a new one, or a revision of the member's earlier answer to the same prompt
/// or practice question.
#[derive(Debug, Clone)]
pub struct NewAnswer<'a> {
    pub user_id: u64,
    pub guild_id: Option<u64>,
    pub prompt_id: Option<i64>,
    pub question_id: Option<i64>,
    pub question_text: Option<&'a str>,
    pub body: &'a AnswerText,
    pub source: AnswerSource,
    pub score: &'a ScoreRecord,
}

/// What was saved, and the previous revision's total for showing the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedAnswer {
    pub answer_id: i64,
    pub revision: i32,
    pub previous_total: Option<u8>,
    /// Whether the answer will be revealed (anonymised) for peer voting.
    pub shared: bool,
}

/// An answer's latest revision as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StoredAnswer {
    pub answer_id: i64,
    pub kind: String,
    pub guild_id: Option<i64>,
    pub revision: i32,
    pub body: String,
    pub source: String,
    pub total: i16,
    pub rubric_version: String,
}

impl Store {
    /// Saves an answer with its score in one transaction, retried if the database restarts
    /// meanwhile. When this returns `Ok`, the answer is committed: only then may the member be
    /// told it was saved.
    pub async fn save_answer(&self, answer: &NewAnswer<'_>) -> Result<SavedAnswer, StoreError> {
        with_retry(|| self.save_answer_once(answer)).await
    }

    async fn save_answer_once(&self, answer: &NewAnswer<'_>) -> Result<SavedAnswer, StoreError> {
        let mut tx = self.pool.begin().await?;
        let user_id = answer.user_id as i64;
        let guild_id = answer.guild_id.map(|g| g as i64);

        sqlx::query("insert into members (user_id) values ($1) on conflict do nothing")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if let Some(guild_id) = guild_id {
            sqlx::query("insert into servers (guild_id) values ($1) on conflict do nothing")
                .bind(guild_id)
                .execute(&mut *tx)
                .await?;
        }

        // Take the member's answer to this prompt or practice question, creating it if needed,
        // in one statement: two first answers sent at the same moment (a double click) must both
        // land as revisions of one answer, not collide on the unique key. The upsert also locks
        // the row, so concurrent revisions get distinct numbers.
        let kind = if answer.prompt_id.is_some() {
            "daily"
        } else {
            "practice"
        };
        let conflict_target = match (answer.prompt_id, answer.question_id) {
            (Some(_), _) => "on conflict (prompt_id, user_id) do update set updated_at = now()",
            (None, Some(_)) => {
                "on conflict (user_id, question_id) where prompt_id is null and question_id is not null
                 do update set updated_at = now()"
            }
            // A free practice answer has nothing to collide with.
            (None, None) => "",
        };
        let (answer_id, shared): (i64, bool) = sqlx::query_as(&format!(
            "insert into answers (user_id, guild_id, prompt_id, question_id, question_text, kind, share)
             values ($1, $2, $3, $4, $5, $6,
                     coalesce((select share_by_default from members where user_id = $1), true))
             {conflict_target}
             returning id, share"
        ))
        .bind(user_id)
        .bind(guild_id)
        .bind(answer.prompt_id)
        .bind(answer.question_id)
        .bind(answer.question_text)
        .bind(kind)
        .fetch_one(&mut *tx)
        .await?;

        let previous: Option<(i32, i16)> = sqlx::query_as(
            "select r.revision, s.total from answer_revisions r
             join scores s on s.revision_id = r.id
             where r.answer_id = $1 order by r.revision desc limit 1",
        )
        .bind(answer_id)
        .fetch_optional(&mut *tx)
        .await?;
        let revision = previous.map_or(1, |(revision, _)| revision + 1);

        let (revision_id,): (i64,) = sqlx::query_as(
            "insert into answer_revisions (answer_id, revision, body, source)
             values ($1, $2, $3, $4) returning id",
        )
        .bind(answer_id)
        .bind(revision)
        .bind(answer.body.as_str())
        .bind(answer.source.as_str())
        .fetch_one(&mut *tx)
        .await?;

        let score = answer.score;
        sqlx::query(
            "insert into scores (revision_id, rubric_version, total, band, dimensions, flags)
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(revision_id)
        .bind(&score.rubric_version)
        .bind(i16::from(score.total))
        .bind(&score.band)
        .bind(Json(&score.dimensions))
        .bind(&score.flags)
        .execute(&mut *tx)
        .await?;

        // The streak bonus needs the domain's streak rule, so it is recorded here, in the same
        // transaction; the database's triggers carry it into the leaderboard's tallies.
        super::leaderboard::record_answer_points(&mut tx, answer_id).await?;
        tx.commit().await?;
        Ok(SavedAnswer {
            answer_id,
            revision,
            previous_total: previous.map(|(_, total)| total.clamp(0, 100) as u8),
            shared,
        })
    }

    /// The member's answers, newest first, each at its latest revision.
    pub async fn member_answers(&self, user_id: u64) -> Result<Vec<StoredAnswer>, StoreError> {
        let rows = sqlx::query_as::<_, StoredAnswer>(
            "select a.id as answer_id, a.kind, a.guild_id, r.revision, r.body, r.source,
                    s.total, s.rubric_version
             from answers a
             join lateral (
                 select * from answer_revisions where answer_id = a.id
                 order by revision desc limit 1
             ) r on true
             join scores s on s.revision_id = r.id
             where a.user_id = $1
             order by a.created_at desc, a.id desc",
        )
        .bind(user_id as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}

impl ScoreRecord {
    /// The record of a rubric score: its version, total, band, breakdown and flags.
    pub fn from_score(score: &crate::domain::rubric::Score) -> Self {
        let as_text = |value: serde_json::Value| match value {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        };
        ScoreRecord {
            rubric_version: score.rubric_version.clone(),
            total: score.total,
            band: as_text(serde_json::to_value(score.band).unwrap_or_default()),
            dimensions: serde_json::to_value(&score.dimensions).unwrap_or_default(),
            flags: score
                .flags
                .iter()
                .map(|flag| as_text(serde_json::to_value(flag).unwrap_or_default()))
                .collect(),
        }
    }
}
