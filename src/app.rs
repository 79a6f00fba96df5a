//! The running bot: opens the database, migrates, connects to Discord and shuts down cleanly.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::config::{Config, DatabaseConfig};
use crate::discord;
use crate::discord::poster::DiscordPoster;
use crate::local_pg::LocalPostgres;
use crate::question_files;
use crate::scheduler::Scheduler;
use crate::store::Store;

/// How long start-up keeps trying to reach the database unless `DATABASE_CONNECT_TIMEOUT` says.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(60);
/// Where to look when the pool cannot be loaded.
const POOL_HINT: &str =
    "loading the question pool (run from the folder that holds questions/, or set QUESTIONS_DIR)";
/// How long shutdown waits for interactions already being handled.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens the configured database: the server in `DATABASE_URL`, or the private cluster, which is
/// started (and created on first use) here.
pub async fn open_database(
    database: &DatabaseConfig,
) -> anyhow::Result<(Store, Option<LocalPostgres>)> {
    let patience = connect_timeout()?;
    match database {
        DatabaseConfig::Url(options) => {
            let store = Store::connect((**options).clone(), patience)
                .await
                .context("cannot connect to the database in DATABASE_URL")?;
            Ok((store, None))
        }
        DatabaseConfig::Local { data_dir } => {
            let cluster = LocalPostgres::start(&data_dir.join("postgres"))
                .await
                .context("cannot start the private PostgreSQL (or set DATABASE_URL)")?;
            let store = Store::connect(cluster.connect_options("postgres"), patience)
                .await
                .context("cannot connect to the private PostgreSQL")?;
            Ok((store, Some(cluster)))
        }
    }
}

fn connect_timeout() -> anyhow::Result<Duration> {
    match std::env::var("DATABASE_CONNECT_TIMEOUT") {
        Ok(raw) if !raw.trim().is_empty() => raw
            .trim()
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| {
                anyhow::anyhow!(
                    "DATABASE_CONNECT_TIMEOUT must be a whole number of seconds, got {raw:?}"
                )
            }),
        _ => Ok(DEFAULT_CONNECT_TIMEOUT),
    }
}

/// Runs the bot until SIGTERM or Ctrl-C, then finishes in-flight interactions and closes down.
pub async fn run() -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let config = Config::from_env()?;
    // A malformed pool is reported before anything else starts, with the lint's own lines.
    question_files::load_dir(&config.questions_dir).context(POOL_HINT)?;
    let (store, local) = open_database(&config.database).await?;
    let result = serve(&config, store.clone(), started, shutdown_signal()).await;
    store.close().await;
    if let Some(local) = local {
        if let Err(e) = local.stop().await {
            tracing::warn!(error = %e, "stopping the private PostgreSQL failed");
        }
    }
    result.map(|()| ExitCode::SUCCESS)
}

/// Serves Discord with an open store until `shutdown` resolves (or the gateway ends by itself),
/// then stops taking new events and waits for the ones in flight. Tests call this directly.
pub async fn serve(
    config: &Config,
    store: Store,
    started: Instant,
    shutdown: impl Future<Output = &'static str>,
) -> anyhow::Result<()> {
    store.migrate().await.context("applying migrations")?;
    let questions = question_files::load_dir(&config.questions_dir).context(POOL_HINT)?;
    let report = store
        .sync_pool(&questions)
        .await
        .context("syncing the question pool")?;
    tracing::info!(?report, questions = questions.len(), "question pool synced");

    let bot = discord::Bot::new(store.clone(), started);
    let mut client = discord::build_client(config, bot.clone())
        .await
        .context("cannot build the Discord client")?;
    let shards = client.shard_manager.clone();
    let scheduler = Arc::new(Scheduler::new(
        store,
        DiscordPoster::new(client.http.clone()),
        StdRng::from_os_rng(),
    ));
    bot.set_scheduler(Arc::clone(&scheduler));
    let (stop_scheduler, scheduler_stopped) = tokio::sync::oneshot::channel::<()>();
    let scheduling = tokio::spawn(async move {
        scheduler
            .run(async {
                let _ = scheduler_stopped.await;
            })
            .await;
    });

    let mut gateway = tokio::spawn(async move { client.start().await });
    let gateway_result = tokio::select! {
        result = &mut gateway => Some(result),
        signal = shutdown => {
            tracing::info!(signal, "shutting down: finishing in-flight interactions");
            None
        }
    };
    let _ = stop_scheduler.send(());
    let _ = scheduling.await;
    if let Some(result) = gateway_result {
        // The gateway ended by itself: a bad token, disallowed intents, or a closed connection.
        bot.drain(DRAIN_TIMEOUT).await;
        result
            .context("the Discord client task panicked")?
            .context("the Discord connection ended")?;
        anyhow::bail!("the Discord connection closed unexpectedly");
    }
    shards.shutdown_all().await;
    let drained = bot.drain(DRAIN_TIMEOUT).await;
    if !drained {
        tracing::warn!(
            "some interactions were still running after {DRAIN_TIMEOUT:?}; they were stopped"
        );
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), gateway).await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGTERM (what service managers send) or Ctrl-C, naming which.
async fn shutdown_signal() -> &'static str {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing a SIGTERM handler cannot fail on Unix");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}
