//! Points, the leaderboard and history against a real PostgreSQL: the tallies the triggers keep
//! after answers, revisions, votes, `/forget-me` and `/privacy`, periods in a server's own time
//! zone, pagination, and the member's history.
//!
//! Most answers here are inserted row by row with a chosen `created_at`, the way `save_answer`
//! writes them, because periods depend on when an answer was saved; revisions go through the real
//! `save_answer`.

use bar_raiser::domain::answer::{AnswerSource, AnswerText};
use bar_raiser::domain::points;
use bar_raiser::store::{NewAnswer, Period, ScoreRecord};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;

use crate::db::TestDb;

const GUILD: u64 = 700;
const STORY: &str = "Last spring our checkout page was timing out for about 8% of shoppers. \
I read two hundred support tickets, found the payment retry loop was the cause, rewrote it, \
and within two weeks failed checkouts dropped from 8% to 0.5%.";

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 time")
}

fn berlin(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Berlin
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("an unambiguous Berlin time")
        .with_timezone(&Utc)
}

/// A per-dimension breakdown shaped like the rubric's.
fn dimensions(ownership: i64, result: i64) -> serde_json::Value {
    serde_json::json!({
        "ownership": {"score": ownership, "max": 20, "evidence": ["I rewrote it"], "tip": "Say I."},
        "result": {"score": result, "max": 20, "evidence": [], "tip": "Add a number."},
    })
}

/// A server with its schedule; `zone` None leaves the schedule (and so the time zone) unset.
async fn server(db: &TestDb, guild: u64, zone: Option<&str>) {
    sqlx::query(
        "insert into servers (guild_id, channel_id, post_time, timezone)
         values ($1, case when $2::text is null then null else 1 end,
                 case when $2::text is null then null else time '09:00' end, $2)",
    )
    .bind(guild as i64)
    .bind(zone)
    .execute(&db.pool)
    .await
    .unwrap();
}

/// The server's prompt for `date`, created on first use.
async fn prompt(db: &TestDb, guild: u64, date: NaiveDate) -> i64 {
    sqlx::query(
        "insert into questions (slug, text) values ('lb-test', 'Tell me about a customer.')
         on conflict do nothing",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let (id,): (i64,) = sqlx::query_as(
        "insert into prompts (guild_id, question_id, question_text, scheduled_for, channel_id)
         select $1, id, 'Tell me about a customer.', $2, 1 from questions where slug = 'lb-test'
         on conflict (guild_id, scheduled_for) do update set channel_id = excluded.channel_id
         returning id",
    )
    .bind(guild as i64)
    .bind(date)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    id
}

/// A daily answer saved at `at` with one scored revision, inserted as `save_answer` does.
pub(crate) async fn answer_at(
    db: &TestDb,
    guild: u64,
    user: u64,
    at: DateTime<Utc>,
    total: i16,
) -> i64 {
    let prompt_id = prompt(db, guild, at.date_naive()).await;
    sqlx::query("insert into members (user_id) values ($1) on conflict do nothing")
        .bind(user as i64)
        .execute(&db.pool)
        .await
        .unwrap();
    let (answer_id,): (i64,) = sqlx::query_as(
        "insert into answers (user_id, guild_id, prompt_id, question_text, kind, created_at, updated_at)
         values ($1, $2, $3, 'Tell me about a customer.', 'daily', $4, $4) returning id",
    )
    .bind(user as i64)
    .bind(guild as i64)
    .bind(prompt_id)
    .bind(at)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let (revision_id,): (i64,) = sqlx::query_as(
        "insert into answer_revisions (answer_id, revision, body, source, created_at)
         values ($1, 1, $2, 'slash', $3) returning id",
    )
    .bind(answer_id)
    .bind(STORY)
    .bind(at)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into scores (revision_id, rubric_version, total, band, dimensions)
         values ($1, 'test', $2, 'solid', $3)",
    )
    .bind(revision_id)
    .bind(total)
    .bind(dimensions(i64::from(total) / 5, i64::from(total) / 6))
    .execute(&db.pool)
    .await
    .unwrap();
    answer_id
}

pub(crate) async fn vote(db: &TestDb, answer_id: i64, voter: u64) {
    sqlx::query("insert into votes (answer_id, voter_id) values ($1, $2)")
        .bind(answer_id)
        .bind(voter as i64)
        .execute(&db.pool)
        .await
        .unwrap();
}

async fn unvote(db: &TestDb, answer_id: i64, voter: u64) {
    sqlx::query("delete from votes where answer_id = $1 and voter_id = $2")
        .bind(answer_id)
        .bind(voter as i64)
        .execute(&db.pool)
        .await
        .unwrap();
}

/// `/forget-me` as the store will do it: the member's votes and answers deleted.
async fn forget(db: &TestDb, user: u64) {
    let mut tx = db.pool.begin().await.unwrap();
    for statement in [
        "delete from votes where voter_id = $1",
        "delete from answers where user_id = $1",
    ] {
        sqlx::query(statement)
            .bind(user as i64)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

pub(crate) async fn opt_out(db: &TestDb, user: u64, out: bool) {
    sqlx::query("update members set leaderboard_opt_out = $2 where user_id = $1")
        .bind(user as i64)
        .bind(out)
        .execute(&db.pool)
        .await
        .unwrap();
}

/// (user, points, answers) of every row on page 0.
async fn board(db: &TestDb, period: Period, now: DateTime<Utc>) -> Vec<(u64, i64, i64)> {
    let page = db.store.leaderboard(GUILD, period, 0, now).await.unwrap();
    page.rows
        .iter()
        .map(|row| (row.user_id, row.points, row.answers))
        .collect()
}

/// Every maintained tally as stored, then as `leaderboard_rebuild()` recomputes it from the base
/// tables: the two must agree after any sequence of writes.
async fn assert_tallies_match_a_rebuild(db: &TestDb) {
    let snapshot =
        "select guild_id, user_id, period, period_start::text, points, answers, score_sum,
                           opted_out
                    from leaderboard_totals order by 1, 2, 3, 4";
    let answers = "select id, coalesce(latest_total, -1::smallint), vote_count, points from answers order by id";
    type Tally = (i64, i64, String, String, i64, i32, i64, bool);
    let kept: Vec<Tally> = sqlx::query_as(snapshot).fetch_all(&db.pool).await.unwrap();
    let kept_answers: Vec<(i64, i16, i32, i32)> =
        sqlx::query_as(answers).fetch_all(&db.pool).await.unwrap();
    sqlx::query("select leaderboard_rebuild()")
        .execute(&db.pool)
        .await
        .unwrap();
    let rebuilt: Vec<Tally> = sqlx::query_as(snapshot).fetch_all(&db.pool).await.unwrap();
    let rebuilt_answers: Vec<(i64, i16, i32, i32)> =
        sqlx::query_as(answers).fetch_all(&db.pool).await.unwrap();
    assert_eq!(kept_answers, rebuilt_answers, "the answers' own tallies");
    assert_eq!(kept, rebuilt, "the leaderboard totals");
}

const NOW: &str = "2026-11-25T12:00:00Z";

#[tokio::test]
async fn points_are_the_score_plus_ten_per_vote_as_the_domain_formula_says() {
    let db = TestDb::new().await;
    server(&db, GUILD, None).await;
    let ada = answer_at(&db, GUILD, 1, utc("2026-11-25T08:00:00Z"), 72).await;
    let bob = answer_at(&db, GUILD, 2, utc("2026-11-25T09:00:00Z"), 90).await;
    vote(&db, ada, 2).await;
    vote(&db, ada, 3).await;
    vote(&db, bob, 1).await;

    let rows = board(&db, Period::All, utc(NOW)).await;

    assert_eq!(
        rows,
        vec![
            (2, points::points(90, 1, 0), 1),
            (1, points::points(72, 2, 0), 1)
        ]
    );
    assert_eq!(rows[0].1, 100);
    assert_tallies_match_a_rebuild(&db).await;
}

#[tokio::test]
async fn a_revision_replaces_the_score_in_points_and_average() {
    let db = TestDb::new().await;
    server(&db, GUILD, None).await;
    let prompt_id = prompt(&db, GUILD, utc(NOW).date_naive()).await;
    let body = AnswerText::parse(STORY).unwrap();
    let score = |total: u8| ScoreRecord {
        rubric_version: "test".into(),
        total,
        band: "solid".into(),
        dimensions: dimensions(10, 10),
        flags: Vec::new(),
    };
    let (first, second) = (score(40), score(85));
    let mut answer = NewAnswer {
        user_id: 1,
        guild_id: Some(GUILD),
        prompt_id: Some(prompt_id),
        question_id: None,
        question_text: Some("Tell me about a customer."),
        body: &body,
        source: AnswerSource::Slash,
        score: &first,
    };
    db.store.save_answer(&answer).await.unwrap();
    let before = db
        .store
        .leaderboard(GUILD, Period::All, 0, Utc::now())
        .await
        .unwrap();
    answer.score = &second;
    db.store.save_answer(&answer).await.unwrap();
    let after = db
        .store
        .leaderboard(GUILD, Period::All, 0, Utc::now())
        .await
        .unwrap();

    // A first answer is a one-day streak: 5 bonus points, recorded once and kept on revision.
    assert_eq!(
        (before.rows[0].points, before.rows[0].average_score),
        (40 + 5, 40.0)
    );
    assert_eq!(
        (
            after.rows[0].points,
            after.rows[0].answers,
            after.rows[0].average_score
        ),
        (85 + 5, 1, 85.0),
        "one answer, at its latest score"
    );
    assert_tallies_match_a_rebuild(&db).await;
}

#[tokio::test]
async fn a_vote_taken_back_takes_its_ten_points_with_it() {
    let db = TestDb::new().await;
    server(&db, GUILD, None).await;
    let answer = answer_at(&db, GUILD, 1, utc("2026-11-25T08:00:00Z"), 50).await;
    let mut seen = Vec::new();

    vote(&db, answer, 2).await;
    seen.push(board(&db, Period::Week, utc(NOW)).await[0].1);
    vote(&db, answer, 3).await;
    seen.push(board(&db, Period::Week, utc(NOW)).await[0].1);
    unvote(&db, answer, 2).await;
    seen.push(board(&db, Period::Week, utc(NOW)).await[0].1);
    unvote(&db, answer, 3).await;
    seen.push(board(&db, Period::Week, utc(NOW)).await[0].1);

    assert_eq!(seen, vec![60, 70, 60, 50]);
    assert_tallies_match_a_rebuild(&db).await;
}

#[tokio::test]
async fn a_forgotten_member_leaves_the_board_and_their_votes_stop_counting_at_once() {
    let db = TestDb::new().await;
    server(&db, GUILD, None).await;
    let ada = answer_at(&db, GUILD, 1, utc("2026-11-24T08:00:00Z"), 60).await;
    let bob = answer_at(&db, GUILD, 2, utc("2026-11-24T09:00:00Z"), 70).await;
    answer_at(&db, GUILD, 2, utc("2026-11-25T09:00:00Z"), 80).await;
    vote(&db, ada, 2).await;
    vote(&db, bob, 1).await;

    forget(&db, 2).await;

    for period in [Period::Week, Period::Month, Period::All] {
        assert_eq!(
            board(&db, period, utc(NOW)).await,
            vec![(1, 60, 1)],
            "{period:?}"
        );
    }
    let (rows,): (i64,) =
        sqlx::query_as("select count(*) from leaderboard_totals where user_id = 2")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(rows, 0, "no tally of the forgotten member is left");
    assert_tallies_match_a_rebuild(&db).await;
}

#[tokio::test]
async fn a_member_who_chose_privacy_is_left_out_and_the_ranks_stay_consecutive() {
    let db = TestDb::new().await;
    server(&db, GUILD, None).await;
    for (user, total) in [(1, 90), (2, 80), (3, 70)] {
        answer_at(&db, GUILD, user, utc("2026-11-25T08:00:00Z"), total).await;
    }

    opt_out(&db, 2, true).await;
    let hidden = db
        .store
        .leaderboard(GUILD, Period::All, 0, utc(NOW))
        .await
        .unwrap();
    opt_out(&db, 2, false).await;
    let back = board(&db, Period::All, utc(NOW)).await;

    let ranked: Vec<(u32, u64)> = hidden.rows.iter().map(|r| (r.rank, r.user_id)).collect();
    assert_eq!(ranked, vec![(1, 1), (2, 3)]);
    assert_eq!(hidden.pages, 1);
    assert_eq!(
        back.iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![1, 2, 3],
        "leaving /privacy restores the member with their points"
    );
    assert_tallies_match_a_rebuild(&db).await;
}

#[tokio::test]
async fn weeks_and_months_start_at_local_midnight_in_the_servers_time_zone() {
    let db = TestDb::new().await;
    server(&db, GUILD, Some("Europe/Berlin")).await;
    // Each member answers once; the comment says where the answer falls in Berlin time.
    let answers = [
        (1, berlin(2026, 10, 31, 23, 30)), // Saturday 31 October: last month, last week
        (2, berlin(2026, 11, 1, 0, 30)),   // Sunday 1 November 00:30 (still 31 October in UTC)
        (3, berlin(2026, 11, 22, 23, 30)), // Sunday 23:30: last week
        (4, berlin(2026, 11, 23, 0, 30)),  // Monday 00:30 (still Sunday in UTC): this week
        (5, berlin(2026, 11, 25, 12, 0)),  // today
    ];
    for (user, at) in answers {
        answer_at(&db, GUILD, user, at, 50).await;
    }
    let now = berlin(2026, 11, 25, 13, 0);
    let cases: &[(Period, &[u64])] = &[
        (Period::Week, &[4, 5]),
        (Period::Month, &[2, 3, 4, 5]),
        (Period::All, &[1, 2, 3, 4, 5]),
    ];

    for (period, expected) in cases {
        let users: Vec<u64> = board(&db, *period, now).await.iter().map(|r| r.0).collect();
        assert_eq!(&users, expected, "{period:?}");
    }
    // Sunday 23:59 Berlin is still the week before; a minute later a new, empty week begins.
    let sunday_night = berlin(2026, 11, 29, 23, 59);
    assert_eq!(board(&db, Period::Week, sunday_night).await.len(), 2);
    assert_eq!(
        board(&db, Period::Week, sunday_night + Duration::minutes(1))
            .await
            .len(),
        0
    );
}

#[tokio::test]
async fn an_empty_leaderboard_has_no_rows_and_no_pages() {
    let db = TestDb::new().await;
    server(&db, GUILD, Some("Europe/Berlin")).await;
    let cases = [(GUILD, 0), (GUILD, 3), (999, 0)];

    for (guild, page) in cases {
        let board = db
            .store
            .leaderboard(guild, Period::Week, page, utc(NOW))
            .await
            .unwrap();
        assert_eq!(
            (board.rows.len(), board.page, board.pages),
            (0, 0, 0),
            "server {guild}, page {page}"
        );
    }
}

#[tokio::test]
async fn pages_hold_ten_members_in_a_stable_order_with_ties_broken_by_user_id() {
    let db = TestDb::new().await;
    server(&db, GUILD, None).await;
    // 23 members: user 100 + i scores 40 + i / 3, so every score is shared by three members.
    for i in 0..23u64 {
        answer_at(
            &db,
            GUILD,
            100 + i,
            utc("2026-11-25T08:00:00Z"),
            40 + (i / 3) as i16,
        )
        .await;
    }
    let mut seen = Vec::new();
    for page in 0..3 {
        let board = db
            .store
            .leaderboard(GUILD, Period::All, page, utc(NOW))
            .await
            .unwrap();
        assert_eq!((board.page, board.pages), (page, 3));
        seen.extend(board.rows.iter().map(|r| (r.rank, r.user_id, r.points)));
    }

    let mut expected: Vec<(u64, i64)> =
        (0..23u64).map(|i| (100 + i, 40 + (i / 3) as i64)).collect();
    expected.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let expected: Vec<(u32, u64, i64)> = expected
        .into_iter()
        .enumerate()
        .map(|(i, (user, points))| (i as u32 + 1, user, points))
        .collect();
    assert_eq!(seen, expected);
    let past_the_end = db
        .store
        .leaderboard(GUILD, Period::All, 7, utc(NOW))
        .await
        .unwrap();
    assert_eq!(
        (past_the_end.page, past_the_end.rows.len()),
        (2, 3),
        "a page past the end shows the last page"
    );
}

#[tokio::test]
async fn the_streak_bonus_is_recorded_once_per_answer_and_the_board_shows_the_streak() {
    let db = TestDb::new().await;
    server(&db, GUILD, None).await;
    let mut bonuses = Vec::new();
    // Four days in a row; the bonus of each answer is 5 × its day of the streak.
    for day in 22..=25 {
        let at = utc(&format!("2026-11-{day}T08:00:00Z"));
        let answer = answer_at(&db, GUILD, 1, at, 60).await;
        db.store.record_streak_bonus(answer).await.unwrap();
        // A second call, as for a revision, leaves the recorded bonus alone.
        db.store.record_streak_bonus(answer).await.unwrap();
        let (bonus,): (Option<i16>,) =
            sqlx::query_as("select streak_bonus from answers where id = $1")
                .bind(answer)
                .fetch_one(&db.pool)
                .await
                .unwrap();
        bonuses.push(bonus);
    }

    assert_eq!(bonuses, vec![Some(5), Some(10), Some(15), Some(20)]);
    let row = &db
        .store
        .leaderboard(GUILD, Period::All, 0, utc(NOW))
        .await
        .unwrap()
        .rows[0];
    assert_eq!((row.points, row.answers, row.streak), (4 * 60 + 50, 4, 4));
    assert_tallies_match_a_rebuild(&db).await;
}

#[tokio::test]
async fn history_lists_answers_newest_first_with_votes_and_revision_counts() {
    let db = TestDb::new().await;
    server(&db, GUILD, None).await;
    let old = answer_at(&db, GUILD, 1, utc("2026-11-20T08:00:00Z"), 40).await;
    let mid = answer_at(&db, GUILD, 1, utc("2026-11-22T08:00:00Z"), 55).await;
    let new = answer_at(&db, GUILD, 1, utc("2026-11-24T08:00:00Z"), 70).await;
    vote(&db, mid, 2).await;
    vote(&db, mid, 3).await;
    // A second revision of the newest answer, scored 75.
    let (revision_id,): (i64,) = sqlx::query_as(
        "insert into answer_revisions (answer_id, revision, body, source)
         values ($1, 2, $2, 'modal') returning id",
    )
    .bind(new)
    .bind(STORY)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into scores (revision_id, rubric_version, total, band, dimensions)
         values ($1, 'test', 75, 'strong', $2)",
    )
    .bind(revision_id)
    .bind(dimensions(15, 12))
    .execute(&db.pool)
    .await
    .unwrap();

    let first_page = db.store.history(1, 2, None).await.unwrap();
    let second_page = db
        .store
        .history(1, 2, first_page.last().map(|e| e.answer_id))
        .await
        .unwrap();

    let summary = |entries: &[bar_raiser::store::HistoryEntry]| {
        entries
            .iter()
            .map(|e| (e.answer_id, e.total, e.band.clone(), e.votes, e.revisions))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        summary(&first_page),
        vec![
            (new, 75, "strong".to_owned(), 0, 2),
            (mid, 55, "solid".to_owned(), 2, 1)
        ]
    );
    assert_eq!(
        summary(&second_page),
        vec![(old, 40, "solid".to_owned(), 0, 1)]
    );
    assert_eq!(
        first_page[0].dimensions,
        dimensions(15, 12),
        "the full breakdown"
    );
    assert_eq!(
        first_page[0].question_text.as_deref(),
        Some("Tell me about a customer.")
    );
    assert_eq!(first_page[0].answered_at, utc("2026-11-24T08:00:00Z"));
    let series = db.store.history_series(1).await.unwrap();
    let totals: Vec<u8> = series.iter().map(|(_, total, _)| *total).collect();
    assert_eq!(totals, vec![40, 55, 75], "the chart runs oldest first");
    assert_eq!(
        series[2].2,
        serde_json::json!({"ownership": 15, "result": 12})
    );
    assert_tallies_match_a_rebuild(&db).await;
}

#[tokio::test]
async fn a_history_with_one_answer_has_one_entry_and_one_point_on_the_chart() {
    let db = TestDb::new().await;
    server(&db, GUILD, None).await;
    let only = answer_at(&db, GUILD, 1, utc("2026-11-25T08:00:00Z"), 64).await;

    let history = db.store.history(1, 10, None).await.unwrap();
    let after_it = db.store.history(1, 10, Some(only)).await.unwrap();
    let series = db.store.history_series(1).await.unwrap();

    assert_eq!(
        history
            .iter()
            .map(|e| (e.answer_id, e.kind.as_str(), e.total))
            .collect::<Vec<_>>(),
        vec![(only, "daily", 64)]
    );
    assert!(after_it.is_empty(), "nothing is older than the only answer");
    assert_eq!(series.len(), 1);
    assert!(db.store.history(2, 10, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn practice_answers_appear_in_history_but_earn_no_points() {
    let db = TestDb::new().await;
    server(&db, GUILD, None).await;
    let body = AnswerText::parse(STORY).unwrap();
    let score = ScoreRecord {
        rubric_version: "test".into(),
        total: 77,
        band: "solid".into(),
        dimensions: dimensions(10, 10),
        flags: Vec::new(),
    };
    let saved = db
        .store
        .save_answer(&NewAnswer {
            user_id: 1,
            guild_id: Some(GUILD),
            prompt_id: None,
            question_id: None,
            question_text: Some("A practice question."),
            body: &body,
            source: AnswerSource::Dm,
            score: &score,
        })
        .await
        .unwrap();
    db.store.record_streak_bonus(saved.answer_id).await.unwrap();

    let history = db.store.history(1, 10, None).await.unwrap();
    let board = db
        .store
        .leaderboard(GUILD, Period::All, 0, Utc::now())
        .await
        .unwrap();

    assert_eq!(
        history
            .iter()
            .map(|e| (e.kind.as_str(), e.total))
            .collect::<Vec<_>>(),
        vec![("practice", 77)]
    );
    assert_eq!((board.rows.len(), board.pages), (0, 0));
    assert_tallies_match_a_rebuild(&db).await;
}
