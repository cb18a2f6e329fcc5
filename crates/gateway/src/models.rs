//! The model and price table (`models.toml`, compiled in): which tier answers each feature,
//! what each model costs from which date, and each feature's cache TTL, rate and output cap.

use std::collections::HashMap;
use std::time::Duration;

use closer_claude::{CacheTtl, Usage};
use serde::Deserialize;

use crate::error::{GatewayError, Result};
use crate::Feature;

const MODELS_TOML: &str = include_str!("../models.toml");

#[derive(Debug, Deserialize)]
struct File {
    multipliers: Multipliers,
    tiers: HashMap<String, TierFile>,
    models: Vec<ModelFile>,
    features: HashMap<String, FeatureFile>,
}

#[derive(Debug, Deserialize)]
struct TierFile {
    model: String,
}

#[derive(Debug, Deserialize)]
struct ModelFile {
    id: String,
    sampling_params: bool,
    prices: Vec<PriceFile>,
}

#[derive(Debug, Deserialize)]
struct PriceFile {
    from: String,
    input: f64,
    output: f64,
}

#[derive(Debug, Deserialize)]
struct FeatureFile {
    tier: String,
    reason: String,
    cache_ttl_secs: u64,
    prompt_cache_ttl: String,
    per_minute: u32,
    burst: u32,
    max_output_tokens: u32,
}

/// Of the model's input price.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Multipliers {
    pub cache_write_5m: f64,
    pub cache_write_1h: f64,
    pub cache_read: f64,
}

/// USD per million tokens, from `from_millis` (UTC midnight of the `from` day) on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub from_millis: i64,
    pub input: f64,
    pub output: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    pub id: String,
    /// Whether non-default temperature / top_p / top_k are accepted.
    pub sampling_params: bool,
    /// Oldest first.
    pub prices: Vec<Price>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeaturePolicy {
    pub tier: String,
    pub model: String,
    pub reason: String,
    pub cache_ttl: Duration,
    pub prompt_cache_ttl: CacheTtl,
    pub per_minute: u32,
    pub burst: u32,
    pub max_output_tokens: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelTable {
    pub multipliers: Multipliers,
    pub models: Vec<ModelSpec>,
    /// In `Feature::ALL` order (the enum's declaration order), one per feature.
    features: Vec<FeaturePolicy>,
}

/// Token counts of one reply, split the way they are priced. The input counts are disjoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TokenCounts {
    pub input: u64,
    pub output: u64,
    /// All cache writes (5-minute and 1-hour).
    pub cache_creation: u64,
    /// The part of `cache_creation` written with the 1-hour TTL.
    pub cache_creation_1h: u64,
    pub cache_read: u64,
}

impl TokenCounts {
    /// From a reply's usage. When the API does not split cache writes by TTL, they are
    /// taken to have the TTL the request asked for.
    pub fn from_usage(u: &Usage, requested: CacheTtl) -> Self {
        let creation = u.cache_creation_input_tokens;
        let one_hour = match &u.cache_creation {
            Some(split)
                if split.ephemeral_5m_input_tokens + split.ephemeral_1h_input_tokens > 0 =>
            {
                split.ephemeral_1h_input_tokens.min(creation)
            }
            _ if requested == CacheTtl::OneHour => creation,
            _ => 0,
        };
        TokenCounts {
            input: u.input_tokens,
            output: u.output_tokens,
            cache_creation: creation,
            cache_creation_1h: one_hour,
            cache_read: u.cache_read_input_tokens,
        }
    }

    /// Everything read as input: the denominator of the prompt-cache hit rate.
    pub fn total_input(&self) -> u64 {
        self.input + self.cache_creation + self.cache_read
    }
}

impl ModelTable {
    /// The compiled-in table.
    pub fn builtin() -> Result<ModelTable> {
        ModelTable::parse(MODELS_TOML)
    }

    pub fn parse(text: &str) -> Result<ModelTable> {
        let bad = |m: String| GatewayError::Config(format!("models.toml: {m}"));
        let file: File = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut models = Vec::new();
        for m in file.models {
            let mut prices = Vec::new();
            for p in m.prices {
                let day = chrono::NaiveDate::parse_from_str(&p.from, "%Y-%m-%d")
                    .map_err(|e| bad(format!("price date {:?} of {}: {e}", p.from, m.id)))?;
                let from_millis = day
                    .and_hms_opt(0, 0, 0)
                    .map(|t| t.and_utc().timestamp_millis())
                    .ok_or_else(|| bad(format!("price date {:?}", p.from)))?;
                if !(p.input >= 0.0 && p.output >= 0.0) {
                    return Err(bad(format!("negative price for {}", m.id)));
                }
                prices.push(Price {
                    from_millis,
                    input: p.input,
                    output: p.output,
                });
            }
            if prices.is_empty() {
                return Err(bad(format!("{} has no price", m.id)));
            }
            prices.sort_by_key(|p| p.from_millis);
            models.push(ModelSpec {
                id: m.id,
                sampling_params: m.sampling_params,
                prices,
            });
        }
        let mut features = Vec::new();
        for feature in Feature::ALL {
            let f = file
                .features
                .get(feature.as_str())
                .ok_or_else(|| bad(format!("feature {} missing", feature.as_str())))?;
            let tier = file
                .tiers
                .get(&f.tier)
                .ok_or_else(|| bad(format!("tier {} of {} unknown", f.tier, feature.as_str())))?;
            if !models.iter().any(|m| m.id == tier.model) {
                return Err(bad(format!(
                    "model {} of tier {} unpriced",
                    tier.model, f.tier
                )));
            }
            let prompt_cache_ttl = match f.prompt_cache_ttl.as_str() {
                "5m" => CacheTtl::FiveMinutes,
                "1h" => CacheTtl::OneHour,
                other => return Err(bad(format!("prompt_cache_ttl {other:?}"))),
            };
            if f.per_minute == 0 || f.burst == 0 || f.max_output_tokens == 0 {
                return Err(bad(format!(
                    "zero rate or output cap for {}",
                    feature.as_str()
                )));
            }
            features.push(FeaturePolicy {
                tier: f.tier.clone(),
                model: tier.model.clone(),
                reason: f.reason.clone(),
                cache_ttl: Duration::from_secs(f.cache_ttl_secs),
                prompt_cache_ttl,
                per_minute: f.per_minute,
                burst: f.burst,
                max_output_tokens: f.max_output_tokens,
            });
        }
        if let Some(extra) = file
            .features
            .keys()
            .find(|k| Feature::parse(k.as_str()).is_none())
        {
            return Err(bad(format!("unknown feature {extra}")));
        }
        Ok(ModelTable {
            multipliers: file.multipliers,
            models,
            features,
        })
    }

    pub fn feature(&self, f: Feature) -> &FeaturePolicy {
        // `parse` pushes exactly one policy per feature, in `Feature::ALL` order.
        &self.features[f as usize]
    }

    pub fn model(&self, id: &str) -> Option<&ModelSpec> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The price of `model` on the day of `at`: the newest entry not after it, else the
    /// oldest (a clock before the table's first date still pays something).
    pub fn price(&self, model: &str, at_millis: i64) -> Option<Price> {
        let m = self.model(model)?;
        m.prices
            .iter()
            .rev()
            .find(|p| p.from_millis <= at_millis)
            .or_else(|| m.prices.first())
            .copied()
    }

    /// USD for these tokens. The three input counts are disjoint, so each token is priced
    /// exactly once: plain input at the input price, cache writes at 1.25x (5 min) or 2x
    /// (1 h), cache reads at 0.1x. An unknown model costs 0 (and is logged).
    pub fn cost_usd(&self, model: &str, at_millis: i64, t: &TokenCounts) -> f64 {
        let Some(p) = self.price(model, at_millis) else {
            tracing::warn!(model, "no price for model; cost recorded as 0");
            return 0.0;
        };
        let m = &self.multipliers;
        let write_1h = t.cache_creation_1h.min(t.cache_creation);
        let write_5m = t.cache_creation - write_1h;
        let input_equiv = t.input as f64
            + write_5m as f64 * m.cache_write_5m
            + write_1h as f64 * m.cache_write_1h
            + t.cache_read as f64 * m.cache_read;
        (input_equiv * p.input + t.output as f64 * p.output) / 1_000_000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use closer_claude::CacheCreation;

    #[test]
    fn models_toml_is_consistent() {
        let t = ModelTable::builtin().expect("models.toml parses");
        for f in Feature::ALL {
            let p = t.feature(f);
            assert!(t.model(&p.model).is_some(), "{f:?}");
            assert!(!p.reason.is_empty());
        }
        let haiku = t.model("claude-haiku-4-5").unwrap();
        assert!(haiku.sampling_params);
        assert!(!t.model("claude-sonnet-5").unwrap().sampling_params);
    }

    #[test]
    fn feature_all_is_in_declaration_order() {
        for (i, f) in Feature::ALL.into_iter().enumerate() {
            assert_eq!(f as usize, i);
        }
    }

    #[test]
    fn routing_table_matches_the_issue() {
        let t = ModelTable::builtin().unwrap();
        let table = [
            (Feature::LeadScore, "haiku", 86_400),
            (Feature::QueryUnderstanding, "haiku", 300),
            (Feature::SearchRerank, "haiku", 300),
            (Feature::Summary, "haiku", 21_600),
            (Feature::ContentAudit, "haiku", 86_400),
            (Feature::BattleCardRefresh, "haiku", 86_400),
            (Feature::Proposal, "sonnet", 3_600),
            (Feature::ProposalPolish, "sonnet", 3_600),
            (Feature::DealAnalysis, "sonnet", 3_600),
            (Feature::CallAnalysis, "sonnet", 86_400),
        ];
        for (f, tier, ttl) in table {
            let p = t.feature(f);
            assert_eq!(p.tier, tier, "{f:?}");
            assert_eq!(p.cache_ttl, Duration::from_secs(ttl), "{f:?}");
        }
        assert_eq!(t.feature(Feature::LeadScore).model, "claude-haiku-4-5");
        assert_eq!(t.feature(Feature::DealAnalysis).model, "claude-sonnet-5");
    }

    #[test]
    fn prices_follow_their_effective_dates() {
        let t = ModelTable::parse(
            &MODELS_TOML.replace(
                r#"prices = [{ from = "2025-10-01", input = 1.0, output = 5.0 }]"#,
                r#"prices = [{ from = "2025-10-01", input = 1.0, output = 5.0 }, { from = "2027-01-01", input = 0.5, output = 2.5 }]"#,
            ),
        )
        .unwrap();
        let day = |s: &str| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis()
        };
        assert_eq!(
            t.price("claude-haiku-4-5", day("2026-06-01"))
                .unwrap()
                .input,
            1.0
        );
        assert_eq!(
            t.price("claude-haiku-4-5", day("2027-02-01"))
                .unwrap()
                .input,
            0.5
        );
        // Before the first date: the oldest price.
        assert_eq!(
            t.price("claude-haiku-4-5", day("2020-01-01"))
                .unwrap()
                .input,
            1.0
        );
        assert!(t.price("gpt-4", 0).is_none());
    }

    #[test]
    fn cache_tokens_are_priced_once_each() {
        let t = ModelTable::builtin().unwrap();
        let now = day_2026();
        // Sonnet 5: $2 in, $10 out per MTok.
        let usage = Usage {
            input_tokens: 1_000,
            output_tokens: 500,
            cache_creation_input_tokens: 10_000,
            cache_read_input_tokens: 20_000,
            cache_creation: Some(CacheCreation {
                ephemeral_5m_input_tokens: 6_000,
                ephemeral_1h_input_tokens: 4_000,
            }),
            service_tier: None,
        };
        let counts = TokenCounts::from_usage(&usage, CacheTtl::FiveMinutes);
        assert_eq!(counts.cache_creation_1h, 4_000);
        let cost = t.cost_usd("claude-sonnet-5", now, &counts);
        let expected = (1_000.0 * 2.0
            + 6_000.0 * 2.0 * 1.25
            + 4_000.0 * 2.0 * 2.0
            + 20_000.0 * 2.0 * 0.1
            + 500.0 * 10.0)
            / 1e6;
        assert!((cost - expected).abs() < 1e-12, "{cost} vs {expected}");

        // No split: writes take the requested TTL.
        let usage = Usage {
            cache_creation: None,
            ..usage
        };
        let c5 = TokenCounts::from_usage(&usage, CacheTtl::FiveMinutes);
        let c1 = TokenCounts::from_usage(&usage, CacheTtl::OneHour);
        assert_eq!((c5.cache_creation_1h, c1.cache_creation_1h), (0, 10_000));
        assert!(t.cost_usd("claude-sonnet-5", now, &c1) > t.cost_usd("claude-sonnet-5", now, &c5));
    }

    fn day_2026() -> i64 {
        1_780_000_000_000
    }
}
