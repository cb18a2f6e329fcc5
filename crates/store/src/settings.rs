//! Local preferences, one JSON value per key (unknown keys are ignored, missing
//! ones take their default).

use closer_types::Settings;
use rusqlite::{params, Connection, Transaction};

use crate::codec::{collect, from_json, to_json};
use crate::Result;

/// The settings, defaults filling whatever was never saved.
pub fn get(conn: &Connection) -> Result<Settings> {
    let mut s = Settings::default();
    let mut stmt = conn.prepare_cached("SELECT key, value FROM settings")?;
    let rows = collect(&mut stmt, [], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    for (key, value) in rows {
        match key.as_str() {
            "user_name" => s.user_name = from_json("setting", &key, "value", &value)?,
            "team_server_url" => s.team_server_url = from_json("setting", &key, "value", &value)?,
            "connectivity_probe" => {
                s.connectivity_probe = from_json("setting", &key, "value", &value)?
            }
            "microphone" => s.microphone = from_json("setting", &key, "value", &value)?,
            "call_audio" => s.call_audio = from_json("setting", &key, "value", &value)?,
            "keep_call_audio" => s.keep_call_audio = from_json("setting", &key, "value", &value)?,
            _ => {}
        }
    }
    Ok(s)
}

/// Saves every setting.
pub fn save(tx: &Transaction, s: &Settings) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?;
    stmt.execute(params!["user_name", to_json(&s.user_name)?])?;
    stmt.execute(params!["team_server_url", to_json(&s.team_server_url)?])?;
    stmt.execute(params![
        "connectivity_probe",
        to_json(&s.connectivity_probe)?
    ])?;
    stmt.execute(params!["microphone", to_json(&s.microphone)?])?;
    stmt.execute(params!["call_audio", to_json(&s.call_audio)?])?;
    stmt.execute(params!["keep_call_audio", to_json(&s.keep_call_audio)?])?;
    Ok(())
}
