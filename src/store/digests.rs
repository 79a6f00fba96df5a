//! The weekly digest: claiming a server's week exactly once and reading what it shows.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Store, StoreError};

/// A revealed answer of the week, a candidate for the digest's top answers.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DigestAnswer {
    pub answer_id: i64,
    pub user_id: i64,
    pub question_text: String,
    /// The score of the revision voters saw.
    pub total: i16,
    pub band: String,
    pub votes: i64,
    pub dimensions: serde_json::Value,
}

/// A claimed week: what the digest says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    pub guild_id: i64,
    pub channel_id: i64,
    /// The local Monday the week began on.
    pub week_start: NaiveDate,
    /// Daily answers given in the server that week, and by how many members.
    pub answers: i64,
    pub members: i64,
    /// The week's revealed answers of members who show on the leaderboard; the domain picks
    /// the top ones (`domain::digest::top`).
    pub candidates: Vec<DigestAnswer>,
}

impl Store {
    /// Claims the digest of a server's week: `None` when it was claimed before, by this process
    /// or another. The primary key (guild_id, week_start) is what makes it exactly-once.
    pub async fn claim_digest(
        &self,
        guild_id: u64,
        week_start: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Option<Digest>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let claimed: Option<(i64,)> = sqlx::query_as(
            "insert into weekly_digests (guild_id, week_start, claimed_at)
             select guild_id, $2, $3 from servers where guild_id = $1 and channel_id is not null
             on conflict (guild_id, week_start) do nothing
             returning (select channel_id from servers where guild_id = $1)",
        )
        .bind(guild_id as i64)
        .bind(week_start)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((channel_id,)) = claimed else {
            tx.rollback().await?;
            return Ok(None);
        };
        // The week is seven local dates; `local_day` is fixed per answer when it is first saved.
        let week_end = week_start + chrono::Days::new(6);
        let (answers, members): (i64, i64) = sqlx::query_as(
            "select count(*), count(distinct user_id) from answers
             where guild_id = $1 and kind = 'daily' and local_day between $2 and $3",
        )
        .bind(guild_id as i64)
        .bind(week_start)
        .bind(week_end)
        .fetch_one(&mut *tx)
        .await?;
        let candidates = sqlx::query_as::<_, DigestAnswer>(
            "select a.id as answer_id, a.user_id, p.question_text, s.total, s.band,
                    a.vote_count::bigint as votes, s.dimensions
             from answers a
             join prompts p on p.id = a.prompt_id
             join scores s on s.revision_id = a.revealed_revision_id
             join members m on m.user_id = a.user_id
             where a.guild_id = $1 and a.kind = 'daily' and a.local_day between $2 and $3
               and a.reveal_label is not null and not m.leaderboard_opt_out
             order by a.id",
        )
        .bind(guild_id as i64)
        .bind(week_start)
        .bind(week_end)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(Digest {
            guild_id: guild_id as i64,
            channel_id,
            week_start,
            answers,
            members,
            candidates,
        }))
    }

    /// Marks a week as done without posting it, so the first digest after turning it on covers
    /// a week that ends later. Does nothing if the week was already claimed.
    pub async fn skip_digest(
        &self,
        guild_id: u64,
        week_start: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "insert into weekly_digests (guild_id, week_start, claimed_at) values ($1, $2, $3)
             on conflict (guild_id, week_start) do nothing",
        )
        .bind(guild_id as i64)
        .bind(week_start)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records that the digest is in the channel.
    pub async fn mark_digest_posted(
        &self,
        guild_id: u64,
        week_start: NaiveDate,
        message_id: u64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "update weekly_digests set posted_at = $3, message_id = $4
             where guild_id = $1 and week_start = $2",
        )
        .bind(guild_id as i64)
        .bind(week_start)
        .bind(at)
        .bind(message_id as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives up a claim that could not be posted because Discord was unreachable, so a later
    /// tick tries again. A posted digest is never released.
    pub async fn release_digest(
        &self,
        guild_id: u64,
        week_start: NaiveDate,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "delete from weekly_digests
             where guild_id = $1 and week_start = $2 and posted_at is null",
        )
        .bind(guild_id as i64)
        .bind(week_start)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
