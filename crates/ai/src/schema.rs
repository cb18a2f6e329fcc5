//! The JSON Schemas of the structured replies (files under `crates/ai/schemas/`) and the
//! first half of validating a reply: the model called the tool, its input matches the
//! schema, and it deserialises. The second half (ids exist, each lead once...) is per feature.
//!
//! The files are the base shapes. A request narrows its copy to the context it carries
//! (the batch's lead ids one per position, the deal's timeline and content ids as `enum`s,
//! the battle card's item counts as maxima), and the reply is validated against that same
//! narrowed schema. The model is then told exactly what is allowed, and a reply synthesised
//! from the schema (our fake API, the demo mode) is valid by construction. The price is a
//! tool definition that differs between requests; that only costs prompt caching across
//! different deals or batches, whose shared prefix (instructions and brand guidelines) is
//! about at the size below which Anthropic does not cache anyway. The same deal analysed
//! again, or a repair request, sends the identical tool and still hits the cache.

use std::sync::OnceLock;

use closer_claude::{Message, StopReason, Tool};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Longest single error message kept (schema errors quote the value they reject).
const ERROR_CHARS: usize = 300;
/// Most errors reported for one reply.
const MAX_ERRORS: usize = 20;

/// A structured reply: one tool, forced with `tool_choice`, whose input is the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToolSchema {
    /// `record_lead_scores`: `{scores: [{lead_id, score, budget, authority, need, timeline, rationale}]}`.
    LeadScores,
    /// `record_deal_analysis`: [`closer_types::DealAnalysis`] without the fields Closer sets.
    DealAnalysis,
    /// `record_call_analysis`: [`closer_types::CallAnalysis`].
    CallAnalysis,
    /// `suggest_battle_card_updates`: `{suggestions: [{section, current, objection, suggested, reason, sources}]}`.
    BattleCardSuggestions,
    /// `rerank_search_results`: `{results: [{content_id, relevance, why, how_to_use}]}`.
    SearchRerank,
    /// `understand_search`: `{kinds, industries, personas, concerns, keywords}`.
    QueryUnderstanding,
    /// `recommend_content_actions`: `{recommendations: [{priority, action, title, detail, content_ids}]}`.
    AuditRecommendations,
}

impl ToolSchema {
    pub const ALL: [ToolSchema; 7] = [
        ToolSchema::LeadScores,
        ToolSchema::DealAnalysis,
        ToolSchema::CallAnalysis,
        ToolSchema::BattleCardSuggestions,
        ToolSchema::SearchRerank,
        ToolSchema::QueryUnderstanding,
        ToolSchema::AuditRecommendations,
    ];

    pub fn tool_name(self) -> &'static str {
        match self {
            ToolSchema::LeadScores => "record_lead_scores",
            ToolSchema::DealAnalysis => "record_deal_analysis",
            ToolSchema::CallAnalysis => "record_call_analysis",
            ToolSchema::BattleCardSuggestions => "suggest_battle_card_updates",
            ToolSchema::SearchRerank => "rerank_search_results",
            ToolSchema::QueryUnderstanding => "understand_search",
            ToolSchema::AuditRecommendations => "recommend_content_actions",
        }
    }

    fn description(self) -> &'static str {
        match self {
            ToolSchema::LeadScores => "Record the BANT score of every lead of the batch.",
            ToolSchema::DealAnalysis => "Record the analysis of the deal.",
            ToolSchema::CallAnalysis => "Record the analysis of the call.",
            ToolSchema::BattleCardSuggestions => {
                "Record suggested updates to the battle card for a manager to review."
            }
            ToolSchema::SearchRerank => {
                "Record how relevant each candidate asset is to the rep's search, and why."
            }
            ToolSchema::QueryUnderstanding => {
                "Record what the rep's search asks for, in the library's own terms."
            }
            ToolSchema::AuditRecommendations => {
                "Record the content team's next actions, drawn from the audit."
            }
        }
    }

    fn source(self) -> &'static str {
        match self {
            ToolSchema::LeadScores => include_str!("../schemas/lead_scores.json"),
            ToolSchema::DealAnalysis => include_str!("../schemas/deal_analysis.json"),
            ToolSchema::CallAnalysis => include_str!("../schemas/call_analysis.json"),
            ToolSchema::BattleCardSuggestions => {
                include_str!("../schemas/battle_card_suggestions.json")
            }
            ToolSchema::SearchRerank => include_str!("../schemas/search_rerank.json"),
            ToolSchema::QueryUnderstanding => include_str!("../schemas/query_understanding.json"),
            ToolSchema::AuditRecommendations => {
                include_str!("../schemas/audit_recommendations.json")
            }
        }
    }

    fn index(self) -> usize {
        match self {
            ToolSchema::LeadScores => 0,
            ToolSchema::DealAnalysis => 1,
            ToolSchema::CallAnalysis => 2,
            ToolSchema::BattleCardSuggestions => 3,
            ToolSchema::SearchRerank => 4,
            ToolSchema::QueryUnderstanding => 5,
            ToolSchema::AuditRecommendations => 6,
        }
    }

    /// The schema as JSON (parsed once).
    pub fn json(self) -> &'static Value {
        static PARSED: [OnceLock<Value>; 7] = [const { OnceLock::new() }; 7];
        PARSED[self.index()].get_or_init(|| {
            // The files are part of the crate and checked by a unit test.
            serde_json::from_str(self.source()).expect("a bundled schema is valid JSON")
        })
    }

    fn validator(self) -> &'static jsonschema::Validator {
        static COMPILED: [OnceLock<jsonschema::Validator>; 7] = [const { OnceLock::new() }; 7];
        COMPILED[self.index()].get_or_init(|| {
            jsonschema::validator_for(self.json()).expect("a bundled schema compiles")
        })
    }

    /// The tool to send (and to force with `ToolChoice::Tool`).
    pub fn tool(self) -> Tool {
        Tool {
            name: self.tool_name().to_string(),
            description: Some(self.description().to_string()),
            input_schema: self.json().clone(),
            cache_control: None,
        }
    }

    /// The tool with a narrowed copy of the schema.
    pub(crate) fn tool_with(self, input_schema: Value) -> Tool {
        Tool {
            input_schema,
            ..self.tool()
        }
    }

    /// Every violation of the base schema by `input`, as `path: message` lines.
    pub fn validate(self, input: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        for e in self.validator().iter_errors(input) {
            describe(&e, &mut errors);
        }
        errors.extend(blank_strings(input));
        cap(errors)
    }
}

/// Every violation of `schema` (a narrowed schema) by `input`.
pub(crate) fn validate_against(schema: &Value, input: &Value) -> Vec<String> {
    let validator = match jsonschema::validator_for(schema) {
        Ok(v) => v,
        // A narrowed schema is built by our code from a valid base; reported, not panicked on.
        Err(e) => return vec![format!("(schema): {e}")],
    };
    let mut errors = Vec::new();
    for e in validator.iter_errors(input) {
        describe(&e, &mut errors);
    }
    errors.extend(blank_strings(input));
    cap(errors)
}

/// `path: message` for one error. An `anyOf` failure is explained by the alternative the
/// value came closest to (one whose `const`, e.g. the `section`, matched), not by the
/// unhelpful "not valid under any of the schemas"; an `enum` failure does not list the
/// (possibly hundreds of) allowed ids.
fn describe(e: &jsonschema::ValidationError<'_>, out: &mut Vec<String>) {
    use jsonschema::error::ValidationErrorKind as K;
    if let K::AnyOf { context } = e.kind() {
        let closest = context.iter().min_by_key(|branch| {
            let const_miss = branch
                .iter()
                .any(|x| matches!(x.kind(), K::Constant { .. }));
            (const_miss, branch.len())
        });
        if let Some(branch) = closest.filter(|b| !b.is_empty()) {
            for x in branch {
                describe(x, out);
            }
            return;
        }
    }
    let path = e.instance_path().to_string();
    let path = if path.is_empty() {
        "(root)".into()
    } else {
        path
    };
    let msg = match e.kind() {
        K::Enum { options } => format!(
            "{} is not one of the {} allowed values",
            crate::text::truncate(&e.instance().to_string(), 80),
            options.as_array().map_or(0, Vec::len)
        ),
        _ => e.to_string(),
    };
    out.push(crate::text::truncate(
        &format!("{path}: {msg}"),
        ERROR_CHARS,
    ));
}

/// Replaces the value at `pointer` (which must exist) in a narrowed schema.
pub(crate) fn set(schema: &mut Value, pointer: &str, value: Value) {
    match schema.pointer_mut(pointer) {
        Some(slot) => *slot = value,
        None => tracing::error!(
            pointer,
            "schema narrowing: no such place in the base schema"
        ),
    }
}

/// Strings of only whitespace pass `minLength` but say nothing: reported like schema errors.
fn blank_strings(v: &Value) -> Vec<String> {
    fn walk(v: &Value, path: &mut String, out: &mut Vec<String>) {
        match v {
            Value::String(s) if !s.is_empty() && s.trim().is_empty() => {
                out.push(format!("{path}: only whitespace"));
            }
            Value::Array(items) => {
                for (i, it) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("/{i}"));
                    walk(it, path, out);
                    path.truncate(len);
                }
            }
            Value::Object(map) => {
                for (k, it) in map {
                    let len = path.len();
                    path.push('/');
                    path.push_str(k);
                    walk(it, path, out);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut String::new(), &mut out);
    out
}

/// Errors deduplicated and capped, order kept.
pub(crate) fn cap(errors: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<String> = errors
        .into_iter()
        .filter(|e| seen.insert(e.clone()))
        .collect();
    if out.len() > MAX_ERRORS {
        let more = out.len() - MAX_ERRORS;
        out.truncate(MAX_ERRORS);
        out.push(format!("… and {more} more"));
    }
    out
}

/// The tool input of `message`: present, valid against `schema` (the narrowed schema the
/// request carried) and of type `T`.
pub(crate) fn typed_input<T: DeserializeOwned>(
    message: &Message,
    tool: ToolSchema,
    schema: &Value,
) -> Result<T, Vec<String>> {
    let Some(input) = message.tool_input(tool.tool_name()) else {
        let why = if message.stop_reason == Some(StopReason::MaxTokens) {
            " (the reply was cut off at the token limit)"
        } else {
            ""
        };
        return Err(vec![format!(
            "the reply did not call the tool `{}`{why}",
            tool.tool_name()
        )]);
    };
    let errors = validate_against(schema, input);
    if !errors.is_empty() {
        return Err(errors);
    }
    serde_json::from_value(input.clone()).map_err(|e| vec![format!("(root): {e}")])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bundled_schemas_parse_compile_and_are_closed() {
        for s in ToolSchema::ALL {
            let j = s.json();
            assert_eq!(j["type"], "object", "{s:?}");
            assert_eq!(j["additionalProperties"], false, "{s:?}");
            // Every object in the schema lists all its properties as required and is closed:
            // the model cannot leave a field out or add one.
            fn closed(v: &Value, at: &str) {
                if let Some(props) = v.get("properties").and_then(Value::as_object) {
                    assert_eq!(v["additionalProperties"], false, "{at}");
                    let req: Vec<&str> = v["required"]
                        .as_array()
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    for (k, p) in props {
                        assert!(req.contains(&k.as_str()), "{at}/{k} not required");
                        closed(p, &format!("{at}/{k}"));
                    }
                }
                if let Some(items) = v.get("items") {
                    closed(items, &format!("{at}[]"));
                }
                for alt in v
                    .get("anyOf")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    closed(alt, &format!("{at}|"));
                }
            }
            closed(j, s.tool_name());
            let _ = s.validator();
            assert_eq!(s.tool().name, s.tool_name());
        }
    }

    #[test]
    fn validation_names_the_path() {
        let bad = json!({"scores": [{"lead_id": "a", "score": 101, "budget": 1, "authority": 1,
            "need": 1, "timeline": 1, "rationale": "x", "extra": 1}]});
        let errors = ToolSchema::LeadScores.validate(&bad);
        assert!(
            errors.iter().any(|e| e.starts_with("/scores/0/score:")),
            "{errors:?}"
        );
        assert!(errors.iter().any(|e| e.contains("extra")), "{errors:?}");
        let blank = json!({"scores": [{"lead_id": "a", "score": 4, "budget": 1, "authority": 1,
            "need": 1, "timeline": 1, "rationale": "   "}]});
        assert_eq!(
            ToolSchema::LeadScores.validate(&blank),
            ["/scores/0/rationale: only whitespace"]
        );
    }
}
