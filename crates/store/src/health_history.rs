//! Deal health over time (migration 0006): snapshots the manager view's trend is drawn
//! from. Derived, local, never synced; the core decides the scores, this module keeps
//! them and reads them back.

use closer_types::{iso_day, DealStage, EnumText, HealthSource, Millis};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::codec::{collect, from_enum};
use crate::Result;

/// One recorded score of one deal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthSnapshot {
    pub deal_id: String,
    pub at: Millis,
    pub score: u8,
    pub source: HealthSource,
    pub stage: DealStage,
    pub amount_cents: i64,
    /// The deal's owner then ('' when none).
    pub rep: String,
}

/// `YYYY-MM-DD` (UTC) of a time.
pub fn day_of(at: Millis) -> String {
    iso_day(at)
}

/// Records `s` when the deal has no snapshot yet, its last one differs (score, source,
/// stage, amount or rep), or its last one is from an earlier day; true when written.
pub fn record(tx: &Transaction, s: &HealthSnapshot) -> Result<bool> {
    let last: Option<(i64, String, String, i64, String, String)> = tx
        .prepare_cached(
            "SELECT score, source, stage, amount_cents, rep, day FROM deal_health_history \
             WHERE deal_id = ?1 ORDER BY at DESC LIMIT 1",
        )?
        .query_row([&s.deal_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    let day = day_of(s.at);
    if let Some((score, source, stage, amount, rep, last_day)) = last {
        let same = score == i64::from(s.score)
            && source == s.source.as_str()
            && stage == s.stage.as_str()
            && amount == s.amount_cents
            && rep == s.rep;
        if same && last_day >= day {
            return Ok(false);
        }
    }
    insert(tx, s)
}

/// Writes `s` as given (the demo's backfill); false when the deal already has a
/// snapshot at that instant or the deal is not here.
pub fn insert(tx: &Transaction, s: &HealthSnapshot) -> Result<bool> {
    let n = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO deal_health_history \
             (deal_id, at, day, score, source, stage, amount_cents, rep) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE EXISTS (SELECT 1 FROM deals WHERE id = ?1)",
        )?
        .execute(params![
            s.deal_id,
            s.at,
            day_of(s.at),
            i64::from(s.score),
            s.source.as_str(),
            s.stage.as_str(),
            s.amount_cents,
            s.rep
        ])?;
    Ok(n > 0)
}

/// Every snapshot taken at or after `from`, oldest first.
/// A row of `deal_id, at, score, source, stage, amount_cents, rep`.
fn snapshot(r: &rusqlite::Row<'_>) -> Result<HealthSnapshot> {
    let deal_id: String = r.get(0)?;
    let score: i64 = r.get(2)?;
    let source: String = r.get(3)?;
    let stage: String = r.get(4)?;
    Ok(HealthSnapshot {
        at: r.get(1)?,
        score: u8::try_from(score.clamp(0, 100)).unwrap_or(0),
        source: from_enum("deal_health_history", &deal_id, "source", &source)?,
        stage: from_enum("deal_health_history", &deal_id, "stage", &stage)?,
        amount_cents: r.get(5)?,
        rep: r.get(6)?,
        deal_id,
    })
}

pub fn since(conn: &Connection, from: Millis) -> Result<Vec<HealthSnapshot>> {
    let mut stmt = conn.prepare_cached(
        "SELECT deal_id, at, score, source, stage, amount_cents, rep FROM deal_health_history \
         WHERE at >= ?1 ORDER BY at, deal_id",
    )?;
    collect(&mut stmt, [from], snapshot)
}

/// The latest snapshot of each deal taken before `before` (the trend's starting
/// values), one per deal.
pub fn latest_before(conn: &Connection, before: Millis) -> Result<Vec<HealthSnapshot>> {
    let mut stmt = conn.prepare_cached(
        "SELECT h.deal_id, h.at, h.score, h.source, h.stage, h.amount_cents, h.rep \
         FROM deal_health_history h \
         WHERE h.at = (SELECT max(at) FROM deal_health_history x \
                       WHERE x.deal_id = h.deal_id AND x.at < ?1) \
         ORDER BY h.deal_id",
    )?;
    collect(&mut stmt, [before], snapshot)
}

/// Every deal's id with its lead's company, in name order (the manager view's rows).
pub fn deal_ids_with_company(conn: &Connection) -> Result<Vec<(String, Option<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, l.company FROM deals d LEFT JOIN leads l ON l.id = d.lead_id \
         ORDER BY d.name, d.id",
    )?;
    collect(&mut stmt, [], |r| Ok((r.get(0)?, r.get(1)?)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use closer_types::DealDraft;

    use super::*;
    use crate::{deals, Store};

    const DAY_MS: Millis = 86_400_000;

    fn snap(deal_id: &str, at: Millis, score: u8) -> HealthSnapshot {
        HealthSnapshot {
            deal_id: deal_id.into(),
            at,
            score,
            source: HealthSource::Local,
            stage: DealStage::Proposal,
            amount_cents: 10_000,
            rep: "Ann".into(),
        }
    }

    #[test]
    fn a_snapshot_is_kept_on_change_and_once_a_day_and_goes_with_its_deal() {
        let store = Store::open_in_memory().unwrap();
        let deal = store
            .write(|tx| {
                let d = DealDraft {
                    lead_id: None,
                    name: "Pilot".into(),
                    amount_cents: 10_000,
                    stage: DealStage::Proposal,
                    close_date: None,
                    competitors: vec![],
                    owner: None,
                    stakeholders: vec![],
                };
                deals::create(tx, &d, 1)
            })
            .unwrap();
        let day0 = 20_000 * DAY_MS;
        let w = |s: HealthSnapshot| store.write(|tx| record(tx, &s)).unwrap();
        assert!(w(snap(&deal.id, day0 + 1_000, 70)), "first");
        assert!(!w(snap(&deal.id, day0 + 2_000, 70)), "same day, same score");
        assert!(w(snap(&deal.id, day0 + 3_000, 55)), "score changed");
        assert!(w(snap(&deal.id, day0 + DAY_MS, 55)), "next day");
        assert!(!w(snap("no-such-deal", day0, 50)), "no deal, no history");
        let all = store.read(|c| since(c, 0)).unwrap();
        assert_eq!(
            all.iter().map(|s| s.score).collect::<Vec<_>>(),
            vec![70, 55, 55]
        );
        assert_eq!(day_of(day0), "2024-10-04");
        let first = store.read(|c| latest_before(c, day0 + DAY_MS)).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].at, day0 + 3_000);

        store.write(|tx| deals::delete(tx, &deal.id)).unwrap();
        assert!(store.read(|c| since(c, 0)).unwrap().is_empty());
    }
}
