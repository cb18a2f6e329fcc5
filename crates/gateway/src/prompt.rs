//! From an [`AiRequest`] to the exact `MessagesRequest` sent: model routing, sampling
//! parameters the model refuses stripped, output cap, prompt-cache breakpoints, the
//! response-cache key and the local token estimate.
//!
//! ## Prompt-cache breakpoints (at most 4; the API answers 400 to a fifth)
//! The prefix order is tools → system → messages, and `context` is sent as system blocks
//! after the instructions. The gateway owns the breakpoints it places; any `cache_control`
//! the caller put on tools or system/context blocks is removed first.
//! 1. tools: one breakpoint on the last tool;
//! 2. context: every context block is a breakpoint while they fit. When there are more
//!    context blocks than breakpoints left (`k`), the blocks are split into `k` groups of
//!    consecutive blocks, as even as possible, and the last block of each group is marked;
//!    the last group always ends on the last context block, so the whole stable prefix is
//!    cached and the earlier marks let a request whose later (less stable) context changed
//!    reuse the earlier part;
//! 3. instructions: the last system block is marked when there is no context, or when a
//!    breakpoint is left over after the context;
//! 4. messages: breakpoints the caller placed in messages are kept, newest first, while any
//!    are left; the others are removed. Their TTL is lowered to the request's when it is
//!    longer (1-hour entries must come before 5-minute ones).

use std::fmt::Write as _;
use std::time::Duration;

use closer_claude::{CacheControl, CacheTtl, InputBlock, MessagesRequest};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::models::ModelTable;
use crate::{AiRequest, Feature};

/// The API's limit on `cache_control` blocks in one request.
pub const MAX_BREAKPOINTS: usize = 4;

/// Why a request goes where it goes; recorded with its ledger row.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingDecision {
    pub feature: Feature,
    /// `haiku` or `sonnet` (the tier in `models.toml`).
    pub tier: String,
    pub model: String,
    /// E.g. "deal_analysis → sonnet tier: long-context reasoning".
    pub reason: String,
    pub max_tokens: u32,
    /// temperature / top_p / top_k were removed because the model takes only the defaults.
    pub stripped_sampling: bool,
    /// How long the answer is served from the response cache.
    pub cache_ttl: Duration,
    pub prompt_cache_ttl: CacheTtl,
    /// `cache_control` blocks in the request (never more than [`MAX_BREAKPOINTS`]).
    pub breakpoints: usize,
    /// Hex SHA-256 of the canonical request (see [`cache_key`]).
    pub cache_key: String,
    /// chars / 4 over the JSON sent, computed locally before the call.
    pub est_input_tokens: u64,
}

pub fn build(req: &AiRequest, table: &ModelTable) -> (MessagesRequest, RoutingDecision) {
    let policy = table.feature(req.feature);
    let model = table.model(&policy.model);
    let sampling_ok = model.is_none_or(|m| m.sampling_params);
    let max_tokens = if req.max_tokens == 0 {
        policy.max_output_tokens
    } else {
        req.max_tokens.min(policy.max_output_tokens)
    };
    let stripped_sampling = !sampling_ok && req.temperature.is_some();

    let mut system = req.system.clone();
    let n_instructions = system.len();
    system.extend(req.context.iter().cloned());

    let mut out = MessagesRequest {
        model: policy.model.clone(),
        max_tokens,
        system,
        messages: req.messages.clone(),
        tools: req.tools.clone(),
        tool_choice: req.tool_choice.clone(),
        temperature: if sampling_ok { req.temperature } else { None },
        top_p: None,
        top_k: None,
        ..MessagesRequest::default()
    };
    let key = cache_key(&out);
    let cc = CacheControl {
        ttl: match policy.prompt_cache_ttl {
            CacheTtl::OneHour => Some(CacheTtl::OneHour),
            CacheTtl::FiveMinutes => None,
        },
    };
    let breakpoints = place_breakpoints(&mut out, n_instructions, cc);
    let est_input_tokens = estimate_tokens(&out);

    let mut reason = format!(
        "{} → {} tier: {}",
        req.feature.as_str(),
        policy.tier,
        policy.reason
    );
    if stripped_sampling {
        reason.push_str("; temperature dropped (the model takes only the default)");
    }
    let decision = RoutingDecision {
        feature: req.feature,
        tier: policy.tier.clone(),
        model: policy.model.clone(),
        reason,
        max_tokens,
        stripped_sampling,
        cache_ttl: policy.cache_ttl,
        prompt_cache_ttl: policy.prompt_cache_ttl,
        breakpoints,
        cache_key: key,
        est_input_tokens,
    };
    (out, decision)
}

/// Places the breakpoints as the module doc says; returns how many the request carries.
fn place_breakpoints(req: &mut MessagesRequest, n_instructions: usize, cc: CacheControl) -> usize {
    for t in &mut req.tools {
        t.cache_control = None;
    }
    for b in &mut req.system {
        b.cache_control = None;
    }
    let mut left = MAX_BREAKPOINTS;
    if let Some(last) = req.tools.last_mut() {
        last.cache_control = Some(cc);
        left -= 1;
    }
    let n_instructions = n_instructions.min(req.system.len());
    let n_context = req.system.len() - n_instructions;
    let mark_instructions = n_instructions > 0 && (n_context == 0 || n_context < left);
    if mark_instructions {
        req.system[n_instructions - 1].cache_control = Some(cc);
        left -= 1;
    }
    let groups = n_context.min(left);
    for g in 1..=groups {
        let end = (g * n_context).div_ceil(groups);
        req.system[n_instructions + end - 1].cache_control = Some(cc);
    }
    left -= groups;

    for m in req.messages.iter_mut().rev() {
        for b in m.content.iter_mut().rev() {
            if let InputBlock::Text { cache_control, .. } = b {
                if let Some(c) = cache_control {
                    if left > 0 {
                        left -= 1;
                        if cc.ttl.is_none() && c.ttl == Some(CacheTtl::OneHour) {
                            *c = cc;
                        }
                    } else {
                        *cache_control = None;
                    }
                }
            }
        }
    }
    MAX_BREAKPOINTS - left
}

/// Counts the `cache_control` blocks of a request (what the API limits to 4).
pub fn count_breakpoints(req: &MessagesRequest) -> usize {
    req.tools
        .iter()
        .filter(|t| t.cache_control.is_some())
        .count()
        + req
            .system
            .iter()
            .filter(|b| b.cache_control.is_some())
            .count()
        + req
            .messages
            .iter()
            .flat_map(|m| &m.content)
            .filter(|b| {
                matches!(
                    b,
                    InputBlock::Text {
                        cache_control: Some(_),
                        ..
                    }
                )
            })
            .count()
}

/// SHA-256 (hex) of the canonical JSON of what decides the answer: model, system (with
/// context), messages, tools, tool_choice, max_tokens and the sampling parameters, with
/// every `cache_control` removed (it changes the price, not the answer), object keys
/// sorted and no whitespace. Prefixed with a version so a change of this recipe starts a
/// new cache instead of serving wrong answers.
pub fn cache_key(req: &MessagesRequest) -> String {
    let mut v = serde_json::json!({
        "v": 1,
        "model": req.model,
        "max_tokens": req.max_tokens,
        "system": req.system,
        "messages": req.messages,
        "tools": req.tools,
        "tool_choice": req.tool_choice,
        "temperature": req.temperature,
        "top_p": req.top_p,
        "top_k": req.top_k,
        "stop_sequences": req.stop_sequences,
    });
    strip_cache_control(&mut v);
    let mut canonical = String::new();
    write_canonical(&v, &mut canonical);
    let digest = Sha256::digest(canonical.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

fn strip_cache_control(v: &mut Value) {
    let Value::Object(top) = v else { return };
    let strip_list = |list: Option<&mut Value>| {
        if let Some(Value::Array(items)) = list {
            for item in items {
                if let Value::Object(o) = item {
                    o.remove("cache_control");
                }
            }
        }
    };
    strip_list(top.get_mut("system"));
    strip_list(top.get_mut("tools"));
    if let Some(Value::Array(msgs)) = top.get_mut("messages") {
        for m in msgs {
            if let Value::Object(m) = m {
                strip_list(m.get_mut("content"));
            }
        }
    }
}

/// Compact JSON with object keys sorted at every level, whatever map type serde_json uses.
fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                if let Some(item) = map.get(k) {
                    write_canonical(item, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A local estimate of the input tokens: characters of the JSON sent, divided by 4,
/// rounded up. No network; good enough for budgets and the ledger's before/after view.
pub fn estimate_tokens(req: &MessagesRequest) -> u64 {
    let chars = serde_json::to_string(req)
        .map(|s| s.chars().count())
        .unwrap_or(0);
    (chars as u64).div_ceil(4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use closer_claude::{InputMessage, TextBlock, Tool};

    fn table() -> ModelTable {
        ModelTable::builtin().unwrap()
    }

    fn tool(name: &str) -> Tool {
        Tool {
            name: name.into(),
            description: None,
            input_schema: serde_json::json!({"type": "object"}),
            cache_control: None,
        }
    }

    fn marked(req: &MessagesRequest) -> Vec<usize> {
        req.system
            .iter()
            .enumerate()
            .filter(|(_, b)| b.cache_control.is_some())
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn breakpoints_table() {
        // (instructions, context blocks, tools) -> marked system indexes, total breakpoints.
        let cases: &[(usize, usize, usize, &[usize], usize)] = &[
            (1, 0, 0, &[0], 1),
            (2, 0, 1, &[1], 2),
            (1, 2, 1, &[0, 1, 2], 4),
            (1, 3, 1, &[1, 2, 3], 4),
            (1, 3, 0, &[0, 1, 2, 3], 4),
            (1, 6, 1, &[2, 4, 6], 4),
            (1, 6, 0, &[2, 3, 5, 6], 4),
            (0, 5, 1, &[1, 3, 4], 4),
            (0, 0, 2, &[], 1),
            (0, 0, 0, &[], 0),
            (2, 10, 1, &[5, 8, 11], 4),
        ];
        for &(n_sys, n_ctx, n_tools, want, total) in cases {
            let mut r = AiRequest::new(Feature::LeadScore, 100);
            r.system = (0..n_sys)
                .map(|i| TextBlock::new(format!("s{i}")))
                .collect();
            r.context = (0..n_ctx)
                .map(|i| TextBlock::new(format!("c{i}")))
                .collect();
            r.tools = (0..n_tools).map(|i| tool(&format!("t{i}"))).collect();
            r.messages = vec![InputMessage::user_text("hi")];
            let (req, d) = build(&r, &table());
            assert_eq!(marked(&req), want, "{n_sys} {n_ctx} {n_tools}");
            assert_eq!(count_breakpoints(&req), total, "{n_sys} {n_ctx} {n_tools}");
            assert_eq!(d.breakpoints, total);
            if n_tools > 0 {
                assert!(req.tools.last().unwrap().cache_control.is_some());
            }
        }
    }

    #[test]
    fn caller_breakpoints_never_push_past_four() {
        let mut r = AiRequest::new(Feature::Summary, 100);
        r.system = vec![TextBlock::cached("s")];
        r.context = (0..3).map(|i| TextBlock::cached(format!("c{i}"))).collect();
        r.tools = vec![{
            let mut t = tool("x");
            t.cache_control = Some(CacheControl::ephemeral());
            t
        }];
        r.messages = vec![InputMessage::user(vec![
            InputBlock::cached_text("a"),
            InputBlock::cached_text("b"),
        ])];
        let (req, d) = build(&r, &table());
        assert_eq!(count_breakpoints(&req), 4);
        assert_eq!(d.breakpoints, 4);

        let mut r2 = r.clone();
        r2.context.truncate(1);
        let (req, _) = build(&r2, &table());
        // tool + instructions + 1 context = 3, one left for the newest message block.
        assert_eq!(count_breakpoints(&req), 4);
        let flags: Vec<bool> = req.messages[0]
            .content
            .iter()
            .map(|b| {
                matches!(
                    b,
                    InputBlock::Text {
                        cache_control: Some(_),
                        ..
                    }
                )
            })
            .collect();
        assert_eq!(flags, [false, true]);
    }

    #[test]
    fn sonnet_5_loses_temperature_haiku_keeps_it() {
        let mut r = AiRequest::new(Feature::Proposal, 1000);
        r.temperature = Some(0.2);
        r.messages = vec![InputMessage::user_text("write")];
        let (req, d) = build(&r, &table());
        assert_eq!(req.model, "claude-sonnet-5");
        assert_eq!(req.temperature, None);
        assert!(d.stripped_sampling);
        assert!(d.reason.contains("temperature dropped"));
        let json = serde_json::to_value(&req).unwrap();
        assert!(json.get("temperature").is_none());

        r.feature = Feature::LeadScore;
        let (req, d) = build(&r, &table());
        assert_eq!(req.model, "claude-haiku-4-5");
        assert_eq!(req.temperature, Some(0.2));
        assert!(!d.stripped_sampling);
    }

    #[test]
    fn routing_reasons_and_output_caps() {
        let mut r = AiRequest::new(Feature::DealAnalysis, 1_000_000);
        r.messages = vec![InputMessage::user_text("x")];
        let (req, d) = build(&r, &table());
        assert_eq!(
            d.reason,
            "deal_analysis → sonnet tier: long-context reasoning"
        );
        assert_eq!(req.max_tokens, 4096);
        r.max_tokens = 0;
        assert_eq!(build(&r, &table()).0.max_tokens, 4096);
        r.max_tokens = 10;
        assert_eq!(build(&r, &table()).0.max_tokens, 10);
    }

    #[test]
    fn cache_key_ignores_breakpoints_and_sees_content() {
        let mut a = AiRequest::new(Feature::Summary, 100);
        a.system = vec![TextBlock::new("s")];
        a.messages = vec![InputMessage::user_text("hello")];
        let mut b = a.clone();
        b.system = vec![TextBlock::cached("s")];
        let ka = build(&a, &table()).1.cache_key;
        assert_eq!(ka, build(&b, &table()).1.cache_key);
        assert_eq!(ka.len(), 64);
        b.messages = vec![InputMessage::user_text("hello!")];
        assert_ne!(ka, build(&b, &table()).1.cache_key);
        let mut c = a.clone();
        c.temperature = Some(0.5);
        assert_ne!(ka, build(&c, &table()).1.cache_key);
        let mut d = a.clone();
        d.max_tokens = 99;
        assert_ne!(ka, build(&d, &table()).1.cache_key);
    }

    #[test]
    fn canonical_json_sorts_keys() {
        let v: Value =
            serde_json::from_str(r#"{"b":1,"a":{"d":[1,{"z":0,"y":"é"}],"c":null}}"#).unwrap();
        let mut s = String::new();
        write_canonical(&v, &mut s);
        assert_eq!(s, r#"{"a":{"c":null,"d":[1,{"y":"é","z":0}]},"b":1}"#);
    }

    #[test]
    fn token_estimate_is_chars_over_four() {
        let mut r = AiRequest::new(Feature::Summary, 100);
        r.messages = vec![InputMessage::user_text("x".repeat(4000))];
        let (req, d) = build(&r, &table());
        let json_chars = serde_json::to_string(&req).unwrap().chars().count() as u64;
        assert_eq!(d.est_input_tokens, json_chars.div_ceil(4));
        assert!(d.est_input_tokens >= 1000);
    }
}
