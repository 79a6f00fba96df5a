//! A private PostgreSQL cluster that the bot (or the test suite) runs itself, Unix socket only.
//!
//! A small team should not have to administer a database server: when `DATABASE_URL` is unset the
//! bot initialises a cluster in its data directory with the PostgreSQL binaries installed on the
//! machine, starts it as a child process that listens on a Unix socket and no TCP port, and stops it
//! on shutdown. The same code gives every test run a throwaway cluster.
//!
//! Three details keep the child well-behaved:
//! * it runs in its own process group, so a Ctrl-C in the terminal reaches the bot (which then
//!   finishes in-flight answers) and not the database underneath it;
//! * it is spawned by a dedicated keeper thread with a parent-death signal, so it shuts down fast
//!   even if the bot is killed, instead of lingering;
//! * PostgreSQL refuses to run as root, so when we are root it runs as the `postgres` user (which
//!   Debian's package creates) and the data directory is handed to that user.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, User};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use thiserror::Error;

/// The superuser that `initdb` creates; connections over the private socket use it.
const SUPERUSER: &str = "postgres";
/// Unix socket paths are limited to 107 bytes on Linux; the file name adds 15.
const MAX_SOCKET_DIR_LEN: usize = 90;
/// How long a fresh or restarted cluster may take to accept connections.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// Why the private cluster could not be used, with what to do about it.
#[derive(Debug, Error)]
pub enum LocalPgError {
    #[error(
        "PostgreSQL is not installed (no initdb in PATH or /usr/lib/postgresql/*/bin): install it with `sudo apt-get install postgresql`, or set DATABASE_URL to use a database server"
    )]
    NotInstalled,
    #[error(
        "PostgreSQL refuses to run as root and there is no `postgres` user to run it as: create one, run as another user, or set DATABASE_URL"
    )]
    NoUnprivilegedUser,
    #[error(
        "the data directory path {0} is too long for PostgreSQL's Unix socket: use a shorter DATA_DIR"
    )]
    PathTooLong(PathBuf),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{step} failed: {detail}")]
    Step { step: &'static str, detail: String },
    #[error("PostgreSQL did not accept connections within {timeout:?}; its log is {log}: {tail}")]
    NotReady {
        timeout: Duration,
        log: String,
        tail: String,
    },
}

fn io_context(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> LocalPgError {
    let context = context.into();
    move |source| LocalPgError::Io { context, source }
}

/// A running private cluster. Cloning shares the same cluster.
#[derive(Debug, Clone)]
pub struct LocalPostgres {
    data_dir: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<(u32, u32)>,
    /// The child we started, or `None` when we found a cluster already running on this data
    /// directory (another bot process started it) and only connect to it.
    child: Arc<Mutex<Option<ChildState>>>,
}

#[derive(Debug)]
struct ChildState {
    pid: u32,
    exit: Arc<Mutex<Option<ExitStatus>>>,
}

impl LocalPostgres {
    /// Initialises the cluster in `data_dir` if needed and starts it, or joins a cluster another
    /// process already runs there.
    pub async fn start(data_dir: &Path) -> Result<Self, LocalPgError> {
        let data_dir = data_dir.to_owned();
        let prepared = tokio::task::spawn_blocking(move || prepare(&data_dir))
            .await
            .expect("the blocking preparation task panicked")?;
        let cluster = LocalPostgres {
            data_dir: prepared.data_dir,
            bin_dir: prepared.bin_dir,
            run_as: prepared.run_as,
            child: Arc::new(Mutex::new(None)),
        };
        if cluster.accepts_connections().await {
            tracing::info!(data_dir = %cluster.data_dir.display(), "joined the private PostgreSQL already running");
            return Ok(cluster);
        }
        cluster.spawn()?;
        cluster.wait_until_ready().await?;
        tracing::info!(data_dir = %cluster.data_dir.display(), "private PostgreSQL is ready");
        Ok(cluster)
    }

    /// Connection options for `database` over the private socket.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.data_dir)
            .username(SUPERUSER)
            .database(database)
    }

    /// The data directory (also the socket directory).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Stops the cluster if this process started it: a fast shutdown that rolls back open
    /// transactions and closes connections, escalating to an immediate one after 30 seconds.
    pub async fn stop(&self) -> Result<(), LocalPgError> {
        let Some(state) = self.child.lock().expect("lock poisoned").take() else {
            return Ok(());
        };
        let pid = Pid::from_raw(state.pid as i32);
        let _ = kill(pid, Signal::SIGINT);
        let deadline = Instant::now() + Duration::from_secs(30);
        while state.exit.lock().expect("lock poisoned").is_none() {
            if Instant::now() > deadline {
                let _ = kill(pid, Signal::SIGQUIT);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    /// Stops and starts the cluster again: used to prove the bot survives a database restart.
    pub async fn restart(&self) -> Result<(), LocalPgError> {
        self.stop().await?;
        self.spawn()?;
        self.wait_until_ready().await
    }

    async fn accepts_connections(&self) -> bool {
        match PgConnection::connect_with(&self.connect_options("postgres")).await {
            Ok(conn) => {
                let _ = conn.close().await;
                true
            }
            Err(_) => false,
        }
    }

    fn spawn(&self) -> Result<(), LocalPgError> {
        let log_path = self.log_path();
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(io_context(format!("cannot open {}", log_path.display())))?;
        let log_err = log
            .try_clone()
            .map_err(io_context("cannot duplicate the log handle"))?;

        let mut command = Command::new(self.bin_dir.join("postgres"));
        command
            .arg("-D")
            .arg(&self.data_dir)
            .arg("-k")
            .arg(&self.data_dir)
            // No TCP at all: the socket in the data directory is the only way in.
            .args([
                "-c",
                "listen_addresses=",
                "-c",
                "unix_socket_permissions=0700",
            ])
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .process_group(0);
        if let Some((uid, gid)) = self.run_as {
            command.uid(uid).gid(gid);
        }
        // SAFETY: the closure only calls prctl, which is async-signal-safe, between fork and exec.
        unsafe {
            command.pre_exec(|| {
                nix::sys::prctl::set_pdeathsig(Signal::SIGINT).map_err(std::io::Error::from)
            });
        }

        // The parent-death signal fires when the *thread* that forked the child ends, so the
        // child is spawned from a thread that lives exactly as long as the child does.
        let exit = Arc::new(Mutex::new(None));
        let (pid_tx, pid_rx) = std::sync::mpsc::channel();
        let keeper_exit = Arc::clone(&exit);
        std::thread::Builder::new()
            .name("postgres-keeper".into())
            .spawn(move || match command.spawn() {
                Ok(mut child) => {
                    let _ = pid_tx.send(Ok(child.id()));
                    let status = child.wait();
                    *keeper_exit.lock().expect("lock poisoned") = Some(status.unwrap_or_default());
                }
                Err(e) => {
                    let _ = pid_tx.send(Err(e));
                }
            })
            .map_err(io_context("cannot start the postgres keeper thread"))?;
        let pid = pid_rx
            .recv()
            .map_err(|_| LocalPgError::Step {
                step: "starting postgres",
                detail: "the keeper thread ended early".into(),
            })?
            .map_err(io_context(format!(
                "cannot run {}",
                self.bin_dir.join("postgres").display()
            )))?;
        *self.child.lock().expect("lock poisoned") = Some(ChildState { pid, exit });
        Ok(())
    }

    async fn wait_until_ready(&self) -> Result<(), LocalPgError> {
        let started = Instant::now();
        loop {
            if self.accepts_connections().await {
                return Ok(());
            }
            let exited = self
                .child
                .lock()
                .expect("lock poisoned")
                .as_ref()
                .is_some_and(|state| state.exit.lock().expect("lock poisoned").is_some());
            if exited || started.elapsed() > READY_TIMEOUT {
                return Err(LocalPgError::NotReady {
                    timeout: READY_TIMEOUT,
                    log: self.log_path().display().to_string(),
                    tail: log_tail(&self.log_path()),
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn log_path(&self) -> PathBuf {
        self.data_dir.join("postgres.log")
    }
}

struct Prepared {
    data_dir: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<(u32, u32)>,
}

/// Finds the binaries, creates and hands over the data directory, and runs `initdb` once.
fn prepare(data_dir: &Path) -> Result<Prepared, LocalPgError> {
    let bin_dir = find_bin_dir().ok_or(LocalPgError::NotInstalled)?;
    fs::create_dir_all(data_dir).map_err(io_context(format!(
        "cannot create the data directory {}",
        data_dir.display()
    )))?;
    let data_dir = data_dir
        .canonicalize()
        .map_err(io_context(format!("cannot resolve {}", data_dir.display())))?;
    if data_dir.as_os_str().len() > MAX_SOCKET_DIR_LEN {
        return Err(LocalPgError::PathTooLong(data_dir));
    }

    let run_as = if nix::unistd::geteuid().is_root() {
        let user = User::from_name(SUPERUSER)
            .ok()
            .flatten()
            .ok_or(LocalPgError::NoUnprivilegedUser)?;
        let (uid, gid) = (user.uid.as_raw(), user.gid.as_raw());
        std::os::unix::fs::chown(&data_dir, Some(uid), Some(gid)).map_err(io_context(format!(
            "cannot hand {} to the postgres user",
            data_dir.display()
        )))?;
        Some((uid, gid))
    } else {
        None
    };

    if !data_dir.join("PG_VERSION").exists() {
        fs::set_permissions(&data_dir, fs::Permissions::from_mode(0o700)).map_err(io_context(
            format!("cannot restrict {}", data_dir.display()),
        ))?;
        let mut initdb = Command::new(bin_dir.join("initdb"));
        initdb
            .arg("-D")
            .arg(&data_dir)
            .args(["-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-locale"])
            .stdin(Stdio::null());
        if let Some((uid, gid)) = run_as {
            initdb.uid(uid).gid(gid);
        }
        let output = initdb.output().map_err(io_context(format!(
            "cannot run {}",
            bin_dir.join("initdb").display()
        )))?;
        if !output.status.success() {
            return Err(LocalPgError::Step {
                step: "initdb",
                detail: last_lines(&String::from_utf8_lossy(&output.stderr), 5),
            });
        }
    }
    Ok(Prepared {
        data_dir,
        bin_dir,
        run_as,
    })
}

/// The directory holding `initdb` and `postgres`: `PG_BIN_DIR` if set, else the first `initdb` on
/// `PATH`, else the newest Debian-style `/usr/lib/postgresql/<version>/bin`.
pub fn find_bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN_DIR") {
        return Some(PathBuf::from(dir));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    if let Some(dir) = std::env::split_paths(&path).find(|dir| dir.join("initdb").is_file()) {
        // A symlink such as /usr/local/bin/initdb must resolve to the real bin directory so that
        // `postgres` is found beside it.
        let real = dir
            .join("initdb")
            .canonicalize()
            .ok()
            .and_then(|p| p.parent().map(Path::to_owned));
        return Some(real.unwrap_or(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn log_tail(path: &Path) -> String {
    fs::read_to_string(path)
        .map(|text| last_lines(&text, 5))
        .unwrap_or_else(|e| format!("(log unreadable: {e})"))
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}
