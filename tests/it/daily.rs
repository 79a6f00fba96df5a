//! The daily loop end to end through the fake Discord: `/setup` (admins only), `/post-now`
//! posting the prompt with its Answer button, role ping and thread, answering by button and form,
//! `/answer`, direct message and `/practice`, revisions, and a closed window.

use serde_json::{Value, json};

use crate::bot::{Harness, text_option};
use crate::fake_discord::{CHANNEL_ID, FakeUser, GUILD_ID};

const PREP_ROLE: u64 = 777;

const STORY: &str = "Two years ago a partner team that consumed my pricing API kept filing \
tickets about stale prices. I sat with their on-call engineer for a day, read their logs, and found \
our cache ignored their region header. I fixed the cache key myself, added a test with their \
traffic, and stale-price tickets dropped from 40 a week to zero within a month.";

fn setup_options(time: &str, zone: &str, days: Option<&str>, role: Option<u64>) -> Value {
    let mut options = vec![
        json!({"name": "channel", "type": 7, "value": CHANNEL_ID.to_string()}),
        json!({"name": "time", "type": 3, "value": time}),
        json!({"name": "timezone", "type": 3, "value": zone}),
    ];
    if let Some(days) = days {
        options.push(json!({"name": "days", "type": 3, "value": days}));
    }
    if let Some(role) = role {
        options.push(json!({"name": "role", "type": 8, "value": role.to_string()}));
    }
    Value::Array(options)
}

/// Sets the server up pinging the prep role, posts a prompt now, and returns its message.
async fn set_up_and_post(bot: &Harness) -> Value {
    bot.set_up(Some(PREP_ROLE)).await;
    bot.post_now().await;
    bot.fake
        .wait_for_channel_message(CHANNEL_ID, |m| !m["embeds"].as_array().unwrap().is_empty())
        .await
}

#[tokio::test]
async fn setup_is_for_admins_and_checks_time_and_zone_with_friendly_errors() {
    let bot = Harness::start().await;
    let member = FakeUser::member(400, "alice");
    let admin = FakeUser::admin(150, "ada");

    let refused = bot
        .fake
        .slash(
            &member,
            "setup",
            setup_options("09:00", "Europe/Berlin", None, None),
        )
        .await;
    let reply = bot.fake.reply(&refused).await;
    assert!(
        reply.ephemeral && reply.content.contains("manage this server"),
        "{}",
        reply.content
    );
    assert_eq!(
        bot.count("select count(*) from servers where channel_id is not null")
            .await,
        0
    );

    let bad_input = [
        (setup_options("25:00", "Europe/Berlin", None, None), "25:00"),
        (
            setup_options("09:00", "Mars/Olympus", None, None),
            "Mars/Olympus",
        ),
        (setup_options("09:00", "CEST", None, None), "Europe/Berlin"),
        (
            setup_options("09:00", "UTC", Some("someday"), None),
            "someday",
        ),
        (
            setup_options("09:00", "UTC", None, Some(GUILD_ID)),
            "@everyone",
        ),
    ];
    for (options, expected) in bad_input {
        let ix = bot.fake.slash(&admin, "setup", options).await;
        let reply = bot.fake.reply(&ix).await;
        assert!(reply.ephemeral, "{reply:?}");
        assert!(
            reply.content.contains(expected),
            "expected {expected:?} in {:?}",
            reply.content
        );
    }
    assert_eq!(
        bot.count("select count(*) from servers where channel_id is not null")
            .await,
        0
    );

    let ok = bot
        .fake
        .slash(
            &admin,
            "setup",
            setup_options("9:30am", "america/new_york", Some("mon-fri"), None),
        )
        .await;
    let reply = bot.fake.reply(&ok).await;
    assert!(
        reply.content.contains("09:30 America/New_York, Mon–Fri"),
        "{}",
        reply.content
    );
    let setup = bot.fake.registered_commands();
    let setup = setup.iter().find(|c| c["name"] == "setup").unwrap();
    assert_eq!(
        setup["default_member_permissions"], "32",
        "hidden from non-admins in Discord"
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn post_now_posts_an_embed_with_an_answer_button_a_role_ping_and_a_thread() {
    let bot = Harness::start().await;

    let prompt = set_up_and_post(&bot).await;

    assert_eq!(prompt["content"], format!("<@&{PREP_ROLE}>"));
    let posted = bot
        .fake
        .request_for_message(&prompt)
        .expect("the request that posted the prompt");
    assert_eq!(posted.body["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        posted.body["allowed_mentions"]["roles"],
        json!([PREP_ROLE.to_string()])
    );
    let description = prompt["embeds"][0]["description"].as_str().unwrap();
    assert!(
        description.contains("<t:") && description.contains(":R>"),
        "{description}"
    );
    let button = &prompt["components"][0]["components"][0];
    assert_eq!(button["label"], "Answer");
    bot.fake
        .wait_for_request(|r| r.method == "POST" && r.path.contains("/threads"))
        .await;
    let (thread_id,): (Option<i64>,) = sqlx::query_as("select thread_id from prompts")
        .fetch_one(&bot.db.pool)
        .await
        .unwrap();
    assert!(thread_id.is_some(), "the thread is remembered");
    assert!(
        bot.fake.unknown_routes().is_empty(),
        "{:?}",
        bot.fake.unknown_routes()
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn the_answer_button_opens_a_form_with_the_question_and_saves_the_answer_to_the_prompt() {
    let bot = Harness::start().await;
    let prompt = set_up_and_post(&bot).await;
    let alice = FakeUser::member(400, "alice");
    let custom_id = prompt["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let click = bot.fake.click(&alice, &prompt, &custom_id).await;
    let modal = bot.fake.callback(&click).await;
    assert_eq!(modal["type"], 9);
    let field = &modal["data"]["components"][0]["components"][0];
    let question: String = sqlx::query_as::<_, (String,)>("select question_text from prompts")
        .fetch_one(&bot.db.pool)
        .await
        .unwrap()
        .0;
    let label = field["label"].as_str().unwrap();
    assert!(
        question.starts_with(label.trim_end_matches('…')),
        "{label} vs {question}"
    );
    let submit = bot
        .fake
        .submit_modal(&alice, &click, &[("answer", STORY)])
        .await;
    let reply = bot.fake.reply(&submit).await;

    assert!(reply.ephemeral);
    assert!(
        reply.content.contains("today's prompt"),
        "{}",
        reply.content
    );
    assert_eq!(
        bot.count("select count(*) from answers where kind = 'daily' and prompt_id is not null")
            .await,
        1
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_revision_keeps_the_first_answer_and_shows_the_score_change() {
    let bot = Harness::start().await;
    set_up_and_post(&bot).await;
    let alice = FakeUser::member(400, "alice");

    let first = bot
        .fake
        .slash(
            &alice,
            "answer",
            text_option("We improved things for customers."),
        )
        .await;
    bot.fake.reply(&first).await;
    let second = bot.fake.slash(&alice, "answer", text_option(STORY)).await;
    let reply = bot.fake.reply(&second).await;

    assert!(
        reply.content.contains("Saved revision 2"),
        "{}",
        reply.content
    );
    assert!(reply.content.contains(" → "), "{}", reply.content);
    assert_eq!(bot.count("select count(*) from answers").await, 1);
    assert_eq!(bot.count("select count(*) from answer_revisions").await, 2);
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_direct_message_answers_the_prompt_the_member_was_shown_with_today() {
    let bot = Harness::start().await;
    set_up_and_post(&bot).await;
    let bob = FakeUser::member(401, "bob");

    let today = bot.fake.slash(&bob, "today", json!([])).await;
    let shown = bot.fake.reply(&today).await;
    assert!(
        shown.ephemeral
            && shown
                .custom_ids()
                .iter()
                .any(|id| id.starts_with("answer:"))
    );
    bot.fake.send_dm(&bob, STORY).await;
    bot.fake
        .wait_for_dm(401, |m| {
            m["content"].as_str().is_some_and(|c| c.contains("/100"))
        })
        .await;

    assert_eq!(
        bot.count("select count(*) from answers where user_id = 401 and prompt_id is not null")
            .await,
        1
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_direct_message_from_a_member_with_no_prompt_gets_a_question_and_then_counts() {
    let bot = Harness::start().await;
    let carol = FakeUser::member(402, "carol");

    bot.fake.send_dm(&carol, "hi").await;
    let offer = bot
        .fake
        .wait_for_dm(402, |m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains("here is one"))
        })
        .await;
    assert_eq!(bot.count("select count(*) from answers").await, 0);
    assert!(offer["content"].as_str().unwrap().contains("did not save"));
    bot.fake.send_dm(&carol, STORY).await;
    bot.fake
        .wait_for_dm(402, |m| {
            m["content"].as_str().is_some_and(|c| c.contains("/100"))
        })
        .await;

    assert_eq!(
        bot.count("select count(*) from answers where user_id = 402 and kind = 'practice' and question_id is not null").await,
        1
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn practice_offers_only_questions_the_member_has_not_answered() {
    let bot = Harness::start().await;
    let dave = FakeUser::member(403, "dave");

    let mut seen = std::collections::HashSet::new();
    for _ in 0..5 {
        let ix = bot.fake.slash(&dave, "practice", json!([])).await;
        let offered = bot.fake.reply(&ix).await;
        assert!(offered.ephemeral && offered.content.contains("Practice question"));
        let answer = bot.fake.slash(&dave, "answer", text_option(STORY)).await;
        bot.fake.reply(&answer).await;
        let (question_id,): (i64,) = sqlx::query_as(
            "select question_id from answers where user_id = 403 order by id desc limit 1",
        )
        .fetch_one(&bot.db.pool)
        .await
        .unwrap();
        assert!(
            seen.insert(question_id),
            "question {question_id} offered twice"
        );
    }
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn an_answer_after_the_window_closed_is_kept_as_practice_and_the_member_is_told() {
    let bot = Harness::start().await;
    let prompt = set_up_and_post(&bot).await;
    let erin = FakeUser::member(404, "erin");
    let custom_id = prompt["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let click = bot.fake.click(&erin, &prompt, &custom_id).await;
    bot.fake.callback(&click).await;
    // Meanwhile the admin posts the next prompt, closing the first one's window.
    let admin = FakeUser::admin(150, "ada");
    let next = bot.fake.slash(&admin, "post-now", json!([])).await;
    bot.fake.reply(&next).await;

    let submit = bot
        .fake
        .submit_modal(&erin, &click, &[("answer", STORY)])
        .await;
    let reply = bot.fake.reply(&submit).await;

    assert!(
        reply.content.contains("window has closed"),
        "{}",
        reply.content
    );
    assert_eq!(
        bot.count("select count(*) from answers where user_id = 404 and kind = 'practice'")
            .await,
        1,
        "the late answer is kept"
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_double_click_on_answer_opens_two_forms_and_both_answers_are_kept_as_revisions() {
    let bot = Harness::start().await;
    let prompt = set_up_and_post(&bot).await;
    let frank = FakeUser::member(405, "frank");
    let custom_id = prompt["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let first = bot.fake.click(&frank, &prompt, &custom_id).await;
    let second = bot.fake.click(&frank, &prompt, &custom_id).await;
    assert_eq!(bot.fake.callback(&first).await["type"], 9);
    assert_eq!(bot.fake.callback(&second).await["type"], 9);
    let a = bot
        .fake
        .submit_modal(&frank, &first, &[("answer", STORY)])
        .await;
    let b = bot
        .fake
        .submit_modal(&frank, &second, &[("answer", STORY)])
        .await;
    let replies = [bot.fake.reply(&a).await, bot.fake.reply(&b).await];

    assert!(
        replies.iter().all(|r| r.content.contains("/100")),
        "{replies:?}"
    );
    assert_eq!(
        bot.count("select count(*) from answers where user_id = 405")
            .await,
        1
    );
    assert_eq!(
        bot.count("select count(*) from answer_revisions r join answers a on a.id = r.answer_id where a.user_id = 405").await,
        2,
        "nothing is lost: each submitted form is a revision"
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_deleted_prompt_channel_is_reported_to_the_admin_privately_and_nothing_crashes() {
    let bot = Harness::start().await;
    let admin = FakeUser::admin(150, "ada");
    let setup = bot
        .fake
        .slash(
            &admin,
            "setup",
            setup_options("03:17", "Pacific/Kiritimati", None, None),
        )
        .await;
    bot.fake.reply(&setup).await;
    bot.fake.delete_channel(CHANNEL_ID);
    bot.fake.add_text_channel(301, "general");

    let post = bot
        .fake
        .slash_in_channel(&admin, 301, "post-now", json!([]))
        .await;
    let reply = bot.fake.reply(&post).await;

    assert!(reply.ephemeral, "{reply:?}");
    assert!(
        reply.content.contains("no longer exists"),
        "{}",
        reply.content
    );
    bot.fake
        .wait_for_dm(150, |m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains("/post-now"))
        })
        .await;
    // The bot is still answering.
    let member = FakeUser::member(400, "alice");
    let ix = bot
        .fake
        .slash_in_channel(&member, 301, "score", text_option(STORY))
        .await;
    assert!(bot.fake.reply(&ix).await.content.contains("/100"));
    bot.shut_down().await.unwrap();
}
