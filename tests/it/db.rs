//! A fresh, migrated PostgreSQL database for every test, on a real server.
//!
//! With `DATABASE_URL` set, test databases are created on that server. Without it, the first test
//! starts a throwaway private cluster (the same code the bot uses when it has no `DATABASE_URL`)
//! that lives as long as the test process. Either way a template database is migrated once and each
//! test gets a copy, which takes milliseconds. Database tests are never skipped: if neither way
//! works, they fail and say why.

use std::sync::atomic::{AtomicUsize, Ordering};

use bar_raiser::local_pg::LocalPostgres;
use bar_raiser::store::{MIGRATOR, Store};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, Executor, PgConnection, PgPool};
use tokio::sync::OnceCell;

/// Where test databases live for this process.
struct Server {
    admin: PgConnectOptions,
    template: String,
    /// Keeps the cluster's directory alive for the whole process.
    _dir: Option<tempfile::TempDir>,
}

static SERVER: OnceCell<Server> = OnceCell::const_new();
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A database of a test's own, with the store on it.
pub struct TestDb {
    pub store: Store,
    pub pool: PgPool,
}

impl TestDb {
    /// A fresh database with every migration applied.
    pub async fn new() -> TestDb {
        let server = SERVER.get_or_init(start_server).await;
        let name = format!(
            "{}_{}_{}",
            server.template,
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let mut admin = PgConnection::connect_with(&server.admin)
            .await
            .expect("connect to the test server");
        admin
            .execute(format!(r#"create database "{name}" template "{}""#, server.template).as_str())
            .await
            .expect("create a test database from the template");
        let _ = admin.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(5)
            .connect_with(server.admin.clone().database(&name))
            .await
            .expect("connect to the test database");
        TestDb {
            store: Store::from_pool(pool.clone()),
            pool,
        }
    }
}

async fn start_server() -> Server {
    let (admin, dir) = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let options: PgConnectOptions = url
                .parse()
                .expect("DATABASE_URL is not a valid PostgreSQL URL");
            (options, None)
        }
        _ => {
            let dir = open_temp_dir();
            let cluster = LocalPostgres::start(&dir.path().join("pg"))
                .await
                .unwrap_or_else(|e| {
                    panic!("database tests need PostgreSQL: set DATABASE_URL or install it ({e})")
                });
            (cluster.connect_options("postgres"), Some(dir))
        }
    };

    // One template per process: parallel test processes never share or race on it.
    let template = format!("bar_raiser_test_{}", std::process::id());
    let mut conn = PgConnection::connect_with(&admin)
        .await
        .expect("connect to the test server");
    conn.execute(format!(r#"drop database if exists "{template}""#).as_str())
        .await
        .expect("drop a stale template");
    conn.execute(format!(r#"create database "{template}""#).as_str())
        .await
        .expect("create the template database");
    let _ = conn.close().await;
    let mut template_conn = PgConnection::connect_with(&admin.clone().database(&template))
        .await
        .expect("connect to the template");
    MIGRATOR
        .run(&mut template_conn)
        .await
        .expect("the migrations apply to an empty database");
    let _ = template_conn.close().await;

    Server {
        admin,
        template,
        _dir: dir,
    }
}

/// A private cluster of the test's own, migrated, for tests that stop or restart the database.
pub async fn own_cluster() -> (Store, LocalPostgres, tempfile::TempDir) {
    let dir = open_temp_dir();
    let cluster = LocalPostgres::start(&dir.path().join("pg"))
        .await
        .expect("start a private cluster");
    let store = Store::connect(
        cluster.connect_options("postgres"),
        std::time::Duration::from_secs(10),
    )
    .await
    .expect("connect to the private cluster");
    store.migrate().await.expect("migrate");
    (store, cluster, dir)
}

/// A temporary directory the postgres user can reach (the cluster may run as that user).
fn open_temp_dir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("bar-raiser-test-")
        .tempdir()
        .expect("create a directory for a test cluster");
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("open the test directory to the postgres user");
    dir
}
