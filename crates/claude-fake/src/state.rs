//! The state one server shares between its connections: options, scripts, records, the
//! prompt cache and the id sequence. One mutex, held only for short synchronous sections.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::usage::PromptCache;
use crate::{FakeOptions, RecordedRequest, Step};

pub(crate) struct Shared {
    pub(crate) opts: FakeOptions,
    state: Mutex<State>,
    seq: AtomicU64,
    started: Instant,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) script: VecDeque<Step>,
    pub(crate) openai_script: VecDeque<Step>,
    pub(crate) records: Vec<RecordedRequest>,
    pub(crate) openai_records: Vec<RecordedRequest>,
    pub(crate) messages_count: usize,
    pub(crate) openai_count: usize,
    pub(crate) cache: PromptCache,
    pub(crate) clock_offset: Duration,
}

impl State {
    pub(crate) fn reset(&mut self) {
        let offset = self.clock_offset;
        *self = State::default();
        self.clock_offset = offset;
    }
}

impl Shared {
    pub(crate) fn new(opts: FakeOptions) -> Shared {
        Shared {
            opts,
            state: Mutex::new(State::default()),
            seq: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// Run `f` with the state locked. A panic elsewhere while holding the lock does not
    /// poison the fake: the state is plain data and stays usable.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// The next number of the id sequence (request ids, message ids, tool-use ids).
    pub(crate) fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    /// The prompt cache's clock: time since start plus what tests advanced it by.
    pub(crate) fn cache_now(&self, state: &State) -> Duration {
        self.started.elapsed() + state.clock_offset
    }
}
