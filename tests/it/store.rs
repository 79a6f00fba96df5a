//! The store against a real PostgreSQL: what it saves, the rules the schema enforces, and that an
//! answer reported as saved survives a database restart.

use bar_raiser::domain::answer::{AnswerSource, AnswerText};
use bar_raiser::domain::rubric;
use bar_raiser::store::{NewAnswer, ScoreRecord, StoreError};

use crate::db::TestDb;

const STORY: &str = "Last spring our checkout page was timing out for about 8% of shoppers. \
I read two hundred support tickets, found the payment retry loop was the cause, rewrote it, \
and within two weeks failed checkouts dropped from 8% to 0.5%.";

fn record(text: &str) -> ScoreRecord {
    ScoreRecord::from_score(&rubric::score(text, None).expect("a story scores"))
}

fn practice<'a>(user_id: u64, body: &'a AnswerText, score: &'a ScoreRecord) -> NewAnswer<'a> {
    NewAnswer {
        user_id,
        guild_id: Some(200),
        prompt_id: None,
        question_id: None,
        question_text: None,
        body,
        source: AnswerSource::Slash,
        score,
    }
}

/// Inserts a server, a question and a prompt directly: the store's prompt API belongs to the
/// scheduler, and these tests are about answers.
async fn seed_prompt(db: &TestDb) -> i64 {
    sqlx::query("insert into servers (guild_id) values (200) on conflict do nothing")
        .execute(&db.pool)
        .await
        .unwrap();
    let (question_id,): (i64,) = sqlx::query_as(
        "insert into questions (slug, text) values ('co-test-01', 'Tell me about a time…') returning id",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let (prompt_id,): (i64,) = sqlx::query_as(
        "insert into prompts (guild_id, question_id, question_text, scheduled_for, channel_id)
         values (200, $1, 'Tell me about a time…', date '2026-11-25', 300) returning id",
    )
    .bind(question_id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    prompt_id
}

#[tokio::test]
async fn a_saved_answer_is_revision_one_with_its_score_and_rubric_version() {
    let db = TestDb::new().await;
    let body = AnswerText::parse(STORY).unwrap();
    let score = record(STORY);

    let saved = db
        .store
        .save_answer(&practice(400, &body, &score))
        .await
        .unwrap();

    assert_eq!((saved.revision, saved.previous_total), (1, None));
    let stored = db.store.member_answers(400).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].body, STORY);
    assert_eq!(stored[0].kind, "practice");
    assert_eq!(stored[0].total, i16::from(score.total));
    assert_eq!(stored[0].rubric_version, rubric::RUBRIC_VERSION);
    let (dimensions,): (serde_json::Value,) = sqlx::query_as("select dimensions from scores")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(dimensions, score.dimensions, "the full breakdown is stored");
}

#[tokio::test]
async fn answering_the_same_prompt_again_keeps_every_revision_and_reports_the_change() {
    let db = TestDb::new().await;
    let prompt_id = seed_prompt(&db).await;
    let first = AnswerText::parse("We fixed it.").unwrap();
    let second = AnswerText::parse(STORY).unwrap();
    let (first_score, second_score) = (record(first.as_str()), record(second.as_str()));
    let mut answer = practice(400, &first, &first_score);
    answer.prompt_id = Some(prompt_id);

    db.store.save_answer(&answer).await.unwrap();
    answer.body = &second;
    answer.score = &second_score;
    let saved = db.store.save_answer(&answer).await.unwrap();

    assert_eq!(saved.revision, 2);
    assert_eq!(saved.previous_total, Some(first_score.total));
    let (revisions,): (i64,) = sqlx::query_as("select count(*) from answer_revisions")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(revisions, 2, "the first revision is kept");
    let stored = db.store.member_answers(400).await.unwrap();
    assert_eq!((stored.len(), stored[0].kind.as_str()), (1, "daily"));
    assert_eq!(stored[0].body, STORY, "the latest revision is current");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_answers_and_revisions_of_one_answer_get_distinct_numbers() {
    let db = TestDb::new().await;
    let prompt_id = seed_prompt(&db).await;
    let body = AnswerText::parse(STORY).unwrap();
    let score = record(STORY);
    // Hold the member's row so that every save queues at its first statement, then release
    // them together: they race for the member's first answer to the prompt (a double click).
    sqlx::query("insert into members (user_id) values (400)")
        .execute(&db.pool)
        .await
        .unwrap();
    let mut gate = db.pool.begin().await.unwrap();
    sqlx::query("select 1 from members where user_id = 400 for update")
        .execute(&mut *gate)
        .await
        .unwrap();

    let saves: Vec<_> = (0..4)
        .map(|_| {
            let store = db.store.clone();
            let (body, score) = (body.clone(), score.clone());
            tokio::spawn(async move {
                let mut answer = practice(400, &body, &score);
                answer.prompt_id = Some(prompt_id);
                store.save_answer(&answer).await.map(|saved| saved.revision)
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    gate.rollback().await.unwrap();
    let mut revisions = Vec::new();
    for save in saves {
        revisions.push(save.await.unwrap().expect("every concurrent save succeeds"));
    }
    revisions.sort();

    assert_eq!(revisions, vec![1, 2, 3, 4]);
    assert_eq!(db.store.member_answers(400).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_answer_to_a_prompt_that_does_not_exist_is_a_named_conflict() {
    let db = TestDb::new().await;
    let body = AnswerText::parse(STORY).unwrap();
    let score = record(STORY);
    let mut answer = practice(400, &body, &score);
    answer.prompt_id = Some(999_999);

    let error = db.store.save_answer(&answer).await.unwrap_err();

    assert!(
        matches!(&error, StoreError::Conflict { constraint } if constraint == "answers_prompt_id_fkey"),
        "{error:?}"
    );
    assert!(db.store.member_answers(400).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_schema_refuses_two_scheduled_prompts_for_one_server_and_date() {
    let db = TestDb::new().await;
    seed_prompt(&db).await;

    let error = sqlx::query(
        "insert into prompts (guild_id, question_id, question_text, scheduled_for, channel_id)
         select 200, id, text, date '2026-11-25', 300 from questions limit 1",
    )
    .execute(&db.pool)
    .await
    .map_err(StoreError::from)
    .unwrap_err();

    assert!(
        matches!(&error, StoreError::Conflict { constraint } if constraint == "prompts_one_per_local_date"),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_schema_refuses_empty_and_over_long_answer_bodies() {
    let db = TestDb::new().await;
    let prompt_id = seed_prompt(&db).await;
    sqlx::query("insert into members (user_id) values (400)")
        .execute(&db.pool)
        .await
        .unwrap();
    let (answer_id,): (i64,) = sqlx::query_as(
        "insert into answers (user_id, prompt_id, kind) values (400, $1, 'daily') returning id",
    )
    .bind(prompt_id)
    .fetch_one(&db.pool)
    .await
    .unwrap();

    for body in ["", "   ", &"x".repeat(4001)] {
        let result = sqlx::query(
            "insert into answer_revisions (answer_id, revision, body, source) values ($1, 1, $2, 'slash')",
        )
        .bind(answer_id)
        .bind(body)
        .execute(&db.pool)
        .await;
        assert!(
            result.is_err(),
            "a body of {} chars was accepted",
            body.len()
        );
    }
}

#[tokio::test]
async fn an_answer_saved_while_the_database_restarts_is_committed() {
    // A cluster of its own: restarting the shared one would disturb the other tests.
    let (store, cluster, _dir) = crate::db::own_cluster().await;
    let body = AnswerText::parse(STORY).unwrap();
    let score = record(STORY);
    store
        .save_answer(&practice(401, &body, &score))
        .await
        .unwrap();

    // The database goes down, a member answers, and the database comes back: the save must be
    // retried into the restarted database rather than lost or reported saved when it was not.
    cluster.stop().await.unwrap();
    let saving = {
        let (store, body, score) = (store.clone(), body.clone(), score.clone());
        tokio::spawn(async move { store.save_answer(&practice(401, &body, &score)).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!saving.is_finished(), "the save waits for the database");
    cluster.restart().await.expect("the cluster starts again");
    let saved = saving
        .await
        .unwrap()
        .expect("saving across a restart succeeds after a retry");
    let after = store
        .save_answer(&practice(401, &body, &score))
        .await
        .unwrap();

    let ids: Vec<i64> = store
        .member_answers(401)
        .await
        .unwrap()
        .iter()
        .map(|a| a.answer_id)
        .collect();
    assert_eq!(ids.len(), 3, "every answer reported saved is stored");
    assert!(ids.contains(&saved.answer_id) && ids.contains(&after.answer_id));
    store.close().await;
    cluster.stop().await.unwrap();
}
