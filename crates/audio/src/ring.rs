//! The bounded buffer between capture and the transcriber: 16 kHz samples with their
//! position in the call. When the reader falls behind by more than the capacity, the
//! oldest audio is dropped and counted (never an unbounded queue, never a stalled
//! capture); the reader learns exactly how much it missed.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::resample::TARGET_RATE;

/// Audio taken from the ring.
#[derive(Debug, Clone, PartialEq)]
pub struct Taken {
    /// Position of the first sample since capture started, in samples at 16 kHz.
    pub start: u64,
    pub samples: Vec<f32>,
    /// Samples dropped (overwritten before being read) since the previous take.
    pub dropped: u64,
}

impl Taken {
    pub fn start_ms(&self) -> u64 {
        self.start * 1000 / u64::from(TARGET_RATE)
    }
}

#[derive(Debug)]
struct State {
    buf: VecDeque<f32>,
    /// Position of `buf[0]`.
    start: u64,
    dropped: u64,
    dropped_total: u64,
    closed: bool,
}

/// Cheap to clone: capture writes, the transcriber reads.
#[derive(Debug, Clone)]
pub struct AudioRing {
    state: Arc<(Mutex<State>, Condvar)>,
    capacity: usize,
}

impl AudioRing {
    /// A ring holding `seconds` of 16 kHz audio (at least one second).
    pub fn new(seconds: f32) -> AudioRing {
        let capacity = ((seconds.max(1.0)) * TARGET_RATE as f32) as usize;
        AudioRing {
            state: Arc::new((
                Mutex::new(State {
                    buf: VecDeque::with_capacity(capacity),
                    start: 0,
                    dropped: 0,
                    dropped_total: 0,
                    closed: false,
                }),
                Condvar::new(),
            )),
            capacity,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends samples; returns how many old samples this push overwrote.
    pub fn push(&self, samples: &[f32]) -> u64 {
        let mut s = self.lock();
        s.buf.extend(samples);
        let over = s.buf.len().saturating_sub(self.capacity);
        if over > 0 {
            s.buf.drain(..over);
            s.start += over as u64;
            s.dropped += over as u64;
            s.dropped_total += over as u64;
        }
        drop(s);
        self.state.1.notify_all();
        over as u64
    }

    /// Everything buffered (waiting up to `wait` for something to arrive); `None` once the
    /// ring is closed and empty.
    pub fn take(&self, wait: Duration) -> Option<Taken> {
        let mut s = self.lock();
        if s.buf.is_empty() && !s.closed {
            s = self
                .state
                .1
                .wait_timeout_while(s, wait, |s| s.buf.is_empty() && !s.closed)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        if s.buf.is_empty() && s.closed {
            return None;
        }
        let start = s.start;
        let samples: Vec<f32> = s.buf.drain(..).collect();
        s.start += samples.len() as u64;
        let dropped = std::mem::take(&mut s.dropped);
        Some(Taken {
            start,
            samples,
            dropped,
        })
    }

    /// Samples dropped since capture started.
    pub fn dropped_total(&self) -> u64 {
        self.lock().dropped_total
    }

    /// No more audio will come: a waiting reader returns.
    pub fn close(&self) {
        self.lock().closed = true;
        self.state.1.notify_all();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_slow_reader_loses_the_oldest_audio_and_is_told_how_much() {
        let ring = AudioRing::new(1.0); // 16,000 samples
        let second: Vec<f32> = (0..16_000).map(|i| i as f32).collect();
        assert_eq!(ring.push(&second), 0);
        assert_eq!(ring.push(&second[..4_000]), 4_000);
        let t = ring.take(Duration::ZERO).unwrap();
        assert_eq!(t.dropped, 4_000);
        assert_eq!(t.start, 4_000, "the position says where the kept audio is");
        assert_eq!(t.samples.len(), 16_000);
        assert_eq!(t.samples[0], 4_000.0);
        assert_eq!(t.start_ms(), 250);
        ring.push(&[1.0; 160]);
        let t = ring.take(Duration::ZERO).unwrap();
        assert_eq!((t.start, t.dropped, t.samples.len()), (20_000, 0, 160));
        assert_eq!(ring.dropped_total(), 4_000);
    }

    #[test]
    fn a_reader_wakes_for_audio_and_ends_when_closed() {
        let ring = AudioRing::new(1.0);
        let writer = ring.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            writer.push(&[0.5; 320]);
            writer.close();
        });
        let got = ring.take(Duration::from_secs(5)).unwrap();
        assert_eq!(got.samples.len(), 320);
        t.join().unwrap();
        assert!(ring.take(Duration::from_secs(5)).is_none());
    }
}
