//! The client against a small scripted HTTP server (axum) that answers with exactly the
//! statuses, headers and body chunks a test gives it, chunk by chunk with pauses between
//! them, and can cut the connection mid-body. (The full fake Anthropic server is another
//! crate; these tests need byte-level control instead.)
//!
//! Modules: `server` (the scripted server and SSE helpers), `plain` (messages and
//! count_tokens), `streaming` (the SSE parser's edge cases, end to end), `errors` (every
//! error status, transport failures), `secrets` (no API key in any Debug or error text).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use closer_claude::{
    collect, ApiErrorKind, Client, ClientConfig, Error, InputMessage, Message, MessageAccumulator,
    MessagesRequest, StreamEvent, Tool, ToolChoice,
};
use futures_util::StreamExt;
use serde_json::{json, Value};

const KEY: &str = "sk-ant-api03-TEST-0123456789abcdefghij";

mod server {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use axum::body::Body;
    use axum::extract::{Request, State};
    use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
    use axum::response::Response;
    use axum::serve::ListenerExt;
    use axum::Router;
    use serde_json::{json, Value};

    /// One scripted answer.
    #[derive(Clone, Debug)]
    pub struct Script {
        pub status: u16,
        pub headers: Vec<(String, String)>,
        /// Sent one by one, `gap` apart (the first one right away).
        pub chunks: Vec<Vec<u8>>,
        pub gap: Duration,
        /// Wait this long before answering at all.
        pub delay: Duration,
        /// Break the connection after the last chunk instead of ending the body.
        pub cut: bool,
    }

    impl Script {
        pub fn new(status: u16) -> Self {
            Script {
                status,
                headers: vec![],
                chunks: vec![],
                gap: Duration::ZERO,
                delay: Duration::ZERO,
                cut: false,
            }
        }
        pub fn header(mut self, name: &str, value: &str) -> Self {
            self.headers.push((name.into(), value.into()));
            self
        }
        pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
            self.chunks = vec![body.into()];
            self
        }
        pub fn json(self, value: &Value) -> Self {
            self.header("content-type", "application/json")
                .body(value.to_string())
        }
        /// An SSE answer with Anthropic's headers, in the given chunks.
        pub fn sse(chunks: Vec<Vec<u8>>) -> Self {
            Script {
                chunks,
                gap: Duration::from_millis(5),
                ..Script::new(200)
            }
            .header("content-type", "text/event-stream; charset=utf-8")
            .header("request-id", "req_stream")
        }
        pub fn gap(mut self, gap: Duration) -> Self {
            self.gap = gap;
            self
        }
        pub fn delay(mut self, delay: Duration) -> Self {
            self.delay = delay;
            self
        }
        pub fn cut(mut self) -> Self {
            self.cut = true;
            self
        }
    }

    /// What the server received.
    #[derive(Clone, Debug)]
    pub struct Seen {
        pub path: String,
        pub method: String,
        pub headers: HeaderMap,
        pub body: Vec<u8>,
    }

    impl Seen {
        pub fn header(&self, name: &str) -> Option<&str> {
            self.headers.get(name).and_then(|v| v.to_str().ok())
        }
        pub fn json(&self) -> Value {
            serde_json::from_slice(&self.body).unwrap()
        }
    }

    #[derive(Default)]
    struct Shared {
        script: Mutex<Option<Script>>,
        seen: Mutex<Vec<Seen>>,
    }

    pub struct Server {
        pub base_url: String,
        shared: Arc<Shared>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Server {
        /// Every request gets `script`.
        pub async fn start(script: Script) -> Server {
            let shared = Arc::new(Shared::default());
            *shared.script.lock().unwrap() = Some(script);
            let app = Router::new()
                .fallback(answer)
                .with_state(Arc::clone(&shared));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            // No Nagle: each chunk leaves as its own segment, so the client reads them apart.
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            let task = tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            });
            Server {
                base_url: format!("http://{addr}"),
                shared,
                task,
            }
        }

        pub fn client(&self) -> super::Client {
            self.client_with(|_| {})
        }

        pub fn client_with(&self, tweak: impl FnOnce(&mut super::ClientConfig)) -> super::Client {
            let mut config = super::ClientConfig {
                base_url: self.base_url.clone(),
                ..Default::default()
            };
            tweak(&mut config);
            super::Client::new(config).unwrap()
        }

        pub fn seen(&self) -> Vec<Seen> {
            self.shared.seen.lock().unwrap().clone()
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    async fn answer(State(shared): State<Arc<Shared>>, req: Request) -> Response {
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        shared.seen.lock().unwrap().push(Seen {
            path: parts.uri.path().to_string(),
            method: parts.method.to_string(),
            headers: parts.headers,
            body: body.to_vec(),
        });
        let script = shared.script.lock().unwrap().clone().unwrap();
        tokio::time::sleep(script.delay).await;

        let mut response = Response::new(body_of(&script));
        *response.status_mut() = StatusCode::from_u16(script.status).unwrap();
        for (name, value) in &script.headers {
            response.headers_mut().append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        response
    }

    fn body_of(script: &Script) -> Body {
        if !script.cut && script.chunks.len() <= 1 {
            return Body::from(script.chunks.concat());
        }
        let gap = script.gap;
        let cut = script.cut;
        let chunks = script.chunks.clone();
        let stream = futures_util::stream::unfold(0usize, move |i| {
            let chunks = chunks.clone();
            async move {
                if i > 0 && (i < chunks.len() || cut) && !gap.is_zero() {
                    tokio::time::sleep(gap).await;
                }
                match chunks.get(i) {
                    Some(chunk) => Some((Ok(chunk.clone()), i + 1)),
                    None if cut && i == chunks.len() => {
                        Some((Err(std::io::Error::other("cut by the test")), i + 1))
                    }
                    None => None,
                }
            }
        });
        Body::from_stream(stream)
    }

    // ---- SSE bodies -------------------------------------------------------------------

    /// One SSE event with LF line endings.
    pub fn event(name: &str, data: &Value) -> String {
        format!("event: {name}\ndata: {data}\n\n")
    }

    pub fn message_start() -> String {
        event(
            "message_start",
            &json!({"type": "message_start", "message": {
                "id": "msg_01", "type": "message", "role": "assistant", "content": [],
                "model": "claude-haiku-4-5", "stop_reason": null, "stop_sequence": null,
                "usage": {"input_tokens": 25, "output_tokens": 1,
                          "cache_creation_input_tokens": 0, "cache_read_input_tokens": 100}}}),
        )
    }

    pub fn text_start(index: usize) -> String {
        event(
            "content_block_start",
            &json!({"type": "content_block_start", "index": index,
                    "content_block": {"type": "text", "text": ""}}),
        )
    }

    pub fn text_delta(index: usize, text: &str) -> String {
        event(
            "content_block_delta",
            &json!({"type": "content_block_delta", "index": index,
                    "delta": {"type": "text_delta", "text": text}}),
        )
    }

    pub fn block_stop(index: usize) -> String {
        event(
            "content_block_stop",
            &json!({"type": "content_block_stop", "index": index}),
        )
    }

    pub fn message_delta(stop_reason: &str, output_tokens: u64) -> String {
        event(
            "message_delta",
            &json!({"type": "message_delta",
                    "delta": {"stop_reason": stop_reason, "stop_sequence": null},
                    "usage": {"output_tokens": output_tokens}}),
        )
    }

    pub fn ping() -> String {
        event("ping", &json!({"type": "ping"}))
    }

    pub fn message_stop() -> String {
        event("message_stop", &json!({"type": "message_stop"}))
    }

    pub fn error_event(kind: &str, message: &str) -> String {
        event(
            "error",
            &json!({"type": "error", "error": {"type": kind, "message": message}}),
        )
    }

    /// A whole text reply streamed as `parts`.
    pub fn text_reply(parts: &[&str]) -> String {
        let mut body = message_start() + &text_start(0) + &ping();
        for p in parts {
            body += &text_delta(0, p);
        }
        body + &block_stop(0) + &message_delta("end_turn", 15) + &message_stop()
    }

    /// `body` in pieces of `n` bytes.
    pub fn every(body: &str, n: usize) -> Vec<Vec<u8>> {
        body.as_bytes().chunks(n).map(<[u8]>::to_vec).collect()
    }

    /// `body` cut at each byte offset in `at` (ascending).
    pub fn split_at(body: &str, at: &[usize]) -> Vec<Vec<u8>> {
        let bytes = body.as_bytes();
        let mut chunks = vec![];
        let mut from = 0;
        for &to in at {
            chunks.push(bytes[from..to].to_vec());
            from = to;
        }
        chunks.push(bytes[from..].to_vec());
        chunks
    }
}

use server::{Script, Server};

fn request() -> MessagesRequest {
    MessagesRequest {
        model: "claude-haiku-4-5".into(),
        max_tokens: 256,
        messages: vec![InputMessage::user_text("Summarise the Acme call")],
        temperature: Some(0.2),
        ..Default::default()
    }
}

fn message_json() -> Value {
    json!({
        "id": "msg_plain", "type": "message", "role": "assistant",
        "content": [{"type": "text", "text": "Acme wants a pilot."}],
        "model": "claude-haiku-4-5", "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": 12, "output_tokens": 6,
                  "cache_creation_input_tokens": null, "cache_read_input_tokens": 0}
    })
}

/// Reads a stream to its end: the text so far, the final message or the error that ended it,
/// and the events seen. Also checks that nothing follows the end.
async fn drain(client: &Client) -> (String, Result<Message, Error>, Vec<StreamEvent>) {
    let mut stream = match client.stream(KEY, &request()).await {
        Ok(s) => s,
        Err(e) => return (String::new(), Err(e), vec![]),
    };
    let mut acc = MessageAccumulator::new();
    let mut events = vec![];
    let end = loop {
        match stream.next().await {
            Some(Ok(event)) => {
                if let Err(e) = acc.push(&event) {
                    break Err(e);
                }
                events.push(event);
            }
            Some(Err(e)) => break Err(e),
            None => break Ok(()),
        }
    };
    assert!(stream.next().await.is_none(), "an item after the end");
    let text = acc.text();
    (text, end.and_then(|()| acc.finish()), events)
}

/// Plain JSON replies: `messages` and `count_tokens`.
mod plain {
    use super::*;

    #[tokio::test]
    async fn messages_sends_the_headers_and_no_stream_flag_and_reads_the_reply() {
        let server = Server::start(
            Script::new(200)
                .header("request-id", "req_plain")
                .header("anthropic-ratelimit-requests-limit", "50")
                .header("anthropic-ratelimit-requests-remaining", "49")
                .header("anthropic-ratelimit-requests-reset", "2026-05-01T10:00:01Z")
                .header("anthropic-ratelimit-tokens-limit", "90000")
                .header("anthropic-ratelimit-tokens-remaining", "89000")
                .header("anthropic-ratelimit-tokens-reset", "2026-05-01T10:00:02Z")
                .header("anthropic-ratelimit-input-tokens-limit", "80000")
                .header("anthropic-ratelimit-input-tokens-remaining", "79988")
                .header(
                    "anthropic-ratelimit-input-tokens-reset",
                    "2026-05-01T10:00:03Z",
                )
                .header("anthropic-ratelimit-output-tokens-limit", "16000")
                .header("anthropic-ratelimit-output-tokens-remaining", "15994")
                .header(
                    "anthropic-ratelimit-output-tokens-reset",
                    "2026-05-01T10:00:04Z",
                )
                .json(&message_json()),
        )
        .await;
        // Even a request that says `stream: true` is sent without it here.
        let mut req = request();
        req.stream = Some(true);
        let reply = server.client().messages(KEY, &req).await.unwrap();

        assert_eq!(reply.value.id, "msg_plain");
        assert_eq!(reply.value.text(), "Acme wants a pilot.");
        assert_eq!(reply.value.usage.input_tokens, 12);
        assert_eq!(reply.value.usage.cache_creation_input_tokens, 0);
        assert_eq!(reply.meta.status, 200);
        assert_eq!(reply.meta.request_id.as_deref(), Some("req_plain"));
        let limits = &reply.meta.rate_limits;
        let requests = limits.requests.as_ref().unwrap();
        assert_eq!((requests.limit, requests.remaining), (Some(50), Some(49)));
        assert_eq!(requests.reset.as_deref(), Some("2026-05-01T10:00:01Z"));
        assert_eq!(limits.tokens.as_ref().unwrap().remaining, Some(89000));
        assert_eq!(limits.input_tokens.as_ref().unwrap().limit, Some(80000));
        assert_eq!(
            limits.output_tokens.as_ref().unwrap().reset.as_deref(),
            Some("2026-05-01T10:00:04Z")
        );

        let seen = server.seen();
        assert_eq!(seen.len(), 1);
        let s = &seen[0];
        assert_eq!(
            (s.method.as_str(), s.path.as_str()),
            ("POST", "/v1/messages")
        );
        assert_eq!(s.header("x-api-key"), Some(KEY));
        assert_eq!(s.header("anthropic-version"), Some("2023-06-01"));
        assert_eq!(s.header("content-type"), Some("application/json"));
        assert_eq!(s.header("accept"), Some("application/json"));
        let body = s.json();
        assert_eq!(body.get("stream"), None);
        assert_eq!(body["model"], "claude-haiku-4-5");
        assert_eq!(body["max_tokens"], 256);
        assert_eq!(
            body["messages"][0]["content"][0]["text"],
            "Summarise the Acme call"
        );
    }

    #[tokio::test]
    async fn count_tokens_sends_only_the_input() {
        let server = Server::start(Script::new(200).json(&json!({"input_tokens": 1234}))).await;
        let mut req = request();
        req.tools = vec![Tool {
            name: "score".into(),
            description: None,
            input_schema: json!({"type": "object"}),
            cache_control: None,
        }];
        req.tool_choice = Some(ToolChoice::Tool {
            name: "score".into(),
        });
        let reply = server.client().count_tokens(KEY, &req).await.unwrap();
        assert_eq!(reply.value, 1234);
        assert_eq!(reply.meta.status, 200);

        let seen = &server.seen()[0];
        assert_eq!(seen.path, "/v1/messages/count_tokens");
        assert_eq!(seen.header("x-api-key"), Some(KEY));
        let body = seen.json();
        assert_eq!(body["model"], "claude-haiku-4-5");
        assert_eq!(body["tools"][0]["name"], "score");
        assert_eq!(
            body["tool_choice"],
            json!({"type": "tool", "name": "score"})
        );
        for absent in ["max_tokens", "temperature", "stream"] {
            assert_eq!(body.get(absent), None, "{absent}");
        }
    }

    #[tokio::test]
    async fn a_base_url_with_a_path_prefix_is_kept() {
        let server = Server::start(Script::new(200).json(&json!({"input_tokens": 1}))).await;
        let client = server.client_with(|c| c.base_url = format!("{}/anthropic/", c.base_url));
        client.count_tokens(KEY, &request()).await.unwrap();
        assert_eq!(server.seen()[0].path, "/anthropic/v1/messages/count_tokens");
    }

    #[tokio::test]
    async fn a_body_that_is_not_a_message_is_a_decode_error() {
        for body in [&b"{\"id\": 3}"[..], b"", b"<html>oops</html>"] {
            let server = Server::start(Script::new(200).body(body)).await;
            let e = server.client().messages(KEY, &request()).await.unwrap_err();
            assert!(matches!(e, Error::Decode(_)), "{body:?}: {e:?}");
        }
    }
}

/// Streams end to end: the SSE parser's edge cases, tool use, usage, how streams end.
mod streaming {
    use super::server::*;
    use super::*;

    #[tokio::test]
    async fn a_text_stream_sends_stream_true_and_keeps_the_headers() {
        let server = Server::start(
            Script::sse(every(&text_reply(&["Hello", ", ", "world"]), 64))
                .header("anthropic-ratelimit-output-tokens-remaining", "7999"),
        )
        .await;
        let client = server.client();
        let stream = client.stream(KEY, &request()).await.unwrap();
        assert_eq!(stream.meta().status, 200);
        assert_eq!(stream.meta().request_id.as_deref(), Some("req_stream"));
        assert_eq!(
            stream
                .meta()
                .rate_limits
                .output_tokens
                .as_ref()
                .unwrap()
                .remaining,
            Some(7999)
        );
        let message = collect(stream).await.unwrap();
        assert_eq!(message.text(), "Hello, world");
        assert_eq!(message.id, "msg_01");
        assert_eq!(
            message.stop_reason,
            Some(closer_claude::StopReason::EndTurn)
        );
        // message_delta's count replaces message_start's; input counts stay.
        assert_eq!(message.usage.output_tokens, 15);
        assert_eq!(message.usage.cache_read_input_tokens, 100);

        let seen = &server.seen()[0];
        assert_eq!(seen.header("accept"), Some("text/event-stream"));
        assert_eq!(seen.header("x-api-key"), Some(KEY));
        assert_eq!(seen.header("anthropic-version"), Some("2023-06-01"));
        assert_eq!(seen.header("content-type"), Some("application/json"));
        assert_eq!(seen.json()["stream"], true);
    }

    #[tokio::test]
    async fn pings_are_yielded_and_the_stream_ends_after_message_stop() {
        let body = text_reply(&["a"]) + &ping() + &text_delta(0, "late");
        let server = Server::start(Script::sse(vec![body.into_bytes()])).await;
        let (text, message, events) = drain(&server.client()).await;
        assert_eq!(text, "a");
        message.unwrap();
        assert!(events.contains(&StreamEvent::Ping));
        assert_eq!(events.last(), Some(&StreamEvent::MessageStop));
    }

    /// How a stream ends.
    #[derive(Debug)]
    enum End {
        Complete,
        Stream(ApiErrorKind),
        Transport,
    }

    #[tokio::test]
    async fn parser_edge_cases() {
        const UNICODE: &str = "Grüße 👋 日本語";
        let base = text_reply(&["Hello", " world"]);
        let unicode = text_reply(&[UNICODE]);
        let wave = unicode.find('👋').unwrap();
        let crlf = base.replace('\n', "\r\n");
        let between_cr_and_lf: Vec<usize> =
            crlf.match_indices("\r\n").map(|(i, _)| i + 1).collect();
        let multi_line = message_start()
            + &text_start(0)
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\ndata: \"index\":0,\ndata: \"delta\":{\"type\":\"text_delta\",\"text\":\"Hello world\"}}\n\n"
            + &block_stop(0)
            + &message_delta("end_turn", 15)
            + &message_stop();
        let no_event_lines: String = base
            .lines()
            .filter(|l| !l.starts_with("event:"))
            .map(|l| format!("{l}\n"))
            .collect();
        let with_extras = |extra: &str| {
            message_start()
                + extra
                + &text_start(0)
                + &text_delta(0, "Hello")
                + extra
                + &text_delta(0, " world")
                + &block_stop(0)
                + &message_delta("end_turn", 15)
                + extra
                + &message_stop()
        };
        let before_stop = base.find("event: message_stop").unwrap();

        let cases: Vec<(&str, Script, &str, End)> = vec![
            ("LF, one chunk", Script::sse(vec![base.clone().into_bytes()]), "Hello world", End::Complete),
            ("CRLF", Script::sse(every(&crlf, 50)), "Hello world", End::Complete),
            ("CRLF split between CR and LF", Script::sse(split_at(&crlf, &between_cr_and_lf)), "Hello world", End::Complete),
            ("lone CR", Script::sse(every(&base.replace('\n', "\r"), 50)), "Hello world", End::Complete),
            ("lines split across chunks", Script::sse(every(&base, 7)).gap(Duration::from_millis(1)), "Hello world", End::Complete),
            (
                "UTF-8 split inside a character",
                Script::sse(split_at(&unicode, &[wave + 1, wave + 2, wave + 3])),
                UNICODE,
                End::Complete,
            ),
            ("UTF-8 in 1-byte chunks", Script::sse(every(&text_reply(&[UNICODE]), 1)).gap(Duration::ZERO), UNICODE, End::Complete),
            ("multi-line data", Script::sse(every(&multi_line, 33)), "Hello world", End::Complete),
            ("trailing spaces after JSON", Script::sse(vec![base.replace("}\n", "}   \n").into_bytes()]), "Hello world", End::Complete),
            ("data without event", Script::sse(vec![no_event_lines.into_bytes()]), "Hello world", End::Complete),
            (
                "event without data",
                Script::sse(vec![with_extras("event: content_block_delta\n\nevent: ping\n\n").into_bytes()]),
                "Hello world",
                End::Complete,
            ),
            (
                "unknown events",
                Script::sse(vec![with_extras(
                    "event: future_thing\ndata: {\"type\":\"future_thing\",\"x\":[1]}\n\nevent: weird\ndata: not json\n\ndata: {\"type\":\"brand_new\"}\n\n",
                )
                .into_bytes()]),
                "Hello world",
                End::Complete,
            ),
            (
                "comments, ids and retry lines",
                Script::sse(vec![with_extras(": keep-alive\nid: 7\nretry: 10\n").into_bytes()]),
                "Hello world",
                End::Complete,
            ),
            ("byte order mark", Script::sse(vec![format!("\u{feff}{base}").into_bytes()]), "Hello world", End::Complete),
            (
                "error event mid-stream",
                Script::sse(vec![
                    (message_start() + &text_start(0) + &text_delta(0, "Hel")).into_bytes(),
                    (error_event("overloaded_error", "Overloaded") + &text_delta(0, "lo") + &message_stop())
                        .into_bytes(),
                ]),
                "Hel",
                End::Stream(ApiErrorKind::Overloaded),
            ),
            (
                "connection cut mid-stream",
                Script::sse(vec![(message_start() + &text_start(0) + &text_delta(0, "Hel")).into_bytes()]).cut(),
                "Hel",
                End::Transport,
            ),
            (
                "connection cut mid-line",
                Script::sse(vec![base.as_bytes()[..before_stop + 20].to_vec()]).cut(),
                "Hello world",
                End::Transport,
            ),
            (
                "clean end before message_stop",
                Script::sse(vec![base.as_bytes()[..before_stop].to_vec()]),
                "Hello world",
                End::Transport,
            ),
            ("empty body", Script::sse(vec![]), "", End::Transport),
        ];

        for (name, script, want_text, want_end) in cases {
            let server = Server::start(script).await;
            let (text, end, _) = drain(&server.client()).await;
            assert_eq!(text, want_text, "{name}");
            match (&end, &want_end) {
                (Ok(m), End::Complete) => {
                    assert_eq!(m.text(), want_text, "{name}");
                    assert_eq!(m.usage.output_tokens, 15, "{name}");
                }
                (
                    Err(Error::Stream {
                        kind, request_id, ..
                    }),
                    End::Stream(want),
                ) => {
                    assert_eq!(kind, want, "{name}");
                    assert_eq!(request_id.as_deref(), Some("req_stream"), "{name}");
                }
                (Err(Error::Transport(_)), End::Transport) => {}
                _ => panic!("{name}: got {end:?}, want {want_end:?}"),
            }
        }
    }

    #[tokio::test]
    async fn tool_use_json_is_parsed_at_block_stop() {
        let body = message_start()
            + &text_start(0)
            + &text_delta(0, "Scoring.")
            + &block_stop(0)
            + &event(
                "content_block_start",
                &json!({"type": "content_block_start", "index": 1, "content_block":
                        {"type": "tool_use", "id": "toolu_01", "name": "score_lead", "input": {}}}),
            )
            + &["", "{\"score\": 8", "7, \"reasons\": [\"bud", "get\"]}"]
                .iter()
                .map(|p| {
                    event(
                        "content_block_delta",
                        &json!({"type": "content_block_delta", "index": 1,
                                "delta": {"type": "input_json_delta", "partial_json": p}}),
                    )
                })
                .collect::<String>()
            + &block_stop(1)
            + &message_delta("tool_use", 40)
            + &message_delta("tool_use", 65)
            + &message_stop();
        let server = Server::start(Script::sse(every(&body, 40))).await;
        let stream = server.client().stream(KEY, &request()).await.unwrap();
        let message = collect(stream).await.unwrap();
        assert_eq!(
            message.tool_input("score_lead"),
            Some(&json!({"score": 87, "reasons": ["budget"]}))
        );
        assert_eq!(message.text(), "Scoring.");
        assert_eq!(
            message.stop_reason,
            Some(closer_claude::StopReason::ToolUse)
        );
        assert_eq!(message.usage.output_tokens, 65);
        assert_eq!(message.usage.input_tokens, 25);
    }

    #[tokio::test]
    async fn invalid_tool_json_is_a_decode_error() {
        let body = message_start()
            + &event(
                "content_block_start",
                &json!({"type": "content_block_start", "index": 0, "content_block":
                        {"type": "tool_use", "id": "toolu_01", "name": "score_lead", "input": {}}}),
            )
            + &event(
                "content_block_delta",
                &json!({"type": "content_block_delta", "index": 0,
                        "delta": {"type": "input_json_delta", "partial_json": "{\"score\": "}}),
            )
            + &block_stop(0)
            + &message_stop();
        let server = Server::start(Script::sse(vec![body.into_bytes()])).await;
        let stream = server.client().stream(KEY, &request()).await.unwrap();
        assert!(matches!(collect(stream).await, Err(Error::Decode(_))));
    }

    #[tokio::test]
    async fn stream_returns_once_the_headers_are_in() {
        let body = text_reply(&["slow"]);
        let server = Server::start(
            Script::sse(vec![vec![], body.into_bytes()]).gap(Duration::from_millis(1500)),
        )
        .await;
        let started = tokio::time::Instant::now();
        let stream = server.client().stream(KEY, &request()).await.unwrap();
        assert!(
            started.elapsed() < Duration::from_millis(1000),
            "stream() waited for the body: {:?}",
            started.elapsed()
        );
        assert_eq!(collect(stream).await.unwrap().text(), "slow");
        assert!(started.elapsed() >= Duration::from_millis(1500));
    }

    #[tokio::test]
    async fn a_json_answer_to_a_stream_request_is_a_decode_error() {
        let server = Server::start(Script::new(200).json(&message_json())).await;
        let e = server.client().stream(KEY, &request()).await.unwrap_err();
        assert!(matches!(e, Error::Decode(_)), "{e:?}");
    }

    #[tokio::test]
    async fn the_total_timeout_covers_the_body_of_a_stream() {
        let server = Server::start(
            Script::sse(vec![
                (message_start() + &text_start(0) + &text_delta(0, "Hi")).into_bytes(),
                message_stop().into_bytes(),
            ])
            .gap(Duration::from_secs(3)),
        )
        .await;
        let client = server.client_with(|c| c.timeout = Duration::from_millis(400));
        let (text, end, _) = drain(&client).await;
        assert_eq!(text, "Hi");
        assert!(matches!(end, Err(Error::Timeout)), "{end:?}");
    }
}

/// Error statuses and failures before any answer.
mod errors {
    use super::*;

    fn error_json(kind: &str, message: &str) -> Value {
        json!({"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_body"})
    }

    struct Case {
        name: &'static str,
        script: Script,
        kind: ApiErrorKind,
        message: &'static str,
        request_id: Option<&'static str>,
        retry_after: Option<Duration>,
        should_retry: Option<bool>,
        error_code: Option<&'static str>,
        retryable: bool,
    }

    fn json_case(
        name: &'static str,
        status: u16,
        kind: &str,
        want: ApiErrorKind,
        message: &'static str,
    ) -> Case {
        Case {
            name,
            script: Script::new(status)
                .header("request-id", "req_header")
                .json(&error_json(kind, message)),
            kind: want,
            message,
            request_id: Some("req_header"),
            retry_after: None,
            should_retry: None,
            error_code: None,
            retryable: status >= 500 || status == 429,
        }
    }

    fn cases() -> Vec<Case> {
        let in_30s =
            httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(30));
        vec![
            json_case("400", 400, "invalid_request_error", ApiErrorKind::InvalidRequest, "max_tokens: Field required"),
            json_case("401", 401, "authentication_error", ApiErrorKind::Authentication, "invalid x-api-key"),
            json_case("402", 402, "billing_error", ApiErrorKind::Billing, "Your credit balance is too low"),
            json_case("403", 403, "permission_error", ApiErrorKind::Permission, "Your API key does not have permission"),
            json_case("404", 404, "not_found_error", ApiErrorKind::NotFound, "model: claude-nope"),
            json_case("413", 413, "request_too_large", ApiErrorKind::RequestTooLarge, "Request exceeds the maximum size"),
            Case {
                retry_after: Some(Duration::from_secs(12)),
                ..json_case("429 retry-after seconds", 429, "rate_limit_error", ApiErrorKind::RateLimit, "Number of requests has exceeded your rate limit")
                    .with(|s| s.header("retry-after", "12"))
            },
            Case {
                retry_after: Some(Duration::from_millis(1500)),
                ..json_case("429 retry-after-ms wins", 429, "rate_limit_error", ApiErrorKind::RateLimit, "Output tokens per minute exceeded")
                    .with(|s| s.header("retry-after", "2").header("retry-after-ms", "1500"))
            },
            Case {
                name: "429 spend limit",
                script: Script::new(429)
                    .header("request-id", "req_header")
                    .header("x-should-retry", "false")
                    .json(&json!({"type": "error", "error": {"type": "rate_limit_error",
                        "message": "Spend limit reached", "details": {"error_code": "enforced_spend_limit_reached"}}})),
                kind: ApiErrorKind::RateLimit,
                message: "Spend limit reached",
                request_id: Some("req_header"),
                retry_after: None,
                should_retry: Some(false),
                error_code: Some("enforced_spend_limit_reached"),
                retryable: false,
            },
            Case {
                request_id: Some("req_body"),
                ..json_case("500, request id only in the body", 500, "api_error", ApiErrorKind::Api, "Internal server error")
                    .with(|_| Script::new(500).json(&error_json("api_error", "Internal server error")))
            },
            Case {
                should_retry: Some(false),
                retryable: false,
                ..json_case("500 x-should-retry false", 500, "api_error", ApiErrorKind::Api, "Internal server error")
                    .with(|s| s.header("x-should-retry", "false"))
            },
            Case {
                retry_after: Some(Duration::from_secs(30)),
                ..json_case("503 retry-after date", 503, "api_error", ApiErrorKind::Api, "Service unavailable")
                    .with(|s| s.header("retry-after", &in_30s))
            },
            json_case("504", 504, "timeout_error", ApiErrorKind::Timeout, "Request timed out"),
            json_case("529", 529, "overloaded_error", ApiErrorKind::Overloaded, "Overloaded"),
            Case {
                name: "HTML 502 from a proxy",
                script: Script::new(502)
                    .header("request-id", "req_header")
                    .header("content-type", "text/html")
                    .body("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>"),
                kind: ApiErrorKind::Api,
                message: "502 Bad Gateway",
                request_id: Some("req_header"),
                retry_after: None,
                should_retry: None,
                error_code: None,
                retryable: true,
            },
            Case {
                name: "empty 529",
                script: Script::new(529).header("request-id", "req_header"),
                kind: ApiErrorKind::Overloaded,
                message: "HTTP 529",
                request_id: Some("req_header"),
                retry_after: None,
                should_retry: None,
                error_code: None,
                retryable: true,
            },
            Case {
                name: "redirects are not followed",
                script: Script::new(307).header("location", "http://127.0.0.1:9/elsewhere"),
                kind: ApiErrorKind::Api,
                message: "HTTP 307 Temporary Redirect",
                request_id: None,
                retry_after: None,
                should_retry: None,
                error_code: None,
                retryable: false,
            },
        ]
    }

    impl Case {
        fn with(mut self, f: impl FnOnce(Script) -> Script) -> Case {
            self.script = f(self.script);
            self
        }
    }

    fn check(case: &Case, via: &str, e: &Error) {
        let name = format!("{} via {via}", case.name);
        match e {
            Error::Api {
                status,
                kind,
                message,
                request_id,
                retry_after,
                should_retry,
                error_code,
            } => {
                assert_eq!(*status, case.script.status, "{name}");
                assert_eq!(*kind, case.kind, "{name}");
                assert_eq!(message, case.message, "{name}");
                assert_eq!(request_id.as_deref(), case.request_id, "{name}");
                match (retry_after, case.retry_after) {
                    // An HTTP date is whole seconds from a moving "now".
                    (Some(got), Some(want)) => assert!(
                        *got <= want && want - *got <= Duration::from_secs(2),
                        "{name}: {got:?}"
                    ),
                    (got, want) => assert_eq!(*got, want, "{name}"),
                }
                assert_eq!(*should_retry, case.should_retry, "{name}");
                assert_eq!(error_code.as_deref(), case.error_code, "{name}");
                assert_eq!(e.is_retryable(), case.retryable, "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }

    #[tokio::test]
    async fn every_error_status_via_messages_stream_and_count_tokens() {
        for case in cases() {
            let server = Server::start(case.script.clone()).await;
            let client = server.client();
            let e = client.messages(KEY, &request()).await.unwrap_err();
            check(&case, "messages", &e);
            let e = client.stream(KEY, &request()).await.unwrap_err();
            check(&case, "stream", &e);
            let e = client.count_tokens(KEY, &request()).await.unwrap_err();
            check(&case, "count_tokens", &e);
            // One request per call: nothing retried, no redirect followed.
            assert_eq!(server.seen().len(), 3, "{}", case.name);
        }
    }

    #[tokio::test]
    async fn a_large_error_page_is_read_only_in_part() {
        let page = format!("<html><body>{}</body></html>", "x".repeat(3 * 1024 * 1024));
        let server = Server::start(Script::new(502).body(page)).await;
        let e = server.client().messages(KEY, &request()).await.unwrap_err();
        match e {
            Error::Api { message, .. } => assert!(message.chars().count() <= 201, "{message}"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_closed_port_is_a_connect_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let client = Client::new(ClientConfig {
            base_url: format!("http://127.0.0.1:{port}"),
            ..Default::default()
        })
        .unwrap();
        let e = client.messages(KEY, &request()).await.unwrap_err();
        assert!(matches!(e, Error::Connect(_)), "{e:?}");
        assert!(e.is_retryable() && e.is_upstream_failure());
        let e = client.stream(KEY, &request()).await.unwrap_err();
        assert!(matches!(e, Error::Connect(_)), "{e:?}");
    }

    #[tokio::test]
    async fn no_answer_in_time_is_a_timeout() {
        let server = Server::start(
            Script::new(200)
                .json(&message_json())
                .delay(Duration::from_secs(3)),
        )
        .await;
        let client = server.client_with(|c| c.timeout = Duration::from_millis(300));
        let e = client.messages(KEY, &request()).await.unwrap_err();
        assert!(matches!(e, Error::Timeout), "{e:?}");
        let e = client.stream(KEY, &request()).await.unwrap_err();
        assert!(matches!(e, Error::Timeout), "{e:?}");
    }

    #[tokio::test]
    async fn a_key_that_cannot_be_a_header_is_invalid_and_nothing_is_sent() {
        let server = Server::start(Script::new(200).json(&message_json())).await;
        let e = server
            .client()
            .messages(&format!("{KEY}\n"), &request())
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Invalid(_)), "{e:?}");
        assert!(server.seen().is_empty());
    }
}

/// The API key never shows in a Debug of the client or in any error.
mod secrets {
    use super::*;

    fn assert_clean(what: &str, text: &str) {
        assert!(!text.contains(KEY), "{what} leaks the key: {text}");
        assert!(
            !text.contains("0123456789abcdefghij"),
            "{what} leaks part of the key: {text}"
        );
    }

    #[tokio::test]
    async fn no_debug_or_error_text_contains_the_api_key() {
        let client = Client::new(ClientConfig::default()).unwrap();
        assert_clean("Client", &format!("{client:?} {client:#?}"));

        let mut errors: Vec<(String, Error)> = vec![];
        let echo_json = json!({"type": "error", "error": {"type": "authentication_error",
            "message": format!("invalid x-api-key {KEY}"), "details": {"error_code": KEY}}});
        let scripts = [
            (
                "401 JSON echoing the key",
                Script::new(401).json(&echo_json),
            ),
            (
                "HTML echoing the key",
                Script::new(502).body(format!("<html><body>key={KEY}</body></html>")),
            ),
            (
                "200 garbage echoing the key",
                Script::new(200).body(format!("not json {KEY}")),
            ),
            (
                "429",
                Script::new(429)
                    .header("retry-after", "1")
                    .json(&json!({"type": "error",
                "error": {"type": "rate_limit_error", "message": "slow down"}})),
            ),
        ];
        for (name, script) in scripts {
            let server = Server::start(script).await;
            let c = server.client();
            if let Err(e) = c.messages(KEY, &request()).await {
                errors.push((format!("{name} messages"), e));
            }
            if let Err(e) = c.stream(KEY, &request()).await {
                errors.push((format!("{name} stream"), e));
            }
            if let Err(e) = c.count_tokens(KEY, &request()).await {
                errors.push((format!("{name} count_tokens"), e));
            }
            assert_clean(name, &format!("{c:?}"));
        }

        let stream_error =
            server::message_start() + &server::error_event("overloaded_error", "Overloaded");
        let server = Server::start(Script::sse(vec![stream_error.into_bytes()])).await;
        errors.push((
            "stream error event".into(),
            drain(&server.client()).await.1.unwrap_err(),
        ));
        let server =
            Server::start(Script::sse(vec![server::message_start().into_bytes()]).cut()).await;
        errors.push((
            "cut stream".into(),
            drain(&server.client()).await.1.unwrap_err(),
        ));
        let server = Server::start(Script::new(200).delay(Duration::from_secs(2))).await;
        let slow = server.client_with(|c| c.timeout = Duration::from_millis(100));
        errors.push((
            "timeout".into(),
            slow.messages(KEY, &request()).await.unwrap_err(),
        ));
        let closed = Client::new(ClientConfig {
            base_url: "http://127.0.0.1:9".into(),
            ..Default::default()
        })
        .unwrap();
        errors.push((
            "connect".into(),
            closed.messages(KEY, &request()).await.unwrap_err(),
        ));
        errors.push((
            "invalid key".into(),
            closed
                .messages(&format!("{KEY}\u{7f}"), &request())
                .await
                .unwrap_err(),
        ));

        assert!(errors.len() >= 16, "{}", errors.len());
        for (name, e) in &errors {
            assert_clean(name, &format!("{e:?} {e:#?} {e}"));
        }
    }
}
