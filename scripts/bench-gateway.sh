#!/usr/bin/env bash
# Side-by-side latency bench on loopback, one run, one fake Anthropic API:
#   our gateway's added latency over a direct closer-claude call, its response-cache hits,
#   and the LiteLLM proxy's added latency over a plain HTTP call (all against the same fake).
#
# usage: scripts/bench-gateway.sh [bench options]   e.g. --n 2000 --warmup 200
#   env: LITELLM_VENV  venv holding litellm (default target/litellm-venv; created if missing)
#        KEEP_LOGS=1   keep the fake's and LiteLLM's logs under target/gateway-bench/
#
# LiteLLM is pinned to the version this bench was written against. It runs offline: the
# local model cost map, no telemetry, no docs UI, no database; its only upstream is the fake.
set -euo pipefail

LITELLM_VERSION="1.106.2"
MODEL_ALIAS="claude-bench"

cd "$(dirname "$0")/.."
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
WORK="$TARGET_DIR/gateway-bench"
mkdir -p "$WORK"
VENV="${LITELLM_VENV:-$TARGET_DIR/litellm-venv}"

log() { printf '[bench-gateway] %s\n' "$*" >&2; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

FAKE_PID=""
LITELLM_PID=""
cleanup() {
    local rc=$?
    for pid in "$LITELLM_PID" "$FAKE_PID"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    if [[ $rc -ne 0 ]]; then
        log "failed (exit $rc); logs: $WORK/fake.log $WORK/litellm.log"
    fi
    exit $rc
}
trap cleanup EXIT INT TERM

# 1. Build.
log "building (release)"
nice -n 10 cargo build --release -p closer-gateway-bench -p closer-claude-fake
BENCH_BIN="$TARGET_DIR/release/closer-gateway-bench"
FAKE_BIN="$TARGET_DIR/release/closer-fake-anthropic"

# 2. LiteLLM, installed if missing.
if [[ ! -x "$VENV/bin/litellm" ]]; then
    log "installing litellm[proxy]==$LITELLM_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "litellm[proxy]==$LITELLM_VERSION"
fi
HAVE_VERSION="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))')"
if [[ "$HAVE_VERSION" != "$LITELLM_VERSION" ]]; then
    log "warning: $VENV has litellm $HAVE_VERSION, the bench pins $LITELLM_VERSION"
fi

# 3. The fake, on a free port (it prints the address it bound).
"$FAKE_BIN" --port 0 >"$WORK/fake.log" 2>&1 &
FAKE_PID=$!
FAKE_URL=""
for _ in $(seq 100); do
    FAKE_URL="$(sed -n 's/^listening on //p' "$WORK/fake.log" | head -n1)"
    [[ -n "$FAKE_URL" ]] && break
    kill -0 "$FAKE_PID" 2>/dev/null || { cat "$WORK/fake.log" >&2; exit 1; }
    sleep 0.1
done
[[ -n "$FAKE_URL" ]] || { log "the fake did not start"; exit 1; }
log "fake at $FAKE_URL"

# 4. LiteLLM pointed at the fake as its Anthropic base URL.
LITELLM_PORT="$(free_port)"
LITELLM_URL="http://127.0.0.1:$LITELLM_PORT"
# The proxy refuses to start without a master key; a throwaway one, never written to disk.
LITELLM_MASTER_KEY="sk-$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export LITELLM_MASTER_KEY
cat >"$WORK/litellm.yaml" <<EOF
model_list:
  - model_name: $MODEL_ALIAS
    litellm_params:
      model: anthropic/claude-haiku-4-5
      api_base: $FAKE_URL
      api_key: sk-ant-bench
litellm_settings:
  telemetry: false          # a no-op in recent versions, kept for older ones
  set_verbose: false
  json_logs: false
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
  disable_spend_logs: true
  disable_reset_budget: true
EOF
(
    export LITELLM_LOCAL_MODEL_COST_MAP=True # no fetch of the remote price map
    export NO_DOCS=True NO_REDOC=True        # no Swagger / ReDoc pages
    export DISABLE_ADMIN_UI=True
    export LITELLM_LOG=ERROR
    export NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"
    exec "$VENV/bin/litellm" --config "$WORK/litellm.yaml" --host 127.0.0.1 --port "$LITELLM_PORT"
) >"$WORK/litellm.log" 2>&1 &
LITELLM_PID=$!
log "starting LiteLLM $HAVE_VERSION at $LITELLM_URL"
for i in $(seq 180); do
    if curl -fsS "$LITELLM_URL/health/liveliness" >/dev/null 2>&1; then break; fi
    kill -0 "$LITELLM_PID" 2>/dev/null || { tail -n 40 "$WORK/litellm.log" >&2; exit 1; }
    [[ $i -eq 180 ]] && { log "LiteLLM did not become healthy in 90 s"; exit 1; }
    sleep 0.5
done

# 5. The Anthropic route end to end before measuring anything.
SMOKE='{"model":"'"$MODEL_ALIAS"'","max_tokens":256,"messages":[{"role":"user","content":[{"type":"text","text":"smoke test of the proxy route"}]}]}'
STATUS="$(curl -sS -o "$WORK/smoke.json" -w '%{http_code}' "$LITELLM_URL/v1/messages" \
    -H "x-api-key: $LITELLM_MASTER_KEY" -H 'anthropic-version: 2023-06-01' \
    -H 'content-type: application/json' -d "$SMOKE")"
if [[ "$STATUS" != 200 ]] || ! grep -q '"type":"message"' "$WORK/smoke.json"; then
    log "LiteLLM /v1/messages -> fake failed (HTTP $STATUS):"
    cat "$WORK/smoke.json" >&2
    exit 1
fi
log "LiteLLM -> fake route OK"

# 6. The bench.
"$BENCH_BIN" --fake-url "$FAKE_URL" --litellm-url "$LITELLM_URL" --litellm-model "$MODEL_ALIAS" \
    --json "$WORK/result.json" "$@" | tee "$WORK/result.txt"

# LiteLLM must not have reached for the internet.
if grep -Eiq 'raw\.githubusercontent|model cost map fetch|telemetry' "$WORK/litellm.log"; then
    log "warning: LiteLLM's log mentions a remote fetch; see $WORK/litellm.log"
fi
log "figures: $WORK/result.txt, $WORK/result.json"
