#!/usr/bin/env bash
# Installs what is missing, builds Closer and opens it with the demo workspace (8 battle
# cards, 200 content items, 500 leads, 60 deals...) and demo AI: Claude is played by our
# local fake of the Anthropic API (crates/claude-fake), so every AI feature works offline.
#   CLOSER_DATA_DIR=/some/dir   another workspace folder
#   CLOSER_REAL_CLAUDE=1        call the real Anthropic API (set your key in Settings)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm --prefix ui run build
cargo build --release -p closer-app --bin closer -p closer-claude-fake --bin closer-fake-anthropic

if [[ -z "${CLOSER_REAL_CLAUDE:-}" && -z "${CLOSER_ANTHROPIC_BASE_URL:-}" ]]; then
  fake_log="$(mktemp)"
  target/release/closer-fake-anthropic --port 0 >"$fake_log" 2>&1 &
  fake_pid=$!
  trap 'kill "$fake_pid" 2>/dev/null || true; rm -f "$fake_log"' EXIT
  for _ in $(seq 1 50); do
    url="$(sed -n 's/^listening on //p' "$fake_log" | head -1)"
    [[ -n "$url" ]] && break
    sleep 0.1
  done
  if [[ -z "${url:-}" ]]; then
    echo "The local Claude fake did not start:" >&2
    cat "$fake_log" >&2
    exit 1
  fi
  echo "Demo AI: Claude is the local fake at $url" >&2
  export CLOSER_ANTHROPIC_BASE_URL="$url"
fi

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "No display found: opening Closer in a virtual X display (Xvfb)." >&2
  xvfb-run -a -s "-screen 0 1400x900x24" target/release/closer
else
  target/release/closer
fi
