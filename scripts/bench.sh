#!/usr/bin/env bash
# Prints Closer's benchmark figures (release build): leads page on 100K leads, lexical
# search over 20K content items, CSV import of 100K leads, cold start and idle memory
# against a bare Tauri window.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm --prefix ui run build
cargo build --release -p closer-app --bins -p closer-bench
target/release/closer-bench data
xvfb-run -a -s "-screen 0 1400x900x24" target/release/closer-bench app \
  --app target/release/closer --bare target/release/closer-bare
