//! A real PostgreSQL for the tests, from Debian's packages: one cluster per test
//! binary (started on first use, in a temporary directory, on a free port, with its
//! unix socket in that directory) and a fresh database per test.
//!
//! `initdb` and `postgres` refuse to run as root, so as root they run as the
//! `postgres` system user (`runuser`), in a directory that user owns. A watchdog
//! shell stops the cluster and removes its directory once the test process is gone
//! (a static is never dropped, so `Drop` cannot be relied on).
//!
//! If PostgreSQL cannot be started the tests fail, saying why, unless
//! `CLOSER_SKIP_PG=1` is set (then the PostgreSQL half of each test is skipped).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub struct Cluster {
    pub port: u16,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

pub fn skip() -> bool {
    std::env::var("CLOSER_SKIP_PG").is_ok_and(|v| v == "1")
}

fn bin_dir() -> Result<PathBuf, String> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| format!("/usr/lib/postgresql: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort();
    dirs.pop()
        .ok_or_else(|| "no /usr/lib/postgresql/*/bin/initdb".to_string())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn id_of(flag: &str) -> Result<u32, String> {
    let out = Command::new("id")
        .args([flag, "postgres"])
        .output()
        .map_err(|e| format!("id: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| "there is no `postgres` system user".to_string())
}

/// A command run as the postgres user when we are root.
fn as_postgres(root: bool, program: &Path) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// The settings of the tests' cluster: nothing is made durable (fast, and the data
/// is thrown away).
pub const TEST_SETTINGS: &str =
    "-c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200";

fn start() -> Result<Cluster, String> {
    start_cluster(TEST_SETTINGS)
}

/// Starts a cluster with these `postgres` command-line settings (`-c name=value ...`);
/// it stops, and its directory is removed, when this process ends.
pub fn start_cluster(settings: &str) -> Result<Cluster, String> {
    let bin = bin_dir()?;
    let root = is_root();
    let dir = tempfile::Builder::new()
        .prefix("closer-pg-")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    let data = dir.join("data");
    if root {
        let (uid, gid) = (id_of("-u")?, id_of("-g")?);
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).map_err(|e| e.to_string())?;
    }
    let out = as_postgres(root, &bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        ])
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let port = free_port()?;
    let log = dir.join("postgres.log");
    let runuser = if root { "runuser -u postgres --" } else { "" };
    // Start the server, then wait for this test process to end, then stop the server
    // and remove the directory.
    let script = format!(
        r#"{runuser} "{bin}/postgres" -D "{data}" -p {port} -k "{dir}" -c listen_addresses=127.0.0.1 \
             {settings} > "{log}" 2>&1 &
           while kill -0 {pid} 2>/dev/null; do sleep 0.5; done
           {runuser} "{bin}/pg_ctl" -D "{data}" stop -m immediate > /dev/null 2>&1
           rm -rf "{dir}""#,
        bin = bin.display(),
        data = data.display(),
        dir = dir.display(),
        log = log.display(),
        pid = std::process::id(),
    );
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting the watchdog: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = Command::new(bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if ready {
            return Ok(Cluster { port });
        }
        if Instant::now() > deadline {
            return Err(format!(
                "postgres did not accept connections within 30 s: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The cluster's port, or `None` when `CLOSER_SKIP_PG=1`. Panics (failing the test)
/// when PostgreSQL cannot be started.
pub fn cluster_port() -> Option<u16> {
    if skip() {
        return None;
    }
    match CLUSTER.get_or_init(start) {
        Ok(c) => Some(c.port),
        Err(e) => panic!(
            "PostgreSQL could not be started for the tests: {e}\n\
             Install it (apt-get install -y postgresql) or set CLOSER_SKIP_PG=1 to skip the PostgreSQL tests."
        ),
    }
}

/// A URL of a new, empty database; `None` when PostgreSQL tests are skipped.
pub async fn fresh_database() -> Option<String> {
    Some(create_database(cluster_port()?).await)
}

/// Creates a new, empty database in the cluster on `port`; returns its URL.
pub async fn create_database(port: u16) -> String {
    let name = format!(
        "t{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::Relaxed)
    );
    let (client, conn) = tokio_postgres::connect(
        &format!("host=127.0.0.1 port={port} user=postgres dbname=postgres"),
        tokio_postgres::NoTls,
    )
    .await
    .unwrap_or_else(|e| panic!("connecting to the test cluster: {e}"));
    let task = tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap_or_else(|e| panic!("creating a test database: {e}"));
    drop(client);
    let _ = task.await;
    format!("postgres://postgres@127.0.0.1:{port}/{name}")
}
