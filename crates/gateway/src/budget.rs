//! Monthly spend limits, total and per feature, checked against the ledger. A budget warns
//! from 80 % and stops requests at 100 % (cache hits, which cost nothing, still answer).
//! Months are calendar months in UTC.

use chrono::{Datelike, TimeZone, Utc};
use closer_types::{AiBudgets, BudgetState, BudgetStatus, FeatureBudget};
use rusqlite::{params, Connection};

use crate::error::{feature_label, GatewayError, Result};
use crate::ledger;
use crate::Feature;

pub(crate) const MONTHLY: &str = "monthly";
pub(crate) const WARN_AT: f64 = 0.8;

/// Midnight UTC of the first day of `now`'s month.
pub(crate) fn month_start(now_millis: i64) -> i64 {
    let Some(now) = Utc.timestamp_millis_opt(now_millis).single() else {
        return 0;
    };
    Utc.with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .map(|t| t.timestamp_millis())
        .unwrap_or(0)
}

pub(crate) fn load(conn: &Connection) -> Result<AiBudgets> {
    let mut stmt = conn.prepare_cached("SELECT scope, limit_usd FROM budget ORDER BY scope")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut b = AiBudgets::default();
    for (scope, limit) in rows {
        if scope == MONTHLY {
            b.monthly_usd = Some(limit);
        } else {
            b.per_feature.push(FeatureBudget {
                feature: scope,
                limit_usd: limit,
            });
        }
    }
    Ok(b)
}

pub(crate) fn validate(b: &AiBudgets) -> Result<()> {
    let bad = |m: String| Err(GatewayError::Config(m));
    let ok = |v: f64| v.is_finite() && v >= 0.0;
    if let Some(m) = b.monthly_usd {
        if !ok(m) {
            return bad(format!(
                "the monthly budget must be 0 or more dollars, not {m}."
            ));
        }
    }
    for f in &b.per_feature {
        if Feature::parse(&f.feature).is_none() {
            return bad(format!("there is no AI feature called {:?}.", f.feature));
        }
        if !ok(f.limit_usd) {
            return bad(format!(
                "the budget for {} must be 0 or more dollars, not {}.",
                f.feature, f.limit_usd
            ));
        }
    }
    Ok(())
}

pub(crate) fn save(conn: &mut Connection, b: &AiBudgets) -> Result<()> {
    let tx = conn.transaction()?;
    tx.execute("DELETE FROM budget", [])?;
    if let Some(m) = b.monthly_usd {
        tx.execute(
            "INSERT INTO budget (scope, limit_usd) VALUES (?1, ?2)",
            params![MONTHLY, m],
        )?;
    }
    for f in &b.per_feature {
        tx.execute(
            "INSERT INTO budget (scope, limit_usd) VALUES (?1, ?2)
             ON CONFLICT(scope) DO UPDATE SET limit_usd = excluded.limit_usd",
            params![f.feature, f.limit_usd],
        )?;
    }
    tx.commit()?;
    Ok(())
}

fn status(scope: &str, spent: f64, limit: f64) -> BudgetStatus {
    let ratio = if limit > 0.0 {
        spent / limit
    } else if spent > 0.0 {
        f64::INFINITY
    } else {
        // A zero budget means "no AI spending": it is reached before anything is spent.
        1.0
    };
    BudgetStatus {
        scope: scope.to_string(),
        spent_usd: spent,
        limit_usd: limit,
        percent: if ratio.is_finite() {
            ratio * 100.0
        } else {
            100.0
        },
        state: if ratio >= 1.0 {
            BudgetState::Exceeded
        } else if ratio >= WARN_AT {
            BudgetState::Warning
        } else {
            BudgetState::Ok
        },
    }
}

/// Every budget that is set, with this month's spend (plus `extra` for `feature`, a cost
/// not yet in the ledger).
pub(crate) fn statuses(
    conn: &Connection,
    now: i64,
    only: Option<Feature>,
    extra: f64,
) -> Result<Vec<BudgetStatus>> {
    let b = load(conn)?;
    let since = month_start(now);
    let mut out = Vec::new();
    if let Some(limit) = b.monthly_usd {
        let spent = ledger::spent_since(conn, since, None)? + extra;
        out.push(status(MONTHLY, spent, limit));
    }
    for f in &b.per_feature {
        if only.is_some_and(|o| o.as_str() != f.feature) {
            continue;
        }
        let add = if only.is_some() { extra } else { 0.0 };
        let spent = ledger::spent_since(conn, since, Some(&f.feature))? + add;
        out.push(status(&f.feature, spent, f.limit_usd));
    }
    Ok(out)
}

/// Refuses a request of `feature` when its budget or the monthly one is used up.
pub(crate) fn check(conn: &Connection, now: i64, feature: Feature) -> Result<()> {
    for s in statuses(conn, now, Some(feature), 0.0)? {
        if s.state == BudgetState::Exceeded {
            return Err(GatewayError::BudgetExceeded {
                scope: s.scope,
                spent_usd: s.spent_usd,
                limit_usd: s.limit_usd,
            });
        }
    }
    Ok(())
}

/// A sentence for the rep when a budget touching `feature` is at 80 % or more, counting
/// `extra` (the cost of the request just answered).
pub(crate) fn warning(
    conn: &Connection,
    now: i64,
    feature: Feature,
    extra: f64,
) -> Result<Option<String>> {
    let worst = statuses(conn, now, Some(feature), extra)?
        .into_iter()
        .filter(|s| s.state != BudgetState::Ok)
        .max_by(|a, b| a.percent.total_cmp(&b.percent));
    Ok(worst.map(|s| {
        let what = match Feature::parse(&s.scope) {
            Some(f) => format!("The monthly AI budget for {}", feature_label(f)),
            None => "The monthly AI budget".to_string(),
        };
        format!(
            "{what} is {:.0} % used (${:.2} of ${:.2}). Raise it in Settings → AI if you need more.",
            s.percent.min(999.0),
            s.spent_usd,
            s.limit_usd
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_start_is_utc_midnight_of_day_one() {
        // 2026-03-17T15:04:05Z
        let t = Utc
            .with_ymd_and_hms(2026, 3, 17, 15, 4, 5)
            .unwrap()
            .timestamp_millis();
        let want = Utc
            .with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
            .unwrap()
            .timestamp_millis();
        assert_eq!(month_start(t), want);
        assert_eq!(month_start(want), want);
    }

    #[test]
    fn states_by_percent() {
        assert_eq!(status("monthly", 0.0, 10.0).state, BudgetState::Ok);
        assert_eq!(status("monthly", 7.99, 10.0).state, BudgetState::Ok);
        assert_eq!(status("monthly", 8.0, 10.0).state, BudgetState::Warning);
        assert_eq!(status("monthly", 10.0, 10.0).state, BudgetState::Exceeded);
        assert_eq!(status("monthly", 0.0, 0.0).state, BudgetState::Exceeded);
    }

    #[test]
    fn validation_names_the_problem() {
        let b = AiBudgets {
            monthly_usd: Some(-1.0),
            per_feature: vec![],
        };
        assert!(validate(&b).is_err());
        let b = AiBudgets {
            monthly_usd: None,
            per_feature: vec![FeatureBudget {
                feature: "nope".into(),
                limit_usd: 1.0,
            }],
        };
        assert!(validate(&b).unwrap_err().to_string().contains("nope"));
    }
}
