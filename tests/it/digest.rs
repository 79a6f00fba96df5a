//! The weekly digest: the scheduler posts a week's top revealed answers once, from the following
//! Monday's prompt time in the server's zone, retries only when Discord was unreachable, and the
//! real poster sends it to the channel without pinging anyone.

use bar_raiser::domain::digest;
use bar_raiser::domain::schedule::{self, Schedule, WeekdaySet};
use bar_raiser::scheduler::{PostError, Scheduler};
use bar_raiser::store::ServerOptions;
use chrono::{NaiveDate, Utc};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;

use crate::bot::{Harness, admin, text_option};
use crate::db::TestDb;
use crate::fake_discord::{CHANNEL_ID, FakeUser};
use crate::leaderboard::{answer_at, opt_out, vote};
use crate::scheduler::{GUILD, RecordingPoster, date, leak, local, scheduler, server};

const BERLIN: &str = "Europe/Berlin";

/// A Berlin server posting at 09:00 every day, with the digest on or off.
async fn berlin_server(db: &TestDb, weekly_digest: bool) {
    server(
        db,
        BERLIN,
        "09:00",
        0b111_1111,
        3,
        local(BERLIN, 2026, 11, 1, 12, 0),
    )
    .await;
    db.store
        .save_server_options(
            GUILD,
            ServerOptions {
                weekly_digest: Some(weekly_digest),
                ..ServerOptions::default()
            },
        )
        .await
        .unwrap();
}

/// Marks an answer as revealed for voting, as the reveal does.
async fn reveal(db: &TestDb, answer_id: i64) {
    sqlx::query(
        "update answers set reveal_label = 'Answer A',
             revealed_revision_id = (select max(id) from answer_revisions where answer_id = $1)
         where id = $1",
    )
    .bind(answer_id)
    .execute(&db.pool)
    .await
    .unwrap();
}

/// A revealed daily answer with `votes` votes.
async fn revealed(
    db: &TestDb,
    user: u64,
    at: chrono::DateTime<Utc>,
    total: i16,
    votes: u64,
) -> i64 {
    let id = answer_at(db, GUILD, user, at, total).await;
    reveal(db, id).await;
    for voter in 0..votes {
        vote(db, id, 9_000 + voter).await;
    }
    id
}

fn candidate_ids(poster: &RecordingPoster, index: usize) -> Vec<i64> {
    poster.digests.lock().unwrap()[index]
        .candidates
        .iter()
        .map(|answer| answer.answer_id)
        .collect()
}

#[tokio::test]
async fn a_weeks_top_revealed_answers_are_posted_once_from_the_next_mondays_prompt_time() {
    let db = TestDb::new().await;
    berlin_server(&db, true).await;
    // The week of Monday 16 November 2026, Berlin time, and its edges.
    let first = revealed(&db, 401, local(BERLIN, 2026, 11, 16, 10, 0), 60, 2).await;
    let best = revealed(&db, 402, local(BERLIN, 2026, 11, 18, 10, 0), 80, 2).await;
    let late_sunday = revealed(&db, 403, local(BERLIN, 2026, 11, 22, 23, 30), 95, 0).await;
    // Kept private: never revealed, so never in a digest, however good.
    answer_at(&db, GUILD, 404, local(BERLIN, 2026, 11, 19, 10, 0), 99).await;
    // A member who chose /privacy stays out of the digest as out of the leaderboard.
    revealed(&db, 405, local(BERLIN, 2026, 11, 20, 10, 0), 90, 5).await;
    opt_out(&db, 405, true).await;
    // The Sunday before and the Monday after (00:30 Berlin is still Sunday in UTC).
    let sunday_before = revealed(&db, 401, local(BERLIN, 2026, 11, 15, 20, 0), 99, 9).await;
    let next_week = revealed(&db, 402, local(BERLIN, 2026, 11, 23, 0, 30), 70, 1).await;
    let poster = leak(RecordingPoster::default());
    let scheduler = scheduler(&db.store, poster);

    let before = scheduler
        .tick(local(BERLIN, 2026, 11, 23, 8, 59))
        .await
        .unwrap();
    let at = scheduler
        .tick(local(BERLIN, 2026, 11, 23, 9, 0))
        .await
        .unwrap();
    // A second bot process on the same database.
    let other_process = crate::scheduler::scheduler(&db.store, leak(RecordingPoster::default()))
        .tick(local(BERLIN, 2026, 11, 23, 9, 1))
        .await
        .unwrap();
    let tuesday = scheduler
        .tick(local(BERLIN, 2026, 11, 24, 9, 0))
        .await
        .unwrap();

    // Before 09:00 the week due is the one before, which holds only the Sunday answer.
    assert_eq!(before.digests, vec![(GUILD, date(2026, 11, 9))]);
    assert_eq!(candidate_ids(poster, 0), vec![sunday_before]);
    assert_eq!(at.digests, vec![(GUILD, date(2026, 11, 16))]);
    assert!(other_process.digests.is_empty() && tuesday.digests.is_empty());
    assert_eq!(poster.digests.lock().unwrap().len(), 2);
    {
        let digests = poster.digests.lock().unwrap();
        let posted = &digests[1];
        assert_eq!(posted.week_start, date(2026, 11, 16));
        assert_eq!(posted.channel_id, 300);
        assert_eq!(
            (posted.answers, posted.members),
            (5, 5),
            "every daily answer of the week counts, shared or not"
        );
    }
    assert_eq!(
        candidate_ids(poster, 1),
        vec![best, first, late_sunday],
        "most votes, then the higher score; private, opted-out and other weeks' answers left out"
    );
    let (posted_at, message_id): (Option<chrono::DateTime<Utc>>, Option<i64>) = sqlx::query_as(
        "select posted_at, message_id from weekly_digests where week_start = '2026-11-16'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(posted_at, Some(local(BERLIN, 2026, 11, 23, 9, 0)));
    assert_eq!(message_id, Some(30_002));

    let following = scheduler
        .tick(local(BERLIN, 2026, 11, 30, 9, 0))
        .await
        .unwrap();
    assert_eq!(following.digests, vec![(GUILD, date(2026, 11, 23))]);
    assert_eq!(candidate_ids(poster, 2), vec![next_week]);
}

#[tokio::test]
async fn no_digest_is_posted_when_it_is_off_or_the_week_had_no_answers() {
    let db = TestDb::new().await;
    berlin_server(&db, false).await;
    revealed(&db, 401, local(BERLIN, 2026, 11, 17, 10, 0), 80, 1).await;
    let poster = leak(RecordingPoster::default());
    let scheduler = scheduler(&db.store, poster);

    let off = scheduler
        .tick(local(BERLIN, 2026, 11, 23, 9, 0))
        .await
        .unwrap();
    assert!(off.digests.is_empty());
    assert_eq!(*poster.digest_attempts.lock().unwrap(), 0);

    // Turned on: the week of 23 November has no answers, so its Monday brings nothing, once.
    db.store
        .save_server_options(
            GUILD,
            ServerOptions {
                weekly_digest: Some(true),
                ..ServerOptions::default()
            },
        )
        .await
        .unwrap();
    for (month, day, hour) in [(11, 30, 9), (11, 30, 10), (12, 1, 9)] {
        let report = scheduler
            .tick(local(BERLIN, 2026, month, day, hour, 0))
            .await
            .unwrap();
        assert!(report.digests.is_empty());
    }
    assert_eq!(*poster.digest_attempts.lock().unwrap(), 0);
    let claimed: Vec<(NaiveDate, bool)> =
        sqlx::query_as("select week_start, posted_at is not null from weekly_digests")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        claimed,
        vec![(date(2026, 11, 23), false)],
        "the empty week is claimed, so later ticks do not look at it again"
    );
}

#[tokio::test]
async fn an_unreachable_discord_is_retried_on_the_next_tick_and_a_refusal_is_not() {
    let db = TestDb::new().await;
    berlin_server(&db, true).await;
    revealed(&db, 401, local(BERLIN, 2026, 11, 17, 10, 0), 80, 1).await;
    revealed(&db, 402, local(BERLIN, 2026, 11, 24, 10, 0), 70, 0).await;
    let poster = leak(RecordingPoster::default());
    poster
        .digest_failures
        .lock()
        .unwrap()
        .push(PostError::Unavailable("connection reset".into()));
    let scheduler = scheduler(&db.store, poster);

    let failed = scheduler
        .tick(local(BERLIN, 2026, 11, 23, 9, 0))
        .await
        .unwrap();
    let retried = scheduler
        .tick(local(BERLIN, 2026, 11, 23, 9, 1))
        .await
        .unwrap();
    assert!(failed.digests.is_empty());
    assert_eq!(retried.digests, vec![(GUILD, date(2026, 11, 16))]);
    assert_eq!(*poster.digest_attempts.lock().unwrap(), 2);

    poster
        .digest_failures
        .lock()
        .unwrap()
        .push(PostError::Refused("Missing Access".into()));
    for minute in [0, 1, 2] {
        let report = scheduler
            .tick(local(BERLIN, 2026, 11, 30, 9, minute))
            .await
            .unwrap();
        assert!(report.digests.is_empty());
    }
    assert_eq!(
        *poster.digest_attempts.lock().unwrap(),
        3,
        "a refused digest is not retried in a loop"
    );
}

#[tokio::test]
async fn the_digest_reaches_the_channel_naming_authors_without_pinging_and_saying_why() {
    let bot = Harness::start().await;
    bot.set_up(None).await;
    let on = bot
        .fake
        .slash(
            &admin(),
            "settings",
            json!([{"name": "weekly_digest", "type": 5, "value": true}]),
        )
        .await;
    let reply = bot.fake.reply(&on).await;
    assert!(reply.ephemeral, "{reply:?}");
    assert!(
        reply.content.contains("Weekly digest: **on"),
        "{}",
        reply.content
    );
    bot.post_now().await;
    let (alice, bob) = (FakeUser::member(400, "alice"), FakeUser::member(401, "bob"));
    let story = "Last spring our biggest seller told me refunds took nine days. I read every \
        refund ticket from the quarter, found a manual approval step nobody owned, and wrote an \
        automatic check for small refunds. Refund time fell from nine days to one and complaints \
        dropped by 60%.";
    bot.answer(&alice, story).await;
    let weak = bot
        .fake
        .slash(&bob, "answer", text_option("We helped a customer once."))
        .await;
    bot.fake.reply(&weak).await;
    bot.post_now().await;
    let (answer_id,): (i64,) = sqlx::query_as("select id from answers where user_id = 400")
        .fetch_one(&bot.db.pool)
        .await
        .unwrap();
    vote(&bot.db, answer_id, 401).await;

    // The set-up server's schedule, and the Monday its week's digest is due.
    let schedule = Schedule {
        time: chrono::NaiveTime::from_hms_opt(3, 17, 0).unwrap(),
        tz: schedule::parse_timezone("Pacific/Kiritimati").unwrap(),
        days: WeekdaySet::EVERY_DAY,
    };
    let monday = digest::next_digest_at(&schedule, Utc::now());
    let scheduler = Scheduler::new(bot.db.store.clone(), bot.poster(), StdRng::seed_from_u64(1));
    let report = scheduler.tick(monday).await.unwrap();

    assert_eq!(report.digests.len(), 1, "{report:?}");
    let posted = bot
        .fake
        .wait_for_channel_message(CHANNEL_ID, |m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains("Weekly digest"))
        })
        .await;
    let text = posted["content"].as_str().unwrap();
    assert!(text.contains("2 answers from 2 members"), "{text}");
    let first = text
        .find("<@400>")
        .expect("the top answer's author is named");
    assert!(
        text.find("<@401>").is_none_or(|bob| bob > first),
        "the voted answer comes first: {text}"
    );
    assert!(
        text.contains("1 vote") && text.contains("What made it strong"),
        "{text}"
    );
    let sent = bot.fake.request_for_message(&posted).expect("the request");
    assert_eq!(
        sent.body["allowed_mentions"]["parse"],
        json!([]),
        "nobody is pinged"
    );
    bot.shut_down().await.unwrap();
}
