use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use closer_embed::Embedder;

/// Where the model is: `CLOSER_EMBED_MODEL_DIR`, or `<repo>/models/all-minilm-l6-v2`
/// where scripts/fetch-model.sh puts it.
pub fn model_dir() -> PathBuf {
    match std::env::var_os("CLOSER_EMBED_MODEL_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../models")
            .join(closer_embed::MODEL_DIR_NAME),
    }
}

/// The model, loaded once for the whole test binary; `None` (with a note on stderr) when
/// it is not installed.
pub fn embedder(test: &str) -> Option<&'static Embedder> {
    static EMBEDDER: OnceLock<Option<Embedder>> = OnceLock::new();
    let loaded = EMBEDDER.get_or_init(|| match Embedder::load(&model_dir()) {
        Ok(e) => Some(e),
        Err(closer_embed::EmbedError::ModelMissing { .. }) => None,
        Err(e) => panic!("the model is installed but does not load: {e}"),
    });
    if loaded.is_none() {
        // Straight to stderr: the test harness hides `eprintln!` of passing tests.
        let note = format!(
            "SKIPPED {test}: no model in {} (run scripts/fetch-model.sh)\n",
            model_dir().display()
        );
        let _ = std::io::stderr().write_all(note.as_bytes());
    }
    loaded.as_ref()
}

/// A small deterministic generator (xorshift64*), so tests need no rand crate.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [-1, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }

    /// A random L2-normalised vector.
    pub fn normalised(&mut self, dim: usize) -> Vec<f32> {
        let mut v: Vec<f32> = (0..dim).map(|_| self.unit()).collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter_mut().for_each(|x| *x /= norm);
        v
    }
}
