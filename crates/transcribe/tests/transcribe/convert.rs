//! The converter: a small CTranslate2 Whisper model built here goes through `convert`, and
//! the ggml it writes is read back; the mel filter bank against its formula; the real
//! tiny.en, converted by scripts/setup.sh, loads and transcribes.

use std::collections::BTreeMap;

use closer_transcribe::convert::{
    convert, mel_filters, parse_ct2, token_bytes, write_ct2, Ct2Dtype, Ct2Model, Ct2Tensor,
};
use closer_transcribe::{wer, DecodeOptions};
use half::f16;

use crate::{speak, whisper};

/// A float16 tensor whose element `i` is `base + i` (small integers are exact in f16).
fn f16_tensor(shape: &[usize], base: f32) -> Ct2Tensor {
    let n: usize = shape.iter().product();
    let data = (0..n)
        .flat_map(|i| f16::from_f32(base + i as f32).to_le_bytes())
        .collect();
    Ct2Tensor {
        shape: shape.to_vec(),
        dtype: Ct2Dtype::F16,
        data,
    }
}

fn int16(v: i16) -> Ct2Tensor {
    Ct2Tensor {
        shape: vec![],
        dtype: Ct2Dtype::I16,
        data: v.to_le_bytes().to_vec(),
    }
}

/// A Whisper in CTranslate2's layout with 1 encoder and 1 decoder layer, width 4.
fn tiny_ct2() -> Ct2Model {
    let d = 4;
    let mut t = BTreeMap::new();
    let mut base = 0.0;
    let mut put = |t: &mut BTreeMap<String, Ct2Tensor>, name: &str, shape: &[usize]| {
        t.insert(name.to_string(), f16_tensor(shape, base));
        base += 100.0;
    };
    put(&mut t, "encoder/conv1/weight", &[d, 3, 3]);
    put(&mut t, "encoder/conv1/bias", &[d]);
    put(&mut t, "encoder/conv2/weight", &[d, d, 3]);
    put(&mut t, "encoder/conv2/bias", &[d]);
    put(&mut t, "encoder/position_encodings/encodings", &[8, d]);
    put(&mut t, "decoder/position_encodings/encodings", &[5, d]);
    put(&mut t, "decoder/embeddings/weight", &[6, d]);
    for side in ["encoder", "decoder"] {
        let l = format!("{side}/layer_0");
        for ln in ["self_attention/layer_norm", "ffn/layer_norm"] {
            put(&mut t, &format!("{l}/{ln}/gamma"), &[d]);
            put(&mut t, &format!("{l}/{ln}/beta"), &[d]);
        }
        put(
            &mut t,
            &format!("{l}/self_attention/linear_0/weight"),
            &[3 * d, d],
        );
        put(
            &mut t,
            &format!("{l}/self_attention/linear_0/bias"),
            &[3 * d],
        );
        put(
            &mut t,
            &format!("{l}/self_attention/linear_1/weight"),
            &[d, d],
        );
        put(&mut t, &format!("{l}/self_attention/linear_1/bias"), &[d]);
        put(&mut t, &format!("{l}/ffn/linear_0/weight"), &[2 * d, d]);
        put(&mut t, &format!("{l}/ffn/linear_0/bias"), &[2 * d]);
        put(&mut t, &format!("{l}/ffn/linear_1/weight"), &[d, 2 * d]);
        put(&mut t, &format!("{l}/ffn/linear_1/bias"), &[d]);
        put(&mut t, &format!("{side}/layer_norm/gamma"), &[d]);
        put(&mut t, &format!("{side}/layer_norm/beta"), &[d]);
        t.insert(format!("{side}/num_heads"), int16(2));
    }
    let l = "decoder/layer_0/attention";
    put(&mut t, &format!("{l}/layer_norm/gamma"), &[d]);
    put(&mut t, &format!("{l}/layer_norm/beta"), &[d]);
    put(&mut t, &format!("{l}/linear_0/weight"), &[d, d]);
    put(&mut t, &format!("{l}/linear_0/bias"), &[d]);
    put(&mut t, &format!("{l}/linear_1/weight"), &[2 * d, d]);
    put(&mut t, &format!("{l}/linear_1/bias"), &[2 * d]);
    put(&mut t, &format!("{l}/linear_2/weight"), &[d, d]);
    put(&mut t, &format!("{l}/linear_2/bias"), &[d]);
    Ct2Model {
        spec: "WhisperSpec".into(),
        tensors: t,
    }
}

/// One tensor of a ggml file as read back.
#[derive(Debug)]
struct GgmlTensor {
    /// Row-major shape.
    shape: Vec<usize>,
    f16: bool,
    values: Vec<f32>,
}

struct Ggml {
    hparams: Vec<i32>,
    mel: (usize, usize, Vec<f32>),
    tokens: Vec<Vec<u8>>,
    tensors: Vec<(String, GgmlTensor)>,
}

/// Reads a whisper.cpp ggml file the way whisper.cpp does.
fn read_ggml(bytes: &[u8]) -> Ggml {
    let mut pos = 0;
    let rd = |pos: &mut usize| -> i32 {
        let v = i32::from_le_bytes(bytes[*pos..*pos + 4].try_into().unwrap());
        *pos += 4;
        v
    };
    let f32s = |n: usize, pos: &mut usize| -> Vec<f32> {
        let v = bytes[*pos..*pos + 4 * n]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
            .collect();
        *pos += 4 * n;
        v
    };
    assert_eq!(rd(&mut pos) as u32, 0x6767_6d6c, "magic");
    let hparams: Vec<i32> = (0..11).map(|_| rd(&mut pos)).collect();
    let (rows, cols) = (rd(&mut pos) as usize, rd(&mut pos) as usize);
    let mel = f32s(rows * cols, &mut pos);
    let n_tokens = rd(&mut pos) as usize;
    let mut tokens = Vec::new();
    for _ in 0..n_tokens {
        let len = rd(&mut pos) as usize;
        tokens.push(bytes[pos..pos + len].to_vec());
        pos += len;
    }
    let mut tensors = Vec::new();
    while pos < bytes.len() {
        let (n_dims, name_len, ftype) = (rd(&mut pos), rd(&mut pos), rd(&mut pos));
        let mut shape: Vec<usize> = (0..n_dims).map(|_| rd(&mut pos) as usize).collect();
        shape.reverse();
        let name = String::from_utf8(bytes[pos..pos + name_len as usize].to_vec()).unwrap();
        pos += name_len as usize;
        let n: usize = shape.iter().product();
        let values = if ftype == 1 {
            let v = bytes[pos..pos + 2 * n]
                .chunks_exact(2)
                .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect();
            pos += 2 * n;
            v
        } else {
            f32s(n, &mut pos)
        };
        tensors.push((
            name,
            GgmlTensor {
                shape,
                f16: ftype == 1,
                values,
            },
        ));
    }
    Ggml {
        hparams,
        mel: (rows, cols, mel),
        tokens,
        tensors,
    }
}

#[test]
fn a_ctranslate2_whisper_becomes_the_ggml_file_whisper_cpp_reads() {
    let dir = tempfile::tempdir().unwrap();
    let src = tiny_ct2();
    let bytes = write_ct2(&src);
    assert_eq!(
        parse_ct2(&bytes).unwrap(),
        src,
        "the CTranslate2 reader reads what it wrote"
    );
    std::fs::write(dir.path().join("model.bin"), &bytes).unwrap();
    std::fs::write(
        dir.path().join("vocabulary.txt"),
        "a\nĠthe\nĊ\n<|endoftext|>\n<|startoftranscript|>\n",
    )
    .unwrap();
    let out = dir.path().join("out/ggml.bin");
    let report = convert(dir.path(), &out).unwrap();
    assert_eq!(report.tokens, 3);
    // Encoder: position, conv ×4, layer ×15, ln_post ×2; decoder: position, embedding,
    // layer ×24, ln ×2.
    assert_eq!(report.tensors, 1 + 4 + 15 + 2 + 2 + 24 + 2);

    let g = read_ggml(&std::fs::read(&out).unwrap());
    // n_vocab, audio ctx/state/head/layer, text ctx/state/head/layer, n_mels, ftype.
    assert_eq!(g.hparams, vec![6, 8, 4, 2, 1, 5, 4, 2, 1, 3, 1]);
    assert_eq!((g.mel.0, g.mel.1), (3, 201));
    assert_eq!(g.mel.2, mel_filters(16_000, 400, 3));
    assert_eq!(
        g.tokens,
        vec![b"a".to_vec(), b" the".to_vec(), b"\n".to_vec()]
    );

    let get = |name: &str| -> &GgmlTensor {
        &g.tensors
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} not written"))
            .1
    };
    let source = |name: &str| -> Vec<f32> {
        let t = &src.tensors[name];
        t.data
            .chunks_exact(2)
            .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect()
    };
    // The fused self-attention projection splits into query, key and value, rows in order.
    let qkv = source("encoder/layer_0/self_attention/linear_0/weight");
    for (k, part) in ["query", "key", "value"].iter().enumerate() {
        let t = get(&format!("encoder.blocks.0.attn.{part}.weight"));
        assert_eq!(t.shape, vec![4, 4]);
        assert!(t.f16);
        assert_eq!(t.values, qkv[k * 16..(k + 1) * 16], "{part}");
    }
    let qkv_bias = source("decoder/layer_0/self_attention/linear_0/bias");
    assert_eq!(
        get("decoder.blocks.0.attn.value.bias").values,
        qkv_bias[8..12]
    );
    assert!(
        !get("decoder.blocks.0.attn.value.bias").f16,
        "biases stay f32"
    );
    // Whisper's key projections have no bias: whisper.cpp rejects unknown tensors.
    assert!(g.tensors.iter().all(|(n, _)| !n.ends_with("key.bias")));
    // Cross-attention: query alone, key and value fused.
    let kv = source("decoder/layer_0/attention/linear_1/weight");
    assert_eq!(
        get("decoder.blocks.0.cross_attn.key.weight").values,
        kv[..16]
    );
    assert_eq!(
        get("decoder.blocks.0.cross_attn.value.weight").values,
        kv[16..]
    );
    assert_eq!(
        get("decoder.blocks.0.cross_attn.out.weight").values,
        source("decoder/layer_0/attention/linear_2/weight")
    );
    // Layer norms: gamma → weight, beta → bias.
    assert_eq!(
        get("encoder.blocks.0.mlp_ln.weight").values,
        source("encoder/layer_0/ffn/layer_norm/gamma")
    );
    assert_eq!(
        get("decoder.ln.bias").values,
        source("decoder/layer_norm/beta")
    );
    // Conv biases are [n, 1] f32; positional embeddings f32; conv weights f16.
    let cb = get("encoder.conv1.bias");
    assert_eq!((cb.shape.clone(), cb.f16), (vec![4, 1], false));
    assert!(!get("encoder.positional_embedding").f16);
    assert!(get("encoder.conv2.weight").f16);
    assert_eq!(get("decoder.token_embedding.weight").shape, vec![6, 4]);
}

#[test]
fn a_model_that_is_not_whisper_or_is_cut_short_is_refused_with_a_reason() {
    let mut m = tiny_ct2();
    m.spec = "TransformerSpec".into();
    let bytes = write_ct2(&m);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.bin"), &bytes).unwrap();
    std::fs::write(dir.path().join("vocabulary.txt"), "a\n").unwrap();
    let err = convert(dir.path(), &dir.path().join("x.bin"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("WhisperSpec"), "{err}");
    assert!(!dir.path().join("x.bin").exists());

    let good = write_ct2(&tiny_ct2());
    let err = parse_ct2(&good[..good.len() / 2]).unwrap_err();
    assert!(err.contains("ends early"), "{err}");
}

#[test]
fn the_mel_filter_bank_is_the_slaney_formula() {
    let f = mel_filters(16_000, 400, 80);
    assert_eq!(f.len(), 80 * 201);
    let at = |m: usize, k: usize| f64::from(f[m * 201 + k]);
    // Band edges on the Slaney scale: linear (200/3 Hz per mel) below 1 kHz, 27 steps per
    // factor 6.4 above; 82 points evenly spaced from 0 to mel(8 kHz).
    let mel_max = 15.0 + (8000.0f64 / 1000.0).ln() / (6.4f64.ln() / 27.0);
    let hz = |i: usize| {
        let m = mel_max * i as f64 / 81.0;
        if m < 15.0 {
            m * 200.0 / 3.0
        } else {
            1000.0 * ((6.4f64.ln() / 27.0) * (m - 15.0)).exp()
        }
    };
    for m in [0, 1, 20, 40, 60, 79] {
        let (lo, mid, hi) = (hz(m), hz(m + 1), hz(m + 2));
        for k in 0..201 {
            let freq = 40.0 * k as f64; // 8000 Hz / 200 bins
            let tri = ((freq - lo) / (mid - lo))
                .min((hi - freq) / (hi - mid))
                .max(0.0);
            let want = tri * 2.0 / (hi - lo);
            assert!(
                (at(m, k) - want).abs() < 1e-7,
                "filter {m} bin {k}: {} vs {want}",
                at(m, k)
            );
        }
    }
    // The value Whisper's own mel_filters.npz has at [0][1]; the first filter spans 0-74 Hz.
    assert!((at(0, 1) - 0.024_862_594).abs() < 1e-8);
    assert_eq!((at(0, 0), at(0, 2)), (0.0, 0.0));
    // Area normalisation: each triangle has area 1, so its samples × the 40 Hz bin width
    // sum to about 1 where a filter spans many bins (the upper half).
    for m in 50..79 {
        let area: f64 = (0..201).map(|k| at(m, k) * 40.0).sum();
        assert!((area - 1.0).abs() < 0.02, "filter {m} area {area}");
    }
}

#[test]
fn byte_level_tokens_decode_to_their_bytes() {
    assert_eq!(token_bytes("Ġthe").unwrap(), b" the");
    assert_eq!(token_bytes("Ċ").unwrap(), b"\n");
    assert_eq!(token_bytes("hello!").unwrap(), b"hello!");
    // "é" is two bytes in UTF-8, written as two alphabet characters.
    assert_eq!(token_bytes("Ã©").unwrap(), "é".as_bytes());
    assert!(token_bytes("\u{4e00}").is_none());
}

#[test]
fn the_converted_tiny_en_loads_and_transcribes() {
    let Some(w) = whisper() else { return };
    let said = "Thanks for taking the time today. Let's talk about your reporting needs.";
    let Some(audio) = speak(said, "en-us", 160) else {
        return;
    };
    let text = w.transcribe(&audio, &DecodeOptions::default()).unwrap();
    let e = wer(said, &text);
    println!("tiny.en heard {text:?} (WER {e:.3})");
    assert!(e <= 0.2, "WER {e:.3}: heard {text:?}");
}
