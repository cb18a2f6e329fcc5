//! `closer-server-bench`: the team server under load on loopback, our own load
//! generator (tokio + reqwest, N keep-alive connections, one client each).
//!
//! For each backend (SQLite in a temporary directory; PostgreSQL started from
//! Debian's packages like the tests do, or `--database-url`) it starts the real
//! server in-process on 127.0.0.1 (a runtime of its own with 2 worker threads; the
//! load generator's runtime, PostgreSQL and the server share the machine's 2 cores)
//! and measures:
//!
//! - **push**: `POST /v1/sync/push`, one mutation (4 fields) per request, each
//!   connection a client of its own (8 reps);
//! - **pull**: `GET /v1/sync/pull?since=<version - 200>&limit=100` as a rep (an
//!   incremental pull: the changes of the last 200 versions the rep may see);
//! - **first sync**: a fresh client pulls 100K rows (pages of 1,000) as a manager,
//!   decoding every page; the rows are written beforehand through the storage.
//!
//! Requests per second, p50 and p99 latency; goals: >= 3,000 req/s at p99 <= 50 ms,
//! first sync <= 5 s. Run it in release: `cargo run --release -p closer-server --bin
//! closer-server-bench`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Parser, ValueEnum};
use closer_server::auth::{self, TokenKeys};
use closer_server::http::auth_routes::TokenResponse;
use closer_server::http::{self, AppState};
use closer_server::model::{Actor, Role, User};
use closer_server::storage::{postgres::PgStorage, sqlite::SqliteStorage, NewUser, Storage};
use closer_server::{new_id, now_ms, ServerConfig};
use closer_sync_proto::{FieldValue, Hlc, Mutation, Op, PullPage, PushRequest};
use serde_json::json;

#[allow(dead_code)]
#[path = "../../../tests/support/pg.rs"]
mod pg;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendArg {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Parser)]
#[command(
    name = "closer-server-bench",
    about = "Push/pull throughput and latency and a 100K-row first sync, on loopback"
)]
struct Args {
    #[arg(long, value_enum, default_value = "both")]
    backend: BackendArg,
    /// Use this PostgreSQL instead of starting one (a new organisation is created in it).
    #[arg(long, env = "CLOSER_BENCH_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Seconds measured per workload (after one second of warm-up).
    #[arg(long, default_value_t = 8)]
    seconds: u64,
    /// Rows of the first sync.
    #[arg(long, default_value_t = 100_000)]
    rows: usize,
    /// synchronous_commit of the PostgreSQL the bench starts (`off` is as durable as
    /// the SQLite backend's WAL + synchronous=NORMAL: no corruption, the last commits
    /// may be lost in an OS crash).
    #[arg(long, default_value = "off")]
    pg_synchronous_commit: String,
}

const PASSWORD: &str = "bench password 0123456789";
const REPS: usize = 8;
const SECRET: &[u8] = b"closer-server-bench-signing-secret-0123456789";

struct Row {
    backend: &'static str,
    workload: String,
    requests: usize,
    errors: usize,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
}

struct Org {
    reps: Vec<(User, String)>,
    manager: (User, String),
}

fn bench_config() -> ServerConfig {
    ServerConfig {
        user_rate_per_sec: 1_000_000,
        user_burst: 1_000_000,
        ip_rate_per_sec: 1_000_000,
        ip_burst: 1_000_000,
        login_burst: 1_000,
        ..ServerConfig::default()
    }
}

/// Where the server's storage is.
enum Db {
    Sqlite(PathBuf),
    Postgres(String),
}

/// Starts the server on a runtime of its own (2 worker threads, like a server
/// process on this machine), so its tasks do not queue behind the load generator's;
/// opens the storage there (PostgreSQL's push workers run on the runtime that opens it).
fn start_server(db: Db) -> anyhow::Result<(Arc<dyn Storage>, SocketAddr)> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("bench-server".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(anyhow::Error::new(e)));
                    return;
                }
            };
            runtime.block_on(async move {
                let started = async {
                    let store: Arc<dyn Storage> = match db {
                        Db::Sqlite(path) => Arc::new(SqliteStorage::open(&path).await?),
                        Db::Postgres(url) => Arc::new(PgStorage::connect(&url).await?),
                    };
                    let state = AppState::new(
                        Arc::clone(&store),
                        TokenKeys::from_secret(SECRET)?,
                        bench_config(),
                    );
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
                    let addr = listener.local_addr()?;
                    anyhow::Ok((store, addr, listener, state))
                };
                match started.await {
                    Ok((store, addr, listener, state)) => {
                        let _ = tx.send(Ok((store, addr)));
                        if let Err(e) = http::serve(listener, state, std::future::pending()).await {
                            eprintln!("server stopped: {e}");
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            });
        })?;
    rx.recv()?
}

fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .tcp_nodelay(true)
        .build()?)
}

async fn login(base: &str, email: &str) -> anyhow::Result<String> {
    let r = client()?
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("sign-in of {email}: {}", r.status());
    }
    Ok(r.json::<TokenResponse>().await?.access_token)
}

async fn make_org(store: &dyn Storage, base: &str, hash: &str) -> anyhow::Result<Org> {
    let tag = new_id();
    let org = store
        .create_org(&new_id(), &format!("bench-{tag}"), now_ms())
        .await?;
    let make = |email: String, role: Role| {
        let user = NewUser {
            id: new_id(),
            org_id: org.id.clone(),
            email,
            role,
            password_hash: Some(hash.to_string()),
            created_at: now_ms(),
        };
        async move { store.create_user(user).await }
    };
    let mut reps = Vec::new();
    for i in 0..REPS {
        let email = format!("rep{i}-{tag}@bench.test");
        let user = make(email.clone(), Role::Rep).await?;
        reps.push((user, login(base, &email).await?));
    }
    let email = format!("manager-{tag}@bench.test");
    let manager = make(email.clone(), Role::Manager).await?;
    let manager = (manager, login(base, &email).await?);
    Ok(Org { reps, manager })
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Runs `make_request(connection, n)` on `connections` tasks for warm-up + `seconds`,
/// recording the latencies after the warm-up.
async fn load<F, Fut>(
    backend: &'static str,
    workload: String,
    connections: usize,
    seconds: u64,
    make_request: F,
) -> anyhow::Result<Row>
where
    F: Fn(reqwest::Client, usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let make_request = Arc::new(make_request);
    let start = Instant::now();
    let measure_from = start + Duration::from_secs(1);
    let end = measure_from + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (make_request, http) = (Arc::clone(&make_request), client()?);
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut errors, mut n) = (Vec::new(), 0usize, 0u64);
            loop {
                let t0 = Instant::now();
                if t0 >= end {
                    break;
                }
                let ok = make_request(http.clone(), c, n).await;
                n += 1;
                if t0 >= measure_from {
                    latencies.push(t0.elapsed());
                    if !ok {
                        errors += 1;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        all.extend(l);
        errors += e;
    }
    all.sort_unstable();
    Ok(Row {
        backend,
        workload,
        requests: all.len(),
        errors,
        seconds: seconds as f64,
        p50_ms: percentile(&all, 0.50),
        p99_ms: percentile(&all, 0.99),
    })
}

fn lead_fields(n: u64, hlc: &Hlc) -> BTreeMap<String, FieldValue> {
    let value = |v: serde_json::Value| FieldValue {
        value: v,
        hlc: hlc.clone(),
    };
    BTreeMap::from([
        ("company".to_string(), value(json!(format!("Company {n}")))),
        ("status".to_string(), value(json!("qualified"))),
        ("amount_cents".to_string(), value(json!(n * 100))),
        (
            "notes".to_string(),
            value(json!("Met at the trade fair; wants a proposal for 40 seats before the end of the quarter.")),
        ),
    ])
}

async fn bench_backend(
    backend: &'static str,
    db: Db,
    args: &Args,
    rows: &mut Vec<Row>,
) -> anyhow::Result<()> {
    let pg_url = match &db {
        Db::Postgres(url) => Some(url.clone()),
        Db::Sqlite(_) => None,
    };
    let pg_url = pg_url.as_deref();
    let (store, addr) = tokio::task::block_in_place(|| start_server(db))?;
    let base = format!("http://{addr}");
    let hash = auth::hash_password(PASSWORD)?;
    let org = Arc::new(make_org(store.as_ref(), &base, &hash).await?);
    eprintln!("{backend}: server on {base}");

    // Push: one mutation per request, each connection its own client id.
    let push_url = format!("{base}/v1/sync/push");
    let o = Arc::clone(&org);
    let row = load(
        backend,
        "push (1 mutation, 4 fields)".into(),
        args.connections,
        args.seconds,
        move |http, c, n| {
            let (url, token) = (push_url.clone(), o.reps[c % REPS].1.clone());
            async move {
                let node = format!("bench-{c}");
                let hlc = Hlc::new(now_ms(), 0, node.clone());
                let req = PushRequest {
                    client_id: node,
                    mutations: vec![Mutation {
                        mutation_id: n + 1,
                        entity: closer_sync_proto::Entity::Lead,
                        entity_id: format!("c{c}-lead-{}", n % 200),
                        op: Op::Upsert,
                        fields: lead_fields(n, &hlc),
                        hlc: None,
                    }],
                };
                match http.post(&url).bearer_auth(&token).json(&req).send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                }
            }
        },
    )
    .await?;
    eprintln!(
        "{backend}: push {:.0} req/s",
        row.requests as f64 / row.seconds
    );
    rows.push(row);

    // Pull: the last 200 versions' changes a rep may see.
    // The organisation's version: what one more push answers.
    let rep = &org.reps[0].0;
    let actor = Actor {
        user_id: rep.id.clone(),
        org_id: rep.org_id.clone(),
        role: Role::Rep,
    };
    let probe = PushRequest {
        client_id: "bench-probe".into(),
        mutations: vec![Mutation {
            mutation_id: 1,
            entity: closer_sync_proto::Entity::Lead,
            entity_id: "probe".into(),
            op: Op::Upsert,
            fields: lead_fields(0, &Hlc::new(now_ms(), 0, "probe")),
            hlc: None,
        }],
    };
    let version = store.push(&actor, &probe, now_ms()).await?.server_version;
    let since = (version - 200).max(0);
    let pull_url = format!("{base}/v1/sync/pull?since={since}&limit=100");
    let o = Arc::clone(&org);
    let row = load(
        backend,
        "pull (since = version - 200, limit 100, rep)".into(),
        args.connections,
        args.seconds,
        move |http, c, _| {
            let (url, token) = (pull_url.clone(), o.reps[c % REPS].1.clone());
            async move {
                match http.get(&url).bearer_auth(&token).send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                }
            }
        },
    )
    .await?;
    eprintln!(
        "{backend}: pull {:.0} req/s",
        row.requests as f64 / row.seconds
    );
    rows.push(row);

    // First sync: a new organisation with `rows` leads, pulled by a fresh client.
    let big = make_org(store.as_ref(), &base, &hash).await?;
    let seeded = Instant::now();
    let per_batch = closer_sync_proto::limits::MAX_MUTATIONS_PER_PUSH;
    let mut n = 0u64;
    for (b, rep) in (0..args.rows.div_ceil(per_batch)).zip(big.reps.iter().cycle()) {
        let actor = Actor {
            user_id: rep.0.id.clone(),
            org_id: rep.0.org_id.clone(),
            role: Role::Rep,
        };
        let count = per_batch.min(args.rows - b * per_batch);
        let hlc = Hlc::new(now_ms(), 0, "seed");
        let mutations = (0..count)
            .map(|i| {
                n += 1;
                Mutation {
                    mutation_id: i as u64 + 1,
                    entity: closer_sync_proto::Entity::Lead,
                    entity_id: format!("seed-{n}"),
                    op: Op::Upsert,
                    fields: lead_fields(n, &hlc),
                    hlc: None,
                }
            })
            .collect();
        let req = PushRequest {
            client_id: format!("seed-{b}"),
            mutations,
        };
        store.push(&actor, &req, now_ms()).await?;
    }
    let seed_secs = seeded.elapsed().as_secs_f64();
    eprintln!(
        "{backend}: seeded {} rows in {seed_secs:.1} s ({:.0} rows/s)",
        args.rows,
        args.rows as f64 / seed_secs
    );
    rows.push(first_sync(backend, &base, &big.manager.1, args.rows, "").await?);
    if let Some(url) = pg_url {
        // What autovacuum does soon after a bulk load: statistics and the visibility
        // map (the count of what remains becomes an index-only scan).
        let (db, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        let task = tokio::spawn(conn);
        db.batch_execute("VACUUM (ANALYZE) entities").await?;
        drop(db);
        let _ = task.await;
        rows.push(first_sync(backend, &base, &big.manager.1, args.rows, ", vacuumed").await?);
    }
    Ok(())
}

/// A fresh client pulls everything (pages of 1,000), decoding each page.
async fn first_sync(
    backend: &'static str,
    base: &str,
    token: &str,
    expected: usize,
    note: &str,
) -> anyhow::Result<Row> {
    let http = client()?;
    let started = Instant::now();
    let (mut since, mut got, mut pages, mut latencies) = (0i64, 0usize, 0usize, Vec::new());
    loop {
        let t0 = Instant::now();
        let r = http
            .get(format!("{base}/v1/sync/pull?since={since}&limit=1000"))
            .bearer_auth(token)
            .send()
            .await
            .context("first sync")?;
        if !r.status().is_success() {
            bail!("first sync page failed: {}", r.status());
        }
        let page: PullPage = r.json().await?;
        latencies.push(t0.elapsed());
        got += page.changes.len();
        pages += 1;
        since = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    if got != expected {
        bail!("first sync got {got} rows, expected {expected}");
    }
    latencies.sort_unstable();
    Ok(Row {
        backend,
        workload: format!("first sync: {got} rows, {pages} pages of 1000{note}"),
        requests: pages,
        errors: 0,
        seconds: secs,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
    })
}

fn print_table(rows: &[Row], connections: usize) {
    println!();
    println!(
        "| backend  | workload                                              | conns | requests | errors | time s | req/s  | p50 ms | p99 ms |"
    );
    println!(
        "|----------|-------------------------------------------------------|-------|----------|--------|--------|--------|--------|--------|"
    );
    for r in rows {
        let conns = if r.workload.starts_with("first sync") {
            1
        } else {
            connections
        };
        println!(
            "| {:<8} | {:<53} | {:>5} | {:>8} | {:>6} | {:>6.2} | {:>6.0} | {:>6.2} | {:>6.2} |",
            r.backend,
            r.workload,
            conns,
            r.requests,
            r.errors,
            r.seconds,
            r.requests as f64 / r.seconds,
            r.p50_ms,
            r.p99_ms
        );
    }
    println!();
    println!(
        "goals: push and pull >= 3000 req/s with p99 <= 50 ms; first sync of 100K rows <= 5 s"
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut rows = Vec::new();
    if matches!(args.backend, BackendArg::Sqlite | BackendArg::Both) {
        let dir = tempfile::tempdir()?;
        let db = Db::Sqlite(dir.path().join("server.sqlite3"));
        bench_backend("sqlite", db, &args, &mut rows).await?;
    }
    if matches!(args.backend, BackendArg::Postgres | BackendArg::Both) {
        let url = match &args.database_url {
            Some(url) => url.clone(),
            None => {
                let sync = &args.pg_synchronous_commit;
                if !matches!(sync.as_str(), "on" | "off") {
                    bail!("--pg-synchronous-commit is on or off");
                }
                let settings = format!("-c synchronous_commit={sync} -c max_connections=200");
                let cluster = tokio::task::spawn_blocking(move || pg::start_cluster(&settings))
                    .await?
                    .map_err(|e| anyhow::anyhow!("starting PostgreSQL: {e}"))?;
                pg::create_database(cluster.port).await
            }
        };
        bench_backend("postgres", Db::Postgres(url), &args, &mut rows).await?;
    }
    print_table(&rows, args.connections);
    Ok(())
}
