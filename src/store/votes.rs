//! Peer voting: revealing a prompt's shared answers once, casting and taking back votes, and
//! claiming the results once.

use chrono::{DateTime, Utc};

use super::{Store, StoreError};
use crate::domain::voting::{self, VoteContext, VoteRefusal};

/// A shared answer as revealed to voters: the revision current at the reveal.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RevealedAnswer {
    pub answer_id: i64,
    pub user_id: i64,
    pub label: String,
    pub body: String,
    pub total: i16,
}

/// A prompt whose answers are to be revealed now; the caller posts them in `thread_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reveal {
    pub prompt_id: i64,
    pub guild_id: i64,
    pub channel_id: i64,
    pub thread_id: Option<i64>,
    pub question_text: String,
    pub voting_closes_at: DateTime<Utc>,
    pub answers: Vec<RevealedAnswer>,
}

/// One answer's result when voting closes.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ResultRow {
    pub answer_id: i64,
    pub user_id: i64,
    pub label: String,
    pub total: i16,
    pub band: String,
    pub votes: i64,
    pub dimensions: serde_json::Value,
}

/// A prompt whose voting closed: its results, to be posted once.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    pub prompt_id: i64,
    pub channel_id: i64,
    pub thread_id: Option<i64>,
    pub question_text: String,
    pub rows: Vec<ResultRow>,
}

/// What a vote is judged on, as stored.
#[derive(sqlx::FromRow)]
struct VoteFacts {
    author_id: i64,
    label: Option<String>,
    voting_closes_at: Option<DateTime<Utc>>,
    results_posted: bool,
    votes_require_answer: bool,
    voter_answered: bool,
}

/// What a click on a vote button did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoteOutcome {
    Added { label: String },
    Removed { label: String },
    Refused(VoteRefusal),
}

impl Store {
    /// Claims the reveal of every closed, unrevealed prompt (exactly once each: the claim sets
    /// `revealed_at` under a row lock) and pins the revision each shared answer is shown at.
    pub async fn claim_reveals(&self, now: DateTime<Utc>) -> Result<Vec<Reveal>, StoreError> {
        let mut reveals = Vec::new();
        loop {
            let mut tx = self.pool.begin().await?;
            let due: Option<(i64, i64, i64, Option<i64>, String, i32)> = sqlx::query_as(
                "select p.id, p.guild_id, p.channel_id, p.thread_id, p.question_text, s.voting_hours
                 from prompts p join servers s on s.guild_id = p.guild_id
                 where p.closed_at is not null and p.revealed_at is null and p.posted_at is not null
                 order by p.id limit 1
                 for update of p skip locked",
            )
            .fetch_optional(&mut *tx)
            .await?;
            let Some((prompt_id, guild_id, channel_id, thread_id, question_text, hours)) = due
            else {
                tx.rollback().await?;
                return Ok(reveals);
            };
            let voting_closes_at = now + chrono::Duration::hours(i64::from(hours));
            let shared: Vec<(i64, i64, i64, String, i16)> = sqlx::query_as(
                "select a.id, a.user_id, r.id, r.body, s.total
                 from answers a
                 join lateral (
                     select * from answer_revisions where answer_id = a.id
                     order by revision desc limit 1
                 ) r on true
                 join scores s on s.revision_id = r.id
                 where a.prompt_id = $1 and a.share
                 order by a.created_at, a.id",
            )
            .bind(prompt_id)
            .fetch_all(&mut *tx)
            .await?;
            let mut answers = Vec::with_capacity(shared.len());
            for (index, (answer_id, user_id, revision_id, body, total)) in
                shared.into_iter().enumerate()
            {
                let label = voting::label(index);
                sqlx::query(
                    "update answers set revealed_revision_id = $2, reveal_label = $3 where id = $1",
                )
                .bind(answer_id)
                .bind(revision_id)
                .bind(&label)
                .execute(&mut *tx)
                .await?;
                answers.push(RevealedAnswer {
                    answer_id,
                    user_id,
                    label,
                    body,
                    total,
                });
            }
            sqlx::query("update prompts set revealed_at = $2, voting_closes_at = $3 where id = $1")
                .bind(prompt_id)
                .bind(now)
                .bind(voting_closes_at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            reveals.push(Reveal {
                prompt_id,
                guild_id,
                channel_id,
                thread_id,
                question_text,
                voting_closes_at,
                answers,
            });
        }
    }

    /// A revealed answer's text as voters saw it, with its label, for "Full answer".
    pub async fn revealed_answer(
        &self,
        answer_id: i64,
    ) -> Result<Option<(String, String)>, StoreError> {
        let row: Option<(String, String)> = sqlx::query_as(
            "select a.reveal_label, r.body from answers a
             join answer_revisions r on r.id = a.revealed_revision_id
             where a.id = $1",
        )
        .bind(answer_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row)
    }

    /// Casts a vote, or takes it back when the member already voted for that answer, after
    /// checking the rules with `now`. One transaction, so repeated clicks cannot double count.
    pub async fn toggle_vote(
        &self,
        answer_id: i64,
        voter_id: u64,
        now: DateTime<Utc>,
    ) -> Result<VoteOutcome, StoreError> {
        let mut tx = self.pool.begin().await?;
        let facts: Option<VoteFacts> = sqlx::query_as(
            "select a.user_id as author_id, a.reveal_label as label, p.voting_closes_at,
                        p.results_posted_at is not null as results_posted,
                        s.votes_require_answer,
                        exists (select 1 from answers mine
                                where mine.prompt_id = p.id and mine.user_id = $2) as voter_answered
                 from answers a
                 join prompts p on p.id = a.prompt_id
                 join servers s on s.guild_id = p.guild_id
                 where a.id = $1
                 for update of a",
        )
        .bind(answer_id)
        .bind(voter_id as i64)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(facts) = facts else {
            return Ok(VoteOutcome::Refused(VoteRefusal::NotRevealed));
        };
        let label = facts.label;
        let context = VoteContext {
            voter_id,
            author_id: facts.author_id as u64,
            voting_closes_at: facts.voting_closes_at.filter(|_| label.is_some()),
            results_posted: facts.results_posted,
            votes_require_answer: facts.votes_require_answer,
            voter_answered: facts.voter_answered,
        };
        if let Err(refusal) = voting::check_vote(&context, now) {
            return Ok(VoteOutcome::Refused(refusal));
        }
        let label = label.unwrap_or_default();
        let removed = sqlx::query("delete from votes where answer_id = $1 and voter_id = $2")
            .bind(answer_id)
            .bind(voter_id as i64)
            .execute(&mut *tx)
            .await?;
        let outcome = if removed.rows_affected() == 1 {
            VoteOutcome::Removed { label }
        } else {
            sqlx::query("insert into votes (answer_id, voter_id, created_at) values ($1, $2, $3)")
                .bind(answer_id)
                .bind(voter_id as i64)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            VoteOutcome::Added { label }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Claims the results of every prompt whose voting has closed (exactly once each).
    pub async fn claim_results(&self, now: DateTime<Utc>) -> Result<Vec<Results>, StoreError> {
        let claimed: Vec<(i64, i64, Option<i64>, String)> = sqlx::query_as(
            "update prompts set results_posted_at = $1
             where revealed_at is not null and results_posted_at is null and voting_closes_at <= $1
             returning id, channel_id, thread_id, question_text",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let mut results = Vec::with_capacity(claimed.len());
        for (prompt_id, channel_id, thread_id, question_text) in claimed {
            let rows = sqlx::query_as::<_, ResultRow>(
                "select a.id as answer_id, a.user_id, a.reveal_label as label, s.total, s.band,
                        (select count(*) from votes v where v.answer_id = a.id) as votes,
                        s.dimensions
                 from answers a
                 join scores s on s.revision_id = a.revealed_revision_id
                 where a.prompt_id = $1 and a.reveal_label is not null
                 order by a.created_at, a.id",
            )
            .bind(prompt_id)
            .fetch_all(&self.pool)
            .await?;
            results.push(Results {
                prompt_id,
                channel_id,
                thread_id,
                question_text,
                rows,
            });
        }
        Ok(results)
    }

    /// Saves a member's privacy settings; `None` leaves a setting as it is.
    pub async fn set_privacy(
        &self,
        user_id: u64,
        leaderboard_opt_out: Option<bool>,
        share_by_default: Option<bool>,
    ) -> Result<(bool, bool), StoreError> {
        let row: (bool, bool) = sqlx::query_as(
            "insert into members (user_id, leaderboard_opt_out, share_by_default)
             values ($1, coalesce($2, false), coalesce($3, true))
             on conflict (user_id) do update set
                 leaderboard_opt_out = coalesce($2, members.leaderboard_opt_out),
                 share_by_default = coalesce($3, members.share_by_default)
             returning leaderboard_opt_out, share_by_default",
        )
        .bind(user_id as i64)
        .bind(leaderboard_opt_out)
        .bind(share_by_default)
        .fetch_one(&self.pool)
        .await?;
        Ok(row)
    }

    /// Saves the member's time zone (an IANA name the caller validated), used for streaks.
    pub async fn set_member_timezone(
        &self,
        user_id: u64,
        timezone: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "insert into members (user_id, timezone) values ($1, $2)
             on conflict (user_id) do update set timezone = $2",
        )
        .bind(user_id as i64)
        .bind(timezone)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Sets whether one of the member's answers is shared for peer voting; false when it is
    /// not theirs or was already revealed (a revealed answer stays as voters saw it).
    pub async fn set_answer_shared(
        &self,
        answer_id: i64,
        user_id: u64,
        share: bool,
    ) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "update answers set share = $3
             where id = $1 and user_id = $2 and revealed_revision_id is null",
        )
        .bind(answer_id)
        .bind(user_id as i64)
        .bind(share)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }
}
