//! The AI usage report, computed from the ledger.
//!
//! - response-cache hit rate: requests answered from the response cache (fresh or stale)
//!   over all requests;
//! - prompt-cache hit rate: `cache_read` tokens over all input tokens sent to Claude
//!   (`input + cache_creation + cache_read`, which are disjoint);
//! - latency p50 / p95 (nearest rank) over requests answered by Claude itself, whole
//!   request time including retries.

use closer_types::{CircuitState, FeatureDayCost, FeatureUsage, UsageReport};
use rusqlite::Connection;

use crate::error::Result;
use crate::{budget, ledger, queue};

fn u(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

pub(crate) fn report(
    conn: &Connection,
    since: i64,
    now: i64,
    circuit: CircuitState,
) -> Result<UsageReport> {
    let mut stmt = conn.prepare_cached(
        "SELECT strftime('%Y-%m-%d', ts / 1000, 'unixepoch') AS day, feature, SUM(cost_usd)
         FROM ledger WHERE ts >= ?1 GROUP BY day, feature ORDER BY day, feature",
    )?;
    let cost_by_feature_day = stmt
        .query_map([since], |r| {
            Ok(FeatureDayCost {
                day: r.get(0)?,
                feature: r.get(1)?,
                cost_usd: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    let mut stmt = conn.prepare_cached(
        "SELECT feature, COUNT(*), SUM(cache_layer != 'none'), SUM(input_tokens),
            SUM(output_tokens), SUM(cache_creation_tokens), SUM(cache_read_tokens),
            SUM(cost_usd)
         FROM ledger WHERE ts >= ?1 GROUP BY feature ORDER BY SUM(cost_usd) DESC, feature",
    )?;
    let features = stmt
        .query_map([since], |r| {
            Ok(FeatureUsage {
                feature: r.get(0)?,
                requests: u(r.get(1)?),
                cache_hits: u(r.get(2)?),
                input_tokens: u(r.get(3)?),
                output_tokens: u(r.get(4)?),
                cache_creation_tokens: u(r.get(5)?),
                cache_read_tokens: u(r.get(6)?),
                cost_usd: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut total = FeatureUsage {
        feature: "all".into(),
        requests: 0,
        cache_hits: 0,
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_tokens: 0,
        cache_read_tokens: 0,
        cost_usd: 0.0,
    };
    for f in &features {
        total.requests += f.requests;
        total.cache_hits += f.cache_hits;
        total.input_tokens += f.input_tokens;
        total.output_tokens += f.output_tokens;
        total.cache_creation_tokens += f.cache_creation_tokens;
        total.cache_read_tokens += f.cache_read_tokens;
        total.cost_usd += f.cost_usd;
    }
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let response_cache_hit_rate = ratio(total.cache_hits, total.requests);
    let prompt_cache_hit_rate = ratio(
        total.cache_read_tokens,
        total.input_tokens + total.cache_creation_tokens + total.cache_read_tokens,
    );

    let mut stmt = conn.prepare_cached(
        "SELECT latency_ms FROM ledger WHERE ts >= ?1 AND served_from = 'upstream'
         ORDER BY latency_ms",
    )?;
    let latencies = stmt
        .query_map([since], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    Ok(UsageReport {
        since,
        cost_by_feature_day,
        features,
        total,
        response_cache_hit_rate,
        prompt_cache_hit_rate,
        latency_p50_ms: percentile(&latencies, 50),
        latency_p95_ms: percentile(&latencies, 95),
        budgets: budget::statuses(conn, now, None, 0.0)?,
        circuit,
        queue: queue::list(conn)?,
        recent: ledger::rows_since(conn, since, 50)?,
    })
}

/// Nearest-rank percentile of sorted values.
pub(crate) fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let v: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), Some(50));
        assert_eq!(percentile(&v, 95), Some(95));
        assert_eq!(percentile(&[7], 95), Some(7));
        assert_eq!(percentile(&[1, 2, 3], 50), Some(2));
        assert_eq!(percentile(&[], 50), None);
    }
}
