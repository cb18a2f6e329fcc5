use std::collections::HashMap;
use std::path::Path;

use closer_embed::{EmbedError, Embedder};

/// A valid config.json of a (tiny) BERT.
const CONFIG: &str = r#"{"vocab_size": 8, "hidden_size": 4, "num_hidden_layers": 1,
  "num_attention_heads": 1, "intermediate_size": 8, "hidden_act": "gelu",
  "hidden_dropout_prob": 0.1, "max_position_embeddings": 16, "type_vocab_size": 2,
  "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0}"#;

/// A valid tokenizer.json: WordPiece over a few words.
const TOKENIZER: &str = r###"{"version": "1.0", "truncation": null, "padding": null,
  "added_tokens": [], "normalizer": null, "pre_tokenizer": {"type": "Whitespace"},
  "post_processor": null, "decoder": null,
  "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
    "max_input_chars_per_word": 100, "vocab": {"[PAD]": 0, "[UNK]": 1, "deal": 2}}}"###;

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn load_error(dir: &Path) -> EmbedError {
    match Embedder::load(dir) {
        Ok(_) => panic!("{} loaded", dir.display()),
        Err(e) => e,
    }
}

fn assert_corrupt(e: EmbedError, file: &str) {
    match &e {
        EmbedError::Corrupt { path, .. } if path.ends_with(file) => {}
        other => panic!("expected Corrupt for {file}, got {other:?}"),
    }
    assert!(e.to_string().contains("scripts/fetch-model.sh"), "{e}");
}

#[test]
fn a_missing_folder_says_search_works_by_keywords() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("all-minilm-l6-v2");
    let e = load_error(&dir);
    assert!(
        matches!(&e, EmbedError::ModelMissing { dir: d } if *d == dir),
        "{e:?}"
    );
    let message = e.to_string();
    assert!(
        message.starts_with(
            "The search model is not installed; search works by keywords only. \
             Run scripts/fetch-model.sh"
        ),
        "{message}"
    );
}

#[test]
fn any_missing_file_is_model_missing() {
    for absent in closer_embed::MODEL_FILES {
        let tmp = tempfile::tempdir().unwrap();
        for f in closer_embed::MODEL_FILES.iter().filter(|f| **f != absent) {
            write(tmp.path(), f, b"{}");
        }
        assert!(
            matches!(load_error(tmp.path()), EmbedError::ModelMissing { .. }),
            "without {absent}"
        );
    }
}

#[test]
fn damaged_files_are_corrupt_and_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "config.json", b"{ not json");
    write(dir, "tokenizer.json", TOKENIZER.as_bytes());
    write(dir, "model.safetensors", b"");
    assert_corrupt(load_error(dir), "config.json");

    write(dir, "config.json", CONFIG.as_bytes());
    write(dir, "tokenizer.json", b"{\"model\": 3}");
    assert_corrupt(load_error(dir), "tokenizer.json");

    write(dir, "tokenizer.json", TOKENIZER.as_bytes());
    for weights in [
        &b""[..],
        b"\x08\x00\x00\x00\x00\x00\x00\x00{\"a\":",
        &[0xff; 4096],
    ] {
        write(dir, "model.safetensors", weights);
        assert_corrupt(load_error(dir), "model.safetensors");
    }
}

#[test]
fn weights_of_another_model_are_corrupt() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "config.json", CONFIG.as_bytes());
    write(dir, "tokenizer.json", TOKENIZER.as_bytes());
    let tensor =
        candle_core::Tensor::zeros((3, 3), candle_core::DType::F32, &candle_core::Device::Cpu)
            .unwrap();
    let tensors = HashMap::from([("classifier.weight".to_string(), tensor)]);
    candle_core::safetensors::save(&tensors, dir.join("model.safetensors")).unwrap();
    assert_corrupt(load_error(dir), "model.safetensors");
}
