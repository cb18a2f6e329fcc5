//! Live calls: the do-not-call list, a call's consent step, its transcript one final
//! segment at a time, its coaching moments, and the finishing of a call (also of one
//! the app was killed in).

use closer_types::{
    normalize_phone, Call, CallConsent, CallMoment, ConsentState, DncCheck, DncEntry, EnumText,
    Millis, MomentAction, Speaker, TranscriptSegment,
};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use crate::codec::{collect, from_enum, opt_from_json, to_json};
use crate::{calls, Result, StoreError};

// ---- do-not-call list -----------------------------------------------------------

fn invalid_phone(raw: &str) -> StoreError {
    StoreError::Invalid(vec![closer_types::FieldError::new(
        "phone",
        format!("“{raw}” is not a phone number (it needs at least 6 digits)"),
    )])
}

/// Adds (or re-words) a number on the list; returns the entry as stored.
pub fn dnc_add(tx: &Transaction, raw_phone: &str, reason: &str, now: Millis) -> Result<DncEntry> {
    let phone = normalize_phone(raw_phone).ok_or_else(|| invalid_phone(raw_phone))?;
    tx.execute(
        "INSERT INTO do_not_call (phone, reason, added_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (phone) DO UPDATE SET reason = excluded.reason",
        params![phone, reason.trim(), now],
    )?;
    dnc_find(tx, &phone)?.ok_or_else(|| StoreError::not_found("do_not_call", &phone))
}

/// Removes a number; false when it was not listed.
pub fn dnc_remove(tx: &Transaction, raw_phone: &str) -> Result<bool> {
    let phone = normalize_phone(raw_phone).ok_or_else(|| invalid_phone(raw_phone))?;
    Ok(tx.execute("DELETE FROM do_not_call WHERE phone = ?1", [phone])? > 0)
}

fn dnc_from_row(row: &Row<'_>) -> Result<DncEntry> {
    Ok(DncEntry {
        phone: row.get(0)?,
        reason: row.get(1)?,
        added_at: row.get(2)?,
    })
}

/// The whole list, newest first.
pub fn dnc_list(conn: &Connection) -> Result<Vec<DncEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT phone, reason, added_at FROM do_not_call ORDER BY added_at DESC, phone",
    )?;
    collect(&mut stmt, [], dnc_from_row)
}

fn dnc_find(conn: &Connection, normalized: &str) -> Result<Option<DncEntry>> {
    let mut stmt =
        conn.prepare_cached("SELECT phone, reason, added_at FROM do_not_call WHERE phone = ?1")?;
    crate::codec::first(&mut stmt, [normalized], dnc_from_row)
}

/// Checks every phone of `phones` (raw, as on the lead's contacts) against the list.
pub fn dnc_check(conn: &Connection, phones: &[String], now: Millis) -> Result<DncCheck> {
    let mut check = DncCheck {
        checked: Vec::new(),
        listed: None,
        checked_at: now,
    };
    for raw in phones {
        let Some(n) = normalize_phone(raw) else {
            continue;
        };
        if check.listed.is_none() {
            check.listed = dnc_find(conn, &n)?;
        }
        if !check.checked.contains(&n) {
            check.checked.push(n);
        }
    }
    Ok(check)
}

// ---- a live call ----------------------------------------------------------------

/// A new call, marked live, with its consent step logged.
pub struct NewLiveCall<'a> {
    pub id: &'a str,
    pub deal_id: Option<&'a str>,
    pub lead_id: Option<&'a str>,
    pub title: &'a str,
    pub consent: ConsentState,
    pub dnc: &'a DncCheck,
    /// Where the audio is kept, when Settings asks for it.
    pub audio_path: Option<&'a str>,
}

/// Creates the call row. A call that is refused (do-not-call, no consent) is recorded
/// too, not live, so the choice is logged.
pub fn create(tx: &Transaction, new: &NewLiveCall<'_>, live: bool, now: Millis) -> Result<()> {
    tx.execute(
        "INSERT INTO calls (id, deal_id, lead_id, title, started_at, ended_at, segments, \
         analysis, created_at, updated_at, consent, consent_at, dnc_check, live, audio_path) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, '[]', NULL, ?5, ?5, ?7, ?8, ?9, ?10, ?11)",
        params![
            new.id,
            new.deal_id,
            new.lead_id,
            new.title,
            now,
            (!live).then_some(now),
            new.consent.as_str(),
            (new.consent != ConsentState::NotAsked).then_some(now),
            to_json(new.dnc)?,
            live,
            new.audio_path,
        ],
    )?;
    Ok(())
}

/// The consent step logged on a call.
pub fn consent(conn: &Connection, call_id: &str) -> Result<CallConsent> {
    let row = conn
        .prepare_cached("SELECT consent, consent_at, dnc_check FROM calls WHERE id = ?1")?
        .query_row([call_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<Millis>>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .optional()?
        .ok_or_else(|| StoreError::not_found("call", call_id))?;
    Ok(CallConsent {
        state: from_enum("call", call_id, "consent", &row.0)?,
        at: row.1,
        dnc: opt_from_json("call", call_id, "dnc_check", row.2)?,
    })
}

/// The kept audio file of a call, if any.
pub fn audio_path(conn: &Connection, call_id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT audio_path FROM calls WHERE id = ?1")?
        .query_row([call_id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// Appends one final segment (its own small transaction: a kill loses nothing before it).
pub fn add_segment(
    tx: &Transaction,
    call_id: &str,
    seq: u32,
    seg: &TranscriptSegment,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO call_segments (call_id, seq, speaker, start_ms, end_ms, text) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        call_id,
        seq,
        speaker_text(seg.speaker),
        seg.start_ms,
        seg.end_ms,
        seg.text
    ])?;
    Ok(())
}

fn speaker_text(s: Speaker) -> &'static str {
    match s {
        Speaker::Rep => "rep",
        Speaker::Prospect => "prospect",
        Speaker::Unknown => "unknown",
    }
}

fn speaker_of(s: &str) -> Speaker {
    match s {
        "rep" => Speaker::Rep,
        "prospect" => Speaker::Prospect,
        _ => Speaker::Unknown,
    }
}

/// The segments saved so far, in call-time order.
pub fn segments(conn: &Connection, call_id: &str) -> Result<Vec<TranscriptSegment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT speaker, start_ms, end_ms, text FROM call_segments WHERE call_id = ?1 \
         ORDER BY start_ms, seq",
    )?;
    collect(&mut stmt, [call_id], |r| {
        Ok(TranscriptSegment {
            speaker: speaker_of(&r.get::<_, String>(0)?),
            start_ms: r.get(1)?,
            end_ms: r.get(2)?,
            text: r.get(3)?,
        })
    })
}

/// Records a coaching moment; returns its id.
pub fn add_moment(
    tx: &Transaction,
    call_id: &str,
    at_ms: u32,
    kind: &str,
    card_id: Option<&str>,
    text: &str,
    action: MomentAction,
) -> Result<u32> {
    tx.prepare_cached(
        "INSERT INTO call_moments (call_id, at_ms, kind, card_id, text, action) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        call_id,
        at_ms,
        kind,
        card_id,
        text,
        action.as_str()
    ])?;
    u32::try_from(tx.last_insert_rowid()).map_err(|_| StoreError::Corrupt {
        entity: "call_moment",
        id: call_id.to_string(),
        reason: "more moments than a u32 counts".into(),
    })
}

/// What the rep did with a card (dismissed, pinned, used).
pub fn set_moment_action(tx: &Transaction, moment_id: u32, action: MomentAction) -> Result<()> {
    let n = tx.execute(
        "UPDATE call_moments SET action = ?2 WHERE id = ?1",
        params![moment_id, action.as_str()],
    )?;
    if n == 0 {
        return Err(StoreError::not_found("call_moment", &moment_id.to_string()));
    }
    Ok(())
}

/// A call's moments in call-time order.
pub fn moments(conn: &Connection, call_id: &str) -> Result<Vec<CallMoment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, call_id, at_ms, kind, card_id, text, action FROM call_moments \
         WHERE call_id = ?1 ORDER BY at_ms, id",
    )?;
    collect(&mut stmt, [call_id], |r| {
        let id: u32 = r.get(0)?;
        let action: String = r.get(6)?;
        Ok(CallMoment {
            action: from_enum("call_moment", &id.to_string(), "action", &action)?,
            id,
            call_id: r.get(1)?,
            at_ms: r.get(2)?,
            kind: r.get(3)?,
            card_id: r.get(4)?,
            text: r.get(5)?,
        })
    })
}

/// Ends a live call: copies its segments into the call's transcript and sets its end
/// (`ended_at`, or else the start plus the last segment's end). Returns the call.
pub fn finish(
    tx: &Transaction,
    call_id: &str,
    ended_at: Option<Millis>,
    now: Millis,
) -> Result<Call> {
    let segs = segments(tx, call_id)?;
    let call = calls::get(tx, call_id)?;
    let end = ended_at.unwrap_or_else(|| {
        call.started_at + i64::from(segs.iter().map(|s| s.end_ms).max().unwrap_or(0))
    });
    tx.execute(
        "UPDATE calls SET segments = ?2, ended_at = ?3, live = 0, updated_at = ?4 WHERE id = ?1",
        params![call_id, to_json(&segs)?, end, now],
    )?;
    calls::get(tx, call_id)
}

/// Calls still marked live (the app stopped during them).
pub fn interrupted(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM calls WHERE live = 1 ORDER BY started_at")?;
    collect(&mut stmt, [], |r| Ok(r.get(0)?))
}

/// Finishes every interrupted call from the segments it saved; returns them.
pub fn recover_interrupted(tx: &Transaction, now: Millis) -> Result<Vec<Call>> {
    let mut out = Vec::new();
    for id in interrupted(tx)? {
        out.push(finish(tx, &id, None, now)?);
    }
    Ok(out)
}
