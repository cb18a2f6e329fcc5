//! A streamed reply: server-sent events decoded into [`StreamEvent`]s.
//!
//! SSE framing (CRLF, lone CR, lines and UTF-8 characters split across chunks, multi-line
//! `data:`) is `eventsource-stream`'s job; this module decides what each event means and,
//! above all, how the stream ends: after `message_stop`, after an `error` event (yielded as
//! [`Error::Stream`]), or with [`Error::Transport`] when the body stops before
//! `message_stop`. It never reconnects: a new POST would be billed again.

use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use eventsource_stream::{Event, EventStream, EventStreamError};
use futures_util::Stream;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{ApiErrorKind, Error};
use crate::meta::ResponseMeta;
use crate::types::StreamEvent;

type Events = Pin<Box<dyn Stream<Item = Result<Event, EventStreamError<Error>>> + Send>>;

/// The events of a streamed reply, as they arrive.
///
/// Yields every known event, `ping` included (a caller relaying the stream can pass it on to
/// keep its own connection alive; [`crate::MessageAccumulator`] ignores it). Events of types
/// this client does not know, and events without data, are skipped.
///
/// Ends (`None`) right after `message_stop`. Any error is the last item: an `error` event is
/// yielded as [`Error::Stream`] (with the response's request id); a body that ends or breaks
/// before `message_stop` as [`Error::Transport`] (or [`Error::Timeout`] when the client's
/// total timeout cut it); malformed data as [`Error::Decode`].
pub struct MessageStream {
    meta: ResponseMeta,
    events: Events,
    done: bool,
}

impl MessageStream {
    /// A stream over the raw body bytes, errors already mapped to ours.
    pub(crate) fn new<S, B>(meta: ResponseMeta, body: S) -> Self
    where
        S: Stream<Item = Result<B, Error>> + Send + 'static,
        B: AsRef<[u8]> + Send + 'static,
    {
        MessageStream {
            meta,
            events: Box::pin(EventStream::new(BodyFixups::new(body))),
            done: false,
        }
    }

    /// The status and headers of the response (request id, rate limits).
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// Ends the stream: no more polling of the body, which is dropped (closing the connection
    /// if bytes were still coming).
    fn finish(&mut self) {
        self.done = true;
        self.events = Box::pin(futures_util::stream::empty());
    }
}

impl fmt::Debug for MessageStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageStream")
            .field("meta", &self.meta)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Stream for MessageStream {
    type Item = Result<StreamEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        loop {
            let item = match this.events.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(item) => item,
            };
            let result = match item {
                None => Err(Error::Transport(
                    "the stream ended before message_stop".into(),
                )),
                Some(Err(e)) => Err(sse_error(e)),
                Some(Ok(event)) => match decode_event(&event) {
                    Ok(None) => continue,
                    Ok(Some(StreamEvent::Error { error })) => Err(Error::Stream {
                        kind: ApiErrorKind::from_type(&error.kind),
                        message: error.message,
                        request_id: this.meta.request_id.clone(),
                    }),
                    Ok(Some(event)) => {
                        if event == StreamEvent::MessageStop {
                            this.finish();
                        }
                        return Poll::Ready(Some(Ok(event)));
                    }
                    Err(e) => Err(e),
                },
            };
            this.finish();
            return Poll::Ready(Some(result));
        }
    }
}

/// The body as the SSE parser can safely take it: without leading byte order marks, and with
/// an LF added when it ends in a CR.
///
/// - eventsource-stream 0.2.3 strips a BOM by slicing one *byte* off a three-byte character,
///   which panics; so BOMs never reach it (all leading ones are dropped, even split across
///   chunks).
/// - It waits for the byte after a CR (which may be CRLF) even at the end of the body, so a
///   body with lone-CR line endings would lose its last event. A body cut inside a line stays
///   incomplete (and so an error).
struct BodyFixups<S> {
    body: Pin<Box<S>>,
    /// Leading bytes not passed on yet, while they may still be (part of) a BOM.
    head: Vec<u8>,
    started: bool,
    last_was_cr: bool,
    ended: bool,
}

const BOM: &[u8] = "\u{feff}".as_bytes();

impl<S> BodyFixups<S> {
    fn new(body: S) -> Self {
        BodyFixups {
            body: Box::pin(body),
            head: Vec::new(),
            started: false,
            last_was_cr: false,
            ended: false,
        }
    }
}

enum Chunk<B> {
    Body(B),
    Head(Vec<u8>),
    Lf,
}

impl<B: AsRef<[u8]>> AsRef<[u8]> for Chunk<B> {
    fn as_ref(&self) -> &[u8] {
        match self {
            Chunk::Body(b) => b.as_ref(),
            Chunk::Head(b) => b,
            Chunk::Lf => b"\n",
        }
    }
}

impl<S, B> Stream for BodyFixups<S>
where
    S: Stream<Item = Result<B, Error>>,
    B: AsRef<[u8]>,
{
    type Item = Result<Chunk<B>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.ended {
                return Poll::Ready(None);
            }
            let chunk = match ready!(this.body.as_mut().poll_next(cx)) {
                Some(Ok(chunk)) => chunk,
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => {
                    this.ended = true;
                    if !this.head.is_empty() {
                        // Only part of a BOM, then nothing: let the parser report it.
                        return Poll::Ready(Some(Ok(Chunk::Head(std::mem::take(&mut this.head)))));
                    }
                    return Poll::Ready(this.last_was_cr.then_some(Ok(Chunk::Lf)));
                }
            };
            if let Some(&last) = chunk.as_ref().last() {
                this.last_was_cr = last == b'\r';
            }
            if this.started {
                return Poll::Ready(Some(Ok(Chunk::Body(chunk))));
            }
            this.head.extend_from_slice(chunk.as_ref());
            while this.head.starts_with(BOM) {
                this.head.drain(..BOM.len());
            }
            if this.head.is_empty() || BOM.starts_with(&this.head) {
                continue; // Nothing yet, or maybe a BOM: read on.
            }
            this.started = true;
            return Poll::Ready(Some(Ok(Chunk::Head(std::mem::take(&mut this.head)))));
        }
    }
}

fn sse_error(e: EventStreamError<Error>) -> Error {
    match e {
        EventStreamError::Transport(e) => e,
        EventStreamError::Utf8(_) => Error::Decode("the stream is not valid UTF-8".into()),
        // Not the input: it could be anything the server sent.
        EventStreamError::Parser(e) => {
            Error::Decode(format!("malformed event stream ({:?})", e.code))
        }
    }
}

/// The event names the Messages API sends. Others are skipped unread; `message` is what the
/// SSE parser calls an event without an `event:` line, whose type then comes from its JSON.
const KNOWN_EVENTS: &[&str] = &[
    "message",
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "ping",
    "error",
];

/// One SSE event as a [`StreamEvent`]; `None` for events to skip.
///
/// The JSON `type` decides what the event is; the `event:` name only fills in a missing
/// `type` and lets unknown events be skipped without parsing their data.
pub(crate) fn decode_event(event: &Event) -> Result<Option<StreamEvent>, Error> {
    let name = event.event.as_str();
    if !KNOWN_EVENTS.contains(&name) || event.data.trim().is_empty() {
        return Ok(None);
    }
    let bad = |e: serde_json::Error| Error::Decode(format!("invalid `{name}` event: {e}"));
    let mut value: Value = serde_json::from_str(&event.data).map_err(bad)?;
    if let Value::Object(fields) = &mut value {
        if !fields.contains_key("type") && name != "message" {
            fields.insert("type".into(), Value::String(name.into()));
        }
    }
    match StreamEvent::deserialize(value).map_err(bad)? {
        StreamEvent::Other => Ok(None),
        event => Ok(Some(event)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{ContentBlock, Delta};
    use futures_util::{stream, StreamExt};

    fn stream_of(chunks: Vec<Result<Vec<u8>, Error>>) -> MessageStream {
        MessageStream::new(
            ResponseMeta {
                status: 200,
                request_id: Some("req_t".into()),
                ..Default::default()
            },
            stream::iter(chunks),
        )
    }

    async fn run(chunks: Vec<Result<Vec<u8>, Error>>) -> Vec<Result<StreamEvent, Error>> {
        stream_of(chunks).collect().await
    }

    /// `body` cut into pieces of `n` bytes (so lines and UTF-8 characters are split).
    fn pieces(body: &str, n: usize) -> Vec<Result<Vec<u8>, Error>> {
        body.as_bytes().chunks(n).map(|c| Ok(c.to_vec())).collect()
    }

    const START: &str = r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-haiku-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}"#;

    fn text_of(events: &[Result<StreamEvent, Error>]) -> String {
        events
            .iter()
            .filter_map(|e| match e {
                Ok(StreamEvent::ContentBlockDelta {
                    delta: Delta::TextDelta { text },
                    ..
                }) => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn decode_event_table() {
        let ev = |name: &str, data: &str| Event {
            event: name.into(),
            data: data.into(),
            ..Default::default()
        };
        let cases: Vec<(Event, Result<Option<StreamEvent>, ()>)> = vec![
            (
                ev("ping", r#"{"type": "ping"}"#),
                Ok(Some(StreamEvent::Ping)),
            ),
            // No `event:` line: the JSON type decides.
            (
                ev("message", r#"{"type":"message_stop"}"#),
                Ok(Some(StreamEvent::MessageStop)),
            ),
            // Trailing spaces and newlines after the JSON.
            (
                ev("message_stop", "{\"type\":\"message_stop\"}   \n "),
                Ok(Some(StreamEvent::MessageStop)),
            ),
            // A missing JSON type is taken from the event name.
            (
                ev("content_block_stop", r#"{"index":2}"#),
                Ok(Some(StreamEvent::ContentBlockStop { index: 2 })),
            ),
            (ev("message_stop", ""), Ok(None)),
            (ev("message_stop", "  "), Ok(None)),
            (ev("future_event", "not even json"), Ok(None)),
            (ev("message", r#"{"type":"future_event","x":1}"#), Ok(None)),
            (
                ev(
                    "content_block_start",
                    r#"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#,
                ),
                Ok(Some(StreamEvent::ContentBlockStart {
                    index: 0,
                    content_block: ContentBlock::Other,
                })),
            ),
            (ev("message_start", "{\"type\":\"message_start\""), Err(())),
            (ev("message", "[1,2]"), Err(())),
            (ev("message_delta", r#"{"type":"message_delta"}"#), Err(())),
        ];
        for (event, want) in cases {
            let got = decode_event(&event);
            match (&got, &want) {
                (Ok(g), Ok(w)) => assert_eq!(g, w, "{event:?}"),
                (Err(Error::Decode(_)), Err(())) => {}
                _ => panic!("{event:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[tokio::test]
    async fn every_split_of_a_crlf_body_with_multibyte_text_gives_the_same_events() {
        let body = format!(
            "event: message_start\r\ndata: {START}\r\n\r\n\
             event: content_block_start\r\ndata: {{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{{\"type\":\"text\",\"text\":\"\"}}}}\r\n\r\n\
             event: content_block_delta\r\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"Grüße 👋 日本\"}}}}\r\n\r\n\
             event: message_stop\r\ndata: {{\"type\":\"message_stop\"}}\r\n\r\n"
        );
        for n in 1..=9 {
            let events = run(pieces(&body, n)).await;
            assert_eq!(events.len(), 4, "split {n}: {events:?}");
            assert_eq!(text_of(&events), "Grüße 👋 日本", "split {n}");
            assert!(events.iter().all(Result::is_ok), "split {n}: {events:?}");
        }
    }

    #[tokio::test]
    async fn lone_cr_and_multi_line_data() {
        let body = "event: ping\rdata: {\"type\":\rdata: \"ping\"}\r\r: a comment\rdata: {\"type\":\"message_stop\"}\r\r";
        let events = run(pieces(body, 3)).await;
        let events: Vec<_> = events.into_iter().map(Result::unwrap).collect();
        assert_eq!(events, [StreamEvent::Ping, StreamEvent::MessageStop]);
    }

    #[tokio::test]
    async fn a_final_lone_cr_completes_the_last_line_only() {
        // Ends in CR CR: the blank line is complete, so message_stop counts.
        let events = run(pieces("data: {\"type\":\"message_stop\"}\r\r", 4)).await;
        assert!(
            matches!(events.as_slice(), [Ok(StreamEvent::MessageStop)]),
            "{events:?}"
        );
        // Ends in one CR: the event never got its blank line, so the body was cut.
        let events = run(pieces("data: {\"type\":\"message_stop\"}\r", 4)).await;
        assert!(
            matches!(events.as_slice(), [Err(Error::Transport(_))]),
            "{events:?}"
        );
    }

    #[tokio::test]
    async fn byte_order_marks_are_dropped_even_when_split() {
        let body = "\u{feff}\u{feff}data: {\"type\":\"message_stop\"}\n\n";
        for n in 1..=7 {
            let events = run(pieces(body, n)).await;
            assert!(
                matches!(events.as_slice(), [Ok(StreamEvent::MessageStop)]),
                "{n}: {events:?}"
            );
        }
        // Half a BOM and then nothing.
        let events = run(vec![Ok(vec![0xef, 0xbb])]).await;
        assert!(
            matches!(events.as_slice(), [Err(Error::Decode(_))]),
            "{events:?}"
        );
    }

    #[tokio::test]
    async fn nothing_is_read_after_message_stop() {
        let body = "data: {\"type\":\"message_stop\"}\n\ndata: {\"type\":\"ping\"}\n\n";
        let events = run(vec![Ok(body.into()), Err(Error::Transport("late".into()))]).await;
        assert_eq!(events.len(), 1);
        assert!(matches!(events[0], Ok(StreamEvent::MessageStop)));
    }

    #[tokio::test]
    async fn an_end_before_message_stop_is_a_transport_error() {
        for body in [
            "",
            "data: {\"type\":\"ping\"}\n\n",
            "data: {\"type\":\"message_st",
        ] {
            let events = run(vec![Ok(body.into())]).await;
            assert!(
                matches!(events.last(), Some(Err(Error::Transport(_)))),
                "{body:?}: {events:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_broken_body_is_the_last_item() {
        let mut s = stream_of(vec![
            Ok(b"data: {\"type\":\"ping\"}\n\n".to_vec()),
            Err(Error::Transport("reset".into())),
            Ok(b"data: {\"type\":\"message_stop\"}\n\n".to_vec()),
        ]);
        assert!(matches!(s.next().await, Some(Ok(StreamEvent::Ping))));
        assert!(matches!(s.next().await, Some(Err(Error::Transport(m))) if m == "reset"));
        assert!(s.next().await.is_none());
        assert!(s.next().await.is_none());
    }

    #[tokio::test]
    async fn an_error_event_ends_the_stream_with_the_request_id() {
        let body = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\ndata: {\"type\":\"message_stop\"}\n\n";
        let events = run(vec![Ok(body.into())]).await;
        match events.as_slice() {
            [Err(Error::Stream {
                kind,
                message,
                request_id,
            })] => {
                assert_eq!(*kind, ApiErrorKind::Overloaded);
                assert_eq!(message, "Overloaded");
                assert_eq!(request_id.as_deref(), Some("req_t"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn invalid_utf8_is_a_decode_error() {
        let events = run(vec![Ok(b"data: {\"type\":\"ping\"}\xff\xfe\n\n".to_vec())]).await;
        assert!(
            matches!(events.last(), Some(Err(Error::Decode(_)))),
            "{events:?}"
        );
    }

    #[test]
    fn message_stream_is_send_and_unpin() {
        fn check<T: Send + Unpin + Stream<Item = Result<StreamEvent, Error>>>() {}
        check::<MessageStream>();
    }
}
