//! Start, stop, restart on the same port, options, concurrency, and the binary.

use std::process::Stdio;
use std::time::{Duration, Instant};

use closer_claude_fake::{FakeAnthropic, FakeOptions};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::util::{self, parse_sse, KEY};

const HEADERS: [(&str, &str); 2] = [("x-api-key", KEY), ("anthropic-version", "2023-06-01")];

#[tokio::test]
async fn stop_frees_the_port_and_start_on_gets_it_back() {
    let fake = FakeAnthropic::start().await.unwrap();
    let addr = fake.addr();
    assert_eq!(fake.url(), format!("http://127.0.0.1:{}", addr.port()));
    let client = util::client();
    let ok = util::post_with(
        &client,
        &fake.url(),
        "/v1/messages",
        &HEADERS,
        &util::body("hi"),
    )
    .await;
    assert_eq!(ok.status(), 200);
    fake.stop().await;

    // "API down": the same client (with a pooled connection) now fails.
    let down = util::try_post(
        &client,
        &format!("http://{addr}"),
        "/v1/messages",
        &HEADERS,
        &util::body("hi"),
    )
    .await;
    assert!(down.is_err(), "the stopped fake still answered");

    // "API back" on the same port.
    let back = FakeAnthropic::start_on(addr, FakeOptions::default())
        .await
        .unwrap();
    assert_eq!(back.addr(), addr);
    let ok = util::post_with(
        &client,
        &back.url(),
        "/v1/messages",
        &HEADERS,
        &util::body("hi"),
    )
    .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(back.request_count(), 1, "a new fake starts with no records");
    back.stop().await;

    // Nothing listens any more.
    let listener = std::net::TcpListener::bind(addr).expect("port is free after stop");
    drop(listener);
}

#[tokio::test]
async fn stop_with_a_stream_in_flight_returns() {
    let opts = FakeOptions {
        chunk_delay: Duration::from_millis(200),
        ..FakeOptions::default()
    };
    let fake = FakeAnthropic::start_on("127.0.0.1:0".parse().unwrap(), opts)
        .await
        .unwrap();
    let resp = util::post(&fake, "/v1/messages", &util::streamed(util::body("hi"))).await;
    let start = Instant::now();
    fake.stop().await;
    assert!(start.elapsed() < Duration::from_secs(3));
    drop(resp);
}

#[tokio::test]
async fn delay_options_apply() {
    let opts = FakeOptions {
        first_byte_delay: Duration::from_millis(150),
        chunk_delay: Duration::from_millis(20),
        ..FakeOptions::default()
    };
    let fake = FakeAnthropic::start_on("127.0.0.1:0".parse().unwrap(), opts)
        .await
        .unwrap();
    let start = Instant::now();
    let text = util::stream_text(&fake, &util::streamed(util::body("hi"))).await;
    let events = parse_sse(&text);
    let min = Duration::from_millis(150 + 20 * (events.len() as u64 - 1));
    assert!(start.elapsed() >= min, "{:?} < {min:?}", start.elapsed());
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_requests_in_parallel() {
    let fake = FakeAnthropic::start().await.unwrap();
    let client = util::client();
    let url = fake.url();
    let mut tasks = Vec::new();
    for i in 0..64 {
        let client = client.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let mut body = util::body(&format!("request number {i} about Acme"));
            if i % 2 == 0 {
                body = util::streamed(body);
            }
            let resp = util::post_with(&client, &url, "/v1/messages", &HEADERS, &body).await;
            assert_eq!(resp.status(), 200);
            let text = resp.text().await.unwrap();
            if i % 2 == 0 {
                assert_eq!(parse_sse(&text).last().unwrap().event, "message_stop");
            } else {
                let v: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(v["type"], "message");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(fake.request_count(), 64);
    assert_eq!(fake.requests().len(), 64);
    fake.stop().await;
}

#[tokio::test]
async fn the_binary_prints_its_url_and_serves() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_closer-fake-anthropic"))
        .args(["--port", "0", "--host", "127.0.0.1"])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn the binary");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await
        .expect("the binary printed nothing within 10 s")
        .unwrap()
        .unwrap();
    let url = line
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected line: {line}"));
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0);
    let resp = util::post_with(
        &util::client(),
        url,
        "/v1/messages",
        &HEADERS,
        &util::body("hi"),
    )
    .await;
    assert_eq!(resp.status(), 200);
    child.kill().await.unwrap();
}

#[tokio::test]
async fn the_binary_rejects_bad_arguments() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_closer-fake-anthropic"))
        .args(["--port", "not-a-port"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--port"));
}
