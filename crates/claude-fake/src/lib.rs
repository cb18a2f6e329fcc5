//! A local fake of Anthropic's Messages API, speaking its wire format over real HTTP.
//!
//! Our client (`closer-claude`) and gateway (`closer-gateway`) are tested against it, the
//! demo mode points the app at it, and the benchmark points the LiteLLM proxy at it
//! (binary `closer-fake-anthropic`).
//!
//! What it serves:
//! - `POST /v1/messages`, plain and streamed (SSE), with the real event order and shapes,
//!   request ids, rate-limit headers, Anthropic's error bodies, simulated prompt caching
//!   (`cache_creation_input_tokens` / `cache_read_input_tokens`, 5 m and 1 h TTLs) and
//!   deterministic answers: plausible markdown, or a `tool_use` whose input is synthesised
//!   from the requested tool's `input_schema`.
//! - `POST /v1/messages/count_tokens`.
//! - `POST /v1/chat/completions`: a minimal OpenAI-compatible endpoint (the gateway's
//!   secondary endpoint in tests; in production a local Ollama).
//!
//! Tests script failures ([`Step`]) for the next requests, read what was received
//! ([`FakeAnthropic::requests`]) and restart the fake on the same port to simulate
//! "the API is back".
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use closer_claude_fake::{FakeAnthropic, Step};
//!
//! let fake = FakeAnthropic::start().await?;
//! // The first request is overloaded, the retry succeeds.
//! fake.script([Step::Status { status: 529, retry_after: None }, Step::Ok]);
//! let base_url = fake.url(); // give this to the client under test
//! # let _ = base_url;
//! // ... run the client ...
//! assert_eq!(fake.request_count(), 2);
//! fake.stop().await;
//! # Ok(())
//! # }
//! ```
//!
//! What it deliberately does not know: our client's types. Requests are read as
//! `serde_json::Value` and answers are built from Anthropic's documented and recorded wire
//! format (see `tests/fixtures/README.md`), so a bug in our types is not mirrored here.
//! It is not a model: answers are derived from the request's words, not from meaning.

mod anthropic;
mod openai;
mod server;
mod state;
mod synth;
mod usage;
mod wire;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use state::Shared;

/// Which `x-api-key` values the fake accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum KeyPolicy {
    /// Any key that starts with `sk-ant-` (the default, and what the binary uses). The key
    /// is read from `x-api-key`, or else from `authorization: Bearer ...`.
    #[default]
    AnyAnthropicLike,
    /// Only these keys.
    Exact(Vec<String>),
}

impl KeyPolicy {
    fn accepts(&self, key: &str) -> bool {
        match self {
            KeyPolicy::AnyAnthropicLike => {
                key.len() > "sk-ant-".len() && key.starts_with("sk-ant-")
            }
            KeyPolicy::Exact(keys) => keys.iter().any(|k| k == key),
        }
    }
}

/// How a fake server behaves when nothing is scripted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeOptions {
    /// Which API keys are valid.
    pub api_keys: KeyPolicy,
    /// Wait this long before sending any response's headers (0 by default).
    pub first_byte_delay: Duration,
    /// Wait this long between two SSE events (0 by default; each event is still its own
    /// body chunk).
    pub chunk_delay: Duration,
    /// A cache breakpoint whose prefix has fewer tokens than this is not cached (Anthropic:
    /// 1024 to 4096 by model; 1024 by default here).
    pub min_cacheable_tokens: u64,
    /// Pad each SSE `data:` JSON with 0 to 15 spaces before its closing brace, as the real
    /// API does (see the recorded fixtures); `ping` is never padded. On by default.
    pub sse_padding: bool,
}

impl Default for FakeOptions {
    fn default() -> Self {
        FakeOptions {
            api_keys: KeyPolicy::AnyAnthropicLike,
            first_byte_delay: Duration::ZERO,
            chunk_delay: Duration::ZERO,
            min_cacheable_tokens: 1024,
            sse_padding: true,
        }
    }
}

/// What the fake does with one request to `/v1/messages` (or `/v1/chat/completions`, see
/// [`FakeAnthropic::script_openai`]). Scripted steps are consumed in order, one per
/// request, before any header or body check; once the script is empty every request gets
/// [`Step::Ok`].
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The normal deterministic answer (after the header and body checks).
    Ok,
    /// Answer with exactly this text (streamed in several deltas when `stream` is true).
    /// Like a real answer it still stops at a `stop_sequences` entry and at `max_tokens`.
    Text(String),
    /// Answer with a `tool_use` of the requested tool (or the first tool) with exactly this
    /// input. A `Value::String` holding text that is not JSON is streamed raw as
    /// `partial_json`, so a client sees an unparseable tool input (non-streamed it is
    /// returned as that string).
    ToolInput(Value),
    /// Answer with this status and Anthropic's error body for it (`retry_after` in seconds
    /// becomes a `retry-after` header).
    Status {
        status: u16,
        retry_after: Option<u64>,
    },
    /// 200, `message_start` and some deltas, then `event: error` (`overloaded_error`). A
    /// non-streamed request gets a 529 instead.
    MidStreamError,
    /// Wait this long before the headers, then [`Step::Ok`].
    SlowFirstByte(Duration),
    /// Read the request, then close the connection without any HTTP response: the client
    /// sees a transport error.
    ConnectionReset,
    /// 200 and part of the body, then the connection is cut: a streamed reply after
    /// `message_start` and a few deltas, a plain reply halfway through its JSON.
    CutMidBody,
}

/// One request the fake received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// The path, e.g. `/v1/messages` or `/v1/messages/count_tokens`.
    pub path: String,
    /// Headers in the order received, names lower-case. `x-api-key` and `authorization`
    /// values are redacted to `***` and their last 4 characters.
    pub headers: Vec<(String, String)>,
    /// The body as JSON; a body that is not JSON is kept as a string (`Null` when empty).
    pub body: Value,
    /// When it arrived.
    pub time: SystemTime,
}

impl RecordedRequest {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A running fake server. Dropping it stops it too (without waiting); [`FakeAnthropic::stop`]
/// waits until the port is free.
pub struct FakeAnthropic {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FakeAnthropic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeAnthropic")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl FakeAnthropic {
    /// Start on 127.0.0.1 on a free port with the default options. Must be called inside a
    /// Tokio runtime (the server runs as tasks of that runtime).
    pub async fn start() -> std::io::Result<FakeAnthropic> {
        Self::start_on(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            FakeOptions::default(),
        )
        .await
    }

    /// Start on this address (port 0: a free one). The socket is bound with `SO_REUSEADDR`,
    /// so a test can stop the fake and start a new one on the same port at once.
    pub async fn start_on(addr: SocketAddr, opts: FakeOptions) -> std::io::Result<FakeAnthropic> {
        let listener = server::bind(addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(opts));
        let (shutdown, shutdown_rx) = watch::channel(false);
        let task = server::spawn(listener, Arc::clone(&shared), shutdown_rx);
        Ok(FakeAnthropic {
            addr,
            shared,
            shutdown,
            task: Some(task),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (a client appends `/v1/messages`).
    pub fn url(&self) -> String {
        let ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}", SocketAddr::new(ip, self.addr.port()))
    }

    /// The address the server is bound to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queue behaviours for the next `/v1/messages` requests, in order (appended to what is
    /// already queued). When the queue is empty, requests get [`Step::Ok`].
    pub fn script(&self, steps: impl IntoIterator<Item = Step>) {
        self.shared.with(|s| s.script.extend(steps));
    }

    /// Queue behaviours for the next `/v1/chat/completions` requests (kept apart from
    /// [`FakeAnthropic::script`]).
    pub fn script_openai(&self, steps: impl IntoIterator<Item = Step>) {
        self.shared.with(|s| s.openai_script.extend(steps));
    }

    /// Every `/v1/messages` and `/v1/messages/count_tokens` request received, in order (the
    /// most recent 10,000, so that a long benchmark run does not grow without bound).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.with(|s| s.records.clone())
    }

    /// Every `/v1/chat/completions` request received, in order (the most recent 10,000).
    pub fn openai_requests(&self) -> Vec<RecordedRequest> {
        self.shared.with(|s| s.openai_records.clone())
    }

    /// How many `/v1/messages` requests were received (count_tokens not included).
    pub fn request_count(&self) -> usize {
        self.shared.with(|s| s.messages_count)
    }

    /// How many `/v1/chat/completions` requests were received.
    pub fn openai_request_count(&self) -> usize {
        self.shared.with(|s| s.openai_count)
    }

    /// Forget the scripts, the recorded requests and counts, and the prompt cache.
    pub fn reset(&self) {
        self.shared.with(|s| s.reset());
    }

    /// Move the prompt cache's clock forward (to test TTL expiry without waiting).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.with(|s| s.clock_offset += by);
    }

    /// Stop: no new connections, idle ones closed, in-flight requests given up to a second
    /// to finish. When this returns, the port is free.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for FakeAnthropic {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
