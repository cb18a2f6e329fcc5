//! Converts a CTranslate2 Whisper model folder into the ggml file whisper.cpp loads.
//!
//! Usage: closer-whisper-convert <ct2-model-dir> <out.bin>

use std::path::PathBuf;

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let (Some(src), Some(dest)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: closer-whisper-convert <ct2-model-dir> <out.bin>");
    };
    let (src, dest) = (PathBuf::from(src), PathBuf::from(dest));
    let report = closer_transcribe::convert::convert(&src, &dest)
        .with_context(|| format!("converting {}", src.display()))?;
    let hp = report.hparams;
    println!(
        "closer-whisper-convert: wrote {} ({} bytes): {} tensors, {} tokens, vocab {}, audio {}x{} ({} layers, {} heads), text {}x{} ({} layers, {} heads), {} mels",
        dest.display(),
        report.bytes,
        report.tensors,
        report.tokens,
        hp.n_vocab,
        hp.n_audio_ctx,
        hp.n_audio_state,
        hp.n_audio_layer,
        hp.n_audio_head,
        hp.n_text_ctx,
        hp.n_text_state,
        hp.n_text_layer,
        hp.n_text_head,
        hp.n_mels
    );
    Ok(())
}
