//! A member's own data: everything `/export` sends them, and `/forget-me`.

use chrono::{DateTime, Utc};

use super::{Store, StoreError};
use crate::report::export::{
    ExportedAnswer, ExportedRevision, ExportedSettings, ExportedVote, MemberExport,
};

/// An answer's latest feedback, for the author.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AnswerFeedback {
    pub question_text: Option<String>,
    pub total: i16,
    pub band: String,
    pub dimensions: serde_json::Value,
}

#[derive(sqlx::FromRow)]
struct RevisionRow {
    answer_id: i64,
    kind: String,
    guild_id: Option<i64>,
    question_text: Option<String>,
    answer_created_at: DateTime<Utc>,
    share: bool,
    votes_received: i64,
    revision: i32,
    body: String,
    source: String,
    created_at: DateTime<Utc>,
    rubric_version: String,
    total: i16,
    band: String,
    dimensions: serde_json::Value,
    flags: Vec<String>,
}

impl Store {
    /// The member's own time zone as saved by `/timezone`, if any.
    pub async fn member_timezone(&self, user_id: u64) -> Result<Option<String>, StoreError> {
        let zone: Option<(Option<String>,)> =
            sqlx::query_as("select timezone from members where user_id = $1")
                .bind(user_id as i64)
                .fetch_optional(&self.pool)
                .await?;
        Ok(zone.and_then(|(zone,)| zone))
    }

    /// Everything stored about the member: settings, every answer with every revision and
    /// score, votes received and votes cast.
    pub async fn member_export(
        &self,
        user_id: u64,
        now: DateTime<Utc>,
    ) -> Result<MemberExport, StoreError> {
        let settings: Option<(Option<String>, bool, bool)> = sqlx::query_as(
            "select timezone, leaderboard_opt_out, share_by_default from members where user_id = $1",
        )
        .bind(user_id as i64)
        .fetch_optional(&self.pool)
        .await?;
        let (timezone, leaderboard_opt_out, share_by_default) =
            settings.unwrap_or((None, false, true));
        let rows = sqlx::query_as::<_, RevisionRow>(
            "select a.id as answer_id, a.kind, a.guild_id,
                    coalesce(a.question_text, p.question_text) as question_text,
                    a.created_at as answer_created_at, a.share,
                    (select count(*) from votes v where v.answer_id = a.id) as votes_received,
                    r.revision, r.body, r.source, r.created_at,
                    s.rubric_version, s.total, s.band, s.dimensions, s.flags
             from answers a
             left join prompts p on p.id = a.prompt_id
             join answer_revisions r on r.answer_id = a.id
             join scores s on s.revision_id = r.id
             where a.user_id = $1
             order by a.created_at, a.id, r.revision",
        )
        .bind(user_id as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut answers: Vec<ExportedAnswer> = Vec::new();
        for row in rows {
            if answers.last().is_none_or(|a| a.answer_id != row.answer_id) {
                answers.push(ExportedAnswer {
                    answer_id: row.answer_id,
                    kind: row.kind,
                    guild_id: row.guild_id,
                    question: row.question_text,
                    created_at: row.answer_created_at,
                    shared: row.share,
                    revisions: Vec::new(),
                    votes_received: row.votes_received,
                });
            }
            let answer = answers.last_mut().expect("just pushed");
            answer.revisions.push(ExportedRevision {
                revision: row.revision,
                body: row.body,
                source: row.source,
                created_at: row.created_at,
                rubric_version: row.rubric_version,
                total: row.total.clamp(0, 100) as u8,
                band: row.band,
                dimensions: row.dimensions,
                flags: row.flags,
            });
        }
        let votes: Vec<(i64, DateTime<Utc>)> = sqlx::query_as(
            "select answer_id, created_at from votes where voter_id = $1 order by created_at",
        )
        .bind(user_id as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(MemberExport {
            user_id,
            exported_at: now,
            settings: ExportedSettings {
                timezone,
                leaderboard_opt_out,
                share_by_default,
            },
            answers,
            votes_cast: votes
                .into_iter()
                .map(|(answer_id, created_at)| ExportedVote {
                    answer_id,
                    created_at,
                })
                .collect(),
        })
    }

    /// One of the member's answers at its latest revision: the question, total, band and the
    /// full breakdown. `None` when the answer is not theirs (or no longer exists).
    pub async fn answer_feedback(
        &self,
        user_id: u64,
        answer_id: i64,
    ) -> Result<Option<AnswerFeedback>, StoreError> {
        let feedback = sqlx::query_as::<_, AnswerFeedback>(
            "select coalesce(a.question_text, p.question_text) as question_text,
                    s.total, s.band, s.dimensions
             from answers a
             left join prompts p on p.id = a.prompt_id
             join lateral (
                 select id from answer_revisions where answer_id = a.id
                 order by revision desc limit 1
             ) r on true
             join scores s on s.revision_id = r.id
             where a.id = $1 and a.user_id = $2",
        )
        .bind(answer_id)
        .bind(user_id as i64)
        .fetch_optional(&self.pool)
        .await?;
        Ok(feedback)
    }

    /// Deletes everything stored about the member in one transaction: their answers (with
    /// revisions, scores and the votes they received), the votes they cast, and their settings.
    /// Leaderboard tallies follow at once through the database's triggers. Returns false when
    /// there was nothing to delete.
    pub async fn forget_member(&self, user_id: u64) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let votes = sqlx::query("delete from votes where voter_id = $1")
            .bind(user_id as i64)
            .execute(&mut *tx)
            .await?;
        let member = sqlx::query("delete from members where user_id = $1")
            .bind(user_id as i64)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(votes.rows_affected() + member.rows_affected() > 0)
    }
}
