//! Audio inputs and the level meter, for Settings and the live call window.

use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

/// An input device a rep can pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AudioInput {
    /// What to save in Settings (stable across runs where the platform allows).
    pub id: String,
    pub name: String,
    pub is_default: bool,
    /// A monitor of an output: what the speakers play, i.e. the other side of a call.
    pub is_monitor: bool,
}

/// The level meter's reading (about 20 per second while it runs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct AudioLevel {
    /// Loudest 20 ms of the last ~50 ms, in dBFS (-100 is silence, 0 the loudest).
    #[specta(type = Number)]
    pub level_db: f32,
    /// Someone is speaking.
    pub voiced: bool,
    /// The input being measured.
    pub device: String,
    /// Why the meter stopped or moved to another input ("The microphone was unplugged…").
    pub problem: Option<String>,
}
