//! The scheduler: posts each server's daily prompt when it is due, exactly once per local date,
//! reveals answers and results when windows close, and posts the optional weekly digest.
//!
//! `tick(now)` is one step: it looks at every scheduled server, claims the prompts that are due
//! and posts them. Exactly-once comes from the database: the claim locks the server's row and
//! inserts under the unique key `(guild_id, scheduled_for)`, so restarts, double ticks and two bot
//! processes on one database cannot post twice. Nothing here reads the clock or makes up random
//! numbers: `now` is an argument and the random source is injected.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rand::Rng;

use crate::domain::schedule::{self, Decision, Schedule, WeekdaySet};
use crate::domain::voting::Standing;
use crate::domain::{digest, rotation};
use crate::store::{Digest, NewPrompt, Prompt, Results, Reveal, ServerSettings, Store, StoreError};

/// How long a claimed prompt may stay unposted before another tick takes it over: the claiming
/// process must have stopped between claiming and posting.
const STRANDED_AFTER: chrono::Duration = chrono::Duration::minutes(2);
/// How often the running scheduler ticks. Prompts are posted within this of their time.
pub const TICK_EVERY: Duration = Duration::from_secs(20);

/// What the scheduler hands to Discord.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptPost {
    pub prompt_id: i64,
    pub guild_id: u64,
    pub channel_id: u64,
    pub question_text: String,
    pub closes_at: Option<DateTime<Utc>>,
    pub role_id: Option<u64>,
    pub late: bool,
}

/// Where the posted prompt ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub message_id: u64,
    pub thread_id: Option<u64>,
}

/// Why posting failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    /// Discord said no for good (no permission, deleted channel): tell the admin, do not retry.
    #[error("{0}")]
    Refused(String),
    /// Discord could not be reached or failed: try again later.
    #[error("{0}")]
    Unavailable(String),
}

/// The scheduler's way out to Discord; tests record calls instead.
pub trait Poster: Send + Sync {
    fn post_prompt(
        &self,
        post: &PromptPost,
    ) -> impl Future<Output = Result<Posted, PostError>> + Send;
    /// Posts a closed prompt's shared answers, anonymised, with vote buttons.
    fn post_reveal(&self, reveal: &Reveal) -> impl Future<Output = Result<(), PostError>> + Send;
    /// Posts who wrote what, the scores and the votes, and the best answer.
    fn post_results(&self, results: &Results)
    -> impl Future<Output = Result<(), PostError>> + Send;
    /// Posts a week's digest in the prompt channel; returns the (first) message's id.
    fn post_digest(&self, digest: &Digest) -> impl Future<Output = Result<u64, PostError>> + Send;
    /// Tells a server's admin something the channel cannot show (best effort).
    fn tell_admin(&self, user_id: u64, text: &str) -> impl Future<Output = ()> + Send;
}

/// What one tick did, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub posted: Vec<(u64, NaiveDate)>,
    pub failed: Vec<u64>,
    /// Prompts whose answers were revealed for voting.
    pub revealed: Vec<i64>,
    /// Prompts whose voting results were posted.
    pub results: Vec<i64>,
    /// Weekly digests posted: server and the week's local Monday.
    pub digests: Vec<(u64, NaiveDate)>,
}

/// Why `/post-now` could not post.
#[derive(Debug, thiserror::Error)]
pub enum PostNowError {
    #[error("This server has no schedule yet: an admin can run /setup first.")]
    NotSetUp,
    #[error("There are no questions to ask: add one with /question add.")]
    NoQuestions,
    #[error("I could not post in the prompt channel: {0}")]
    Refused(String),
    #[error("Discord is not answering right now; the prompt will be posted as soon as it does.")]
    Unavailable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct Scheduler<P, R> {
    store: Store,
    poster: P,
    rng: Mutex<R>,
}

impl<P: Poster, R: Rng + Send> Scheduler<P, R> {
    pub fn new(store: Store, poster: P, rng: R) -> Self {
        Scheduler {
            store,
            poster,
            rng: Mutex::new(rng),
        }
    }

    /// One step: posts every prompt due at `now`, and any a stopped process left claimed but
    /// unposted. A failure in one server is logged and does not stop the others.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<TickReport, StoreError> {
        let mut report = TickReport::default();
        for stranded in self.store.stranded_prompts(now - STRANDED_AFTER).await? {
            if self.store.retake_prompt(stranded.id, now).await? {
                let settings = self.store.server_settings(stranded.guild_id as u64).await?;
                let role_id = settings.and_then(|s| s.role_id).map(|r| r as u64);
                // The outcome is recorded by `post` itself; a refusal is not this tick's failure.
                let _ = self.post(&stranded, role_id, None, now).await?;
            }
        }
        for server in self.store.scheduled_servers().await? {
            let guild_id = server.guild_id as u64;
            match self.tick_server(&server, now).await {
                Ok(Some((date, true))) => report.posted.push((guild_id, date)),
                Ok(Some((_, false))) => report.failed.push(guild_id),
                Ok(None) => {}
                Err(error) => {
                    tracing::error!(guild_id, error = %error, "scheduling failed for a server");
                    report.failed.push(guild_id);
                }
            }
            match self.digest_server(&server, now).await {
                Ok(Some(week)) => report.digests.push((guild_id, week)),
                Ok(None) => {}
                Err(error) => {
                    tracing::error!(guild_id, error = %error, "the weekly digest failed for a server")
                }
            }
        }
        let (revealed, results) = self.close_voting_rounds(now).await?;
        report.revealed = revealed;
        report.results = results;
        Ok(report)
    }

    /// Reveals the shared answers of prompts whose window closed, and posts the results of
    /// those whose voting closed. Each is claimed in the database first, so it happens once.
    async fn close_voting_rounds(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(Vec<i64>, Vec<i64>), StoreError> {
        let mut revealed = Vec::new();
        for reveal in self.store.claim_reveals(now).await? {
            match self.poster.post_reveal(&reveal).await {
                Ok(()) => revealed.push(reveal.prompt_id),
                // The answers stay revealed in the database (votes are counted against what
                // was pinned); a Discord failure here is logged, not retried into duplicates.
                Err(error) => {
                    tracing::warn!(prompt_id = reveal.prompt_id, error = %error, "could not post the reveal")
                }
            }
        }
        let mut posted = Vec::new();
        for results in self.store.claim_results(now).await? {
            match self.poster.post_results(&results).await {
                Ok(()) => posted.push(results.prompt_id),
                Err(error) => {
                    tracing::warn!(prompt_id = results.prompt_id, error = %error, "could not post the results")
                }
            }
        }
        Ok((revealed, posted))
    }

    /// Posts the next prompt at once. It takes today's scheduled slot if today's prompt is still
    /// to come (so the schedule does not post again later today), and closes the previous window.
    pub async fn post_now(
        &self,
        guild_id: u64,
        now: DateTime<Utc>,
    ) -> Result<Prompt, PostNowError> {
        let Some(lock) = self.store.lock_server(guild_id).await? else {
            return Err(PostNowError::NotSetUp);
        };
        let slot = schedule_of(&lock.settings).and_then(|schedule| {
            schedule::post_now_slot(&schedule, lock.settings.last_scheduled_date, now)
        });
        let role_id = lock.settings.role_id.map(|r| r as u64);
        let Some(claimed) = self.claim(lock, slot, false, now).await? else {
            return Err(PostNowError::NoQuestions);
        };
        let outcome = self
            .post(&claimed.prompt, role_id, claimed.low_pool, now)
            .await?;
        // The previous window just closed: reveal its answers now rather than at the next tick.
        self.close_voting_rounds(now).await?;
        match outcome {
            Ok(_) => Ok(claimed.prompt),
            Err(PostError::Refused(why)) => Err(PostNowError::Refused(why)),
            Err(PostError::Unavailable(_)) => Err(PostNowError::Unavailable),
        }
    }

    /// Ticks every `TICK_EVERY` until `shutdown` resolves. Errors are logged; the loop goes on.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut interval = tokio::time::interval(TICK_EVERY);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = &mut shutdown => return,
                _ = interval.tick() => {
                    match self.tick(Utc::now()).await {
                        Ok(report) if !report.posted.is_empty() => {
                            tracing::info!(posted = ?report.posted, "posted daily prompts");
                        }
                        Ok(_) => {}
                        Err(error) => tracing::warn!(error = %error, "scheduler tick failed"),
                    }
                }
            }
        }
    }

    /// Posts the server's weekly digest when one is due; returns the week posted. A week with no
    /// answers stays claimed and posts nothing; a refused post is logged and not retried (like a
    /// refused prompt); an unreachable Discord gives the claim up so a later tick tries again.
    async fn digest_server(
        &self,
        server: &ServerSettings,
        now: DateTime<Utc>,
    ) -> Result<Option<NaiveDate>, StoreError> {
        if !server.weekly_digest {
            return Ok(None);
        }
        let Some(schedule) = schedule_of(server) else {
            return Ok(None);
        };
        let week = digest::due_week(&schedule, now);
        if server.last_digest_week.is_some_and(|last| last >= week) {
            return Ok(None);
        }
        let guild_id = server.guild_id as u64;
        let Some(mut claimed) = self.store.claim_digest(guild_id, week, now).await? else {
            return Ok(None);
        };
        if claimed.answers == 0 {
            return Ok(None);
        }
        let standings: Vec<Standing> = claimed
            .candidates
            .iter()
            .map(|answer| Standing::new(answer.answer_id, answer.votes, answer.total))
            .collect();
        let top: Vec<i64> = digest::top(&standings)
            .iter()
            .map(|standing| standing.answer_id)
            .collect();
        let place = |id: i64| top.iter().position(|top_id| *top_id == id);
        claimed
            .candidates
            .retain(|answer| place(answer.answer_id).is_some());
        claimed
            .candidates
            .sort_by_key(|answer| place(answer.answer_id));
        match self.poster.post_digest(&claimed).await {
            Ok(message_id) => {
                self.store
                    .mark_digest_posted(guild_id, week, message_id, now)
                    .await?;
                Ok(Some(week))
            }
            Err(PostError::Refused(why)) => {
                tracing::warn!(guild_id, why, "Discord refused the weekly digest");
                Ok(None)
            }
            Err(PostError::Unavailable(why)) => {
                tracing::warn!(
                    guild_id,
                    why,
                    "Discord unavailable; will retry the weekly digest"
                );
                self.store.release_digest(guild_id, week).await?;
                Ok(None)
            }
        }
    }

    /// Returns the local date handled and whether posting worked, or `None` when nothing was due.
    async fn tick_server(
        &self,
        server: &ServerSettings,
        now: DateTime<Utc>,
    ) -> Result<Option<(NaiveDate, bool)>, StoreError> {
        let Some(schedule) = schedule_of(server) else {
            return Ok(None);
        };
        // A cheap check without the lock first: most ticks find nothing due.
        if let Decision::Wait { .. } = schedule::decide(&schedule, server.last_scheduled_date, now)
        {
            return Ok(None);
        }
        let Some(lock) = self.store.lock_server(server.guild_id as u64).await? else {
            return Ok(None);
        };
        // Decide again under the lock: another process may have posted meanwhile.
        let (local_date, late) =
            match schedule::decide(&schedule, lock.settings.last_scheduled_date, now) {
                Decision::Post {
                    local_date, late, ..
                } if !lock.settings.paused => (local_date, late),
                _ => {
                    lock.release().await?;
                    return Ok(None);
                }
            };
        let role_id = lock.settings.role_id.map(|r| r as u64);
        let admin = lock.settings.admin_user_id;
        let claimed = match self.claim(lock, Some(local_date), late, now).await {
            Ok(Some(claimed)) => claimed,
            Ok(None) => {
                if let Some(admin) = admin {
                    self.poster
                        .tell_admin(admin as u64, "I could not post today's prompt: the question pool is empty. Add questions with /question add.")
                        .await;
                }
                return Ok(Some((local_date, false)));
            }
            // The unique key caught a second claim for the date: someone else posted it.
            Err(StoreError::Conflict { constraint })
                if constraint == "prompts_one_per_local_date" =>
            {
                return Ok(None);
            }
            Err(error) => return Err(error),
        };
        let posted = self
            .post(&claimed.prompt, role_id, claimed.low_pool, now)
            .await?;
        Ok(Some((local_date, posted.is_ok())))
    }

    async fn claim(
        &self,
        mut lock: crate::store::ServerLock,
        scheduled_for: Option<NaiveDate>,
        late: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<Claimed>, StoreError> {
        let guild_id = lock.settings.guild_id as u64;
        let pool = self.store.rotation_pool(guild_id).await?;
        let state = lock.rotation_state().await?;
        let ids: Vec<String> = pool.iter().map(|q| q.id.to_string()).collect();
        let pick = {
            let mut rng = self.rng.lock().expect("rng lock poisoned");
            rotation::pick_next(
                &ids,
                &state.asked_this_cycle,
                state.last_asked.as_deref(),
                &mut *rng,
            )
            .map(|pick| {
                (
                    pick.question_id.to_owned(),
                    pick.new_cycle,
                    pick.running_low,
                    pick.remaining_after,
                )
            })
        };
        let Some((picked, new_cycle, running_low, remaining)) = pick else {
            lock.release().await?;
            return Ok(None);
        };
        let question = pool
            .iter()
            .find(|q| q.id.to_string() == picked)
            .expect("the pick comes from the pool");
        let cycle = if new_cycle {
            state.cycle + 1
        } else {
            state.cycle
        };
        let closes_at = schedule_of(&lock.settings)
            .map(|schedule| schedule::next_occurrence_after(&schedule, now));
        let admin = lock.settings.admin_user_id;
        let prompt = lock
            .claim(
                &NewPrompt {
                    question_id: question.id,
                    question_text: &question.text,
                    scheduled_for,
                    cycle,
                    late,
                    closes_at,
                },
                now,
            )
            .await?;
        let low_pool = (running_low && state.low_pool_warned_cycle != Some(cycle))
            .then(|| admin.map(|admin| (admin as u64, cycle, remaining)))
            .flatten();
        Ok(Some(Claimed { prompt, low_pool }))
    }

    /// Posts a claimed prompt and records the outcome; returns how posting went.
    async fn post(
        &self,
        prompt: &Prompt,
        role_id: Option<u64>,
        low_pool: Option<(u64, i32, usize)>,
        now: DateTime<Utc>,
    ) -> Result<Result<Posted, PostError>, StoreError> {
        let post = PromptPost {
            prompt_id: prompt.id,
            guild_id: prompt.guild_id as u64,
            channel_id: prompt.channel_id as u64,
            question_text: prompt.question_text.clone(),
            closes_at: prompt.closes_at,
            role_id,
            late: prompt.late,
        };
        let outcome = self.poster.post_prompt(&post).await;
        match &outcome {
            Ok(posted) => {
                self.store
                    .mark_posted(prompt.id, posted.message_id, posted.thread_id, now)
                    .await?;
                if let Some((admin, cycle, remaining)) = low_pool {
                    let text = format!(
                        "Heads-up: only {remaining} questions are left before the rotation starts repeating. Add your own with /question add."
                    );
                    self.poster.tell_admin(admin, &text).await;
                    self.store
                        .mark_low_pool_warned(post.guild_id, cycle)
                        .await?;
                }
            }
            Err(PostError::Refused(why)) => {
                tracing::warn!(
                    guild_id = post.guild_id,
                    channel_id = post.channel_id,
                    why,
                    "Discord refused the prompt"
                );
                self.store.mark_post_failed(prompt.id, why).await?;
                if let Some(settings) = self.store.server_settings(post.guild_id).await? {
                    if let Some(admin) = settings.admin_user_id {
                        let text = format!(
                            "I could not post today's prompt in <#{}>: {why}. Check that I can view the channel, send messages and create threads there, then run /post-now.",
                            post.channel_id
                        );
                        self.poster.tell_admin(admin as u64, &text).await;
                    }
                }
            }
            Err(PostError::Unavailable(why)) => {
                // Left claimed and unposted: a later tick takes it over as stranded.
                tracing::warn!(
                    guild_id = post.guild_id,
                    why,
                    "Discord unavailable; will retry the prompt"
                );
            }
        }
        Ok(outcome)
    }
}

struct Claimed {
    prompt: Prompt,
    low_pool: Option<(u64, i32, usize)>,
}

/// The domain schedule of stored settings; `None` (logged) if the stored zone is unknown, which
/// only happens if chrono-tz dropped a zone between versions.
pub fn schedule_of(settings: &ServerSettings) -> Option<Schedule> {
    match settings.timezone.parse::<Tz>() {
        Ok(tz) => Some(Schedule {
            time: settings.post_time,
            tz,
            days: WeekdaySet::from_bits(settings.days as u8),
        }),
        Err(_) => {
            tracing::error!(guild_id = settings.guild_id, timezone = %settings.timezone, "unknown stored time zone");
            None
        }
    }
}
