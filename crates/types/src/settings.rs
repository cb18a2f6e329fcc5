use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

/// Preferences kept in the local database. Secrets are never here: see [`SecretStatus`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Settings {
    /// The rep's name, used as owner of what they create.
    pub user_name: String,
    /// The team server, once sync exists.
    pub team_server_url: Option<String>,
    /// Where connectivity is checked (host:port), default the Anthropic API.
    pub connectivity_probe: String,
    /// The microphone for calls (an `AudioInput::id`); `None` for the system default.
    pub microphone: Option<String>,
    /// The input carrying the other side of a call (a monitor of the speakers), if any.
    pub call_audio: Option<String>,
    /// Keep each call's audio as a WAV in the app data folder (off by default: audio is
    /// transcribed on the laptop and then thrown away).
    #[serde(default)]
    pub keep_call_audio: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            user_name: "Alex Rivera".into(),
            team_server_url: None,
            connectivity_probe: "api.anthropic.com:443".into(),
            microphone: None,
            call_audio: None,
            keep_call_audio: false,
        }
    }
}

/// All the UI ever learns about a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SecretStatus {
    pub set: bool,
    /// Which OS store keeps it ("Secret Service", "Linux kernel keyring", "macOS Keychain" ...).
    pub backend: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Connectivity {
    pub online: bool,
    #[specta(type = Number)]
    pub checked_at: i64,
}

/// Counts shown on the home screen and used to decide whether to seed the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct WorkspaceStats {
    pub leads: u32,
    pub deals: u32,
    #[specta(type = Number)]
    pub open_pipeline_cents: i64,
    pub battle_cards: u32,
    pub content_items: u32,
    pub proposals: u32,
    pub calls: u32,
}

impl WorkspaceStats {
    pub fn is_empty(&self) -> bool {
        self.leads == 0
            && self.deals == 0
            && self.battle_cards == 0
            && self.content_items == 0
            && self.proposals == 0
            && self.calls == 0
    }
}
