//! Blind peer voting end to end: a closed window reveals the shared answers anonymised in the
//! prompt's thread, votes follow the rules, and the results name the authors without pinging.

use serde_json::{Value, json};

use crate::bot::{Harness, admin, text_option};
use crate::fake_discord::FakeUser;

const STORY: &str = "Last spring our biggest seller told me refunds took nine days. I read every \
refund ticket from the quarter, found a manual approval step nobody owned, and wrote an automatic \
check for small refunds. Refund time fell from nine days to one and complaints dropped by 60%.";

/// The first prompt's thread, where its answers are revealed.
async fn first_thread(bot: &Harness) -> u64 {
    let (thread,): (Option<i64>,) =
        sqlx::query_as("select thread_id from prompts order by id limit 1")
            .fetch_one(&bot.db.pool)
            .await
            .unwrap();
    thread.expect("the prompt has a thread") as u64
}

/// The revealed answers' messages in the thread (those with embeds), in order.
fn reveal_messages(bot: &Harness, thread: u64) -> Vec<Value> {
    bot.fake
        .channel_messages(thread)
        .into_iter()
        .filter(|m| m["embeds"].as_array().is_some_and(|e| !e.is_empty()))
        .collect()
}

/// Waits for the reveal in the first prompt's thread; returns the thread and its first message
/// of answers.
async fn first_reveal(bot: &Harness) -> (u64, Value) {
    let thread = first_thread(bot).await;
    bot.fake
        .wait_for_channel_message(thread, |m| !m["embeds"].as_array().unwrap().is_empty())
        .await;
    (thread, reveal_messages(bot, thread).remove(0))
}

fn vote_button(message: &Value, label: &str) -> String {
    message["components"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row["components"].as_array().unwrap())
        .find(|b| b["label"] == format!("Vote for {label}"))
        .and_then(|b| b["custom_id"].as_str())
        .unwrap_or_else(|| panic!("no vote button for {label} in {message}"))
        .to_owned()
}

#[tokio::test]
async fn post_now_twice_reveals_the_shared_answers_anonymised_in_the_first_prompts_thread() {
    let bot = Harness::start().await;
    bot.set_up(None).await;
    bot.post_now().await;
    let (alice, bob, carol) = (
        FakeUser::member(400, "alice"),
        FakeUser::member(401, "bob"),
        FakeUser::member(402, "carol"),
    );
    bot.answer(&alice, STORY).await;
    bot.answer(&bob, &format!("{STORY} I also wrote the runbook."))
        .await;
    // Carol keeps hers private.
    let privacy = bot
        .fake
        .slash(
            &carol,
            "privacy",
            json!([{"name": "share_answers", "type": 5, "value": false}]),
        )
        .await;
    bot.fake.reply(&privacy).await;
    bot.answer(&carol, "Carol's private story about a customer.")
        .await;

    bot.post_now().await;

    let thread = first_thread(&bot).await;
    let header = bot
        .fake
        .wait_for_channel_message(thread, |m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains("2 shared answers"))
        })
        .await;
    assert!(
        header["content"].as_str().unwrap().contains(":R>"),
        "closing time shown"
    );
    let revealed = reveal_messages(&bot, thread);
    assert_eq!(revealed.len(), 1);
    let titles: Vec<&str> = revealed[0]["embeds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Answer A", "Answer B"]);
    let shown = revealed[0].to_string();
    for secret in ["alice", "bob", "400", "401", "Carol"] {
        assert!(
            !shown.contains(secret),
            "{secret} leaked into the reveal: {shown}"
        );
    }
    assert!(
        bot.fake.unknown_routes().is_empty(),
        "{:?}",
        bot.fake.unknown_routes()
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn votes_count_once_toggle_on_a_second_click_and_never_on_ones_own_answer() {
    let bot = Harness::start().await;
    bot.set_up(None).await;
    bot.post_now().await;
    let (alice, bob, dave) = (
        FakeUser::member(400, "alice"),
        FakeUser::member(401, "bob"),
        FakeUser::member(403, "dave"),
    );
    bot.answer(&alice, STORY).await;
    bot.answer(
        &bob,
        &format!("{STORY} Then I shared the check with two teams."),
    )
    .await;
    bot.post_now().await;
    let (_, reveal) = first_reveal(&bot).await;
    let vote_a = vote_button(&reveal, "Answer A");

    let cases = [
        (&bob, "is counted", 1),
        (&dave, "is counted", 2),
        (&bob, "taken back", 1),
        (&alice, "your own answer", 1),
        (&dave, "taken back", 0),
        (&dave, "is counted", 1),
    ];
    for (voter, expected, votes_after) in cases {
        let click = bot.fake.click(voter, &reveal, &vote_a).await;
        let reply = bot.fake.reply(&click).await;
        assert!(reply.ephemeral, "{reply:?}");
        assert!(
            reply.content.contains(expected),
            "expected {expected:?}: {}",
            reply.content
        );
        assert_eq!(bot.count("select count(*) from votes").await, votes_after);
    }
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn when_voting_closes_the_results_name_authors_without_pinging_and_crown_the_best() {
    let bot = Harness::start().await;
    bot.set_up(None).await;
    bot.post_now().await;
    let (alice, bob) = (FakeUser::member(400, "alice"), FakeUser::member(401, "bob"));
    bot.answer(&alice, STORY).await;
    bot.answer(&bob, "We fixed some things and customers were happier.")
        .await;
    bot.post_now().await;
    let (thread, reveal) = first_reveal(&bot).await;
    let click = bot
        .fake
        .click(&bob, &reveal, &vote_button(&reveal, "Answer A"))
        .await;
    bot.fake.reply(&click).await;

    // Voting closes (24 hours pass), then the next prompt's tick posts the results.
    sqlx::query("update prompts set voting_closes_at = now() - interval '1 minute' where revealed_at is not null")
        .execute(&bot.db.pool)
        .await
        .unwrap();
    bot.post_now().await;
    let results = bot
        .fake
        .wait_for_channel_message(thread, |m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains("Voting has closed"))
        })
        .await;

    let text = results["content"].as_str().unwrap();
    assert!(
        text.contains("**Answer A** by <@400>") && text.contains("1 vote"),
        "{text}"
    );
    assert!(text.contains("Best answer: Answer A"), "{text}");
    let sent = bot
        .fake
        .request_for_message(&results)
        .expect("the results request");
    assert_eq!(
        sent.body["allowed_mentions"]["parse"],
        json!([]),
        "nobody is pinged"
    );
    let late_vote = bot
        .fake
        .click(&bob, &reveal, &vote_button(&reveal, "Answer A"))
        .await;
    assert!(bot.fake.reply(&late_vote).await.content.contains("closed"));
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn many_answers_are_revealed_within_discords_limits_with_full_text_on_request() {
    let bot = Harness::start().await;
    bot.set_up(None).await;
    bot.post_now().await;
    let long = format!(
        "{STORY} {}",
        "I kept the seller updated every single day. ".repeat(40)
    );
    for i in 0..12u64 {
        let member = FakeUser::member(500 + i, &format!("m{i}"));
        bot.answer(&member, if i == 0 { &long } else { STORY })
            .await;
    }
    bot.post_now().await;
    let thread = first_thread(&bot).await;
    bot.fake
        .wait_for_channel_message(thread, |m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains("12 shared answers"))
        })
        .await;
    // The reveal messages arrive one after another.
    let mut revealed = Vec::new();
    for _ in 0..50 {
        revealed = reveal_messages(&bot, thread);
        if revealed.len() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    assert_eq!(revealed.len(), 3, "5 + 5 + 2 answers");
    for message in &revealed {
        let embeds = message["embeds"].as_array().unwrap();
        let rows = message["components"].as_array().unwrap();
        assert!(embeds.len() <= 10 && rows.len() <= 5);
        assert!(
            rows.iter()
                .all(|r| r["components"].as_array().unwrap().len() <= 5)
        );
        let chars: usize = embeds
            .iter()
            .map(|e| {
                e["title"].as_str().unwrap().chars().count()
                    + e["description"].as_str().unwrap().chars().count()
            })
            .sum();
        assert!(chars <= 6000, "{chars} embed characters");
    }
    let full = revealed[0]["components"][0]["components"][1]["custom_id"]
        .as_str()
        .expect("the long answer has a Full answer button")
        .to_owned();
    let reader = FakeUser::member(499, "reader");
    let click = bot.fake.click(&reader, &revealed[0], &full).await;
    let reply = bot.fake.reply(&click).await;
    assert!(reply.ephemeral);
    assert_eq!(
        reply.embeds[0]["description"],
        long.trim(),
        "the whole answer, as revealed (answers are stored trimmed)"
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn keeping_one_answer_private_leaves_it_out_of_the_reveal() {
    let bot = Harness::start().await;
    bot.set_up(None).await;
    bot.post_now().await;
    let (alice, bob) = (FakeUser::member(400, "alice"), FakeUser::member(401, "bob"));
    bot.answer(&alice, STORY).await;
    let ix = bot.fake.slash(&bob, "answer", text_option(STORY)).await;
    let reply = bot.fake.reply(&ix).await;
    let toggle = reply
        .custom_ids()
        .into_iter()
        .find(|id| id.starts_with("share:"))
        .expect("a share toggle on the reply");
    let click = bot.fake.click(&bob, &reply.message, &toggle).await;
    let updated = bot.fake.reply(&click).await;
    assert!(
        updated.content.contains("stays private"),
        "{}",
        updated.content
    );

    bot.post_now().await;

    let thread = first_thread(&bot).await;
    bot.fake
        .wait_for_channel_message(thread, |m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains("1 shared answer,"))
        })
        .await;
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn settings_let_admins_choose_who_may_vote_and_how_long_voting_stays_open() {
    let bot = Harness::start().await;
    let options = json!([
        {"name": "answered_only", "type": 5, "value": true},
        {"name": "voting_hours", "type": 4, "value": 2}
    ]);
    let (alice, bob, dave) = (
        FakeUser::member(400, "alice"),
        FakeUser::member(401, "bob"),
        FakeUser::member(403, "dave"),
    );

    let refused = bot.fake.slash(&alice, "settings", options.clone()).await;
    assert!(
        bot.fake
            .reply(&refused)
            .await
            .content
            .contains("manage this server")
    );
    let too_early = bot.fake.slash(&admin(), "settings", options.clone()).await;
    assert!(
        bot.fake
            .reply(&too_early)
            .await
            .content
            .contains("run /setup first")
    );
    bot.set_up(None).await;
    let out_of_range = bot
        .fake
        .slash(
            &admin(),
            "settings",
            json!([{"name": "voting_hours", "type": 4, "value": 500}]),
        )
        .await;
    assert!(
        bot.fake
            .reply(&out_of_range)
            .await
            .content
            .contains("1 to 168 hours")
    );
    let saved = bot.fake.slash(&admin(), "settings", options).await;
    let reply = bot.fake.reply(&saved).await;
    assert!(reply.ephemeral, "{reply:?}");
    assert!(
        reply.content.contains("**2 hours**")
            && reply.content.contains("only members who answered")
            && reply.content.contains("Weekly digest: **off"),
        "{}",
        reply.content
    );

    bot.post_now().await;
    bot.answer(&alice, STORY).await;
    bot.answer(&bob, &format!("{STORY} I also wrote the runbook."))
        .await;
    bot.post_now().await;
    let (open_for,): (f64,) = sqlx::query_as(
        "select extract(epoch from voting_closes_at - revealed_at)::float8 from prompts
         where revealed_at is not null",
    )
    .fetch_one(&bot.db.pool)
    .await
    .unwrap();
    assert_eq!(open_for, 2.0 * 3600.0, "voting stays open two hours");
    let (_, reveal) = first_reveal(&bot).await;
    let vote_a = vote_button(&reveal, "Answer A");
    for (voter, expected, votes_after) in [
        (&dave, "only members who answered", 0),
        (&bob, "is counted", 1),
    ] {
        let click = bot.fake.click(voter, &reveal, &vote_a).await;
        let reply = bot.fake.reply(&click).await;
        assert!(
            reply.ephemeral && reply.content.contains(expected),
            "expected {expected:?}: {}",
            reply.content
        );
        assert_eq!(bot.count("select count(*) from votes").await, votes_after);
    }
    bot.shut_down().await.unwrap();
}
