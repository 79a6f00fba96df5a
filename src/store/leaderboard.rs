//! The leaderboard, a member's history and the streak bonus behind the points.
//!
//! The tallies are maintained by triggers (`migrations/0003_leaderboard.sql`): every write to
//! answers, scores and votes, including `/forget-me` deletes and cascades, moves them in its own
//! transaction, so the reads here only look them up. The one value SQL cannot compute is the
//! streak bonus, since the streak rule is Rust ([`crate::domain::streak`]);
//! [`record_answer_points`] stores it when an answer is first saved.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::PgConnection;

use super::{Store, StoreError};
use crate::domain::{points, streak};

/// Rows per leaderboard page.
pub const LEADERBOARD_PAGE_SIZE: u32 = 10;
/// The most answers the history chart shows.
pub const HISTORY_SERIES_MAX: i64 = 365;

/// Which answers a leaderboard adds up, by the local date (in the server's time zone) on which
/// each answer was first saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// Since Monday 00:00.
    Week,
    /// Since the 1st of the month 00:00.
    Month,
    /// Everything.
    All,
}

impl Period {
    /// The name the database's buckets use (`leaderboard_totals.period`).
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
            Period::All => "all",
        }
    }
}

/// One member's line on a leaderboard.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaderboardRow {
    /// 1-based position; ties in points are ordered by user id, so ranks are always 1..n.
    pub rank: u32,
    pub user_id: u64,
    pub points: i64,
    /// Daily answers in the period.
    pub answers: i64,
    /// The mean rubric total of those answers.
    pub average_score: f64,
    /// The member's current streak in days, in their own time zone.
    pub streak: u32,
}

/// One page of a leaderboard. `page` is 0-based and clamped to the last page; `pages` is 0 when
/// nobody has points in the period.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaderboardPage {
    pub rows: Vec<LeaderboardRow>,
    pub page: u32,
    pub pages: u32,
}

/// One answer in a member's history, at its latest scored revision.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub answer_id: i64,
    pub answered_at: DateTime<Utc>,
    /// `daily` or `practice`.
    pub kind: String,
    pub question_text: Option<String>,
    pub total: u8,
    pub band: String,
    pub votes: i64,
    pub revisions: i32,
    /// The rubric's full per-dimension breakdown (score, max, evidence, tip).
    pub dimensions: serde_json::Value,
}

#[derive(sqlx::FromRow)]
struct PageRow {
    total: i64,
    page: i64,
    user_id: Option<i64>,
    points: Option<i64>,
    answers: Option<i32>,
    score_sum: Option<i64>,
    server_zone: Option<String>,
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    answer_id: i64,
    answered_at: DateTime<Utc>,
    kind: String,
    question_text: Option<String>,
    total: Option<i16>,
    band: Option<String>,
    votes: i32,
    revisions: Option<i32>,
    dimensions: Option<serde_json::Value>,
}

impl Store {
    /// One page (0-based, 10 rows) of a server's leaderboard for `period` as of `now`: members in
    /// rank order by points, ties by user id, members who chose `/privacy` left out.
    pub async fn leaderboard(
        &self,
        guild_id: u64,
        period: Period,
        page: u32,
        now: DateTime<Utc>,
    ) -> Result<LeaderboardPage, StoreError> {
        // One round trip for the bucket, its size and the page. The bucket's first day is
        // computed by the same SQL functions the triggers filed the answers with, so the two can
        // never disagree about where a week starts.
        let rows = sqlx::query_as::<_, PageRow>(
            "with zone as materialized (
                 select (select timezone from servers where guild_id = $1) as zone
             ),
             bucket as materialized (
                 select leaderboard_period_start($2, leaderboard_local_day($3, zone)) as start
                 from zone
             ),
             counted as materialized (
                 select count(*) as total from leaderboard_totals
                 where guild_id = $1 and period = $2
                   and period_start = (select start from bucket) and not opted_out
             ),
             chosen as materialized (
                 select total, least($4::bigint, greatest((total + $5 - 1) / $5 - 1, 0)) as page
                 from counted
             )
             select c.total, c.page, r.user_id, r.points, r.answers, r.score_sum,
                    (select zone from zone) as server_zone
             from chosen c
             left join lateral (
                 select user_id, points, answers, score_sum from leaderboard_totals
                 where guild_id = $1 and period = $2
                   and period_start = (select start from bucket) and not opted_out
                 order by points desc, user_id
                 offset c.page * $5 limit $5
             ) r on true
             order by r.points desc, r.user_id",
        )
        .bind(guild_id as i64)
        .bind(period.as_str())
        .bind(now)
        .bind(i64::from(page))
        .bind(i64::from(LEADERBOARD_PAGE_SIZE))
        .fetch_all(&self.pool)
        .await?;

        let first = rows.first().ok_or(StoreError::NotFound)?;
        let total = first.total.max(0) as u64;
        let page = first.page.max(0) as u32;
        let pages = total.div_ceil(u64::from(LEADERBOARD_PAGE_SIZE)) as u32;
        let server_zone = parse_zone(first.server_zone.as_deref());

        let members: Vec<i64> = rows.iter().filter_map(|row| row.user_id).collect();
        let streaks = self.current_streaks(&members, server_zone, now).await?;

        let rows = rows
            .iter()
            .filter_map(|row| Some((row.user_id?, row)))
            .enumerate()
            .map(|(index, (user_id, row))| {
                let answers = i64::from(row.answers.unwrap_or(0));
                let score_sum = row.score_sum.unwrap_or(0);
                LeaderboardRow {
                    rank: page * LEADERBOARD_PAGE_SIZE + index as u32 + 1,
                    user_id: user_id as u64,
                    points: row.points.unwrap_or(0),
                    answers,
                    average_score: if answers > 0 {
                        score_sum as f64 / answers as f64
                    } else {
                        0.0
                    },
                    streak: streaks
                        .iter()
                        .find(|(id, _)| *id == user_id)
                        .map_or(0, |(_, days)| *days),
                }
            })
            .collect();
        Ok(LeaderboardPage { rows, page, pages })
    }

    /// The current streak of each member in `members`, in their own time zone (else the server's).
    async fn current_streaks(
        &self,
        members: &[i64],
        server_zone: Tz,
        now: DateTime<Utc>,
    ) -> Result<Vec<(i64, u32)>, StoreError> {
        if members.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(i64, Option<String>, Vec<DateTime<Utc>>)> = sqlx::query_as(
            "select m.user_id, m.timezone,
                    array(select a.created_at from answers a
                          where a.user_id = m.user_id and a.kind = 'daily')
             from members m where m.user_id = any($1)",
        )
        .bind(members)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(user_id, zone, answered)| {
                let zone = zone.as_deref().and_then(|z| z.parse::<Tz>().ok());
                let tz = zone.unwrap_or(server_zone);
                let dates: Vec<NaiveDate> = answered
                    .iter()
                    .map(|at| streak::local_date(*at, tz))
                    .collect();
                let today = streak::local_date(now, tz);
                (user_id, streak::streak(&dates, today).current)
            })
            .collect())
    }

    /// Records the streak bonus of a saved daily answer in a transaction of its own; see
    /// [`record_answer_points`], which `save_answer` calls inside its own transaction. Does
    /// nothing when the bonus is already recorded.
    pub async fn record_streak_bonus(&self, answer_id: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        record_answer_points(&mut tx, answer_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A member's answers in every server and in practice, newest first, `limit` at a time;
    /// `before` is the id of the last answer of the previous page.
    pub async fn history(
        &self,
        user_id: u64,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        // The cursor is the (created_at, id) of the answer `before`, matching the index
        // `answers_by_member`. If that answer was deleted meanwhile the page is empty: only
        // `/forget-me` deletes answers, and it deletes all of them.
        let rows = sqlx::query_as::<_, HistoryRow>(
            "select a.id as answer_id, a.created_at as answered_at, a.kind,
                    coalesce(a.question_text, p.question_text) as question_text,
                    a.latest_total as total, s.band, a.vote_count as votes,
                    (select max(r.revision) from answer_revisions r where r.answer_id = a.id)
                        as revisions,
                    s.dimensions
             from answers a
             left join scores s on s.revision_id = a.scored_revision_id
             left join prompts p on p.id = a.prompt_id
             where a.user_id = $1
               and ($3::bigint is null
                    or (a.created_at, a.id) < (select b.created_at, b.id from answers b
                                               where b.id = $3 and b.user_id = $1))
             order by a.created_at desc, a.id desc
             limit $2",
        )
        .bind(user_id as i64)
        .bind(i64::from(limit))
        .bind(before)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| HistoryEntry {
                answer_id: row.answer_id,
                answered_at: row.answered_at,
                kind: row.kind,
                question_text: row.question_text,
                total: row.total.unwrap_or(0).clamp(0, 100) as u8,
                band: row.band.unwrap_or_default(),
                votes: i64::from(row.votes),
                revisions: row.revisions.unwrap_or(0),
                dimensions: row.dimensions.unwrap_or(serde_json::Value::Null),
            })
            .collect())
    }

    /// The member's score over time for the chart, oldest first, at most the last 365 scored
    /// answers: when, the total, and each dimension's score as `{"ownership": 12, …}`.
    pub async fn history_series(
        &self,
        user_id: u64,
    ) -> Result<Vec<(DateTime<Utc>, u8, serde_json::Value)>, StoreError> {
        let rows: Vec<(DateTime<Utc>, i16, serde_json::Value)> = sqlx::query_as(
            "select created_at, total, dimensions from (
                 select a.created_at, a.id, a.latest_total as total,
                        coalesce(a.latest_dimension_scores, '{}'::jsonb) as dimensions
                 from answers a
                 where a.user_id = $1 and a.latest_total is not null
                 order by a.created_at desc, a.id desc
                 limit $2
             ) recent
             order by created_at, id",
        )
        .bind(user_id as i64)
        .bind(HISTORY_SERIES_MAX)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(at, total, dimensions)| (at, total.clamp(0, 100) as u8, dimensions))
            .collect())
    }
}

/// Records the streak bonus of a newly saved daily answer: 5 × the member's streak on the day of
/// the answer (capped), in the member's time zone, else the server's, else UTC. Call it in the
/// transaction that saved the answer, after the answer row exists; it does nothing for practice
/// answers and for answers whose bonus is already recorded, so calling it on every revision is
/// harmless and never rewrites history. The triggers carry the bonus into the leaderboard.
pub(crate) async fn record_answer_points(
    conn: &mut PgConnection,
    answer_id: i64,
) -> Result<(), StoreError> {
    // (user, answered at, member's zone, server's zone)
    type Facts = (i64, DateTime<Utc>, Option<String>, Option<String>);
    let answer: Option<Facts> = sqlx::query_as(
        "select a.user_id, a.created_at, m.timezone, s.timezone
         from answers a
         join members m on m.user_id = a.user_id
         left join servers s on s.guild_id = a.guild_id
         where a.id = $1 and a.kind = 'daily' and a.streak_bonus is null
         for update of a",
    )
    .bind(answer_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((user_id, answered_at, member_zone, server_zone)) = answer else {
        return Ok(());
    };
    let tz = member_zone
        .as_deref()
        .and_then(|zone| zone.parse::<Tz>().ok())
        .unwrap_or_else(|| parse_zone(server_zone.as_deref()));
    let answered: Vec<(DateTime<Utc>,)> =
        sqlx::query_as("select created_at from answers where user_id = $1 and kind = 'daily'")
            .bind(user_id)
            .fetch_all(&mut *conn)
            .await?;
    let dates: Vec<NaiveDate> = answered
        .iter()
        .map(|(at,)| streak::local_date(*at, tz))
        .collect();
    let days = streak::streak(&dates, streak::local_date(answered_at, tz)).current;
    sqlx::query("update answers set streak_bonus = $2 where id = $1")
        .bind(answer_id)
        .bind(i16::from(points::streak_bonus(days)))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A stored IANA zone name, UTC when unset or unknown (the database falls back the same way).
fn parse_zone(zone: Option<&str>) -> Tz {
    zone.and_then(|zone| zone.parse::<Tz>().ok())
        .unwrap_or(Tz::UTC)
}
