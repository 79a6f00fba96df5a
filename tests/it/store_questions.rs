//! The question pool in PostgreSQL: syncing the shared pool from its files, each server's own
//! questions, the rotation pool, and which questions a member has answered.

use std::collections::HashSet;
use std::path::Path;

use bar_raiser::domain::answer::{AnswerSource, AnswerText};
use bar_raiser::domain::questions::{CustomerType, Question, Theme};
use bar_raiser::domain::rubric;
use bar_raiser::store::{NewAnswer, PoolQuestion, ScoreRecord, StoreError, SyncReport};

use crate::db::TestDb;

const GUILD: u64 = 200;
const OTHER_GUILD: u64 = 201;
const ADMIN: u64 = 150;

fn question(id: &str, text: &str) -> Question {
    Question {
        id: id.to_owned(),
        text: text.to_owned(),
        customers: vec![CustomerType::EndUser],
        themes: vec![Theme::RootCause],
        probes: vec!["What did you learn?".to_owned()],
    }
}

fn shipped_pool() -> Vec<Question> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
    bar_raiser::question_files::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"))
}

fn slugs(questions: &[PoolQuestion]) -> Vec<&str> {
    questions.iter().map(|q| q.slug.as_str()).collect()
}

fn report(added: usize, updated: usize, retired: usize, unchanged: usize) -> SyncReport {
    SyncReport {
        added,
        updated,
        retired,
        unchanged,
    }
}

/// A shared question's row: its id, text and whether it is active.
async fn shared_row(db: &TestDb, slug: &str) -> (i64, String, bool) {
    sqlx::query_as("select id, text, active from questions where guild_id is null and slug = $1")
        .bind(slug)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

/// Posts a prompt for the question directly: the prompt API belongs to the scheduler, and these
/// tests are about the pool.
async fn seed_prompt(db: &TestDb, question_id: i64, text: &str, date: &str) -> i64 {
    sqlx::query("insert into servers (guild_id) values ($1) on conflict do nothing")
        .bind(GUILD as i64)
        .execute(&db.pool)
        .await
        .unwrap();
    let (prompt_id,): (i64,) = sqlx::query_as(
        "insert into prompts (guild_id, question_id, question_text, scheduled_for, channel_id)
         values ($1, $2, $3, $4::date, 300) returning id",
    )
    .bind(GUILD as i64)
    .bind(question_id)
    .bind(text)
    .bind(date)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    prompt_id
}

#[tokio::test]
async fn syncing_the_shipped_pool_adds_every_question_and_a_second_sync_changes_nothing() {
    let db = TestDb::new().await;
    let pool = shipped_pool();
    assert_eq!(
        pool.len(),
        66,
        "the shipped pool changed size; update this test"
    );

    let first = db.store.sync_pool(&pool).await.unwrap();
    let second = db.store.sync_pool(&pool).await.unwrap();

    assert_eq!(first, report(66, 0, 0, 0));
    assert_eq!(second, report(0, 0, 0, 66));
    let rotation = db.store.rotation_pool(0).await.unwrap();
    let expected: Vec<&str> = pool.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(
        slugs(&rotation),
        expected,
        "in file order, since ids follow insertion"
    );
    assert_eq!(rotation[0].text, pool[0].text);
    assert_eq!(rotation[0].probes, pool[0].probes);
    assert_eq!(rotation[0].guild_id, None);
    assert_eq!(db.store.shared_pool_size().await.unwrap(), 66);
}

#[tokio::test]
async fn processes_syncing_the_pool_at_once_all_succeed_and_add_each_question_once() {
    let db = TestDb::new().await;
    let pool = shipped_pool();
    // Open the connections first, so that the syncs really start together rather than one
    // finishing while the others are still connecting.
    let mut warm = Vec::new();
    for _ in 0..4 {
        warm.push(db.pool.acquire().await.unwrap());
    }
    drop(warm);

    let syncs: Vec<_> = (0..4)
        .map(|_| {
            let (store, pool) = (db.store.clone(), pool.clone());
            tokio::spawn(async move { store.sync_pool(&pool).await })
        })
        .collect();
    let mut reports = Vec::new();
    for sync in syncs {
        reports.push(sync.await.unwrap().unwrap());
    }

    reports.sort_by_key(|r| r.added);
    let unchanged = report(0, 0, 0, 66);
    assert_eq!(
        reports,
        [unchanged, unchanged, unchanged, report(66, 0, 0, 0)]
    );
    assert_eq!(db.store.rotation_pool(0).await.unwrap().len(), 66);
}

#[tokio::test]
async fn any_change_to_a_question_in_its_file_updates_its_row_in_place() {
    // (what changed, the question as the file now says)
    let changed = |edit: fn(&mut Question)| {
        let mut q = question("co-a", "Tell me about A.");
        edit(&mut q);
        q
    };
    let cases = [
        (
            "text",
            changed(|q| q.text = "Tell me about A, reworded.".into()),
        ),
        (
            "customers",
            changed(|q| q.customers.push(CustomerType::Seller)),
        ),
        ("themes", changed(|q| q.themes = vec![Theme::Feedback])),
        ("probes", changed(|q| q.probes.push("And then?".into()))),
    ];
    for (what, edited) in cases {
        let db = TestDb::new().await;
        let b = question("co-b", "Tell me about B.");
        db.store
            .sync_pool(&[question("co-a", "Tell me about A."), b.clone()])
            .await
            .unwrap();
        let (id_before, _, _) = shared_row(&db, "co-a").await;

        let synced = db.store.sync_pool(&[edited.clone(), b]).await.unwrap();

        assert_eq!(synced, report(0, 1, 0, 1), "after changing {what}");
        let (id_after, text, active) = shared_row(&db, "co-a").await;
        assert_eq!(
            (id_after, text.as_str(), active),
            (id_before, edited.text.as_str(), true)
        );
        let (customers, themes, probes): (Vec<String>, Vec<String>, Vec<String>) =
            sqlx::query_as("select customers, themes, probes from questions where id = $1")
                .bind(id_after)
                .fetch_one(&db.pool)
                .await
                .unwrap();
        let names = |tags: Vec<&str>| tags.into_iter().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            customers,
            names(edited.customers.iter().map(|c| c.as_str()).collect())
        );
        assert_eq!(
            themes,
            names(edited.themes.iter().map(|t| t.as_str()).collect())
        );
        assert_eq!(probes, edited.probes, "after changing {what}");
    }
}

#[tokio::test]
async fn rewording_a_question_leaves_the_wording_old_prompts_were_posted_with() {
    let db = TestDb::new().await;
    db.store
        .sync_pool(&[question("co-a", "Tell me about A.")])
        .await
        .unwrap();
    let (id, _, _) = shared_row(&db, "co-a").await;
    let prompt_id = seed_prompt(&db, id, "Tell me about A.", "2026-11-24").await;

    db.store
        .sync_pool(&[question("co-a", "Tell me about A, reworded.")])
        .await
        .unwrap();

    let (snapshot,): (String,) = sqlx::query_as("select question_text from prompts where id = $1")
        .bind(prompt_id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(snapshot, "Tell me about A.");
    assert_eq!(
        db.store.rotation_pool(GUILD).await.unwrap()[0].text,
        "Tell me about A, reworded."
    );
}

#[tokio::test]
async fn questions_removed_from_the_files_are_retired_not_deleted_and_come_back_when_restored() {
    let db = TestDb::new().await;
    let (a, b, c) = (
        question("co-a", "Tell me about A."),
        question("co-b", "Tell me about B."),
        question("co-c", "Tell me about C."),
    );
    db.store
        .sync_pool(&[a.clone(), b.clone(), c.clone()])
        .await
        .unwrap();
    let (c_id, _, _) = shared_row(&db, "co-c").await;
    // A prompt references C, so deleting its row would fail or lose history.
    seed_prompt(&db, c_id, &c.text, "2026-11-24").await;

    let removed = db.store.sync_pool(&[a.clone(), b.clone()]).await.unwrap();
    let retired_pool = db.store.rotation_pool(GUILD).await.unwrap();
    let again = db.store.sync_pool(&[a.clone(), b.clone()]).await.unwrap();
    let restored = db.store.sync_pool(&[a, b, c]).await.unwrap();

    assert_eq!(removed, report(0, 0, 1, 2));
    assert_eq!(slugs(&retired_pool), ["co-a", "co-b"]);
    assert_eq!(
        again,
        report(0, 0, 0, 2),
        "a retired question is not retired twice"
    );
    assert_eq!(
        restored,
        report(1, 0, 0, 2),
        "a restored question counts as added"
    );
    assert_eq!(
        shared_row(&db, "co-c").await,
        (c_id, "Tell me about C.".into(), true)
    );
    assert_eq!(
        slugs(&db.store.rotation_pool(GUILD).await.unwrap()),
        ["co-a", "co-b", "co-c"]
    );
}

#[tokio::test]
async fn the_rotation_pool_is_the_shared_pool_plus_the_servers_own_and_no_other_servers() {
    let db = TestDb::new().await;
    db.store
        .sync_pool(&[
            question("co-a", "Tell me about A."),
            question("co-b", "Tell me about B."),
        ])
        .await
        .unwrap();
    let ours = db
        .store
        .add_server_question(GUILD, "Tell me about our onboarding.", ADMIN)
        .await
        .unwrap();
    db.store
        .add_server_question(OTHER_GUILD, "Tell me about their onboarding.", ADMIN)
        .await
        .unwrap();

    let pool = db.store.rotation_pool(GUILD).await.unwrap();

    assert_eq!(slugs(&pool), ["co-a", "co-b", "srv-1"]);
    assert_eq!(pool[2], ours);
    assert!(pool.windows(2).all(|w| w[0].id < w[1].id), "ordered by id");
    assert_eq!(
        slugs(&db.store.rotation_pool(0).await.unwrap()),
        ["co-a", "co-b"]
    );
    assert_eq!(db.store.shared_pool_size().await.unwrap(), 2);
}

#[tokio::test]
async fn server_questions_get_their_own_numbered_slugs_and_a_removed_slug_is_never_reused() {
    let db = TestDb::new().await;

    let first = db
        .store
        .add_server_question(GUILD, "Tell me about one.", ADMIN)
        .await
        .unwrap();
    db.store
        .add_server_question(GUILD, "Tell me about two.", ADMIN)
        .await
        .unwrap();
    let elsewhere = db
        .store
        .add_server_question(OTHER_GUILD, "Tell me about one.", ADMIN)
        .await
        .unwrap();
    let removed = db
        .store
        .remove_server_question(GUILD, "srv-1")
        .await
        .unwrap();
    let removed_again = db
        .store
        .remove_server_question(GUILD, "srv-1")
        .await
        .unwrap();
    let third = db
        .store
        .add_server_question(GUILD, "Tell me about three.", ADMIN)
        .await
        .unwrap();

    assert_eq!(
        (first.slug.as_str(), first.guild_id, first.text.as_str()),
        ("srv-1", Some(GUILD as i64), "Tell me about one.")
    );
    assert!(first.probes.is_empty());
    assert_eq!(elsewhere.slug, "srv-1", "each server numbers its own");
    assert!(removed);
    assert!(
        !removed_again,
        "an inactive question cannot be removed twice"
    );
    assert_eq!(third.slug, "srv-3");
    assert_eq!(
        slugs(&db.store.server_questions(GUILD).await.unwrap()),
        ["srv-2", "srv-3"]
    );
    assert_eq!(
        slugs(&db.store.server_questions(OTHER_GUILD).await.unwrap()),
        ["srv-1"]
    );
    let (created_by, active): (Option<i64>, bool) =
        sqlx::query_as("select created_by, active from questions where id = $1")
            .bind(first.id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        (created_by, active),
        (Some(ADMIN as i64), false),
        "kept, inactive"
    );
}

#[tokio::test]
async fn adding_a_question_creates_the_servers_row_when_it_is_missing() {
    let db = TestDb::new().await;

    db.store
        .add_server_question(GUILD, "Tell me about one.", ADMIN)
        .await
        .unwrap();

    let (n,): (i64,) = sqlx::query_as("select count(*) from servers where guild_id = $1")
        .bind(GUILD as i64)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn the_same_text_as_an_active_question_here_or_in_the_shared_pool_is_a_named_conflict() {
    // (text to add, whether it is a duplicate)
    let cases = [
        ("Tell me about our onboarding.", true),
        ("  TELL me about   our\tonboarding. ", true),
        ("Tell me about Ä shared question.", true),
        ("tell me about ä shared question.", true),
        ("Tell me about their onboarding.", false),
        ("Tell me about a retired idea.", false),
        ("Tell me about our onboarding!", false),
    ];
    for (text, duplicate) in cases {
        let db = TestDb::new().await;
        db.store
            .sync_pool(&[question("co-a", "Tell me about Ä shared question.")])
            .await
            .unwrap();
        for (guild, existing) in [
            (GUILD, "Tell me about our onboarding."),
            (OTHER_GUILD, "Tell me about their onboarding."),
            (GUILD, "Tell me about a retired idea."),
        ] {
            db.store
                .add_server_question(guild, existing, ADMIN)
                .await
                .unwrap();
        }
        assert!(
            db.store
                .remove_server_question(GUILD, "srv-2")
                .await
                .unwrap()
        );

        let result = db.store.add_server_question(GUILD, text, ADMIN).await;

        match (duplicate, result) {
            (true, Err(StoreError::Conflict { constraint })) => {
                assert_eq!(constraint, "questions_text_duplicate", "for {text:?}")
            }
            (false, Ok(added)) => assert_eq!(added.slug, "srv-3", "for {text:?}"),
            (_, other) => panic!("for {text:?} (duplicate: {duplicate}) got {other:?}"),
        }
        let own = db.store.server_questions(GUILD).await.unwrap().len();
        assert_eq!(own, if duplicate { 1 } else { 2 }, "for {text:?}");
    }
}

#[tokio::test]
async fn admins_adding_at_the_same_moment_get_distinct_slugs_and_one_copy_of_a_text() {
    let db = TestDb::new().await;

    let distinct = (0..8).map(|i| {
        let store = db.store.clone();
        tokio::spawn(async move {
            store
                .add_server_question(GUILD, &format!("Tell me about moment {i}."), ADMIN)
                .await
        })
    });
    let same = (0..8).map(|_| {
        let store = db.store.clone();
        tokio::spawn(async move {
            store
                .add_server_question(GUILD, "Tell me about the same moment.", ADMIN)
                .await
        })
    });
    let mut added = HashSet::new();
    for task in distinct.collect::<Vec<_>>() {
        added.insert(task.await.unwrap().unwrap().slug);
    }
    let mut same_added = 0;
    for task in same.collect::<Vec<_>>() {
        match task.await.unwrap() {
            Ok(_) => same_added += 1,
            Err(StoreError::Conflict { constraint }) => {
                assert_eq!(constraint, "questions_text_duplicate")
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    assert_eq!(added.len(), 8, "{added:?}");
    assert_eq!(same_added, 1);
    assert_eq!(db.store.server_questions(GUILD).await.unwrap().len(), 9);
}

#[tokio::test]
async fn a_shared_pool_question_cannot_be_removed_as_a_servers_own() {
    let db = TestDb::new().await;
    db.store
        .sync_pool(&[question("co-a", "Tell me about A.")])
        .await
        .unwrap();

    let removed = db
        .store
        .remove_server_question(GUILD, "co-a")
        .await
        .unwrap();

    assert!(!removed);
    assert_eq!(
        slugs(&db.store.rotation_pool(GUILD).await.unwrap()),
        ["co-a"]
    );
}

#[tokio::test]
async fn answered_questions_come_from_both_daily_and_practice_answers() {
    let db = TestDb::new().await;
    db.store
        .sync_pool(&[
            question("co-a", "Tell me about A."),
            question("co-b", "Tell me about B."),
            question("co-c", "Tell me about C."),
            question("co-d", "Tell me about D."),
        ])
        .await
        .unwrap();
    let ids: Vec<i64> = db
        .store
        .rotation_pool(0)
        .await
        .unwrap()
        .iter()
        .map(|q| q.id)
        .collect();
    let (a, b, c) = (ids[0], ids[1], ids[2]);
    let prompt_a = seed_prompt(&db, a, "Tell me about A.", "2026-11-24").await;
    let story = "Last spring our checkout page was timing out for 8% of shoppers; I rewrote the \
                 retry loop and failures fell to 0.5%.";
    let body = AnswerText::parse(story).unwrap();
    let score = ScoreRecord::from_score(&rubric::score(story, None).unwrap());
    let answer = |user_id, prompt_id, question_id| NewAnswer {
        user_id,
        guild_id: Some(GUILD),
        prompt_id,
        question_id,
        question_text: None,
        body: &body,
        source: AnswerSource::Slash,
        score: &score,
    };
    // A daily answer found through its prompt alone, a practice answer, an answer to nothing in
    // particular, and another member's answer.
    for new in [
        answer(400, Some(prompt_a), None),
        answer(400, None, Some(b)),
        answer(400, None, None),
        answer(401, None, Some(c)),
    ] {
        db.store.save_answer(&new).await.unwrap();
    }

    assert_eq!(
        db.store.answered_question_ids(400).await.unwrap(),
        HashSet::from([a, b])
    );
    assert_eq!(
        db.store.answered_question_ids(401).await.unwrap(),
        HashSet::from([c])
    );
    assert!(
        db.store
            .answered_question_ids(402)
            .await
            .unwrap()
            .is_empty()
    );
}
