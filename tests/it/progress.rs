//! `/leaderboard`, `/history`, `/export` and `/forget-me` end to end through the fake Discord.

use serde_json::json;

use crate::bot::Harness;
use crate::fake_discord::FakeUser;

const STORY: &str = "Last spring our biggest seller told me refunds took nine days. I read every \
refund ticket from the quarter, found a manual approval step nobody owned, and wrote an automatic \
check for small refunds. Refund time fell from nine days to one and complaints dropped by 60%.";

async fn set_up_and_post(bot: &Harness) {
    bot.set_up(None).await;
    bot.post_now().await;
}

#[tokio::test]
async fn the_leaderboard_pages_ten_at_a_time_and_leaves_out_members_who_chose_privacy() {
    let bot = Harness::start().await;
    set_up_and_post(&bot).await;
    for i in 0..12u64 {
        bot.answer(&FakeUser::member(600 + i, &format!("m{i}")), STORY)
            .await;
    }
    let shy = FakeUser::member(611, "m11");
    let privacy = bot.fake.slash(&shy, "privacy", json!([])).await;
    assert!(bot.fake.reply(&privacy).await.content.contains("left out"));

    let viewer = FakeUser::member(600, "m0");
    let ix = bot.fake.slash(&viewer, "leaderboard", json!([])).await;
    let first = bot.fake.reply(&ix).await;

    assert!(first.ephemeral);
    assert_eq!(
        first.content.matches(" points · ").count(),
        10,
        "{}",
        first.content
    );
    assert!(first.content.contains("Page 1 of 2"), "{}", first.content);
    assert!(
        first.content.contains("Points = rubric score"),
        "the formula is in the footer"
    );
    assert_eq!(first.allowed_mentions.as_ref().unwrap()["parse"], json!([]));
    let next = first
        .custom_ids()
        .into_iter()
        .find(|id| id.ends_with(":1"))
        .expect("a next-page button");
    let click = bot.fake.click(&viewer, &first.message, &next).await;
    let second = bot.fake.reply(&click).await;
    assert_eq!(
        second.content.matches(" points · ").count(),
        1,
        "{}",
        second.content
    );
    let everyone = format!("{}{}", first.content, second.content);
    assert!(
        !everyone.contains("<@611>"),
        "the member who chose privacy is left out"
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn an_empty_leaderboard_says_how_to_get_on_it() {
    let bot = Harness::start().await;
    // Send the period the way Discord would: as the registered choice's type and value.
    let commands = bot.fake.registered_commands();
    let period = &commands
        .iter()
        .find(|c| c["name"] == "leaderboard")
        .unwrap()["options"][0];
    let all = period["choices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "all")
        .expect("an all-time choice");
    let option = json!([{"name": "period", "type": period["type"], "value": all["value"]}]);

    let ix = bot
        .fake
        .slash(&FakeUser::member(400, "alice"), "leaderboard", option)
        .await;
    let reply = bot.fake.reply(&ix).await;

    assert!(reply.content.contains("all time"), "{}", reply.content);
    assert!(reply.content.contains("No points yet"), "{}", reply.content);
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn history_lists_answers_privately_with_a_chart_and_full_feedback_on_request() {
    let bot = Harness::start().await;
    let alice = FakeUser::member(400, "alice");

    let empty = bot.fake.slash(&alice, "history", json!([])).await;
    assert!(
        bot.fake
            .reply(&empty)
            .await
            .content
            .contains("no answers yet")
    );
    bot.answer(&alice, STORY).await;
    let ix = bot.fake.slash(&alice, "history", json!([])).await;
    let reply = bot.fake.reply(&ix).await;

    assert!(reply.ephemeral);
    assert!(reply.content.contains("/100"), "{}", reply.content);
    let sent = bot
        .fake
        .wait_for_request(|r| r.path.contains("/webhooks/") && !r.files.is_empty())
        .await;
    let (name, png) = &sent.files[0];
    assert!(name.contains("history.png"), "{name}");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG chart is attached");
    let (answer_id,): (i64,) = sqlx::query_as("select id from answers")
        .fetch_one(&bot.db.pool)
        .await
        .unwrap();
    let picked = bot
        .fake
        .select(
            &alice,
            &reply.message,
            "history-answer",
            &[&answer_id.to_string()],
        )
        .await;
    let feedback = bot.fake.reply(&picked).await;
    assert!(feedback.ephemeral);
    assert!(
        feedback.content.contains("Customer focus"),
        "{}",
        feedback.content
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn export_sends_json_and_markdown_with_every_revision() {
    let bot = Harness::start().await;
    set_up_and_post(&bot).await;
    let alice = FakeUser::member(400, "alice");
    bot.answer(&alice, "We made things better for customers.")
        .await;
    bot.answer(&alice, STORY).await;

    let ix = bot.fake.slash(&alice, "export", json!([])).await;
    let reply = bot.fake.reply(&ix).await;

    assert!(
        reply.ephemeral && reply.content.contains("1 answer"),
        "{}",
        reply.content
    );
    let sent = bot
        .fake
        .wait_for_request(|r| r.path.contains("/webhooks/") && r.files.len() == 2)
        .await;
    let json_file = sent
        .files
        .iter()
        .find(|(n, _)| n.ends_with(".json"))
        .unwrap();
    let exported: serde_json::Value = serde_json::from_slice(&json_file.1).unwrap();
    assert_eq!(
        exported["answers"][0]["revisions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(exported["answers"][0]["revisions"][1]["body"], STORY);
    let markdown = sent.files.iter().find(|(n, _)| n.ends_with(".md")).unwrap();
    assert!(String::from_utf8_lossy(&markdown.1).contains("/100"));
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn forget_me_asks_first_deletes_everything_and_a_second_time_finds_nothing() {
    let bot = Harness::start().await;
    set_up_and_post(&bot).await;
    let alice = FakeUser::member(400, "alice");
    bot.answer(&alice, STORY).await;

    for expected in ["deleted", "nothing to delete"] {
        let ix = bot.fake.slash(&alice, "forget-me", json!([])).await;
        let ask = bot.fake.reply(&ix).await;
        assert!(
            ask.ephemeral && ask.content.contains("for good"),
            "{}",
            ask.content
        );
        assert!(
            bot.count("select count(*) from answers").await <= 1,
            "nothing is deleted before the confirmation"
        );
        let click = bot
            .fake
            .click(&alice, &ask.message, "forget-me:confirm")
            .await;
        let done = bot.fake.reply(&click).await;
        assert!(done.content.contains(expected), "{}", done.content);
        assert_eq!(bot.count("select count(*) from answers").await, 0);
        assert_eq!(
            bot.count("select count(*) from members where user_id = 400")
                .await,
            0
        );
    }
    let board = bot
        .fake
        .slash(&FakeUser::member(401, "bob"), "leaderboard", json!([]))
        .await;
    assert!(!bot.fake.reply(&board).await.content.contains("<@400>"));
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn history_dates_read_in_the_members_own_time_zone() {
    let bot = Harness::start().await;
    let alice = FakeUser::member(400, "alice");
    bot.answer(&alice, STORY).await;
    // Saved at noon UTC on 20 November: already the 21st on Kiritimati (UTC+14).
    sqlx::query("update answers set created_at = '2026-11-20T12:00:00Z'")
        .execute(&bot.db.pool)
        .await
        .unwrap();

    // (time zone set with /timezone, or none, and the date /history shows)
    for (zone, shown) in [
        (None, "2026-11-20"),
        (Some("Pacific/Kiritimati"), "2026-11-21"),
    ] {
        if let Some(zone) = zone {
            let set = bot
                .fake
                .slash(
                    &alice,
                    "timezone",
                    json!([{"name": "zone", "type": 3, "value": zone}]),
                )
                .await;
            bot.fake.reply(&set).await;
        }
        let ix = bot.fake.slash(&alice, "history", json!([])).await;
        let reply = bot.fake.reply(&ix).await;
        assert!(
            reply.content.contains(shown),
            "expected {shown} with {zone:?}: {}",
            reply.content
        );
    }
    bot.shut_down().await.unwrap();
}
