//! The `bar-raiser` executable, driven black-box through its contracts only: environment
//! variables, command names, exit codes, the fake Discord, and signals.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bar_raiser::local_pg::LocalPostgres;
use serde_json::json;
use tokio::process::Command as AsyncCommand;

use crate::fake_discord::{CHANNEL_ID, FakeDiscord, FakeUser};

const BIN: &str = env!("CARGO_BIN_EXE_bar-raiser");

const STORY: &str = "In my second month on the payments team I noticed refund requests from \
small sellers took nine days. I read every refund ticket from the quarter, traced the delay to a \
manual approval step nobody owned, and wrote an automatic check for refunds under $200. Refund time \
for those sellers dropped from nine days to one, and complaints fell by 60% the next quarter.";

/// A command with a clean environment: no `.env` (it runs in an empty directory) and no
/// inherited configuration, so each test states exactly what it sets.
fn bar_raiser(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env(
            "QUESTIONS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/questions"),
        )
        .env("RUST_LOG", "info");
    command
}

fn temp_dir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("bar-raiser-bin-")
        .tempdir()
        .unwrap();
    // The private cluster may run as the postgres user, which must reach its directory.
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    dir
}

#[test]
fn a_missing_token_is_one_clear_line_and_a_failing_exit() {
    let dir = temp_dir();

    let output = bar_raiser(dir.path()).arg("run").output().unwrap();

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("DISCORD_TOKEN is not set"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_unreachable_database_is_retried_then_reported_clearly() {
    let dir = temp_dir();
    let started = Instant::now();

    let output = bar_raiser(dir.path())
        .env("DISCORD_TOKEN", "fake-token")
        // Port 9 (discard) on loopback: nothing listens, so connections are refused.
        .env(
            "DATABASE_URL",
            "postgres://bot:secret-pw@127.0.0.1:9/bar_raiser",
        )
        .env("DATABASE_CONNECT_TIMEOUT", "2")
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot reach the database yet"),
        "retries are logged: {stderr}"
    );
    assert!(
        stderr.contains("cannot connect to the database in DATABASE_URL"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("secret-pw"),
        "the password is never printed: {stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn score_reads_stdin_and_prints_the_contract_json() {
    let dir = temp_dir();
    let mut child = bar_raiser(dir.path())
        .args(["score", "--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(STORY.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();

    assert!(output.status.success());
    let score: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(score["total"].as_u64().unwrap() <= 100);
    for dimension in [
        "customer_focus",
        "ownership",
        "action",
        "result",
        "structure",
        "authenticity",
        "reflection",
    ] {
        let d = &score["dimensions"][dimension];
        assert!(
            d["score"].as_u64().unwrap() <= d["max"].as_u64().unwrap(),
            "{d}"
        );
        for span in d["evidence"].as_array().unwrap() {
            assert!(
                STORY.contains(span.as_str().unwrap()),
                "evidence is quoted: {span}"
            );
        }
    }
}

/// Starts the bot against the fake Discord with its own private database in `data_dir`.
fn spawn_bot(fake: &FakeDiscord, dir: &Path, data_dir: &Path) -> tokio::process::Child {
    AsyncCommand::from(bar_raiser(dir))
        .env("DISCORD_TOKEN", "fake-token")
        .env("DISCORD_API_BASE", fake.api_base())
        .env("DATA_DIR", data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// Sends SIGTERM and returns the exit status and everything the bot logged.
async fn stop_bot(mut child: tokio::process::Child) -> (std::process::ExitStatus, String) {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id().unwrap() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the bot exits after SIGTERM")
        .unwrap();
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr)
        .await
        .unwrap();
    (status, stderr)
}

/// An admin sets the daily prompt up at a time never due during a test, then posts one now.
async fn set_up_and_post(fake: &FakeDiscord, admin: &FakeUser) {
    let setup = fake
        .slash(
            admin,
            "setup",
            json!([
                {"name": "channel", "type": 7, "value": CHANNEL_ID.to_string()},
                {"name": "time", "type": 3, "value": "03:17"},
                {"name": "timezone", "type": 3, "value": "Pacific/Kiritimati"}
            ]),
        )
        .await;
    assert!(
        fake.reply(&setup)
            .await
            .content
            .contains("Daily prompt set")
    );
    let post = fake.slash(admin, "post-now", json!([])).await;
    assert!(fake.reply(&post).await.content.contains("Posted"));
}

#[tokio::test]
async fn the_binary_runs_its_own_database_answers_and_stops_cleanly_on_sigterm() {
    let fake = FakeDiscord::start().await;
    let dir = temp_dir();
    let data_dir = dir.path().join("data");
    let started = Instant::now();
    let child = spawn_bot(&fake, dir.path(), &data_dir);

    fake.wait_until_ready().await;
    let ready_after = started.elapsed();
    eprintln!("cold start to READY with a new private database: {ready_after:?}");

    // The daily loop, through the contracts only: an admin sets up and posts a prompt, one
    // member answers with the button and the form, another by direct message after /today.
    let admin = FakeUser::admin(150, "ada");
    set_up_and_post(&fake, &admin).await;
    let prompt = fake
        .wait_for_channel_message(CHANNEL_ID, |m| !m["embeds"].as_array().unwrap().is_empty())
        .await;
    let button = prompt["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let alice = FakeUser::member(400, "alice");
    let click = fake.click(&alice, &prompt, &button).await;
    assert_eq!(fake.callback(&click).await["type"], 9, "the form opens");
    let submit = fake
        .submit_modal(&alice, &click, &[("answer", STORY)])
        .await;
    let reply = fake.reply(&submit).await;
    assert!(
        reply.ephemeral && reply.content.contains("/100"),
        "{}",
        reply.content
    );
    let bob = FakeUser::member(401, "bob");
    let today = fake.slash(&bob, "today", json!([])).await;
    fake.reply(&today).await;
    fake.send_dm(&bob, STORY).await;
    fake.wait_for_dm(401, |m| {
        m["content"].as_str().is_some_and(|c| c.contains("/100"))
    })
    .await;

    let (status, stderr) = stop_bot(child).await;
    assert!(status.success(), "exit {status:?}: {stderr}");
    assert!(
        stderr.contains("latency_ms"),
        "one line per interaction: {stderr}"
    );
    assert!(!stderr.contains("fake-token"), "the token is never logged");
    let cluster_dir = data_dir.join("postgres");
    assert!(
        !cluster_dir.join("postmaster.pid").exists(),
        "the private PostgreSQL was stopped"
    );

    // The answer the member was told was saved is in the database after the restart.
    let cluster = LocalPostgres::start(&cluster_dir).await.unwrap();
    let pool = sqlx::PgPool::connect_with(cluster.connect_options("postgres"))
        .await
        .unwrap();
    let saved: Vec<(i64, String, String)> = sqlx::query_as(
        "select a.user_id, a.kind, r.source from answers a
         join answer_revisions r on r.answer_id = a.id order by a.user_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        saved,
        vec![
            (400, "daily".to_owned(), "modal".to_owned()),
            (401, "daily".to_owned(), "dm".to_owned())
        ],
        "both answers the members were told were saved are in the database"
    );
    pool.close().await;
    cluster.stop().await.unwrap();
}

#[tokio::test]
async fn post_now_twice_reveals_the_answers_votes_follow_the_rules_and_the_boards_show_them() {
    let fake = FakeDiscord::start().await;
    let dir = temp_dir();
    let child = spawn_bot(&fake, dir.path(), &dir.path().join("data"));
    fake.wait_until_ready().await;
    let admin = FakeUser::admin(150, "ada");
    let (alice, bob, carol) = (
        FakeUser::member(400, "alice"),
        FakeUser::member(401, "bob"),
        FakeUser::member(402, "carol"),
    );

    set_up_and_post(&fake, &admin).await;
    let first = fake
        .wait_for_channel_message(CHANNEL_ID, |m| !m["embeds"].as_array().unwrap().is_empty())
        .await;
    let answered = fake
        .slash(
            &alice,
            "answer",
            json!([{"name": "text", "type": 3, "value": STORY}]),
        )
        .await;
    let alice_score = crate::bot::score_in(&fake.reply(&answered).await.content);
    let weak = "We fixed the refunds as a team and the sellers were happier.";
    let answered = fake
        .slash(
            &bob,
            "answer",
            json!([{"name": "text", "type": 3, "value": weak}]),
        )
        .await;
    assert!(fake.reply(&answered).await.content.contains("/100"));
    let second = fake.slash(&admin, "post-now", json!([])).await;
    assert!(fake.reply(&second).await.content.contains("Posted"));

    // The first prompt's thread (on Discord it has the message's id) gets the reveal.
    let thread: u64 = first["id"].as_str().unwrap().parse().unwrap();
    let reveal = fake
        .wait_for_channel_message(thread, |m| !m["embeds"].as_array().unwrap().is_empty())
        .await;
    let titles: Vec<&str> = reveal["embeds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Answer A", "Answer B"],
        "anonymised, in answer order"
    );
    assert!(
        !reveal.to_string().contains("alice"),
        "no author in the reveal"
    );
    let vote_for_alice = reveal["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // (voter, expected reply) in order: a second click takes a vote back, one's own is refused.
    for (voter, expected) in [
        (&bob, "is counted"),
        (&bob, "taken back"),
        (&bob, "is counted"),
        (&alice, "your own answer"),
        (&carol, "is counted"),
    ] {
        let click = fake.click(voter, &reveal, &vote_for_alice).await;
        let reply = fake.reply(&click).await;
        assert!(
            reply.ephemeral && reply.content.contains(expected),
            "expected {expected:?}: {}",
            reply.content
        );
    }

    let board = fake.slash(&carol, "leaderboard", json!([])).await;
    let board = fake.reply(&board).await.content;
    let alice_line = board
        .lines()
        .find(|line| line.starts_with("1. <@400>"))
        .unwrap_or_else(|| panic!("alice leads: {board}"));
    assert!(board.contains("2. <@401>"), "{board}");
    let alice_points: u32 = regex::Regex::new(r"· (\d+) points")
        .unwrap()
        .captures(alice_line)
        .unwrap()[1]
        .parse()
        .unwrap();
    // Her score, two votes and a one-day streak.
    assert_eq!(alice_points, alice_score + 2 * 10 + 5, "{alice_line}");
    let history = fake.slash(&alice, "history", json!([])).await;
    let history = fake.reply(&history).await;
    assert!(history.ephemeral);
    assert!(
        history.content.contains(&format!("**{alice_score}/100**"))
            && history.content.contains("2 votes"),
        "{}",
        history.content
    );

    let (status, stderr) = stop_bot(child).await;
    assert!(status.success(), "exit {status:?}: {stderr}");
}

#[test]
fn the_bot_refuses_to_start_on_a_malformed_question_pool_with_the_lint_lines() {
    let dir = temp_dir();
    let pool = dir.path().join("questions");
    std::fs::create_dir(&pool).unwrap();
    std::fs::write(
        pool.join("broken.toml"),
        "[[question]]\nid = \"co-broken-01\"\ntext = \"\"\ncustomers = [\"end_user\"]\nthemes = [\"root_cause\"]\nprobes = [\"Why?\"]\n",
    )
    .unwrap();

    let output = bar_raiser(dir.path())
        .env("DISCORD_TOKEN", "fake-token")
        .env("QUESTIONS_DIR", &pool)
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("broken.toml:3:"),
        "file:line of the empty text: {stderr}"
    );
    assert!(
        !dir.path().join("data").exists(),
        "nothing was started: {stderr}"
    );
}

#[test]
fn migrate_applies_the_schema_to_a_new_private_database_and_exits() {
    let dir = temp_dir();

    let output = bar_raiser(dir.path())
        .arg("migrate")
        .env("DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("migrations applied"), "{stderr}");
    assert!(!dir.path().join("data/postgres/postmaster.pid").exists());
}
