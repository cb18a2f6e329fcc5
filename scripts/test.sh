#!/usr/bin/env bash
# Every check and test Closer has; `.ci/run` calls this. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
bash scripts/setup.sh --test

step() { echo; echo "==> $*"; }

step "rustfmt"
cargo fmt --all -- --check

step "UI typecheck and lint"
npm --prefix ui run typecheck
npm --prefix ui run lint

step "UI build (embedded into the app)"
npm --prefix ui run build

step "clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "unit and integration tests (includes the stale-bindings check)"
# Also builds target/debug/closer (closer-app has integration tests), with the same
# feature set as the next step, so nothing is compiled twice.
cargo test --workspace

step "end-to-end: the real app under Xvfb through tauri-driver"
xvfb-run -a -s "-screen 0 1400x900x24" cargo test --workspace --test e2e --test sync_e2e --test live_call_e2e -- --ignored --nocapture --test-threads=1
echo "screenshots: target/e2e-screenshots/"
