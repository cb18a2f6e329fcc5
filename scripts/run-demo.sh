#!/usr/bin/env bash
# Installs what is missing, builds Closer and opens it. On first run the workspace is
# filled with the demo (8 battle cards, 200 content items, 500 leads, 60 deals...).
# CLOSER_DATA_DIR=/some/dir picks another workspace folder.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm --prefix ui run build
cargo build --release -p closer-app --bin closer
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "No display found: opening Closer in a virtual X display (Xvfb)." >&2
  exec xvfb-run -a -s "-screen 0 1400x900x24" target/release/closer
fi
exec target/release/closer
