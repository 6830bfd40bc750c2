#!/usr/bin/env bash
# API conformance: schemathesis (pinned below) generates requests from
# openapi.json for every operation (examples, coverage, fuzzing and stateful
# phases following the document's links) against a real `warden serve
# --store memory` with a private `nats-server -js` (deployments and billing
# enabled, so checks yield approvals for the links to follow), agent token on agent
# routes and admin token on admin routes. Fails on any 5xx, any response that
# does not match its documented status code, content type or schema, and on
# the other schemathesis checks. Not checked: positive_data_acceptance (a
# schema-valid request may rightly get 422: amounts are limited by the
# configured MAX_RUN_BUDGET and to 6 fractional digits, which JSON Schema
# cannot state exactly for floats, and each action needs its own context
# fields; those 422s are tested in tests/budget_surfaces.rs and friends).
#   ./scripts/api-fuzz.sh [MAX_EXAMPLES] [extra schemathesis run args...]
# MAX_EXAMPLES (default 100) bounds examples per operation and phase;
# WARDEN_API_FUZZ_MAX_TIME (seconds, default unset) bounds the whole run;
# WARDEN_BIN picks the binary (default: target/release/warden when built,
# else a debug build).
# One worker: concurrent ast.parse in hypothesis trips CPython 3.11 ("AST
# constructor recursion depth mismatch").
set -euo pipefail
cd "$(dirname "$0")/.."
SCHEMATHESIS_VERSION=4.32.5
max_examples=${1:-100}
shift || true

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# schemathesis in a venv cached under target/ (pip from PyPI, pinned version).
venv=target/api-fuzz-venv
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "installing schemathesis $SCHEMATHESIS_VERSION into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

if [ -z "${WARDEN_BIN:-}" ]; then
  if [ -x target/release/warden ]; then
    WARDEN_BIN=target/release/warden
  else
    cargo build --locked --quiet
    WARDEN_BIN=target/debug/warden
  fi
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_http() { # url
  for _ in $(seq 1 200); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2
  return 1
}

nats_port=$(free_port)
nats_mon=$(free_port)
nats-server -a 127.0.0.1 -p "$nats_port" -m "$nats_mon" -js -sd "$work/js" \
  >"$work/nats.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$nats_mon/healthz?js-enabled-only=true"

http_port=$(free_port)
agent_token="agent-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
admin_token="admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
env -i PATH="$PATH" \
  NATS_URL="nats://127.0.0.1:$nats_port" \
  WARDEN_HTTP_ADDR="127.0.0.1:$http_port" \
  WARDEN_DATA_DIR="$work/data" \
  WARDEN_API_TOKENS="$agent_token" \
  WARDEN_ADMIN_TOKENS="$admin_token" \
  ENABLE_DEPLOYMENTS=true ENABLE_BILLING=true \
  MAX_RUN_BUDGET=9007199254 \
  RUST_LOG=warn \
  "$WARDEN_BIN" serve --store memory >"$work/warden.log" 2>&1 &
warden_pid=$!
pids+=("$warden_pid")
wait_http "http://127.0.0.1:$http_port/readyz"

# The agent token everywhere, the admin token on admin routes (src/http ROUTES).
cat >"$work/schemathesis.toml" <<EOF
headers = { Authorization = "Bearer \${WARDEN_FUZZ_AGENT_TOKEN}" }
request-timeout = 30.0
[generation]
max-examples = $max_examples
[[operations]]
include-name = "POST /api/v1/safety/budget/create"
headers = { Authorization = "Bearer \${WARDEN_FUZZ_ADMIN_TOKEN}" }
[[operations]]
include-name = "PATCH /api/v1/safety/budget/{run_id}"
headers = { Authorization = "Bearer \${WARDEN_FUZZ_ADMIN_TOKEN}" }
[[operations]]
include-name = "POST /api/v1/safety/budget/{run_id}/reset"
headers = { Authorization = "Bearer \${WARDEN_FUZZ_ADMIN_TOKEN}" }
[[operations]]
include-name = "POST /api/v1/safety/approvals/{decision_id}"
headers = { Authorization = "Bearer \${WARDEN_FUZZ_ADMIN_TOKEN}" }
EOF

status=0
WARDEN_FUZZ_AGENT_TOKEN="$agent_token" WARDEN_FUZZ_ADMIN_TOKEN="$admin_token" \
  "$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run openapi.json \
  --url "http://127.0.0.1:$http_port" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --workers 1 \
  --seed "${WARDEN_API_FUZZ_SEED:-1}" \
  ${WARDEN_API_FUZZ_MAX_TIME:+--max-time "$WARDEN_API_FUZZ_MAX_TIME"} \
  --no-color "$@" || status=$?

if ! kill -0 "$warden_pid" 2>/dev/null; then
  echo "warden died during the run; its log:" >&2
  tail -n 50 "$work/warden.log" >&2
  status=1
fi
if grep -qiE 'panicked|thread .* panicked' "$work/warden.log"; then
  echo "warden panicked during the run:" >&2
  grep -iE -A5 'panicked' "$work/warden.log" | head -n 40 >&2
  status=1
fi
exit "$status"
