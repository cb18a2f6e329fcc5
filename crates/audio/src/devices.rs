//! The inputs a rep can choose from in Settings.

use cpal::traits::{DeviceTrait, HostTrait};

use crate::error::{AudioError, Result};

/// An input device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDevice {
    /// What to pass back as `CaptureOptions::device` (stable across runs where the
    /// platform allows).
    pub id: String,
    pub name: String,
    pub is_default: bool,
    /// A monitor of an output (what the speakers play): the other side of a call on Linux
    /// (PulseAudio/PipeWire). macOS needs a loopback driver (e.g. BlackHole) and Windows a
    /// WASAPI loopback of the output for the same.
    pub is_monitor: bool,
}

/// The inputs of the default host (PulseAudio when its server runs, else ALSA).
pub fn list_inputs() -> Result<Vec<InputDevice>> {
    let host = cpal::default_host();
    let default_id = host
        .default_input_device()
        .and_then(|d| d.id().ok())
        .map(|id| id.to_string());
    let devices = host
        .input_devices()
        .map_err(|_| AudioError::NoInputDevice)?;
    let mut out = Vec::new();
    for d in devices {
        let Ok(id) = d.id() else { continue };
        let id = id.to_string();
        let name = d.to_string();
        out.push(InputDevice {
            is_default: default_id.as_deref() == Some(id.as_str()),
            is_monitor: is_monitor(&id, &name),
            id,
            name,
        });
    }
    Ok(out)
}

fn is_monitor(id: &str, name: &str) -> bool {
    id.ends_with(".monitor") || name.to_lowercase().starts_with("monitor of")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitors_are_told_apart() {
        assert!(is_monitor(
            "pulseaudio:alsa_output.pci.analog-stereo.monitor",
            "x"
        ));
        assert!(is_monitor("x", "Monitor of Built-in Audio"));
        assert!(!is_monitor(
            "pulseaudio:alsa_input.usb-mic",
            "USB Microphone"
        ));
    }
}
