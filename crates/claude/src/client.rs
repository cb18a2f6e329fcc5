//! The HTTP client: builds requests, sends them once, and turns answers into typed values or
//! typed errors. The API key is passed per call and lives only in a header marked sensitive.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::TryStreamExt;
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::Url;

use crate::error::Error;
use crate::meta::{api_error, excerpt, response_meta, Reply};
use crate::stream::MessageStream;
use crate::types::{CountTokensRequest, CountTokensResponse, Message, MessagesRequest};

/// Where and how to reach the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Scheme, host and optional path prefix; `/v1/messages` is appended.
    pub base_url: String,
    /// The `anthropic-version` header.
    pub api_version: String,
    /// Only applied by [`Client::new`]: a client given to [`Client::with_http`] keeps its own.
    pub connect_timeout: Duration,
    /// The whole exchange, from sending to the last byte of the body (of a stream too).
    pub timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: "https://api.anthropic.com".into(),
            api_version: "2023-06-01".into(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(600),
        }
    }
}

/// A client for the Messages API. Cheap to clone (one shared connection pool).
///
/// Each call sends exactly one request: no retries, no reconnects (the gateway decides, and a
/// repeated POST is billed again).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    messages_url: Url,
    count_tokens_url: Url,
    api_version: HeaderValue,
    timeout: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No key is stored here, and the reqwest client is left out on purpose.
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_version", &self.inner.api_version)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

const JSON: &str = "application/json";
const EVENT_STREAM: &str = "text/event-stream";
/// How much of an error body is read: enough for any JSON error, not a whole proxy page.
const MAX_ERROR_BODY: usize = 64 * 1024;

impl Client {
    /// A client on its own reqwest client (rustls, `connect_timeout`, no redirects: a redirect
    /// would carry the `x-api-key` header to wherever it points).
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("closer-claude/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Invalid(format!("cannot build the HTTP client: {e}")))?;
        Client::with_http(config, http)
    }

    /// A client on a given reqwest client (shared pool, proxy settings, test setups). Its
    /// connect timeout and redirect policy are its own; `config.timeout` is applied per request.
    pub fn with_http(config: ClientConfig, http: reqwest::Client) -> Result<Client, Error> {
        let base_url = config.base_url.trim().trim_end_matches('/').to_string();
        let parsed = Url::parse(&base_url)
            .map_err(|e| Error::Invalid(format!("bad base URL {base_url:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.host_str().is_none()
            || parsed.query().is_some()
            || parsed.fragment().is_some()
            || !parsed.username().is_empty()
            || parsed.password().is_some()
        {
            return Err(Error::Invalid(format!(
                "bad base URL {base_url:?}: expected http(s)://host[:port][/path]"
            )));
        }
        let url = |path: &str| {
            Url::parse(&format!("{base_url}{path}"))
                .map_err(|e| Error::Invalid(format!("bad base URL {base_url:?}: {e}")))
        };
        let api_version = HeaderValue::from_str(config.api_version.trim())
            .map_err(|_| Error::Invalid("the API version is not a valid header value".into()))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                messages_url: url("/v1/messages")?,
                count_tokens_url: url("/v1/messages/count_tokens")?,
                base_url,
                api_version,
                timeout: config.timeout,
            }),
        })
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// `POST /v1/messages` without streaming (whatever `req.stream` says).
    pub async fn messages(
        &self,
        api_key: &str,
        req: &MessagesRequest,
    ) -> Result<Reply<Message>, Error> {
        let req = with_stream(req, None);
        let response = self
            .send(api_key, &self.inner.messages_url, &*req, JSON)
            .await?;
        let (meta, body) = read_json_body(response).await?;
        let value = serde_json::from_slice::<Message>(&body)
            .map_err(|e| bad_body("message", &e, &body))
            .map_err(|e| redact(e, api_key))?;
        Ok(Reply { value, meta })
    }

    /// `POST /v1/messages` with `"stream": true` (whatever `req.stream` says). Returns once the
    /// status and headers are in; an error status is read whole and returned as
    /// [`Error::Api`]. The events then come from the [`MessageStream`].
    pub async fn stream(
        &self,
        api_key: &str,
        req: &MessagesRequest,
    ) -> Result<MessageStream, Error> {
        let req = with_stream(req, Some(true));
        let response = self
            .send(api_key, &self.inner.messages_url, &*req, EVENT_STREAM)
            .await?;
        let meta = response_meta(response.status().as_u16(), response.headers());
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(EVENT_STREAM);
        if !content_type
            .trim_start()
            .to_ascii_lowercase()
            .starts_with(EVENT_STREAM)
        {
            return Err(Error::Decode(format!(
                "expected an event stream, got `{content_type}`"
            )));
        }
        let body = response.bytes_stream().map_err(from_reqwest);
        Ok(MessageStream::new(meta, body))
    }

    /// `POST /v1/messages/count_tokens` with the request's model, system, messages and tools.
    pub async fn count_tokens(
        &self,
        api_key: &str,
        req: &MessagesRequest,
    ) -> Result<Reply<u64>, Error> {
        let response = self
            .send(
                api_key,
                &self.inner.count_tokens_url,
                &CountTokensRequest::from(req),
                JSON,
            )
            .await?;
        let (meta, body) = read_json_body(response).await?;
        let value = serde_json::from_slice::<CountTokensResponse>(&body)
            .map_err(|e| bad_body("token count", &e, &body))
            .map_err(|e| redact(e, api_key))?
            .input_tokens;
        Ok(Reply { value, meta })
    }

    /// Sends one POST; an error status comes back as [`Error::Api`].
    async fn send(
        &self,
        api_key: &str,
        url: &Url,
        body: &impl serde::Serialize,
        accept: &'static str,
    ) -> Result<reqwest::Response, Error> {
        let mut key = HeaderValue::from_str(api_key)
            .map_err(|_| Error::Invalid("the API key is not a valid HTTP header value".into()))?;
        key.set_sensitive(true);
        let body = serde_json::to_vec(body)
            .map_err(|e| Error::Invalid(format!("cannot serialize the request: {e}")))?;
        let response = self
            .inner
            .http
            .post(url.clone())
            .header("x-api-key", key)
            .header("anthropic-version", self.inner.api_version.clone())
            .header(CONTENT_TYPE, JSON)
            .header(ACCEPT, accept)
            .timeout(self.inner.timeout)
            .body(body)
            .send()
            .await
            .map_err(|e| redact(from_reqwest(e), api_key))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let headers = response.headers().clone();
        let body = read_capped(response, MAX_ERROR_BODY)
            .await
            .map_err(|e| redact(e, api_key))?;
        let error = api_error(status.as_u16(), &headers, &body, SystemTime::now());
        tracing::debug!(status = status.as_u16(), request_id = ?error.request_id(), "Claude API error");
        Err(redact(error, api_key))
    }
}

/// The request with `stream` set as the endpoint needs, copied only when it differs.
fn with_stream(req: &MessagesRequest, stream: Option<bool>) -> Cow<'_, MessagesRequest> {
    let same = match stream {
        None => req.stream != Some(true),
        Some(s) => req.stream == Some(s),
    };
    if same {
        Cow::Borrowed(req)
    } else {
        let mut owned = req.clone();
        owned.stream = stream;
        Cow::Owned(owned)
    }
}

async fn read_json_body(
    response: reqwest::Response,
) -> Result<(crate::meta::ResponseMeta, Vec<u8>), Error> {
    let meta = response_meta(response.status().as_u16(), response.headers());
    let body = response.bytes().await.map_err(from_reqwest)?;
    Ok((meta, body.to_vec()))
}

/// At most `cap` bytes of the body; the rest is left unread.
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(from_reqwest)? {
        let room = cap - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= cap {
            break;
        }
    }
    Ok(body)
}

fn bad_body(what: &str, e: &serde_json::Error, body: &[u8]) -> Error {
    let seen = excerpt(body).unwrap_or_else(|| "an empty body".into());
    Error::Decode(format!("invalid {what} JSON ({e}); got: {seen}"))
}

/// A reqwest error as ours: connect, timeout, or a broken exchange. Its text has no URL
/// (`without_url`) and never a header value.
pub(crate) fn from_reqwest(e: reqwest::Error) -> Error {
    if e.is_builder() {
        return Error::Invalid(chain(&e.without_url()));
    }
    if e.is_connect() {
        return Error::Connect(chain(&e.without_url()));
    }
    if e.is_timeout() {
        return Error::Timeout;
    }
    Error::Transport(chain(&e.without_url()))
}

/// An error and its sources on one line ("error sending request: connection refused").
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// Belt and braces: should a server or proxy echo the key back, it never reaches an error
/// message (and so never a log). Keys too short to be real are left alone.
fn redact(error: Error, api_key: &str) -> Error {
    const MASK: &str = "[redacted]";
    if api_key.len() < 8 {
        return error;
    }
    let clean = |s: String| {
        if s.contains(api_key) {
            s.replace(api_key, MASK)
        } else {
            s
        }
    };
    match error {
        Error::Api {
            status,
            kind,
            message,
            request_id,
            retry_after,
            should_retry,
            error_code,
        } => Error::Api {
            status,
            kind,
            message: clean(message),
            request_id: request_id.map(clean),
            retry_after,
            should_retry,
            error_code: error_code.map(clean),
        },
        Error::Connect(m) => Error::Connect(clean(m)),
        Error::Transport(m) => Error::Transport(clean(m)),
        Error::Decode(m) => Error::Decode(clean(m)),
        Error::Invalid(m) => Error::Invalid(clean(m)),
        other @ (Error::Stream { .. } | Error::Timeout) => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_table() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "https://api.anthropic.com",
                Some("https://api.anthropic.com"),
            ),
            (
                "https://api.anthropic.com/",
                Some("https://api.anthropic.com"),
            ),
            (
                "http://127.0.0.1:8080/proxy/",
                Some("http://127.0.0.1:8080/proxy"),
            ),
            (" http://localhost:1 ", Some("http://localhost:1")),
            ("", None),
            ("api.anthropic.com", None),
            ("ftp://api.anthropic.com", None),
            ("https://api.anthropic.com/?x=1", None),
            ("https://user:pw@api.anthropic.com", None),
            ("https://", None),
        ];
        for (input, want) in cases {
            let config = ClientConfig {
                base_url: (*input).into(),
                ..Default::default()
            };
            match (Client::new(config), want) {
                (Ok(c), Some(w)) => {
                    assert_eq!(c.base_url(), *w);
                    assert_eq!(c.inner.messages_url.as_str(), format!("{w}/v1/messages"));
                }
                (Err(Error::Invalid(_)), None) => {}
                (got, _) => panic!("{input:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn with_stream_copies_only_when_needed() {
        let mut req = MessagesRequest::default();
        assert!(matches!(with_stream(&req, None), Cow::Borrowed(_)));
        assert_eq!(with_stream(&req, Some(true)).stream, Some(true));
        req.stream = Some(true);
        assert!(matches!(with_stream(&req, Some(true)), Cow::Borrowed(_)));
        assert_eq!(with_stream(&req, None).stream, None);
        req.stream = Some(false);
        assert!(matches!(with_stream(&req, None), Cow::Borrowed(_)));
    }

    #[test]
    fn redact_masks_the_key_everywhere() {
        let key = "sk-ant-api03-abcdefgh";
        let e = redact(
            Error::Api {
                status: 401,
                kind: crate::ApiErrorKind::Authentication,
                message: format!("bad key {key}"),
                request_id: None,
                retry_after: None,
                should_retry: None,
                error_code: Some(key.into()),
            },
            key,
        );
        assert!(!format!("{e:?}{e}").contains(key));
        let e = redact(Error::Decode(format!("got {key}")), key);
        assert_eq!(
            e.to_string(),
            "unexpected answer from the Claude API: got [redacted]"
        );
    }

    #[test]
    fn default_config_matches_the_sdk() {
        let c = ClientConfig::default();
        assert_eq!(c.base_url, "https://api.anthropic.com");
        assert_eq!(c.api_version, "2023-06-01");
        assert_eq!(c.connect_timeout, Duration::from_secs(5));
        assert_eq!(c.timeout, Duration::from_secs(600));
    }
}
