//! The scheduler's one step, `tick(now)`, with fixed clocks, a real database and a recording
//! poster: exactly once per server per local date, across restarts and racing processes,
//! daylight-saving changes, weekday cadence, outages, rotation, and channels it cannot post in.

use std::collections::HashSet;
use std::sync::Mutex;

use bar_raiser::scheduler::{PostError, Posted, Poster, PromptPost, Scheduler};
use bar_raiser::store::{Digest, Results, Reveal, Setup, Store};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::db::TestDb;

pub(crate) const GUILD: u64 = 200;
const ADMIN: u64 = 150;

/// Records what would have gone to Discord; can be told to refuse or to be unavailable.
#[derive(Default)]
pub(crate) struct RecordingPoster {
    posts: Mutex<Vec<PromptPost>>,
    admin_notes: Mutex<Vec<(u64, String)>>,
    fail_with: Mutex<Option<PostError>>,
    reveals: Mutex<Vec<Reveal>>,
    results: Mutex<Vec<Results>>,
    pub(crate) digests: Mutex<Vec<Digest>>,
    /// Failures to answer the next digest posts with, in order.
    pub(crate) digest_failures: Mutex<Vec<PostError>>,
    pub(crate) digest_attempts: Mutex<usize>,
}

impl Poster for &RecordingPoster {
    async fn post_prompt(&self, post: &PromptPost) -> Result<Posted, PostError> {
        if let Some(error) = self.fail_with.lock().unwrap().clone() {
            return Err(error);
        }
        let mut posts = self.posts.lock().unwrap();
        posts.push(post.clone());
        Ok(Posted {
            message_id: 10_000 + posts.len() as u64,
            thread_id: Some(20_000 + posts.len() as u64),
        })
    }

    async fn post_reveal(&self, reveal: &Reveal) -> Result<(), PostError> {
        self.reveals.lock().unwrap().push(reveal.clone());
        Ok(())
    }

    async fn post_results(&self, results: &Results) -> Result<(), PostError> {
        self.results.lock().unwrap().push(results.clone());
        Ok(())
    }

    async fn post_digest(&self, digest: &Digest) -> Result<u64, PostError> {
        *self.digest_attempts.lock().unwrap() += 1;
        let mut failures = self.digest_failures.lock().unwrap();
        if !failures.is_empty() {
            return Err(failures.remove(0));
        }
        let mut digests = self.digests.lock().unwrap();
        digests.push(digest.clone());
        Ok(30_000 + digests.len() as u64)
    }

    async fn tell_admin(&self, user_id: u64, text: &str) {
        self.admin_notes
            .lock()
            .unwrap()
            .push((user_id, text.to_owned()));
    }
}

impl RecordingPoster {
    fn posted(&self) -> Vec<PromptPost> {
        self.posts.lock().unwrap().clone()
    }
}

pub(crate) fn scheduler(
    store: &Store,
    poster: &'static RecordingPoster,
) -> Scheduler<&'static RecordingPoster, StdRng> {
    Scheduler::new(store.clone(), poster, StdRng::seed_from_u64(7))
}

pub(crate) fn leak(poster: RecordingPoster) -> &'static RecordingPoster {
    Box::leak(Box::new(poster))
}

/// An instant given as local wall-clock time in `zone`.
pub(crate) fn local(zone: &str, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    let tz: Tz = zone.parse().unwrap();
    tz.with_ymd_and_hms(y, m, d, h, min, 0)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

/// A server posting at `time` in `zone` on `days`, set up at `setup_at`, with `n` questions of
/// its own.
pub(crate) async fn server(
    db: &TestDb,
    zone: &str,
    time: &str,
    days: u8,
    n: usize,
    setup_at: DateTime<Utc>,
) {
    let tz: Tz = zone.parse().unwrap();
    let schedule = bar_raiser::domain::schedule::Schedule {
        time: NaiveTime::parse_from_str(time, "%H:%M").unwrap(),
        tz,
        days: bar_raiser::domain::schedule::WeekdaySet::from_bits(days),
    };
    db.store
        .save_setup(&Setup {
            guild_id: GUILD,
            channel_id: 300,
            post_time: schedule.time,
            timezone: zone.to_owned(),
            days,
            role_id: Some(201),
            admin_user_id: ADMIN,
            last_scheduled_date: bar_raiser::domain::schedule::last_due_date(&schedule, setup_at),
        })
        .await
        .unwrap();
    for i in 0..n {
        db.store
            .add_server_question(
                GUILD,
                &format!("Tell me about customer moment number {i}."),
                ADMIN,
            )
            .await
            .unwrap();
    }
}

/// Ticks every `step` from `from` to `to` and returns the local dates posted, in order.
async fn tick_through(
    scheduler: &Scheduler<&'static RecordingPoster, StdRng>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    step: Duration,
) -> Vec<NaiveDate> {
    let mut posted = Vec::new();
    let mut now = from;
    while now <= to {
        let report = scheduler.tick(now).await.unwrap();
        posted.extend(report.posted.iter().map(|(_, date)| *date));
        now += step;
    }
    posted
}

async fn prompt_count(db: &TestDb) -> i64 {
    let (n,): (i64,) = sqlx::query_as("select count(*) from prompts")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    n
}

const EVERY_DAY: u8 = 0b111_1111;
const MON_TO_FRI: u8 = 0b001_1111;

pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[tokio::test]
async fn a_due_prompt_is_posted_once_and_later_ticks_that_day_post_nothing() {
    let db = TestDb::new().await;
    server(
        &db,
        "Europe/Berlin",
        "09:00",
        EVERY_DAY,
        5,
        local("Europe/Berlin", 2026, 11, 24, 12, 0),
    )
    .await;
    let poster = leak(RecordingPoster::default());
    let scheduler = scheduler(&db.store, poster);

    let before = scheduler
        .tick(local("Europe/Berlin", 2026, 11, 25, 8, 59))
        .await
        .unwrap();
    let at = scheduler
        .tick(local("Europe/Berlin", 2026, 11, 25, 9, 0))
        .await
        .unwrap();
    let again = scheduler
        .tick(local("Europe/Berlin", 2026, 11, 25, 9, 1))
        .await
        .unwrap();
    let evening = scheduler
        .tick(local("Europe/Berlin", 2026, 11, 25, 23, 59))
        .await
        .unwrap();

    assert!(before.posted.is_empty());
    assert_eq!(at.posted, vec![(GUILD, date(2026, 11, 25))]);
    assert!(again.posted.is_empty() && evening.posted.is_empty());
    let posts = poster.posted();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].role_id, Some(201));
    assert!(!posts[0].late);
    assert_eq!(
        posts[0].closes_at,
        Some(local("Europe/Berlin", 2026, 11, 26, 9, 0)),
        "the window closes when the next prompt is due"
    );
    let (message_id, thread_id): (Option<i64>, Option<i64>) =
        sqlx::query_as("select message_id, thread_id from prompts")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!((message_id, thread_id), (Some(10_001), Some(20_001)));
}

#[tokio::test]
async fn two_schedulers_on_one_database_post_each_day_exactly_once() {
    let db = TestDb::new().await;
    server(
        &db,
        "America/New_York",
        "07:30",
        EVERY_DAY,
        10,
        local("America/New_York", 2026, 11, 20, 12, 0),
    )
    .await;
    let (first_poster, second_poster) = (
        leak(RecordingPoster::default()),
        leak(RecordingPoster::default()),
    );
    // Two processes: separate pools, separate schedulers, one database.
    let other_store = Store::from_pool(
        sqlx::postgres::PgPoolOptions::new()
            .max_connections(3)
            .connect_with(db.pool.connect_options().as_ref().clone())
            .await
            .unwrap(),
    );
    let first = scheduler(&db.store, first_poster);
    let second = Scheduler::new(other_store, second_poster, StdRng::seed_from_u64(99));

    for day in 21..=25 {
        let now = local("America/New_York", 2026, 11, day, 7, 30);
        let (a, b) = tokio::join!(first.tick(now), second.tick(now));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.posted.len() + b.posted.len(), 1, "day {day}: {a:?} {b:?}");
    }

    assert_eq!(
        first_poster.posted().len() + second_poster.posted().len(),
        5
    );
    assert_eq!(prompt_count(&db).await, 5);
}

#[tokio::test]
async fn after_a_three_day_outage_the_missed_day_is_posted_once_marked_late_never_a_backlog() {
    let db = TestDb::new().await;
    server(
        &db,
        "Europe/Berlin",
        "09:00",
        EVERY_DAY,
        10,
        local("Europe/Berlin", 2026, 11, 19, 12, 0),
    )
    .await;
    let poster = leak(RecordingPoster::default());
    let scheduler = scheduler(&db.store, poster);
    scheduler
        .tick(local("Europe/Berlin", 2026, 11, 20, 9, 0))
        .await
        .unwrap();

    // Down from the 20th at 10:00 until the 23rd at 15:00.
    let back = scheduler
        .tick(local("Europe/Berlin", 2026, 11, 23, 15, 0))
        .await
        .unwrap();
    let later = tick_through(
        &scheduler,
        local("Europe/Berlin", 2026, 11, 23, 15, 1),
        local("Europe/Berlin", 2026, 11, 24, 9, 5),
        Duration::minutes(10),
    )
    .await;

    assert_eq!(
        back.posted,
        vec![(GUILD, date(2026, 11, 23))],
        "only the latest missed day"
    );
    assert!(poster.posted()[1].late, "it says it is late");
    assert_eq!(
        later,
        vec![date(2026, 11, 24)],
        "then back on schedule, on time"
    );
    assert!(!poster.posted()[2].late);
    assert_eq!(prompt_count(&db).await, 3);
}

#[tokio::test]
async fn a_weekday_schedule_posts_monday_to_friday_at_nine_local_and_skips_the_weekend() {
    let db = TestDb::new().await;
    server(
        &db,
        "Asia/Kolkata",
        "09:00",
        MON_TO_FRI,
        10,
        local("Asia/Kolkata", 2026, 11, 22, 12, 0),
    )
    .await;
    let poster = leak(RecordingPoster::default());
    let scheduler = scheduler(&db.store, poster);

    // Monday 23 November to Sunday 29 November 2026, ticking every 15 minutes.
    let posted = tick_through(
        &scheduler,
        local("Asia/Kolkata", 2026, 11, 23, 0, 0),
        local("Asia/Kolkata", 2026, 11, 29, 23, 45),
        Duration::minutes(15),
    )
    .await;

    assert_eq!(
        posted,
        (23..=27).map(|d| date(2026, 11, d)).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn daylight_saving_changes_keep_the_prompt_at_nine_local_time() {
    // (zone, first local day ticked, days ticked): weeks spanning each 2026 change.
    let cases = [
        ("Europe/Berlin", (2026, 3, 27), 5),
        ("Europe/Berlin", (2026, 10, 23), 5),
        ("America/New_York", (2026, 3, 6), 5),
        ("America/New_York", (2026, 10, 30), 5),
    ];
    for (zone, (y, m, d), days) in cases {
        let db = TestDb::new().await;
        let start = local(zone, y, m, d, 0, 0);
        server(
            &db,
            zone,
            "09:00",
            EVERY_DAY,
            10,
            start - Duration::hours(1),
        )
        .await;
        let poster = leak(RecordingPoster::default());
        let scheduler = scheduler(&db.store, poster);

        let mut posted_at = Vec::new();
        let mut now = start;
        while now < start + Duration::days(days) {
            if !scheduler.tick(now).await.unwrap().posted.is_empty() {
                posted_at.push(now);
            }
            now += Duration::minutes(15);
        }

        let tz: Tz = zone.parse().unwrap();
        let local_times: Vec<String> = posted_at
            .iter()
            .map(|t| t.with_timezone(&tz).format("%m-%d %H:%M").to_string())
            .collect();
        assert_eq!(local_times.len(), days as usize, "{zone}: {local_times:?}");
        assert!(
            local_times.iter().all(|t| t.ends_with("09:00")),
            "{zone}: {local_times:?}"
        );
    }
}

#[tokio::test]
async fn no_question_repeats_until_the_pool_is_exhausted() {
    let db = TestDb::new().await;
    server(
        &db,
        "UTC",
        "12:00",
        EVERY_DAY,
        4,
        local("UTC", 2026, 11, 1, 13, 0),
    )
    .await;
    let poster = leak(RecordingPoster::default());
    let scheduler = scheduler(&db.store, poster);

    tick_through(
        &scheduler,
        local("UTC", 2026, 11, 2, 12, 0),
        local("UTC", 2026, 11, 9, 12, 0),
        Duration::days(1),
    )
    .await;

    let texts: Vec<String> = poster
        .posted()
        .iter()
        .map(|p| p.question_text.clone())
        .collect();
    assert_eq!(texts.len(), 8);
    let first: HashSet<_> = texts[..4].iter().collect();
    let second: HashSet<_> = texts[4..].iter().collect();
    assert_eq!((first.len(), second.len()), (4, 4), "{texts:?}");
    assert_ne!(
        texts[3], texts[4],
        "a new cycle does not start with the last question"
    );
    let cycles: Vec<(i32,)> = sqlx::query_as("select cycle from prompts order by id")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        cycles.iter().map(|c| c.0).collect::<Vec<_>>(),
        vec![1, 1, 1, 1, 2, 2, 2, 2]
    );
}

#[tokio::test]
async fn a_channel_the_bot_cannot_post_in_is_reported_to_the_admin_once_without_retry_loops() {
    let db = TestDb::new().await;
    server(
        &db,
        "UTC",
        "09:00",
        EVERY_DAY,
        3,
        local("UTC", 2026, 11, 24, 12, 0),
    )
    .await;
    let poster = leak(RecordingPoster::default());
    *poster.fail_with.lock().unwrap() = Some(PostError::Refused(
        "I cannot see that channel (Missing Access)".into(),
    ));
    let scheduler = scheduler(&db.store, poster);

    let first = scheduler
        .tick(local("UTC", 2026, 11, 25, 9, 0))
        .await
        .unwrap();
    for minutes in [1, 5, 30, 120] {
        scheduler
            .tick(local("UTC", 2026, 11, 25, 9, 0) + Duration::minutes(minutes))
            .await
            .unwrap();
    }

    assert_eq!(first.failed, vec![GUILD]);
    let notes = poster.admin_notes.lock().unwrap().clone();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].0, ADMIN);
    assert!(
        notes[0].1.contains("Missing Access") && notes[0].1.contains("/post-now"),
        "{}",
        notes[0].1
    );
    let (error,): (Option<String>,) = sqlx::query_as("select post_error from prompts")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(error.is_some());
    assert_eq!(prompt_count(&db).await, 1);
}

#[tokio::test]
async fn a_prompt_claimed_by_a_process_that_died_before_posting_is_posted_by_a_later_tick() {
    let db = TestDb::new().await;
    server(
        &db,
        "UTC",
        "09:00",
        EVERY_DAY,
        3,
        local("UTC", 2026, 11, 24, 12, 0),
    )
    .await;
    let poster = leak(RecordingPoster::default());
    *poster.fail_with.lock().unwrap() = Some(PostError::Unavailable("connection reset".into()));
    let scheduler = scheduler(&db.store, poster);
    scheduler
        .tick(local("UTC", 2026, 11, 25, 9, 0))
        .await
        .unwrap();
    *poster.fail_with.lock().unwrap() = None;

    let soon = scheduler
        .tick(local("UTC", 2026, 11, 25, 9, 1))
        .await
        .unwrap();
    assert!(
        poster.posted().is_empty(),
        "not taken over while the claim is fresh: {soon:?}"
    );
    scheduler
        .tick(local("UTC", 2026, 11, 25, 9, 5))
        .await
        .unwrap();

    assert_eq!(poster.posted().len(), 1);
    assert_eq!(
        prompt_count(&db).await,
        1,
        "the same prompt, not a second one"
    );
}

#[tokio::test]
async fn a_paused_server_posts_nothing_until_resumed() {
    let db = TestDb::new().await;
    server(
        &db,
        "UTC",
        "09:00",
        EVERY_DAY,
        3,
        local("UTC", 2026, 11, 24, 12, 0),
    )
    .await;
    db.store.set_paused(GUILD, true).await.unwrap();
    let poster = leak(RecordingPoster::default());
    let scheduler = scheduler(&db.store, poster);

    scheduler
        .tick(local("UTC", 2026, 11, 25, 9, 0))
        .await
        .unwrap();
    assert!(poster.posted().is_empty());
    db.store.set_paused(GUILD, false).await.unwrap();
    scheduler
        .tick(local("UTC", 2026, 11, 25, 9, 30))
        .await
        .unwrap();

    assert_eq!(poster.posted().len(), 1);
}

#[tokio::test]
async fn admins_hear_once_per_cycle_that_fewer_than_a_week_of_questions_remain() {
    let db = TestDb::new().await;
    server(
        &db,
        "UTC",
        "09:00",
        EVERY_DAY,
        9,
        local("UTC", 2026, 11, 1, 12, 0),
    )
    .await;
    let poster = leak(RecordingPoster::default());
    let scheduler = scheduler(&db.store, poster);

    tick_through(
        &scheduler,
        local("UTC", 2026, 11, 2, 9, 0),
        local("UTC", 2026, 11, 10, 9, 0),
        Duration::days(1),
    )
    .await;

    let notes = poster.admin_notes.lock().unwrap().clone();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].1.contains("only 6 questions are left"),
        "{}",
        notes[0].1
    );
}

#[tokio::test]
async fn post_now_takes_todays_slot_so_the_schedule_does_not_post_again_today() {
    let db = TestDb::new().await;
    server(
        &db,
        "UTC",
        "09:00",
        EVERY_DAY,
        5,
        local("UTC", 2026, 11, 24, 12, 0),
    )
    .await;
    let poster = leak(RecordingPoster::default());
    let scheduler = scheduler(&db.store, poster);

    let early = scheduler
        .post_now(GUILD, local("UTC", 2026, 11, 25, 7, 0))
        .await
        .unwrap();
    let at_nine = scheduler
        .tick(local("UTC", 2026, 11, 25, 9, 0))
        .await
        .unwrap();
    let extra = scheduler
        .post_now(GUILD, local("UTC", 2026, 11, 25, 10, 0))
        .await
        .unwrap();
    let tomorrow = scheduler
        .tick(local("UTC", 2026, 11, 26, 9, 0))
        .await
        .unwrap();

    assert_eq!(early.scheduled_for, Some(date(2026, 11, 25)));
    assert!(at_nine.posted.is_empty());
    assert_eq!(
        extra.scheduled_for, None,
        "a second post-now is an extra prompt"
    );
    assert_eq!(tomorrow.posted.len(), 1);
    let open: Vec<(Option<DateTime<Utc>>,)> =
        sqlx::query_as("select closed_at from prompts order by id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        open.iter().filter(|(closed,)| closed.is_none()).count(),
        1,
        "each new prompt closes the previous window"
    );
}
