//! Token estimates and simulated prompt caching.
//!
//! A request's prompt is read as a list of blocks in Anthropic's prefix order: each tool,
//! then the system prompt (a string or its blocks), then every message's content blocks.
//! Tokens are estimated as `ceil(chars / 4)` of the text (an image or PDF counts as 1600
//! tokens). A block carrying `cache_control` is a breakpoint: the prefix up to and
//! including it is hashed (with the model) and, when it has at least the minimum number
//! of tokens, written to the cache the first time and read from it afterwards, until its
//! TTL (5 minutes or 1 hour; a hit refreshes it) runs out.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Map, Value};

/// Characters counted for an image or a document: 1600 tokens.
const MEDIA_CHARS: usize = 1600 * 4;

/// `ceil(chars / 4)`.
pub(crate) fn tokens_for_chars(chars: usize) -> u64 {
    chars.div_ceil(4) as u64
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Ttl {
    FiveMinutes,
    OneHour,
}

impl Ttl {
    fn duration(self) -> Duration {
        match self {
            Ttl::FiveMinutes => Duration::from_secs(5 * 60),
            Ttl::OneHour => Duration::from_secs(60 * 60),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Breakpoint {
    prefix_chars: usize,
    prefix_hash: u64,
    ttl: Ttl,
}

/// The prompt of one request, as the cache sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prompt {
    total_chars: usize,
    breakpoints: Vec<Breakpoint>,
}

/// The three disjoint input counts of one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct InputUsage {
    pub(crate) input_tokens: u64,
    pub(crate) cache_creation_input_tokens: u64,
    pub(crate) cache_read_input_tokens: u64,
    pub(crate) ephemeral_5m_input_tokens: u64,
    pub(crate) ephemeral_1h_input_tokens: u64,
}

impl Prompt {
    /// Read the prompt of a `/v1/messages` (or count_tokens) body whose `messages` has
    /// already been checked to be an array. `Err` is the message of a 400.
    pub(crate) fn read(body: &Map<String, Value>, model: &str) -> Result<Prompt, String> {
        let mut walker = Walker {
            total_chars: 0,
            hash: fnv1a(FNV_OFFSET, model.as_bytes()),
            breakpoints: Vec::new(),
            marked: 0,
        };
        if let Some(Value::Array(tools)) = body.get("tools") {
            for tool in tools {
                walker.block(tool, tool_chars(tool))?;
            }
        }
        match body.get("system") {
            Some(Value::String(text)) => {
                walker.block(&Value::String(text.clone()), text.chars().count())?
            }
            Some(Value::Array(blocks)) => {
                for block in blocks {
                    walker.block(block, block_chars(block))?;
                }
            }
            _ => {}
        }
        if let Some(Value::Array(messages)) = body.get("messages") {
            for message in messages {
                match message.get("content") {
                    Some(Value::String(text)) => {
                        walker.block(&Value::String(text.clone()), text.chars().count())?
                    }
                    Some(Value::Array(blocks)) => {
                        for block in blocks {
                            walker.block(block, block_chars(block))?;
                        }
                    }
                    _ => {}
                }
            }
        }
        if walker.marked > 4 {
            return Err(format!(
                "A maximum of 4 blocks with cache_control may be provided. Found {}.",
                walker.marked
            ));
        }
        let mut seen_5m = false;
        for bp in &walker.breakpoints {
            match bp.ttl {
                Ttl::FiveMinutes => seen_5m = true,
                Ttl::OneHour if seen_5m => {
                    return Err(
                        "A ttl='1h' cache_control block must not come after a ttl='5m' \
                                cache_control block. Note that blocks are processed in the \
                                following order: `tools`, `system`, `messages`."
                            .to_string(),
                    )
                }
                Ttl::OneHour => {}
            }
        }
        Ok(Prompt {
            total_chars: walker.total_chars,
            breakpoints: walker.breakpoints,
        })
    }

    /// All input tokens, cached or not.
    pub(crate) fn total_tokens(&self) -> u64 {
        tokens_for_chars(self.total_chars)
    }
}

struct Walker {
    total_chars: usize,
    hash: u64,
    breakpoints: Vec<Breakpoint>,
    /// Blocks carrying `cache_control` (nested ones in a tool_result count too).
    marked: usize,
}

impl Walker {
    fn block(&mut self, block: &Value, chars: usize) -> Result<(), String> {
        self.total_chars += chars;
        self.hash = fnv1a(self.hash, &content_hash(block).to_le_bytes());
        let mut ttl = None;
        // `"cache_control": null` means no breakpoint.
        if let Some(cc) = block.get("cache_control").filter(|v| !v.is_null()) {
            self.marked += 1;
            ttl = Some(parse_cache_control(cc)?);
        }
        if let Some(Value::Array(inner)) = block.get("content") {
            for b in inner {
                if let Some(cc) = b.get("cache_control").filter(|v| !v.is_null()) {
                    self.marked += 1;
                    ttl = Some(parse_cache_control(cc)?);
                }
            }
        }
        if let Some(ttl) = ttl {
            self.breakpoints.push(Breakpoint {
                prefix_chars: self.total_chars,
                prefix_hash: self.hash,
                ttl,
            });
        }
        Ok(())
    }
}

fn parse_cache_control(cc: &Value) -> Result<Ttl, String> {
    if cc.get("type").and_then(Value::as_str) != Some("ephemeral") {
        return Err("cache_control.type: Input should be 'ephemeral'".to_string());
    }
    match cc.get("ttl") {
        None | Some(Value::Null) => Ok(Ttl::FiveMinutes),
        Some(Value::String(s)) if s == "5m" => Ok(Ttl::FiveMinutes),
        Some(Value::String(s)) if s == "1h" => Ok(Ttl::OneHour),
        Some(_) => Err("cache_control.ttl: Input should be '5m' or '1h'".to_string()),
    }
}

fn tool_chars(tool: &Value) -> usize {
    let s = |k: &str| {
        tool.get(k)
            .and_then(Value::as_str)
            .map_or(0, |v| v.chars().count())
    };
    let schema = tool
        .get("input_schema")
        .map_or(0, |v| v.to_string().chars().count());
    s("name") + s("description") + schema + s("type")
}

/// Characters counted for one content block (text, tool use, tool result, media ...).
pub(crate) fn block_chars(block: &Value) -> usize {
    let text = |k: &str| {
        block
            .get(k)
            .and_then(Value::as_str)
            .map_or(0, |v| v.chars().count())
    };
    match block {
        Value::String(s) => s.chars().count(),
        Value::Object(_) => match block.get("type").and_then(Value::as_str) {
            Some("text") => text("text"),
            Some("tool_use") | Some("server_tool_use") => {
                text("name")
                    + block
                        .get("input")
                        .map_or(0, |v| v.to_string().chars().count())
            }
            Some("tool_result") => match block.get("content") {
                Some(Value::String(s)) => s.chars().count(),
                Some(Value::Array(inner)) => inner.iter().map(block_chars).sum(),
                _ => 0,
            },
            Some("image") | Some("document") => MEDIA_CHARS,
            Some("thinking") => text("thinking"),
            Some("redacted_thinking") => text("data"),
            _ => without_cache_control(block).to_string().chars().count(),
        },
        other => other.to_string().chars().count(),
    }
}

fn without_cache_control(block: &Value) -> Value {
    match block {
        Value::Object(map) => {
            let mut map = map.clone();
            map.remove("cache_control");
            if let Some(Value::Array(inner)) = map.get_mut("content") {
                for b in inner.iter_mut() {
                    if let Value::Object(m) = b {
                        m.remove("cache_control");
                    }
                }
            }
            Value::Object(map)
        }
        other => other.clone(),
    }
}

/// A block's identity for the cache: its canonical JSON without the markers (so moving a
/// breakpoint does not change what an earlier prefix hashes to).
fn content_hash(block: &Value) -> u64 {
    fnv1a(
        FNV_OFFSET,
        without_cache_control(block).to_string().as_bytes(),
    )
}

pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, 64 bit: stable across runs and platforms (the std hasher is not).
pub(crate) fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Prefix hash -> when the entry expires (on the server's cache clock).
#[derive(Debug, Default)]
pub(crate) struct PromptCache {
    entries: HashMap<u64, Duration>,
}

impl PromptCache {
    /// Serve one request's prompt: read the longest live cached prefix, write the longer
    /// eligible prefixes, and split the input tokens into the three disjoint counts.
    pub(crate) fn apply(&mut self, prompt: &Prompt, now: Duration, min_tokens: u64) -> InputUsage {
        if self.entries.len() > 10_000 {
            self.entries.retain(|_, expires| *expires > now);
        }
        let eligible = |bp: &Breakpoint| tokens_for_chars(bp.prefix_chars) >= min_tokens;
        let mut covered = 0;
        let mut read = 0;
        let mut first_unread = 0;
        for (i, bp) in prompt.breakpoints.iter().enumerate().rev() {
            if !eligible(bp) {
                continue;
            }
            if let Some(expires) = self.entries.get_mut(&bp.prefix_hash) {
                if *expires > now {
                    read = tokens_for_chars(bp.prefix_chars);
                    covered = read;
                    *expires = (*expires).max(now + bp.ttl.duration());
                    first_unread = i + 1;
                    break;
                }
            }
        }
        let mut usage = InputUsage {
            cache_read_input_tokens: read,
            ..InputUsage::default()
        };
        for bp in prompt.breakpoints.iter().skip(first_unread) {
            if !eligible(bp) {
                continue;
            }
            let end = tokens_for_chars(bp.prefix_chars);
            let added = end.saturating_sub(covered);
            match bp.ttl {
                Ttl::FiveMinutes => usage.ephemeral_5m_input_tokens += added,
                Ttl::OneHour => usage.ephemeral_1h_input_tokens += added,
            }
            covered = covered.max(end);
            self.entries.insert(bp.prefix_hash, now + bp.ttl.duration());
        }
        usage.cache_creation_input_tokens =
            usage.ephemeral_5m_input_tokens + usage.ephemeral_1h_input_tokens;
        usage.input_tokens = prompt.total_tokens().saturating_sub(covered);
        usage
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    fn long(n: usize) -> String {
        "abcd".repeat(n)
    }

    #[test]
    fn tokens_are_ceil_chars_over_four() {
        let b = body(json!({"system": "abcde", "messages": [{"role": "user", "content": "abc"}]}));
        let p = Prompt::read(&b, "claude-haiku-4-5").unwrap();
        assert_eq!(p.total_tokens(), 2); // 8 chars
    }

    #[test]
    fn counts_are_disjoint_and_ttls_split() {
        let b = body(json!({
            "system": [
                {"type": "text", "text": long(1100), "cache_control": {"type": "ephemeral", "ttl": "1h"}},
                {"type": "text", "text": long(200), "cache_control": {"type": "ephemeral"}}
            ],
            "messages": [{"role": "user", "content": "hello there"}]
        }));
        let p = Prompt::read(&b, "claude-haiku-4-5").unwrap();
        let mut cache = PromptCache::default();
        let first = cache.apply(&p, Duration::ZERO, 1024);
        assert_eq!(first.ephemeral_1h_input_tokens, 1100);
        assert_eq!(first.ephemeral_5m_input_tokens, 200);
        assert_eq!(first.cache_read_input_tokens, 0);
        assert_eq!(first.input_tokens, 3);
        let second = cache.apply(&p, Duration::from_secs(60), 1024);
        assert_eq!(second.cache_read_input_tokens, 1300);
        assert_eq!(second.cache_creation_input_tokens, 0);
        assert_eq!(second.input_tokens, 3);
        // After 5 minutes the 5m entry is gone, the 1h one is read, the tail rewritten.
        let third = cache.apply(&p, Duration::from_secs(60 + 301), 1024);
        assert_eq!(third.cache_read_input_tokens, 1100);
        assert_eq!(third.ephemeral_5m_input_tokens, 200);
    }

    #[test]
    fn short_prefixes_are_not_cached() {
        let b = body(json!({
            "system": [{"type": "text", "text": "short", "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": "hi"}]
        }));
        let p = Prompt::read(&b, "claude-haiku-4-5").unwrap();
        let mut cache = PromptCache::default();
        for _ in 0..2 {
            let u = cache.apply(&p, Duration::ZERO, 1024);
            assert_eq!(
                (u.cache_creation_input_tokens, u.cache_read_input_tokens),
                (0, 0)
            );
            assert_eq!(u.input_tokens, p.total_tokens());
        }
    }

    #[test]
    fn one_hour_after_five_minutes_is_rejected() {
        let b = body(json!({
            "system": [
                {"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": "b", "cache_control": {"type": "ephemeral", "ttl": "1h"}}
            ],
            "messages": []
        }));
        let err = Prompt::read(&b, "m").unwrap_err();
        assert!(err.contains("ttl='1h'"), "{err}");
    }
}
