//! all-MiniLM-L6-v2 on candle: tokenizer.json + BERT + mean pooling + L2 normalisation,
//! the pipeline sentence-transformers runs for this model.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{Encoding, Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

use crate::error::{EmbedError, Result};

/// The folder name the model is installed under (in `models/` of the repository, and
/// among the app's resources).
pub const MODEL_DIR_NAME: &str = "all-minilm-l6-v2";

/// The files [`Embedder::load`] reads from the model folder.
pub const MODEL_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

/// Longest input in word pieces, [CLS] and [SEP] included: the model's `max_seq_length`
/// (sentence_bert_config.json). Longer texts are cut at the end, as sentence-transformers
/// does.
pub const MAX_TOKENS: usize = 256;

/// Texts run through the model together. Texts are sorted by length first, so a batch
/// holds texts of similar length and little work goes to padding.
pub const BATCH_SIZE: usize = 32;

/// How the model runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedOptions {
    /// Threads for the model's matrix products (a private pool, not the global one).
    pub threads: usize,
}

impl Default for EmbedOptions {
    /// One thread per core, at most 4: MiniLM is small, more threads mostly wait on each
    /// other, and the UI and the database need cores too.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        EmbedOptions {
            threads: cores.clamp(1, 4),
        }
    }
}

/// The sentence-embedding model, loaded once and shared (it is `Send + Sync`; calls from
/// several threads run side by side).
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    dim: usize,
    pool: rayon::ThreadPool,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("dim", &self.dim)
            .field("threads", &self.pool.current_num_threads())
            .finish_non_exhaustive()
    }
}

impl Embedder {
    /// Loads the model from `dir` (the files in [`MODEL_FILES`]), with default options.
    pub fn load(dir: &Path) -> Result<Embedder> {
        Embedder::load_with(dir, &EmbedOptions::default())
    }

    /// Loads the model from `dir`. [`EmbedError::ModelMissing`] when a file is absent,
    /// [`EmbedError::Corrupt`] when one is unreadable or malformed.
    pub fn load_with(dir: &Path, options: &EmbedOptions) -> Result<Embedder> {
        if MODEL_FILES.iter().any(|f| !dir.join(f).is_file()) {
            return Err(EmbedError::ModelMissing {
                dir: dir.to_path_buf(),
            });
        }
        let device = Device::Cpu;

        let config_path = dir.join("config.json");
        let config_text = read_to_string(&config_path)?;
        let config: Config =
            serde_json::from_str(&config_text).map_err(|e| corrupt(&config_path, e))?;

        let tokenizer_path = dir.join("tokenizer.json");
        let mut tokenizer =
            Tokenizer::from_file(&tokenizer_path).map_err(|e| corrupt(&tokenizer_path, e))?;
        // The shipped tokenizer.json pads every text to 128 and cuts at 128; we pad each
        // batch ourselves and cut where sentence-transformers does.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                direction: TruncationDirection::Right,
                max_length: MAX_TOKENS,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
            }))
            .map_err(|e| corrupt(&tokenizer_path, e))?;

        let weights_path = dir.join("model.safetensors");
        // Read, not mmap: mapping a file is `unsafe` (another process could change it).
        // The buffer is freed once the tensors are copied out of it.
        let weights = std::fs::read(&weights_path).map_err(|e| corrupt(&weights_path, e))?;
        let model = load_tensors(&weights, &device)
            .and_then(|tensors| {
                BertModel::load(
                    VarBuilder::from_tensors(tensors, DType::F32, &device),
                    &config,
                )
            })
            .map_err(|e| corrupt(&weights_path, e))?;
        drop(weights);

        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads.max(1))
            .thread_name(|i| format!("closer-embed-{i}"))
            .build()
            .map_err(|e| EmbedError::Inference {
                reason: format!("cannot start the model's threads: {e}"),
            })?;

        Ok(Embedder {
            model,
            tokenizer,
            device,
            dim: config.hidden_size,
            pool,
        })
    }

    /// Dimensions of every vector: 384.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// One L2-normalised vector per text, in the order given. Texts are cut at
    /// [`MAX_TOKENS`] word pieces: split long documents into passages first.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        // Tokenizing runs on rayon too: keep it on our pool as well.
        self.pool.install(|| self.embed_on_pool(texts))
    }

    fn embed_on_pool(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        // sentence-transformers strips the texts before tokenizing.
        let inputs: Vec<&str> = texts.iter().map(|t| t.trim()).collect();
        let encodings =
            self.tokenizer
                .encode_batch(inputs, true)
                .map_err(|e| EmbedError::Tokenize {
                    reason: e.to_string(),
                })?;

        // Longest first, as sentence-transformers does, so each batch pads little.
        let mut order: Vec<usize> = (0..encodings.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(encodings[i].get_ids().len()));

        let mut out = vec![Vec::new(); encodings.len()];
        for chunk in order.chunks(BATCH_SIZE) {
            let batch: Vec<&Encoding> = chunk.iter().map(|&i| &encodings[i]).collect();
            for (&i, v) in chunk.iter().zip(self.run_batch(&batch)?) {
                out[i] = v;
            }
        }
        Ok(out)
    }

    /// The vector of one search query.
    pub fn embed_query(&self, q: &str) -> Result<Vec<f32>> {
        let encoding = self
            .tokenizer
            .encode(q.trim(), true)
            .map_err(|e| EmbedError::Tokenize {
                reason: e.to_string(),
            })?;
        let mut vectors = self.pool.install(|| self.run_batch(&[&encoding]))?;
        vectors.pop().ok_or_else(|| EmbedError::Inference {
            reason: "the model returned no vector".to_string(),
        })
    }

    /// BERT over one padded batch, then mean pooling over the real tokens and L2
    /// normalisation.
    fn run_batch(&self, batch: &[&Encoding]) -> Result<Vec<Vec<f32>>> {
        let rows = batch.len();
        let cols = batch.iter().map(|e| e.get_ids().len()).max().unwrap_or(0);
        let mut ids = vec![0u32; rows * cols]; // 0 is [PAD]
        let mut mask = vec![0u32; rows * cols];
        for (r, e) in batch.iter().enumerate() {
            let n = e.get_ids().len();
            ids[r * cols..r * cols + n].copy_from_slice(e.get_ids());
            mask[r * cols..r * cols + n].copy_from_slice(e.get_attention_mask());
        }
        let ids_t = Tensor::from_vec(ids, (rows, cols), &self.device)?;
        let type_ids = ids_t.zeros_like()?;
        let mask_t = Tensor::from_vec(mask.clone(), (rows, cols), &self.device)?;
        let hidden = self.model.forward(&ids_t, &type_ids, Some(&mask_t))?; // (rows, cols, dim)
        let hidden: Vec<f32> = hidden.flatten_all()?.to_vec1()?;

        let dim = self.dim;
        let mut out = Vec::with_capacity(rows);
        for r in 0..rows {
            let mut sum = vec![0.0f32; dim];
            let mut count = 0.0f32;
            for c in 0..cols {
                if mask[r * cols + c] == 0 {
                    continue;
                }
                count += 1.0;
                let at = (r * cols + c) * dim;
                for (s, h) in sum.iter_mut().zip(&hidden[at..at + dim]) {
                    *s += h;
                }
            }
            // The same clamps as sentence-transformers (Pooling: 1e-9, Normalize: 1e-12).
            let count = count.max(1e-9);
            sum.iter_mut().for_each(|s| *s /= count);
            let norm = sum.iter().map(|s| s * s).sum::<f32>().sqrt().max(1e-12);
            sum.iter_mut().for_each(|s| *s /= norm);
            out.push(sum);
        }
        Ok(out)
    }
}

/// The tensors of a safetensors file, with every weight matrix of the encoder stored
/// transposed (column-major) behind a view of its usual shape.
///
/// Why: `Linear` computes `x · Wᵀ`; gemm turns that into `W · xᵀ` (its kernels write
/// column-major), so W becomes its left operand, which it copies into packed panels on
/// every call unless it is already column-major. For a query of a few tokens that copy
/// costs several times the arithmetic (6 layers x 1.8M weights per query). Stored this
/// way, gemm reads W in place: same values, same results, one copy at load time.
fn load_tensors(weights: &[u8], device: &Device) -> candle_core::Result<HashMap<String, Tensor>> {
    let mut tensors = candle_core::safetensors::load_buffer(weights, device)?;
    for (name, tensor) in tensors.iter_mut() {
        if tensor.rank() == 2 && name.starts_with("encoder.") && name.ends_with(".weight") {
            *tensor = tensor.t()?.contiguous()?.t()?;
        }
    }
    Ok(tensors)
}

fn read_to_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| corrupt(path, e))
}

fn corrupt(path: &Path, e: impl std::fmt::Display) -> EmbedError {
    EmbedError::Corrupt {
        path: PathBuf::from(path),
        reason: e.to_string(),
    }
}
