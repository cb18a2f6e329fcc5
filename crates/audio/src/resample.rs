//! Any device rate to the 16 kHz mono the transcriber and the voice detector take, with
//! rubato's FFT resampler (fixed input chunks of 20 ms; band-limited, no aliasing of the
//! 8-24 kHz content a 48 kHz microphone picks up).

use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{Fft, FixedSync, Resampler};

use crate::error::{AudioError, Result};

/// The rate everything after capture works at.
pub const TARGET_RATE: u32 = 16_000;

/// Streams mono samples at `rate` in, 16 kHz out.
pub struct To16k {
    rate: u32,
    inner: Option<Fft<f32>>,
    /// Input not yet making a whole chunk.
    pending: Vec<f32>,
    chunk: usize,
    input: Vec<Vec<f32>>,
    output: Vec<Vec<f32>>,
}

impl To16k {
    pub fn new(rate: u32) -> Result<To16k> {
        if rate == 0 {
            return Err(AudioError::Resample {
                rate,
                reason: "the device reports a rate of 0 Hz".into(),
            });
        }
        if rate == TARGET_RATE {
            return Ok(To16k {
                rate,
                inner: None,
                pending: Vec::new(),
                chunk: 0,
                input: Vec::new(),
                output: Vec::new(),
            });
        }
        let chunk = (rate as usize / 50).max(1);
        let inner = Fft::<f32>::new(
            rate as usize,
            TARGET_RATE as usize,
            chunk,
            1,
            FixedSync::Input,
        )
        .map_err(|e| AudioError::Resample {
            rate,
            reason: e.to_string(),
        })?;
        let out_max = inner.output_frames_max();
        Ok(To16k {
            rate,
            inner: Some(inner),
            pending: Vec::with_capacity(chunk * 2),
            chunk,
            input: vec![vec![0.0; chunk]],
            output: vec![vec![0.0; out_max]],
        })
    }

    pub fn input_rate(&self) -> u32 {
        self.rate
    }

    /// Appends the 16 kHz samples `input` makes to `out` (whole 20 ms chunks; the rest
    /// waits for the next call).
    pub fn push(&mut self, input: &[f32], out: &mut Vec<f32>) {
        let Some(inner) = self.inner.as_mut() else {
            out.extend_from_slice(input);
            return;
        };
        self.pending.extend_from_slice(input);
        let mut start = 0;
        while self.pending.len() - start >= self.chunk {
            self.input[0].copy_from_slice(&self.pending[start..start + self.chunk]);
            start += self.chunk;
            let frames_out = inner.output_frames_next();
            let (Ok(inp), Ok(mut outp)) = (
                SequentialSliceOfVecs::new(&self.input, 1, self.chunk),
                SequentialSliceOfVecs::new_mut(&mut self.output, 1, frames_out),
            ) else {
                continue;
            };
            match inner.process_into_buffer(&inp, &mut outp, None) {
                Ok((_, written)) => out.extend_from_slice(&self.output[0][..written]),
                Err(e) => tracing::warn!(error = %e, "resampling a chunk failed; it is skipped"),
            }
        }
        self.pending.drain(..start);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sine(rate: u32, hz: f32, secs: f32) -> Vec<f32> {
        let n = (rate as f32 * secs) as usize;
        (0..n)
            .map(|i| (2.0 * std::f32::consts::PI * hz * i as f32 / rate as f32).sin() * 0.5)
            .collect()
    }

    /// Zero crossings per second / 2 = the frequency.
    fn frequency(samples: &[f32], rate: u32) -> f32 {
        let crossings = samples
            .windows(2)
            .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
            .count();
        crossings as f32 / 2.0 / (samples.len() as f32 / rate as f32)
    }

    #[test]
    fn a_48k_tone_keeps_its_pitch_and_length_at_16k() {
        for rate in [48_000, 44_100, 22_050] {
            let mut r = To16k::new(rate).unwrap();
            let mut out = Vec::new();
            // In uneven pieces, as a device delivers them.
            for piece in sine(rate, 440.0, 2.0).chunks(333) {
                r.push(piece, &mut out);
            }
            let secs = out.len() as f32 / TARGET_RATE as f32;
            assert!((secs - 2.0).abs() < 0.05, "{rate}: {secs} s");
            // Skip the resampler's start-up delay.
            let f = frequency(&out[1600..], TARGET_RATE);
            assert!((f - 440.0).abs() < 5.0, "{rate}: {f} Hz");
        }
    }

    #[test]
    fn sixteen_k_passes_through_and_zero_is_refused() {
        let mut r = To16k::new(16_000).unwrap();
        let mut out = Vec::new();
        r.push(&[0.1, 0.2, 0.3], &mut out);
        assert_eq!(out, vec![0.1, 0.2, 0.3]);
        assert!(To16k::new(0).is_err());
    }
}
