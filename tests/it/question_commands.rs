//! `/question add|list|remove` end to end through the fake Discord: admins manage the server's
//! own questions, members are refused privately, and every reply is ephemeral and pings nobody.

use serde_json::{Value, json};

use crate::bot::Harness;
use crate::fake_discord::{FakeUser, GUILD_ID, Reply};

const ADMIN_ID: u64 = 150;

/// The options of `/question <sub>`: a subcommand (type 1) with its own options.
fn sub(name: &str, options: Value) -> Value {
    json!([{"name": name, "type": 1, "options": options}])
}

fn add(text: &str) -> Value {
    sub("add", json!([{"name": "text", "type": 3, "value": text}]))
}

fn remove(id: &str) -> Value {
    sub("remove", json!([{"name": "id", "type": 3, "value": id}]))
}

fn list(page: Option<u32>) -> Value {
    match page {
        Some(page) => sub("list", json!([{"name": "page", "type": 4, "value": page}])),
        None => sub("list", json!([])),
    }
}

/// Runs `/question` and returns the reply, checking that it is private and pings nobody.
async fn question(bot: &Harness, user: &FakeUser, options: Value) -> Reply {
    let ix = bot.fake.slash(user, "question", options).await;
    let reply = bot.fake.reply(&ix).await;
    assert!(reply.ephemeral, "replies are private: {reply:?}");
    let mentions = reply
        .allowed_mentions
        .clone()
        .expect("allowed_mentions is always set");
    assert_eq!(mentions["parse"], json!([]), "{mentions}");
    reply
}

/// The server's own questions as stored: slug, text, whether active, and who added it.
async fn stored(bot: &Harness) -> Vec<(String, String, bool, Option<i64>)> {
    sqlx::query_as(
        "select slug, text, active, created_by from questions where guild_id = $1 order by id",
    )
    .bind(GUILD_ID as i64)
    .fetch_all(&bot.db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn question_is_registered_as_one_admin_command_with_add_list_and_remove() {
    let bot = Harness::start().await;

    let commands = bot.fake.registered_commands();
    let command = commands
        .iter()
        .find(|c| c["name"] == "question")
        .unwrap_or_else(|| panic!("no /question in {commands:?}"));

    // Manage Server is 1 << 5: Discord hides the command from members who lack it.
    assert_eq!(command["default_member_permissions"], "32", "{command}");
    let subcommands: Vec<(&str, u64)> = command["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["name"].as_str().unwrap(), o["type"].as_u64().unwrap()))
        .collect();
    assert_eq!(subcommands, [("add", 1), ("list", 1), ("remove", 1)]);
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn an_admin_adds_lists_and_removes_a_question_of_the_servers_own() {
    let bot = Harness::start().await;
    let admin = FakeUser::admin(ADMIN_ID, "ada");
    let text = "Tell me about a time you noticed a customer struggling before they complained.";

    let empty = question(&bot, &admin, list(None)).await;
    let added = question(&bot, &admin, add(&format!("  {text}  "))).await;
    let listed = question(&bot, &admin, list(None)).await;
    let in_db = stored(&bot).await;
    let removed = question(&bot, &admin, remove("srv-1")).await;
    let empty_again = question(&bot, &admin, list(None)).await;

    assert!(
        empty.content.contains("no questions of its own"),
        "{}",
        empty.content
    );
    assert!(empty.content.contains("/question add"), "{}", empty.content);
    assert!(
        empty.content.contains("66 shared-pool questions"),
        "{}",
        empty.content
    );
    assert!(added.content.contains("Added `srv-1`"), "{}", added.content);
    assert!(added.content.contains(text), "{}", added.content);
    assert!(
        listed.content.contains(&format!("`srv-1` {text}")),
        "{}",
        listed.content
    );
    assert!(
        listed.content.contains("66 shared-pool questions"),
        "{}",
        listed.content
    );
    assert_eq!(
        in_db,
        [("srv-1".into(), text.into(), true, Some(ADMIN_ID as i64))],
        "stored trimmed, active, with who added it"
    );
    assert!(
        removed.content.contains("Removed `srv-1`"),
        "{}",
        removed.content
    );
    assert!(!stored(&bot).await[0].2, "the row is kept, inactive");
    assert!(
        empty_again.content.contains("no questions of its own"),
        "{}",
        empty_again.content
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_member_without_manage_server_is_refused_privately_and_nothing_changes() {
    let bot = Harness::start().await;
    let admin = FakeUser::admin(ADMIN_ID, "ada");
    let member = FakeUser::member(400, "alice");
    question(
        &bot,
        &admin,
        add("Tell me about a time you kept a promise."),
    )
    .await;

    for (options, subcommand) in [
        (add("Tell me about a time you broke a promise."), "add"),
        (list(None), "list"),
        (remove("srv-1"), "remove"),
    ] {
        let refused = question(&bot, &member, options).await;
        assert!(
            refused.content.contains("manage this server")
                && refused.content.contains(&format!("/question {subcommand}")),
            "{}",
            refused.content
        );
        assert!(
            !refused.content.contains("srv-1"),
            "nothing listed: {}",
            refused.content
        );
    }
    let in_db = stored(&bot).await;
    assert_eq!(in_db.len(), 1);
    assert!(in_db[0].2, "still active");
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn bad_question_text_gets_a_friendly_private_error_and_nothing_is_added() {
    let bot = Harness::start().await;
    let admin = FakeUser::admin(ADMIN_ID, "ada");
    let kept = "Tell me about a time you kept a promise.";
    question(&bot, &admin, add(kept)).await;
    let shared = bar_raiser::question_files::load_dir(std::path::Path::new("questions"))
        .unwrap()
        .remove(0)
        .text;
    let cases = [
        ("   ".to_owned(), "empty"),
        ("\0".to_owned(), "empty"),
        ("x".repeat(301), "301 characters; the limit is 300"),
        (kept.to_uppercase(), "already in the rotation"),
        (
            format!(" {}", shared.to_lowercase()),
            "already in the rotation",
        ),
    ];

    for (text, expected) in &cases {
        let reply = question(&bot, &admin, add(text)).await;
        assert!(
            reply.content.contains(expected),
            "for {} chars expected {expected:?} in {:?}",
            text.len(),
            reply.content
        );
    }
    assert_eq!(stored(&bot).await.len(), 1, "only the first question");
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn removing_an_unknown_id_or_a_shared_pool_question_says_so_and_removes_nothing() {
    let bot = Harness::start().await;
    let admin = FakeUser::admin(ADMIN_ID, "ada");
    question(
        &bot,
        &admin,
        add("Tell me about a time you kept a promise."),
    )
    .await;
    let (shared_slug,): (String,) =
        sqlx::query_as("select slug from questions where guild_id is null order by id limit 1")
            .fetch_one(&bot.db.pool)
            .await
            .unwrap();

    for id in ["srv-9", shared_slug.as_str(), "   "] {
        let reply = question(&bot, &admin, remove(id)).await;
        assert!(
            reply.content.contains("/question list"),
            "for {id:?}: {}",
            reply.content
        );
        assert!(
            !reply.content.contains("Removed"),
            "for {id:?}: {}",
            reply.content
        );
    }
    let unknown = question(&bot, &admin, remove("srv-9")).await;
    assert!(
        unknown.content.contains("no question `srv-9`"),
        "{}",
        unknown.content
    );
    assert_eq!(
        bot.count("select count(*) from questions where active")
            .await,
        67,
        "the 66 shared questions and the server's one are all still active"
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_long_list_is_split_into_pages_that_each_fit_one_message() {
    let bot = Harness::start().await;
    let admin = FakeUser::admin(ADMIN_ID, "ada");
    for i in 1..=12 {
        let text = format!("Tell me about moment {i}: {}", "very ".repeat(55));
        bot.db
            .store
            .add_server_question(GUILD_ID, &text, ADMIN_ID)
            .await
            .unwrap();
    }

    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let reply = question(&bot, &admin, list(Some(page))).await;
        assert!(
            reply.content.chars().count() <= 2000,
            "page {page}: {}",
            reply.content
        );
        seen.extend((1..=12).filter(|i| reply.content.contains(&format!("`srv-{i}` "))));
        if !reply
            .content
            .contains(&format!("/question list page:{}", page + 1))
        {
            break;
        }
        assert!(reply.content.contains("more"), "{}", reply.content);
        page += 1;
        assert!(page <= 12, "more pages than questions");
    }
    let beyond = question(&bot, &admin, list(Some(page + 1))).await;

    assert!(page > 1, "twelve long questions need more than one page");
    assert_eq!(
        seen,
        (1..=12).collect::<Vec<_>>(),
        "each question once, in order"
    );
    assert!(
        beyond.content.contains(&format!("no page {}", page + 1)),
        "{}",
        beyond.content
    );
    bot.shut_down().await.unwrap();
}
