//! The real bot code, in process, against the fake Discord and a real PostgreSQL: it connects,
//! registers its commands, scores and saves answers by slash command, form and direct message,
//! and shuts down without losing an answer in flight.

use std::time::{Duration, Instant};

use bar_raiser::app;
use bar_raiser::config::Config;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::db::TestDb;
use crate::fake_discord::{CHANNEL_ID, FakeDiscord, FakeUser};

const STRONG: &str = "Last March our largest seller, a bakery chain, told me their orders were \
arriving two days late. I pulled six weeks of shipment data and read forty support tickets, and \
found that our warehouse batching job held their orders until a truck was full. Nobody had asked me \
to, but I rewrote the batching rule so that perishable orders ship the same day, tested it with the \
seller for a week, and rolled it out. Late deliveries for them fell from 31% to 4% within a month, \
their repeat orders grew 18%, and two other food sellers signed up after hearing about it. I learned \
to look at the customer's own data before assuming I know the cause.";

/// A running bot wired to a fake Discord and a fresh database; other test modules use it too.
pub struct Harness {
    pub fake: FakeDiscord,
    pub db: TestDb,
    stop: Option<oneshot::Sender<()>>,
    served: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Harness {
    pub async fn start() -> Harness {
        let fake = FakeDiscord::start().await;
        let db = TestDb::new().await;
        let config = config_for(&fake);
        let (stop, stopped) = oneshot::channel::<()>();
        let store = db.store.clone();
        let served = tokio::spawn(async move {
            app::serve(&config, store, Instant::now(), async {
                let _ = stopped.await;
                "test"
            })
            .await
        });
        fake.wait_until_ready().await;
        Harness {
            fake,
            db,
            stop: Some(stop),
            served,
        }
    }

    /// Asks the bot to stop and waits until it has, returning what `serve` returned.
    pub async fn shut_down(mut self) -> anyhow::Result<()> {
        let _ = self.stop.take().expect("not stopped yet").send(());
        tokio::time::timeout(Duration::from_secs(20), self.served)
            .await
            .expect("the bot stops within 20 s")
            .expect("the serve task does not panic")
    }

    /// An admin sets the daily prompt up in the test channel at a time that is never due while a
    /// test runs (03:17 on Kiritimati), optionally pinging `role`.
    pub async fn set_up(&self, role: Option<u64>) {
        let mut options = vec![
            json!({"name": "channel", "type": 7, "value": CHANNEL_ID.to_string()}),
            json!({"name": "time", "type": 3, "value": "03:17"}),
            json!({"name": "timezone", "type": 3, "value": "Pacific/Kiritimati"}),
        ];
        if let Some(role) = role {
            options.push(json!({"name": "role", "type": 8, "value": role.to_string()}));
        }
        let ix = self
            .fake
            .slash(&admin(), "setup", Value::Array(options))
            .await;
        let reply = self.fake.reply(&ix).await;
        assert!(
            reply.content.contains("Daily prompt set"),
            "{}",
            reply.content
        );
    }

    /// An admin posts the next prompt with /post-now.
    pub async fn post_now(&self) {
        let ix = self.fake.slash(&admin(), "post-now", json!([])).await;
        let reply = self.fake.reply(&ix).await;
        assert!(reply.content.contains("Posted"), "{}", reply.content);
    }

    /// `user` answers with /answer, and the reply shows a score.
    pub async fn answer(&self, user: &FakeUser, text: &str) {
        let ix = self.fake.slash(user, "answer", text_option(text)).await;
        let reply = self.fake.reply(&ix).await;
        assert!(reply.content.contains("/100"), "{}", reply.content);
    }

    /// A poster to the fake Discord, for a test's own scheduler ticking at chosen times.
    pub fn poster(&self) -> bar_raiser::discord::poster::DiscordPoster {
        bar_raiser::discord::poster::DiscordPoster::from_config(&config_for(&self.fake))
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&self.db.pool).await.unwrap();
        n
    }
}

/// The bot's configuration pointed at the fake Discord.
fn config_for(fake: &FakeDiscord) -> Config {
    let base = fake.api_base();
    Config::from_lookup(|key| match key {
        "DISCORD_TOKEN" => Some("fake-token".into()),
        "DISCORD_API_BASE" => Some(base.clone()),
        _ => None,
    })
    .expect("a valid test configuration")
}

/// The admin who sets servers up in these tests.
pub fn admin() -> FakeUser {
    FakeUser::admin(150, "ada")
}

pub fn text_option(value: &str) -> Value {
    json!([{"name": "text", "type": 3, "value": value}])
}

/// The score line the product promises: `NN/100`.
pub(crate) fn score_in(content: &str) -> u32 {
    let re = regex::Regex::new(r"\*\*(\d{1,3})/100\*\*").unwrap();
    let caps = re
        .captures(content)
        .unwrap_or_else(|| panic!("no NN/100 in {content:?}"));
    caps[1].parse().unwrap()
}

#[tokio::test]
async fn the_bot_identifies_with_only_the_intents_it_needs_and_registers_its_commands() {
    let bot = Harness::start().await;

    let identify = bot.fake.wait_until_ready().await;
    assert_eq!(identify["token"], "Bot fake-token");
    // GUILDS (1 << 0) and DIRECT_MESSAGES (1 << 12); no privileged intent such as
    // MESSAGE_CONTENT (1 << 15) is asked for.
    assert_eq!(identify["intents"], (1 << 0) | (1 << 12));
    let commands = bot.fake.registered_commands();
    let names: Vec<&str> = commands.iter().filter_map(|c| c["name"].as_str()).collect();
    for expected in ["answer", "score"] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    let answer = commands.iter().find(|c| c["name"] == "answer").unwrap();
    assert_eq!(answer["options"][0]["name"], "text");
    assert_eq!(answer["options"][0]["required"], false);
    assert!(
        bot.fake.unknown_routes().is_empty(),
        "{:?}",
        bot.fake.unknown_routes()
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn score_replies_privately_with_the_score_and_saves_nothing() {
    let bot = Harness::start().await;
    let alice = FakeUser::member(400, "alice");

    let ix = bot.fake.slash(&alice, "score", text_option(STRONG)).await;
    let reply = bot.fake.reply(&ix).await;

    assert!(reply.ephemeral, "scores are private: {reply:?}");
    let total = score_in(&reply.content);
    assert!(
        total >= 70,
        "a strong story scores high, got {total}: {}",
        reply.content
    );
    assert!(
        reply.content.contains("Customer focus"),
        "{}",
        reply.content
    );
    assert_eq!(bot.count("select count(*) from answers").await, 0);
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn answer_with_text_is_saved_with_its_score_and_the_reply_says_so() {
    let bot = Harness::start().await;
    let alice = FakeUser::member(400, "alice");

    let ix = bot.fake.slash(&alice, "answer", text_option(STRONG)).await;
    let reply = bot.fake.reply(&ix).await;

    assert!(reply.ephemeral);
    assert!(reply.content.contains("Saved"), "{}", reply.content);
    let total = score_in(&reply.content);
    let (stored_total, body, source): (i16, String, String) = sqlx::query_as(
        "select s.total, r.body, r.source from answers a
         join answer_revisions r on r.answer_id = a.id join scores s on s.revision_id = r.id
         where a.user_id = 400",
    )
    .fetch_one(&bot.db.pool)
    .await
    .unwrap();
    assert_eq!(
        stored_total as u32, total,
        "the reply shows the stored score"
    );
    assert_eq!((body.as_str(), source.as_str()), (STRONG, "slash"));
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn answer_without_text_opens_a_form_and_the_submitted_form_is_saved() {
    let bot = Harness::start().await;
    let alice = FakeUser::member(400, "alice");

    let ix = bot.fake.slash(&alice, "answer", json!([])).await;
    let modal = bot.fake.callback(&ix).await;
    assert_eq!(modal["type"], 9, "a modal opens: {modal}");
    let field = &modal["data"]["components"][0]["components"][0];
    assert_eq!(field["style"], 2, "a paragraph field");
    assert_eq!(field["max_length"], 4000);
    let submit = bot
        .fake
        .submit_modal(&alice, &ix, &[("answer", STRONG)])
        .await;
    let reply = bot.fake.reply(&submit).await;

    assert!(reply.ephemeral, "the score is private: {reply:?}");
    score_in(&reply.content);
    let (source,): (String,) = sqlx::query_as("select source from answer_revisions")
        .fetch_one(&bot.db.pool)
        .await
        .unwrap();
    assert_eq!(source, "modal");
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_direct_message_is_an_answer_and_the_score_comes_back_in_the_dm() {
    let bot = Harness::start().await;
    let bob = FakeUser::member(401, "bob");
    let practice = bot.fake.slash(&bob, "practice", json!([])).await;
    bot.fake.reply(&practice).await;

    bot.fake.send_dm(&bob, STRONG).await;
    let reply = bot
        .fake
        .wait_for_dm(401, |m| {
            m["content"].as_str().is_some_and(|c| c.contains("/100"))
        })
        .await;

    score_in(reply["content"].as_str().unwrap());
    assert_eq!(
        bot.count("select count(*) from answer_revisions where source = 'dm'")
            .await,
        1
    );
    let sent = bot
        .fake
        .wait_for_request(|r| r.method == "POST" && r.path.ends_with("/messages"))
        .await;
    assert_eq!(
        sent.body["allowed_mentions"]["parse"],
        json!([]),
        "a DM reply pings nobody"
    );
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn bad_answers_get_a_friendly_private_error_and_nothing_is_saved() {
    let bot = Harness::start().await;
    let alice = FakeUser::member(400, "alice");
    let cases = [
        ("   ", "empty"),
        (&*"x".repeat(4001), "4001 characters"),
        ("\u{0}\u{0}", "empty"),
    ];

    for (text, expected) in cases {
        let ix = bot.fake.slash(&alice, "answer", text_option(text)).await;
        let reply = bot.fake.reply(&ix).await;
        assert!(reply.ephemeral, "{reply:?}");
        assert!(
            reply.content.contains(expected),
            "for {} chars expected {expected:?} in {:?}",
            text.len(),
            reply.content
        );
    }
    assert_eq!(bot.count("select count(*) from answers").await, 0);
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn answers_that_mention_everyone_or_roles_ping_nobody() {
    let bot = Harness::start().await;
    let alice = FakeUser::member(400, "alice");
    let sneaky = format!("@everyone @here <@&201> <@150> {STRONG}");

    let ix = bot.fake.slash(&alice, "answer", text_option(&sneaky)).await;
    let reply = bot.fake.reply(&ix).await;

    let mentions = reply
        .allowed_mentions
        .clone()
        .expect("allowed_mentions is always set");
    assert_eq!(mentions["parse"], json!([]), "{mentions}");
    assert!(mentions.get("roles").is_none_or(|r| r == &json!([])));
    bot.shut_down().await.unwrap();
}

#[tokio::test]
async fn shutdown_waits_for_an_answer_in_flight_and_it_is_saved() {
    let bot = Harness::start().await;
    let alice = FakeUser::member(400, "alice");
    // Hold a lock on the revisions table so the save blocks mid-flight.
    let mut blocker = bot.db.pool.begin().await.unwrap();
    sqlx::query("lock table answer_revisions in exclusive mode")
        .execute(&mut *blocker)
        .await
        .unwrap();

    let ix = bot.fake.slash(&alice, "answer", text_option(STRONG)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let Harness {
        fake,
        db,
        stop,
        served,
    } = bot;
    let _ = stop.expect("running").send(());
    // Shutdown has begun while the answer is blocked; release the lock and let it finish.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !served.is_finished(),
        "serve waits for the answer in flight"
    );
    blocker.rollback().await.unwrap();

    let reply = fake.reply(&ix).await;
    assert!(reply.content.contains("Saved"), "{}", reply.content);
    tokio::time::timeout(Duration::from_secs(20), served)
        .await
        .expect("the bot stops")
        .unwrap()
        .unwrap();
    let (n,): (i64,) = sqlx::query_as("select count(*) from answer_revisions")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn an_unknown_command_or_unreadable_option_gets_a_private_answer_not_silence() {
    let bot = Harness::start().await;
    let alice = FakeUser::member(400, "alice");

    let unknown = bot.fake.slash(&alice, "retired-command", json!([])).await;
    let reply = bot.fake.reply(&unknown).await;
    assert!(reply.ephemeral);
    assert!(
        reply.content.contains("/retired-command"),
        "{}",
        reply.content
    );

    // An integer where a string is expected: the option cannot be read as text.
    let garbled = bot
        .fake
        .slash(
            &alice,
            "score",
            json!([{"name": "text", "type": 4, "value": 5}]),
        )
        .await;
    let reply = bot.fake.reply(&garbled).await;
    assert!(reply.ephemeral, "{reply:?}");
    assert!(reply.content.contains("/score"), "{}", reply.content);
    assert_eq!(bot.count("select count(*) from answers").await, 0);
    bot.shut_down().await.unwrap();
}
