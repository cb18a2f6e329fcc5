//! Speech made by espeak-ng, for the tests and the bench (a real voice, known words).

use std::path::PathBuf;
use std::process::Command;

use closer_audio::To16k;

use crate::error::{Result, TranscribeError};

/// 16 kHz mono samples of `text` spoken by espeak-ng (`voice` e.g. `en-us`, `wpm` words a
/// minute). Needs the `espeak-ng` program.
pub fn espeak(text: &str, voice: &str, wpm: u32) -> Result<Vec<f32>> {
    let dir = std::env::temp_dir().join(format!("closer-espeak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| TranscribeError::Write {
        path: dir.clone(),
        source,
    })?;
    let wav: PathBuf = dir.join(format!("{:x}.wav", fxhash(text, voice, wpm)));
    let status = Command::new("espeak-ng")
        .args(["-v", voice, "-s", &wpm.to_string(), "-w"])
        .arg(&wav)
        .arg(text)
        .status()
        .map_err(|source| TranscribeError::Read {
            path: PathBuf::from("espeak-ng"),
            source,
        })?;
    if !status.success() {
        return Err(TranscribeError::Decode(format!(
            "espeak-ng failed ({status})"
        )));
    }
    let bytes = std::fs::read(&wav).map_err(|source| TranscribeError::Read {
        path: wav.clone(),
        source,
    })?;
    let _ = std::fs::remove_file(&wav);
    let (rate, samples) = parse_wav(&bytes)
        .ok_or_else(|| TranscribeError::Decode("espeak-ng wrote an unreadable WAV file".into()))?;
    let mut out = Vec::with_capacity(samples.len());
    let mut r = To16k::new(rate).map_err(|e| TranscribeError::Decode(e.to_string()))?;
    r.push(&samples, &mut out);
    Ok(out)
}

fn fxhash(text: &str, voice: &str, wpm: u32) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (text, voice, wpm, std::thread::current().id()).hash(&mut h);
    h.finish()
}

/// The rate and samples of a 16-bit mono PCM WAV file.
fn parse_wav(bytes: &[u8]) -> Option<(u32, Vec<f32>)> {
    let mut rate = None;
    let mut samples = None;
    let mut i = 12;
    while i + 8 <= bytes.len() {
        let id = &bytes[i..i + 4];
        let len = u32::from_le_bytes(bytes[i + 4..i + 8].try_into().ok()?) as usize;
        let body = &bytes[i + 8..(i + 8 + len).min(bytes.len())];
        if id == b"fmt " && body.len() >= 8 {
            rate = Some(u32::from_le_bytes(body[4..8].try_into().ok()?));
        } else if id == b"data" {
            samples = Some(
                body.chunks_exact(2)
                    .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
                    .collect(),
            );
        }
        i += 8 + len + (len & 1);
    }
    Some((rate?, samples?))
}
