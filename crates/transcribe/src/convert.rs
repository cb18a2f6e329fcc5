//! Our CTranslate2 → ggml converter for Whisper models.
//!
//! The registry ships Whisper tiny.en only as a CTranslate2 (faster-whisper) model:
//! `model.bin` (named tensors), `vocabulary.txt` (one byte-level BPE token a line). whisper.cpp
//! reads its own ggml file: hyper-parameters, the 80-bin mel filter bank, the raw bytes of the
//! ordinary tokens, then the tensors under the original PyTorch names. This module reads the
//! CTranslate2 file, renames the tensors, splits the fused attention projections back into
//! query/key/value, computes the mel filter bank from its formula (librosa's Slaney mel scale,
//! which is what Whisper's own `mel_filters.npz` holds) and writes the ggml file.
//!
//! It does not know how to run a model; [`crate::Whisper`] loads what this writes.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use half::f16;

use crate::error::{Result, TranscribeError};

/// The element type of a CTranslate2 tensor (ids as CTranslate2 numbers them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ct2Dtype {
    F32,
    I8,
    I16,
    I32,
    F16,
    BF16,
}

impl Ct2Dtype {
    fn from_id(id: u8) -> Option<Ct2Dtype> {
        Some(match id {
            0 => Ct2Dtype::F32,
            1 => Ct2Dtype::I8,
            2 => Ct2Dtype::I16,
            3 => Ct2Dtype::I32,
            4 => Ct2Dtype::F16,
            5 => Ct2Dtype::BF16,
            _ => return None,
        })
    }

    /// The id CTranslate2 writes for this type.
    pub fn id(self) -> u8 {
        match self {
            Ct2Dtype::F32 => 0,
            Ct2Dtype::I8 => 1,
            Ct2Dtype::I16 => 2,
            Ct2Dtype::I32 => 3,
            Ct2Dtype::F16 => 4,
            Ct2Dtype::BF16 => 5,
        }
    }

    fn size(self) -> usize {
        match self {
            Ct2Dtype::I8 => 1,
            Ct2Dtype::I16 | Ct2Dtype::F16 | Ct2Dtype::BF16 => 2,
            Ct2Dtype::F32 | Ct2Dtype::I32 => 4,
        }
    }
}

/// One named tensor of a CTranslate2 model, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Ct2Tensor {
    pub shape: Vec<usize>,
    pub dtype: Ct2Dtype,
    pub data: Vec<u8>,
}

impl Ct2Tensor {
    /// The values as f32 (floating-point tensors only).
    fn values(&self) -> std::result::Result<Vec<f32>, String> {
        let d = &self.data;
        Ok(match self.dtype {
            Ct2Dtype::F32 => d
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            Ct2Dtype::F16 => d
                .chunks_exact(2)
                .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            Ct2Dtype::BF16 => d
                .chunks_exact(2)
                .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            other => {
                return Err(format!(
                    "tensor of type {other:?}: quantized models are not supported, use a float16 or float32 one"
                ))
            }
        })
    }

    /// A small integer attribute (CTranslate2 stores e.g. `num_heads` as a scalar tensor).
    fn scalar_int(&self) -> Option<i64> {
        let d = &self.data;
        match self.dtype {
            Ct2Dtype::I8 => d.first().map(|&b| i64::from(b as i8)),
            Ct2Dtype::I16 => (d.len() >= 2).then(|| i64::from(i16::from_le_bytes([d[0], d[1]]))),
            Ct2Dtype::I32 => {
                (d.len() >= 4).then(|| i64::from(i32::from_le_bytes([d[0], d[1], d[2], d[3]])))
            }
            _ => None,
        }
    }
}

/// A CTranslate2 model file (`model.bin`): its spec name and tensors by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ct2Model {
    pub spec: String,
    pub tensors: BTreeMap<String, Ct2Tensor>,
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("file ends early (at byte {})", self.at))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> std::result::Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> std::result::Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> std::result::Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// A length-prefixed, NUL-terminated string.
    fn string(&mut self) -> std::result::Result<String, String> {
        let n = usize::from(self.u16()?);
        let b = self.take(n)?;
        let b = b.strip_suffix(&[0]).unwrap_or(b);
        String::from_utf8(b.to_vec()).map_err(|_| "a name is not UTF-8".to_string())
    }
}

/// Parses the bytes of a CTranslate2 `model.bin` (binary version 6).
pub fn parse_ct2(bytes: &[u8]) -> std::result::Result<Ct2Model, String> {
    let mut c = Cursor { bytes, at: 0 };
    let version = c.u32()?;
    if !(5..=6).contains(&version) {
        return Err(format!("binary version {version} (expected 5 or 6)"));
    }
    let spec = c.string()?;
    let _revision = c.u32()?;
    let n = c.u32()?;
    let mut tensors = BTreeMap::new();
    for _ in 0..n {
        let name = c.string()?;
        let rank = c.u8()?;
        let mut shape = Vec::with_capacity(usize::from(rank));
        for _ in 0..rank {
            shape.push(c.u32()? as usize);
        }
        let id = c.u8()?;
        let dtype = Ct2Dtype::from_id(id).ok_or_else(|| format!("{name}: unknown type id {id}"))?;
        let n_bytes = c.u32()? as usize;
        let count: usize = shape.iter().product();
        if count * dtype.size() != n_bytes {
            return Err(format!(
                "{name}: {n_bytes} bytes for shape {shape:?} of {dtype:?}"
            ));
        }
        let data = c.take(n_bytes)?.to_vec();
        tensors.insert(name, Ct2Tensor { shape, dtype, data });
    }
    // Aliases (e.g. the output projection shares the token embedding): not needed, since
    // whisper.cpp ties them itself.
    Ok(Ct2Model { spec, tensors })
}

/// Serialises a model in the CTranslate2 layout [`parse_ct2`] reads (tests build small
/// models with it).
pub fn write_ct2(model: &Ct2Model) -> Vec<u8> {
    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }
    let mut out = Vec::new();
    out.extend_from_slice(&6u32.to_le_bytes());
    string(&mut out, &model.spec);
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&(model.tensors.len() as u32).to_le_bytes());
    for (name, t) in &model.tensors {
        string(&mut out, name);
        out.push(t.shape.len() as u8);
        for &d in &t.shape {
            out.extend_from_slice(&(d as u32).to_le_bytes());
        }
        out.push(t.dtype.id());
        out.extend_from_slice(&(t.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&t.data);
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out
}

/// Converts Hz to the Slaney mel scale (librosa's default: linear below 1 kHz, log above).
fn hz_to_mel(hz: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if hz >= min_log_hz {
        min_log_mel + (hz / min_log_hz).ln() / logstep
    } else {
        hz / f_sp
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if mel >= min_log_mel {
        min_log_hz * (logstep * (mel - min_log_mel)).exp()
    } else {
        f_sp * mel
    }
}

/// The mel filter bank Whisper uses (librosa `filters.mel(sr, n_fft, n_mels)` with its
/// defaults: 0 Hz to Nyquist, Slaney scale, Slaney area normalisation), row-major
/// `[n_mels][n_fft / 2 + 1]`.
pub fn mel_filters(sample_rate: u32, n_fft: usize, n_mels: usize) -> Vec<f32> {
    let n_freqs = n_fft / 2 + 1;
    let nyquist = f64::from(sample_rate) / 2.0;
    let fft_freqs: Vec<f64> = (0..n_freqs)
        .map(|i| nyquist * i as f64 / (n_freqs - 1) as f64)
        .collect();
    let max_mel = hz_to_mel(nyquist);
    let mel_f: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(max_mel * i as f64 / (n_mels + 1) as f64))
        .collect();
    let mut out = Vec::with_capacity(n_mels * n_freqs);
    for m in 0..n_mels {
        let (lo, mid, hi) = (mel_f[m], mel_f[m + 1], mel_f[m + 2]);
        let norm = 2.0 / (hi - lo);
        for &f in &fft_freqs {
            let lower = (f - lo) / (mid - lo);
            let upper = (hi - f) / (hi - mid);
            out.push((lower.min(upper).max(0.0) * norm) as f32);
        }
    }
    out
}

/// GPT-2's byte-level BPE alphabet: the character that stands for each byte.
fn byte_chars() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut extra = 0u32;
    for b in 0..=255u8 {
        let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        table[usize::from(b)] = if printable {
            char::from(b)
        } else {
            let c = char::from_u32(256 + extra).unwrap_or('\0');
            extra += 1;
            c
        };
    }
    table
}

/// The raw bytes of a byte-level BPE token as written in `vocabulary.txt` (`Ġthe` → ` the`);
/// `None` if a character is outside the alphabet.
pub fn token_bytes(token: &str) -> Option<Vec<u8>> {
    let table = byte_chars();
    token
        .chars()
        .map(|c| table.iter().position(|&t| t == c).map(|b| b as u8))
        .collect()
}

/// Whisper's hyper-parameters, in the order of the ggml header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hparams {
    pub n_vocab: usize,
    pub n_audio_ctx: usize,
    pub n_audio_state: usize,
    pub n_audio_head: usize,
    pub n_audio_layer: usize,
    pub n_text_ctx: usize,
    pub n_text_state: usize,
    pub n_text_head: usize,
    pub n_text_layer: usize,
    pub n_mels: usize,
}

/// One tensor of the ggml file: where its values come from in the CTranslate2 model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The PyTorch name whisper.cpp looks for (`encoder.blocks.0.attn.query.weight`).
    pub name: String,
    /// The CTranslate2 tensor the values come from.
    pub source: String,
    /// Rows (along the first dimension) of the source: a part of a fused projection.
    pub rows: Range<usize>,
    /// Row-major shape as written.
    pub shape: Vec<usize>,
    /// Stored as f16 (matrices), else f32 (norms, biases, positional embeddings).
    pub f16: bool,
}

fn shape_of<'m>(model: &'m Ct2Model, name: &str) -> std::result::Result<&'m [usize], String> {
    model
        .tensors
        .get(name)
        .map(|t| t.shape.as_slice())
        .ok_or_else(|| format!("tensor {name} is missing"))
}

fn count_layers(model: &Ct2Model, prefix: &str) -> usize {
    (0..)
        .take_while(|i| {
            model
                .tensors
                .contains_key(&format!("{prefix}/layer_{i}/ffn/linear_0/weight"))
        })
        .count()
}

fn heads(model: &Ct2Model, name: &str) -> std::result::Result<usize, String> {
    model
        .tensors
        .get(name)
        .and_then(Ct2Tensor::scalar_int)
        .filter(|&h| h > 0)
        .map(|h| h as usize)
        .ok_or_else(|| format!("{name} is missing"))
}

/// Reads the hyper-parameters off the tensor shapes and attributes.
pub fn hparams(model: &Ct2Model) -> std::result::Result<Hparams, String> {
    if model.spec != "WhisperSpec" {
        return Err(format!("spec {} (expected WhisperSpec)", model.spec));
    }
    let emb = shape_of(model, "decoder/embeddings/weight")?;
    let enc_pos = shape_of(model, "encoder/position_encodings/encodings")?;
    let dec_pos = shape_of(model, "decoder/position_encodings/encodings")?;
    let conv1 = shape_of(model, "encoder/conv1/weight")?;
    let (
        &[n_vocab, n_text_state],
        &[n_audio_ctx, n_audio_state],
        &[n_text_ctx, _],
        &[_, n_mels, _],
    ) = (emb, enc_pos, dec_pos, conv1)
    else {
        return Err("unexpected embedding or convolution shapes".into());
    };
    Ok(Hparams {
        n_vocab,
        n_audio_ctx,
        n_audio_state,
        n_audio_head: heads(model, "encoder/num_heads")?,
        n_audio_layer: count_layers(model, "encoder"),
        n_text_ctx,
        n_text_state,
        n_text_head: heads(model, "decoder/num_heads")?,
        n_text_layer: count_layers(model, "decoder"),
        n_mels,
    })
}

/// Collects the ggml tensors in write order.
struct Planner<'m> {
    model: &'m Ct2Model,
    out: Vec<Planned>,
}

type Step = std::result::Result<(), String>;

impl Planner<'_> {
    /// Copies `source` whole, or with `part = Some((k, d))` rows `k*d..(k+1)*d` of a fused
    /// projection.
    fn add(&mut self, name: String, source: String, part: Option<(usize, usize)>) -> Step {
        let shape = shape_of(self.model, &source)?.to_vec();
        let first = shape.first().copied().unwrap_or(1);
        let (rows, mut shape) = match part {
            None => (0..first, shape),
            Some((k, d)) => {
                if first < (k + 1) * d {
                    return Err(format!(
                        "{source} has {first} rows, cannot take part {k} of {d}"
                    ));
                }
                let mut s = shape;
                s[0] = d;
                (k * d..(k + 1) * d, s)
            }
        };
        let is_conv_bias = name.starts_with("encoder.conv") && name.ends_with(".bias");
        if is_conv_bias {
            shape.push(1); // whisper.cpp wants the conv biases as [n, 1]
        }
        let f16 = shape.len() >= 2 && !is_conv_bias && !name.ends_with("positional_embedding");
        self.out.push(Planned {
            name,
            source,
            rows,
            shape,
            f16,
        });
        Ok(())
    }

    /// `to.weight` (and `to.bias`) from `from/weight` (and `from/bias`).
    fn linear(&mut self, to: &str, from: &str, part: Option<(usize, usize)>, bias: bool) -> Step {
        self.add(format!("{to}.weight"), format!("{from}/weight"), part)?;
        if bias {
            self.add(format!("{to}.bias"), format!("{from}/bias"), part)?;
        }
        Ok(())
    }

    /// A layer norm: gamma → weight, beta → bias.
    fn norm(&mut self, to: &str, from: &str) -> Step {
        self.add(format!("{to}.weight"), format!("{from}/gamma"), None)?;
        self.add(format!("{to}.bias"), format!("{from}/beta"), None)
    }

    /// Self-attention with CTranslate2's fused query/key/value projection (`linear_0`);
    /// Whisper's key projection has no bias, so that third of the fused bias is dropped.
    fn self_attention(&mut self, to: &str, from: &str, d: usize) -> Step {
        self.norm(
            &format!("{to}.attn_ln"),
            &format!("{from}/self_attention/layer_norm"),
        )?;
        let qkv = format!("{from}/self_attention/linear_0");
        self.linear(&format!("{to}.attn.query"), &qkv, Some((0, d)), true)?;
        self.linear(&format!("{to}.attn.key"), &qkv, Some((1, d)), false)?;
        self.linear(&format!("{to}.attn.value"), &qkv, Some((2, d)), true)?;
        self.linear(
            &format!("{to}.attn.out"),
            &format!("{from}/self_attention/linear_1"),
            None,
            true,
        )
    }

    fn mlp(&mut self, to: &str, from: &str) -> Step {
        self.norm(&format!("{to}.mlp_ln"), &format!("{from}/ffn/layer_norm"))?;
        self.linear(
            &format!("{to}.mlp.0"),
            &format!("{from}/ffn/linear_0"),
            None,
            true,
        )?;
        self.linear(
            &format!("{to}.mlp.2"),
            &format!("{from}/ffn/linear_1"),
            None,
            true,
        )
    }
}

/// The ggml tensors, in write order, and where each comes from.
pub fn plan(model: &Ct2Model) -> std::result::Result<(Hparams, Vec<Planned>), String> {
    let hp = hparams(model)?;
    let mut p = Planner {
        model,
        out: Vec::new(),
    };

    p.add(
        "encoder.positional_embedding".into(),
        "encoder/position_encodings/encodings".into(),
        None,
    )?;
    p.linear("encoder.conv1", "encoder/conv1", None, true)?;
    p.linear("encoder.conv2", "encoder/conv2", None, true)?;
    for i in 0..hp.n_audio_layer {
        let (to, from) = (format!("encoder.blocks.{i}"), format!("encoder/layer_{i}"));
        p.self_attention(&to, &from, hp.n_audio_state)?;
        p.mlp(&to, &from)?;
    }
    p.norm("encoder.ln_post", "encoder/layer_norm")?;

    let d = hp.n_text_state;
    p.add(
        "decoder.positional_embedding".into(),
        "decoder/position_encodings/encodings".into(),
        None,
    )?;
    p.add(
        "decoder.token_embedding.weight".into(),
        "decoder/embeddings/weight".into(),
        None,
    )?;
    for i in 0..hp.n_text_layer {
        let (to, from) = (format!("decoder.blocks.{i}"), format!("decoder/layer_{i}"));
        p.self_attention(&to, &from, d)?;
        // Cross-attention: the query alone (`linear_0`), key and value fused (`linear_1`).
        p.norm(
            &format!("{to}.cross_attn_ln"),
            &format!("{from}/attention/layer_norm"),
        )?;
        p.linear(
            &format!("{to}.cross_attn.query"),
            &format!("{from}/attention/linear_0"),
            None,
            true,
        )?;
        let kv = format!("{from}/attention/linear_1");
        p.linear(&format!("{to}.cross_attn.key"), &kv, Some((0, d)), false)?;
        p.linear(&format!("{to}.cross_attn.value"), &kv, Some((1, d)), true)?;
        p.linear(
            &format!("{to}.cross_attn.out"),
            &format!("{from}/attention/linear_2"),
            None,
            true,
        )?;
        p.mlp(&to, &from)?;
    }
    p.norm("decoder.ln", "decoder/layer_norm")?;
    Ok((hp, p.out))
}

/// The ordinary tokens (everything before `<|endoftext|>`) as raw bytes.
pub fn ordinary_tokens(vocabulary: &str) -> std::result::Result<Vec<Vec<u8>>, String> {
    vocabulary
        .lines()
        .take_while(|t| *t != "<|endoftext|>")
        .enumerate()
        .map(|(i, t)| {
            token_bytes(t).ok_or_else(|| format!("token {i} ({t:?}) is not byte-level BPE"))
        })
        .collect()
}

/// What [`convert`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertReport {
    pub hparams: Hparams,
    pub tensors: usize,
    pub tokens: usize,
    pub bytes: u64,
}

const GGML_MAGIC: u32 = 0x6767_6d6c;

fn write_model(
    model: &Ct2Model,
    tokens: &[Vec<u8>],
    out: &mut impl Write,
) -> std::result::Result<(Hparams, usize), WriteFail> {
    let (hp, planned) = plan(model).map_err(WriteFail::Source)?;
    let i32s = |out: &mut dyn Write, v: &[usize]| -> std::io::Result<()> {
        for &x in v {
            out.write_all(&(x as i32).to_le_bytes())?;
        }
        Ok(())
    };
    out.write_all(&GGML_MAGIC.to_le_bytes())?;
    i32s(
        out,
        &[
            hp.n_vocab,
            hp.n_audio_ctx,
            hp.n_audio_state,
            hp.n_audio_head,
            hp.n_audio_layer,
            hp.n_text_ctx,
            hp.n_text_state,
            hp.n_text_head,
            hp.n_text_layer,
            hp.n_mels,
            1, // ftype: f16 matrices
        ],
    )?;
    let n_fft = 400;
    let filters = mel_filters(16_000, n_fft, hp.n_mels);
    i32s(out, &[hp.n_mels, n_fft / 2 + 1])?;
    for v in filters {
        out.write_all(&v.to_le_bytes())?;
    }
    i32s(out, &[tokens.len()])?;
    for t in tokens {
        i32s(out, &[t.len()])?;
        out.write_all(t)?;
    }
    for p in &planned {
        let src = model
            .tensors
            .get(&p.source)
            .ok_or_else(|| WriteFail::Source(format!("tensor {} is missing", p.source)))?;
        let values = src
            .values()
            .map_err(|e| WriteFail::Source(format!("{}: {e}", p.source)))?;
        let per_row: usize = src.shape.iter().skip(1).product();
        let values = values
            .get(p.rows.start * per_row..p.rows.end * per_row)
            .ok_or_else(|| WriteFail::Source(format!("{} is shorter than its shape", p.source)))?;
        i32s(out, &[p.shape.len(), p.name.len(), usize::from(p.f16)])?;
        let reversed: Vec<usize> = p.shape.iter().rev().copied().collect();
        i32s(out, &reversed)?;
        out.write_all(p.name.as_bytes())?;
        let mut buf = Vec::with_capacity(values.len() * 4);
        for &v in values {
            if p.f16 {
                buf.extend_from_slice(&f16::from_f32(v).to_le_bytes());
            } else {
                buf.extend_from_slice(&v.to_le_bytes());
            }
        }
        out.write_all(&buf)?;
    }
    Ok((hp, planned.len()))
}

enum WriteFail {
    Source(String),
    Io(std::io::Error),
}

impl From<std::io::Error> for WriteFail {
    fn from(e: std::io::Error) -> Self {
        WriteFail::Io(e)
    }
}

/// Converts the CTranslate2 Whisper model in `src_dir` (`model.bin`, `vocabulary.txt`) into
/// the ggml file `dest` (written beside it first, then renamed: never half a file).
pub fn convert(src_dir: &Path, dest: &Path) -> Result<ConvertReport> {
    let read = |name: &str| -> Result<(PathBuf, Vec<u8>)> {
        let path = src_dir.join(name);
        std::fs::read(&path)
            .map(|b| (path.clone(), b))
            .map_err(|source| TranscribeError::Read { path, source })
    };
    let (bin_path, bin) = read("model.bin")?;
    let bad = |path: &Path, reason: String| TranscribeError::BadSource {
        path: path.to_path_buf(),
        reason,
    };
    let model = parse_ct2(&bin).map_err(|r| bad(&bin_path, r))?;
    drop(bin);
    let (vocab_path, vocab) = read("vocabulary.txt")?;
    let vocab = String::from_utf8(vocab).map_err(|_| bad(&vocab_path, "not UTF-8".into()))?;
    let tokens = ordinary_tokens(&vocab).map_err(|r| bad(&vocab_path, r))?;

    let tmp = dest.with_extension("bin.part");
    let write_err = |source| TranscribeError::Write {
        path: dest.to_path_buf(),
        source,
    };
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    let file = std::fs::File::create(&tmp).map_err(write_err)?;
    let mut w = BufWriter::new(file);
    let written = write_model(&model, &tokens, &mut w).and_then(|r| {
        w.flush()?;
        Ok(r)
    });
    let (hp, n) = match written {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(match e {
                WriteFail::Source(r) => bad(&bin_path, r),
                WriteFail::Io(e) => write_err(e),
            });
        }
    };
    drop(w);
    std::fs::rename(&tmp, dest).map_err(write_err)?;
    let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    Ok(ConvertReport {
        hparams: hp,
        tensors: n,
        tokens: tokens.len(),
        bytes,
    })
}
