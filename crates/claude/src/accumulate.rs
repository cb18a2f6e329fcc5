//! Folding stream events into the final [`Message`].

use futures_util::StreamExt;
use serde_json::Value;

use crate::error::{ApiErrorKind, Error};
use crate::stream::MessageStream;
use crate::types::{ContentBlock, Delta, Message, StreamEvent};

/// Builds the final [`Message`] from stream events, as they arrive.
///
/// `message_start` gives the id, model and usage; text deltas are appended; a tool call's
/// `input_json_delta` pieces are concatenated and parsed only at its `content_block_stop`
/// (nothing => `{}`); `message_delta` sets the stop reason and *replaces* the usage counts it
/// carries (they are running totals). `ping` and unknown events change nothing.
#[derive(Debug, Default)]
pub struct MessageAccumulator {
    message: Option<Message>,
    /// Per content index, the tool-call JSON received so far (until its `content_block_stop`).
    pending_json: Vec<Option<String>>,
    stopped: bool,
}

impl MessageAccumulator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one event in. An `error` event gives [`Error::Stream`] (without a request id:
    /// the stream's own error carries it); events out of protocol order give [`Error::Decode`].
    pub fn push(&mut self, event: &StreamEvent) -> Result<(), Error> {
        match event {
            StreamEvent::MessageStart { message } => {
                if self.message.is_some() {
                    return Err(decode("a second message_start"));
                }
                self.pending_json = vec![None; message.content.len()];
                self.message = Some(message.clone());
            }
            StreamEvent::ContentBlockStart {
                index,
                content_block,
            } => {
                let message = started(&mut self.message, "content_block_start")?;
                if *index != message.content.len() {
                    return Err(decode(&format!(
                        "content_block_start for index {index}, expected {}",
                        message.content.len()
                    )));
                }
                message.content.push(content_block.clone());
                self.pending_json.push(None);
            }
            StreamEvent::ContentBlockDelta { index, delta } => {
                let index = *index;
                let message = started(&mut self.message, "content_block_delta")?;
                let block = message
                    .content
                    .get_mut(index)
                    .ok_or_else(|| decode(&format!("delta for unknown block {index}")))?;
                match (block, delta) {
                    (ContentBlock::Text { text }, Delta::TextDelta { text: more }) => {
                        text.push_str(more);
                    }
                    (ContentBlock::ToolUse { .. }, Delta::InputJsonDelta { partial_json }) => {
                        if let Some(pending) = self.pending_json.get_mut(index) {
                            pending
                                .get_or_insert_with(String::new)
                                .push_str(partial_json);
                        }
                    }
                    // Thinking, signatures, citations…: not part of what we keep.
                    (_, Delta::Other) | (ContentBlock::Other, _) => {}
                    (_, _) => {
                        return Err(decode(&format!("a delta that does not fit block {index}")))
                    }
                }
            }
            StreamEvent::ContentBlockStop { index } => {
                let index = *index;
                let pending = self.pending_json.get_mut(index).and_then(Option::take);
                let message = started(&mut self.message, "content_block_stop")?;
                let block = message
                    .content
                    .get_mut(index)
                    .ok_or_else(|| decode(&format!("stop for unknown block {index}")))?;
                if let (ContentBlock::ToolUse { input, name, .. }, Some(json)) = (block, pending) {
                    *input = parse_tool_input(&json).map_err(|e| {
                        decode(&format!("tool `{name}` input is not valid JSON: {e}"))
                    })?;
                }
            }
            StreamEvent::MessageDelta { delta, usage } => {
                let message = started(&mut self.message, "message_delta")?;
                message.stop_reason = delta.stop_reason.clone();
                message.stop_sequence = delta.stop_sequence.clone();
                let u = &mut message.usage;
                u.output_tokens = usage.output_tokens;
                if let Some(n) = usage.input_tokens {
                    u.input_tokens = n;
                }
                if let Some(n) = usage.cache_creation_input_tokens {
                    u.cache_creation_input_tokens = n;
                }
                if let Some(n) = usage.cache_read_input_tokens {
                    u.cache_read_input_tokens = n;
                }
            }
            StreamEvent::MessageStop => {
                started(&mut self.message, "message_stop")?;
                self.stopped = true;
            }
            StreamEvent::Error { error } => {
                return Err(Error::Stream {
                    kind: ApiErrorKind::from_type(&error.kind),
                    message: error.message.clone(),
                    request_id: None,
                })
            }
            StreamEvent::Ping | StreamEvent::Other => {}
        }
        Ok(())
    }

    /// The message so far (`None` before `message_start`). A tool call's input is only
    /// filled in at its `content_block_stop`.
    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }

    /// The text so far, all text blocks joined.
    pub fn text(&self) -> String {
        self.message.as_ref().map(Message::text).unwrap_or_default()
    }

    /// The complete message; [`Error::Decode`] when `message_start` or `message_stop` never
    /// came, or a tool call's JSON never reached its `content_block_stop`.
    pub fn finish(self) -> Result<Message, Error> {
        let message = self
            .message
            .ok_or_else(|| decode("the stream had no message_start"))?;
        if !self.stopped {
            return Err(decode("the stream had no message_stop"));
        }
        if let Some(index) = self.pending_json.iter().position(Option::is_some) {
            return Err(decode(&format!("tool call {index} was never stopped")));
        }
        Ok(message)
    }
}

/// The message being built, or why the event came too early.
fn started<'a>(message: &'a mut Option<Message>, what: &str) -> Result<&'a mut Message, Error> {
    message
        .as_mut()
        .ok_or_else(|| decode(&format!("{what} before message_start")))
}

fn decode(what: &str) -> Error {
    Error::Decode(format!("stream: {what}"))
}

/// A tool call's concatenated JSON; nothing (the API sends `""` first) means `{}`.
fn parse_tool_input(json: &str) -> Result<Value, serde_json::Error> {
    if json.trim().is_empty() {
        Ok(Value::Object(Default::default()))
    } else {
        serde_json::from_str(json)
    }
}

/// Reads a stream to its end and returns the final message; the first error ends it.
pub async fn collect(mut stream: MessageStream) -> Result<Message, Error> {
    let mut acc = MessageAccumulator::new();
    while let Some(event) = stream.next().await {
        acc.push(&event?)?;
    }
    acc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{DeltaUsage, ErrorBody, MessageDeltaBody, Role, StopReason, Usage};
    use serde_json::json;

    fn start() -> StreamEvent {
        StreamEvent::MessageStart {
            message: Message {
                id: "msg_1".into(),
                kind: "message".into(),
                role: Role::Assistant,
                content: vec![],
                model: "claude-haiku-4-5".into(),
                stop_reason: None,
                stop_sequence: None,
                usage: Usage {
                    input_tokens: 10,
                    output_tokens: 1,
                    cache_read_input_tokens: 5,
                    ..Default::default()
                },
            },
        }
    }

    fn text_start(index: usize) -> StreamEvent {
        StreamEvent::ContentBlockStart {
            index,
            content_block: ContentBlock::Text {
                text: String::new(),
            },
        }
    }

    fn tool_start(index: usize) -> StreamEvent {
        StreamEvent::ContentBlockStart {
            index,
            content_block: ContentBlock::ToolUse {
                id: "toolu_1".into(),
                name: "score".into(),
                input: json!({}),
            },
        }
    }

    fn text(index: usize, t: &str) -> StreamEvent {
        StreamEvent::ContentBlockDelta {
            index,
            delta: Delta::TextDelta { text: t.into() },
        }
    }

    fn json_piece(index: usize, j: &str) -> StreamEvent {
        StreamEvent::ContentBlockDelta {
            index,
            delta: Delta::InputJsonDelta {
                partial_json: j.into(),
            },
        }
    }

    fn stop(index: usize) -> StreamEvent {
        StreamEvent::ContentBlockStop { index }
    }

    fn delta(reason: StopReason, usage: DeltaUsage) -> StreamEvent {
        StreamEvent::MessageDelta {
            delta: MessageDeltaBody {
                stop_reason: Some(reason),
                stop_sequence: None,
            },
            usage,
        }
    }

    fn fold(events: &[StreamEvent]) -> Result<Message, Error> {
        let mut acc = MessageAccumulator::new();
        for e in events {
            acc.push(e)?;
        }
        acc.finish()
    }

    #[test]
    fn text_and_tool_use_fold_into_the_final_message() {
        let m = fold(&[
            start(),
            StreamEvent::Ping,
            text_start(0),
            text(0, "Hel"),
            text(0, "lo"),
            stop(0),
            tool_start(1),
            json_piece(1, ""),
            json_piece(1, "{\"score\": "),
            json_piece(1, "87, \"why\": \"fit\"}"),
            stop(1),
            delta(
                StopReason::ToolUse,
                DeltaUsage {
                    output_tokens: 30,
                    ..Default::default()
                },
            ),
            delta(
                StopReason::ToolUse,
                DeltaUsage {
                    output_tokens: 65,
                    ..Default::default()
                },
            ),
            StreamEvent::Other,
            StreamEvent::MessageStop,
        ])
        .unwrap();
        assert_eq!(m.text(), "Hello");
        assert_eq!(
            m.tool_input("score"),
            Some(&json!({"score": 87, "why": "fit"}))
        );
        assert_eq!(m.stop_reason, Some(StopReason::ToolUse));
        // Replaced, never added: 65, not 1 + 30 + 65.
        assert_eq!(m.usage.output_tokens, 65);
        assert_eq!(m.usage.input_tokens, 10);
        assert_eq!(m.usage.cache_read_input_tokens, 5);
    }

    #[test]
    fn message_delta_replaces_input_counts_when_present() {
        let m = fold(&[
            start(),
            delta(
                StopReason::EndTurn,
                DeltaUsage {
                    output_tokens: 7,
                    input_tokens: Some(12),
                    cache_creation_input_tokens: Some(3),
                    cache_read_input_tokens: Some(0),
                },
            ),
            StreamEvent::MessageStop,
        ])
        .unwrap();
        assert_eq!(
            (
                m.usage.input_tokens,
                m.usage.output_tokens,
                m.usage.cache_creation_input_tokens,
                m.usage.cache_read_input_tokens
            ),
            (12, 7, 3, 0)
        );
    }

    #[test]
    fn tool_input_table() {
        let cases: &[(&[&str], Result<Value, ()>)] = &[
            (&[], Ok(json!({}))),
            (&[""], Ok(json!({}))),
            (&["", " "], Ok(json!({}))),
            (&["{\"a\":", "[1,", "2]}"], Ok(json!({"a": [1, 2]}))),
            (&["{\"a\": \"caf", "é\"}"], Ok(json!({"a": "café"}))),
            (&["{\"a\":"], Err(())),
            (&["{\"a\":1}", "{\"b\":2}"], Err(())),
        ];
        for (pieces, want) in cases {
            let mut events = vec![start(), tool_start(0)];
            events.extend(pieces.iter().map(|p| json_piece(0, p)));
            events.extend([stop(0), StreamEvent::MessageStop]);
            match (fold(&events), want) {
                (Ok(m), Ok(w)) => assert_eq!(m.tool_input("score"), Some(w), "{pieces:?}"),
                (Err(Error::Decode(_)), Err(())) => {}
                (got, _) => panic!("{pieces:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn partial_message_is_visible_and_tool_input_waits_for_stop() {
        let mut acc = MessageAccumulator::new();
        assert!(acc.message().is_none());
        assert_eq!(acc.text(), "");
        for e in [start(), text_start(0), text(0, "Hi "), text(0, "there")] {
            acc.push(&e).unwrap();
        }
        assert_eq!(acc.text(), "Hi there");
        for e in [stop(0), tool_start(1), json_piece(1, "{\"score\":1}")] {
            acc.push(&e).unwrap();
        }
        assert_eq!(acc.message().unwrap().tool_input("score"), Some(&json!({})));
        acc.push(&stop(1)).unwrap();
        assert_eq!(
            acc.message().unwrap().tool_input("score"),
            Some(&json!({"score": 1}))
        );
    }

    #[test]
    fn protocol_violations_are_decode_errors() {
        let cases: Vec<(&str, Vec<StreamEvent>)> = vec![
            ("nothing", vec![]),
            ("no message_start", vec![text_start(0)]),
            (
                "no message_stop",
                vec![start(), text_start(0), text(0, "x")],
            ),
            ("stop only", vec![StreamEvent::MessageStop]),
            ("two starts", vec![start(), start()]),
            ("index gap", vec![start(), text_start(1)]),
            ("unknown block", vec![start(), text(0, "x")]),
            (
                "wrong delta",
                vec![start(), text_start(0), json_piece(0, "{}")],
            ),
            (
                "tool never stopped",
                vec![
                    start(),
                    tool_start(0),
                    json_piece(0, "{}"),
                    StreamEvent::MessageStop,
                ],
            ),
        ];
        for (name, events) in cases {
            assert!(matches!(fold(&events), Err(Error::Decode(_))), "{name}");
        }
    }

    #[test]
    fn an_error_event_is_a_stream_error() {
        let mut acc = MessageAccumulator::new();
        acc.push(&start()).unwrap();
        let e = acc
            .push(&StreamEvent::Error {
                error: ErrorBody {
                    kind: "overloaded_error".into(),
                    message: "Overloaded".into(),
                    details: None,
                },
            })
            .unwrap_err();
        assert!(matches!(
            e,
            Error::Stream {
                kind: ApiErrorKind::Overloaded,
                ..
            }
        ));
    }

    #[test]
    fn unknown_blocks_and_deltas_are_carried_through() {
        let m = fold(&[
            start(),
            StreamEvent::ContentBlockStart {
                index: 0,
                content_block: ContentBlock::Other,
            },
            StreamEvent::ContentBlockDelta {
                index: 0,
                delta: Delta::Other,
            },
            stop(0),
            text_start(1),
            text(1, "ok"),
            StreamEvent::ContentBlockDelta {
                index: 1,
                delta: Delta::Other,
            },
            stop(1),
            StreamEvent::MessageStop,
        ])
        .unwrap();
        assert_eq!(m.content.len(), 2);
        assert_eq!(m.text(), "ok");
    }
}
