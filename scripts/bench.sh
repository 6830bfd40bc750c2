#!/usr/bin/env bash
# Load benchmarks of warden, each against a baseline measured in the same run.
#
#   ./scripts/bench.sh
#
# Builds release, starts its own redis-server and nats-server -js (temporary
# store) on free loopback ports and `warden serve` against them, then measures:
#   spends    warden REST / NATS vs redis-benchmark running warden's spend.lua
#   checks    warden REST / NATS vs a bare axum handler / a raw NATS responder
#   redaction `warden redact` on a ~50 MB realistic log vs `grep -c -E`
#   pipeline  LOGS_RAW → warden → LOGS_REDACTED vs a no-op JetStream forwarder
# and prints a Markdown table (also written to target/bench-results.md; the raw
# JSON lines go to target/bench-results.jsonl, server logs to target/bench-logs/).
# Numbers are noisy on a shared 2-core machine: read the ratios.
#
# Tunables (env): BENCH_REQUESTS (20000), BENCH_MESSAGES (50000),
# BENCH_CONCURRENCY (64), BENCH_LOG_MB (50), BENCH_LOADGEN_THREADS (all cores),
# BENCH_SKIP_BUILD=1 to reuse the binaries in target/release.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
REQUESTS=${BENCH_REQUESTS:-20000}
MESSAGES=${BENCH_MESSAGES:-50000}
CONCURRENCY=${BENCH_CONCURRENCY:-64}
LOG_MB=${BENCH_LOG_MB:-50}
THREADS=${BENCH_LOADGEN_THREADS:-$(nproc)}
CORPUS=${BENCH_CORPUS:-$ROOT/tests/corpora/logs-2mb.log}

WARDEN=$ROOT/target/release/warden
LOADGEN=$ROOT/target/release/examples/loadgen
RESULTS_MD=$ROOT/target/bench-results.md
RESULTS_JSONL=$ROOT/target/bench-results.jsonl
LOG_DIR=$ROOT/target/bench-logs

log() { printf '\033[1mbench:\033[0m %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

for tool in redis-server redis-cli redis-benchmark nats-server curl; do
  command -v "$tool" >/dev/null || die "$tool is not installed (./scripts/deps.sh installs redis and nats)"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/warden-bench.XXXXXX")
PIDS=()
cleanup() {
  local status=$?
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill "${PIDS[i]}" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  mkdir -p "$LOG_DIR"
  cp "$WORK"/*.log "$LOG_DIR"/ 2>/dev/null || true
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback port (not listening now, not handed out before in this run).
USED_PORTS=" "
free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 40000))
    [[ $USED_PORTS == *" $port "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      USED_PORTS+="$port "
      echo "$port"
      return
    fi
  done
  die "no free port found"
}

# wait_for DESCRIPTION SECONDS COMMAND...
wait_for() {
  local what=$1 secs=$2
  shift 2
  for _ in $(seq $((secs * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  die "$what did not come up within ${secs}s (logs in $LOG_DIR)"
}

# start NAME CMD... : background process, output in $WORK/NAME.log, pid in PIDS.
start() {
  local name=$1
  shift
  "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  LAST_PID=$!
}

# stop PID: stops one process this script started.
stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

record() { # one JSON line into the results
  echo "$1" | tee -a "$RESULTS_JSONL"
}

# Cumulative user+system CPU of a process, in ms (0 when it is gone).
CLK_TCK=$(getconf CLK_TCK)
cpu_ms() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat # field 3 (state) is now $1: utime (14) is ${12}, stime (15) is ${13}
  echo $(((${12} + ${13}) * 1000 / CLK_TCK))
}

# bench_run "name:pid ..." CMD... : runs CMD (which prints one JSON line) and
# records that line with the CPU each listed server process spent meanwhile.
bench_run() {
  local procs=$1 p line cpu=""
  shift
  local -A before=()
  for p in $procs; do before[${p%%:*}]=$(cpu_ms "${p##*:}"); done
  line=$("$@") || log "WARNING: '$*' exited non-zero"
  for p in $procs; do
    cpu+="\"${p%%:*}\":$(($(cpu_ms "${p##*:}") - before[${p%%:*}])),"
  done
  if [[ $line == *\} ]]; then
    line="${line%\}},\"cpu_ms\":{${cpu%,}}}"
  else
    log "WARNING: '$*' printed no JSON result"
  fi
  record "$line"
}

# ---------------------------------------------------------------- build
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  log "building release (warden + examples)…"
  cargo build --release --examples --bin warden
fi
[[ -x $WARDEN && -x $LOADGEN ]] || die "missing $WARDEN or $LOADGEN"
mkdir -p "$ROOT/target"
: >"$RESULTS_JSONL"
LG=("$LOADGEN")

# ---------------------------------------------------------------- servers
REDIS_PORT=$(free_port)
NATS_PORT=$(free_port)
HTTP_PORT=$(free_port)
BARE_PORT=$(free_port)
NATS_URL=nats://127.0.0.1:$NATS_PORT
WARDEN_URL=http://127.0.0.1:$HTTP_PORT

log "redis-server on $REDIS_PORT, nats-server -js on $NATS_PORT, warden on $HTTP_PORT"
start redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
  --dir "$WORK" --protected-mode yes
REDIS_PID=$LAST_PID
wait_for redis-server 10 redis-cli -p "$REDIS_PORT" ping
mkdir -p "$WORK/js"
start nats nats-server -js -a 127.0.0.1 -p "$NATS_PORT" --store_dir "$WORK/js"
NATS_PID=$LAST_PID
wait_for nats-server 10 grep -q "Server is ready" "$WORK/nats.log"

# warden runs in the temp dir so no .env of the checkout changes its settings;
# no tokens → loopback only, no authentication.
(
  cd "$WORK"
  unset WARDEN_API_TOKENS WARDEN_ADMIN_TOKENS WARDEN_TOKENS_FILE WARDEN_POLICY_FILE
  export REDIS_URL=redis://127.0.0.1:$REDIS_PORT NATS_URL WARDEN_HTTP_ADDR=127.0.0.1:$HTTP_PORT RUST_LOG=warn
  exec "$WARDEN" serve
) >"$WORK/warden.log" 2>&1 &
PIDS+=($!)
WARDEN_PID=$!
wait_for "warden /readyz" 30 curl -fsS "$WARDEN_URL/readyz"
SERVERS="warden:$WARDEN_PID nats:$NATS_PID redis:$REDIS_PID"

# ---------------------------------------------------------------- spends
log "spends: redis-benchmark EVALSHA spend.lua ($REQUESTS, -c $CONCURRENCY)"
SPEND_LUA=$WORK/spend.lua
# Exactly as src/budget/redis_store.rs builds it: common.lua, "\n", spend.lua.
{ cat src/budget/scripts/common.lua; printf '\n'; cat src/budget/scripts/spend.lua; } >"$SPEND_LUA"
SHA=$(redis-cli -p "$REDIS_PORT" -x SCRIPT LOAD <"$SPEND_LUA")
[[ $SHA =~ ^[0-9a-f]{40}$ ]] || die "SCRIPT LOAD answered '$SHA'"
# Keys of run bench-redis (redis_keys()), then ARGV: amount (1 micro), no
# idempotency key, default limit (DEFAULT_RUN_BUDGET 10.0 → micros), TTL
# (BUDGET_TTL 30 days → ms), alert id prefix, alert thresholds 50 80 100 —
# warden's defaults.
K='warden:budget:{bench-redis}'
redis_spend() {
  redis-benchmark -p "$REDIS_PORT" -c "$CONCURRENCY" -n "$REQUESTS" --csv \
    EVALSHA "$SHA" 6 "$K" "$K:idem" "$K:holds" "$K:hold_exp" "$K:hold_done" "$K:outbox" \
    1 "" 10000000 2592000000 bench 50 80 100 >"$WORK/redis-benchmark.csv"
  # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  local REDIS_LINE R_RPS R_P50 R_P99 R_MAX R_SPENT R_VERIFIED
  REDIS_LINE=$(tail -n 1 "$WORK/redis-benchmark.csv" | tr -d '"')
  IFS=, read -r _ R_RPS _ _ R_P50 _ R_P99 R_MAX <<<"$REDIS_LINE"
  R_SPENT=$(redis-cli -p "$REDIS_PORT" HGET "$K" spent)
  R_VERIFIED=$([[ $R_SPENT == "$REQUESTS" ]] && echo true || echo false)
  echo "{\"bench\":\"redis-spend\",\"requests\":$REQUESTS,\"concurrency\":$CONCURRENCY,\"rps\":$R_RPS,\"p50_ms\":$R_P50,\"p99_ms\":$R_P99,\"max_ms\":$R_MAX,\"errors\":0,\"verified\":$R_VERIFIED,\"spent\":\"${R_SPENT} micros\",\"expected_spent\":\"$REQUESTS micros\"}"
}
bench_run "$SERVERS" redis_spend

log "spends: warden REST and NATS"
bench_run "$SERVERS" "${LG[@]}" rest-spend --threads "$THREADS" --url "$WARDEN_URL" --requests "$REQUESTS" --concurrency "$CONCURRENCY"
bench_run "$SERVERS" "${LG[@]}" nats-spend --threads "$THREADS" --nats "$NATS_URL" --requests "$REQUESTS" --concurrency "$CONCURRENCY"
if [[ $(redis-cli -p "$REDIS_PORT" SCRIPT EXISTS "$SHA") != 1 ]]; then
  log "WARNING: warden did not load the same spend script text as the baseline (sha $SHA)"
fi

# ---------------------------------------------------------------- checks
log "checks: bare axum vs warden REST"
start bare-axum "$LOADGEN" bare-axum --port "$BARE_PORT"
BARE_PID=$LAST_PID
wait_for "bare axum" 10 grep -q ready "$WORK/bare-axum.log"
bench_run "$SERVERS bare:$BARE_PID" "${LG[@]}" rest-bare --threads "$THREADS" --url "http://127.0.0.1:$BARE_PORT" --requests "$REQUESTS" --concurrency "$CONCURRENCY"
stop "$BARE_PID"
bench_run "$SERVERS" "${LG[@]}" rest-check --threads "$THREADS" --url "$WARDEN_URL" --requests "$REQUESTS" --concurrency "$CONCURRENCY"

log "checks: raw NATS responder vs warden NATS"
start nats-echo "$LOADGEN" nats-echo --nats "$NATS_URL"
ECHO_PID=$LAST_PID
wait_for "nats echo" 10 grep -q ready "$WORK/nats-echo.log"
bench_run "$SERVERS echo:$ECHO_PID" "${LG[@]}" nats-bare --threads "$THREADS" --nats "$NATS_URL" --requests "$REQUESTS" --concurrency "$CONCURRENCY"
stop "$ECHO_PID"
bench_run "$SERVERS" "${LG[@]}" nats-check --threads "$THREADS" --nats "$NATS_URL" --requests "$REQUESTS" --concurrency "$CONCURRENCY"

# ---------------------------------------------------------------- redaction CLI
LOG_FILE=$WORK/bench.log
log "redaction: generating a ${LOG_MB} MB log"
CORPUS_ARGS=()
[[ -f $CORPUS ]] && CORPUS_ARGS=(--corpus "$CORPUS")
"$LOADGEN" gen-log --out "$LOG_FILE" --bytes $((LOG_MB * 1000000)) "${CORPUS_ARGS[@]}" >"$WORK/gen-log.json"
cat "$WORK/gen-log.json" >&2
LOG_BYTES=$(stat -c %s "$LOG_FILE")

now_ns() { date +%s%N; }
# best_of3 CMD... → best wall time in ms (first a warm-up run for the page cache).
best_of3() {
  local best="" start end ms
  "$@" >/dev/null 2>&1 || true
  for _ in 1 2 3; do
    start=$(now_ns)
    "$@"
    end=$(now_ns)
    ms=$(((end - start) / 1000000))
    if [[ -z $best || $ms -lt $best ]]; then best=$ms; fi
  done
  echo "$best"
}
warden_offline() { # the CLI with the same settings as the server, run in the temp dir
  (cd "$WORK" && REDIS_URL=redis://127.0.0.1:$REDIS_PORT NATS_URL=$NATS_URL RUST_LOG=warn "$WARDEN" "$@")
}
redact_stdin() { warden_offline redact <"$LOG_FILE" >/dev/null; }
redact_file() { warden_offline redact "$LOG_FILE" >/dev/null; }
# Not `> /dev/null`: GNU grep notices /dev/null output and stops at the first match.
grep_count() { grep -c -E 'password|token|secret|key' "$LOG_FILE" >"$WORK/grep.count" || true; }
mbps() { awk -v b="$LOG_BYTES" -v ms="$1" 'BEGIN { printf "%.1f", (ms > 0 ? b / 1e6 / (ms / 1000) : 0) }'; }

log "redaction: warden redact < file (best of 3)"
RS_MS=$(best_of3 redact_stdin)
log "redaction: warden redact FILE (best of 3)"
RF_MS=$(best_of3 redact_file)
log "redaction: grep -c -E (best of 3)"
G_MS=$(best_of3 grep_count)
# How many of the planted secrets survive (0 with a real redactor).
warden_offline redact <"$LOG_FILE" >"$WORK/redacted.out"
LEFT=$(grep -c -E 'ghp_[A-Za-z0-9]{36}|postgres://app:[A-Za-z0-9]{14}@|AKIA[A-Z0-9]{16}|sk-ant-api03-' "$WORK/redacted.out" || true)
SECRETS=$(sed -n 's/.*"secrets":\([0-9]*\).*/\1/p' "$WORK/gen-log.json")
LINES_IN=$(wc -l <"$LOG_FILE")
LINES_OUT=$(wc -l <"$WORK/redacted.out")
rm -f "$WORK/redacted.out"
NOTE="$LEFT of $SECRETS generated secrets left in output; lines in/out $LINES_IN/$LINES_OUT"
record "{\"bench\":\"redact-cli\",\"bytes\":$LOG_BYTES,\"best_ms\":$RS_MS,\"mb_per_s\":$(mbps "$RS_MS"),\"errors\":0,\"secrets_left\":$LEFT,\"note\":\"$NOTE\"}"
record "{\"bench\":\"redact-cli-file\",\"bytes\":$LOG_BYTES,\"best_ms\":$RF_MS,\"mb_per_s\":$(mbps "$RF_MS"),\"errors\":0}"
record "{\"bench\":\"grep\",\"bytes\":$LOG_BYTES,\"best_ms\":$G_MS,\"mb_per_s\":$(mbps "$G_MS"),\"errors\":0}"
rm -f "$LOG_FILE"

# ---------------------------------------------------------------- pipeline
log "pipeline: $MESSAGES log lines through warden (logs.raw.bench → LOGS_REDACTED)"
bench_run "$SERVERS" "${LG[@]}" pipeline --threads "$THREADS" --nats "$NATS_URL" --messages "$MESSAGES"
log "pipeline: the same through a no-op forwarder"
start noop-forwarder "$LOADGEN" noop-forwarder --nats "$NATS_URL"
NOOP_PID=$LAST_PID
wait_for "no-op forwarder" 15 grep -q ready "$WORK/noop-forwarder.log"
bench_run "$SERVERS noop:$NOOP_PID" "${LG[@]}" pipeline-noop --threads "$THREADS" --nats "$NATS_URL" --messages "$MESSAGES"
stop "$NOOP_PID"

# ---------------------------------------------------------------- warden health after the run
if ! kill -0 "$WARDEN_PID" 2>/dev/null; then
  log "WARNING: warden exited during the run (see $LOG_DIR/warden.log)"
fi
WARN_LINES=$(grep -c -E 'WARN|ERROR' "$WORK/warden.log" || true)
[[ $WARN_LINES -gt 0 ]] && log "warden logged $WARN_LINES WARN/ERROR lines (see $LOG_DIR/warden.log)"

# ---------------------------------------------------------------- report
{
  echo "## warden benchmarks ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, requests $REQUESTS, concurrency $CONCURRENCY, messages $MESSAGES, log $((LOG_BYTES / 1000000)) MB)"
  echo
} >"$RESULTS_MD.head"
"$LOADGEN" report --results "$RESULTS_JSONL" --out "$RESULTS_MD.table" >/dev/null
cat "$RESULTS_MD.head" "$RESULTS_MD.table" >"$RESULTS_MD"
rm -f "$RESULTS_MD.head" "$RESULTS_MD.table"
echo
cat "$RESULTS_MD"
log "written to $RESULTS_MD (raw: $RESULTS_JSONL, logs: $LOG_DIR/)"
