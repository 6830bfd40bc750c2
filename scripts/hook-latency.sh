#!/usr/bin/env bash
# Latency of `warden hook claude-code` as a whole process (what Claude Code
# pays per tool call), side by side with `true` (the process start floor) in
# the same run: N invocations each, interleaved, with a typical Bash
# PreToolUse event on stdin, plus `warden --version` (the binary's own load
# and start-up, no work). Prints p50/p90/p99/max in milliseconds.
#
#   ./scripts/hook-latency.sh            # N=1000, release build
#   N=200 WARDEN=target/debug/warden ./scripts/hook-latency.sh
#
# A benchmark, not a test: numbers go in README ("Guarding a coding agent").
# Timing uses bash's $EPOCHREALTIME (no extra process per sample).
set -euo pipefail

cd "$(dirname "$0")/.."
N=${N:-1000}
WARDEN=${WARDEN:-target/release/warden}
if [[ ! -x $WARDEN ]]; then
    cargo build --release --bin warden >&2
fi
WARDEN=$(realpath "$WARDEN")
TRUE=$(command -v true)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
event=$work/event.json
cat >"$event" <<'JSON'
{"session_id":"3f1c2a9e-5b7d-4e21-9a0c-1d2e3f4a5b6c","transcript_path":"/home/dev/.claude/projects/p/3f1c2a9e.jsonl","cwd":"/home/dev/project","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"git status && cargo test --workspace 2>&1 | tail -n 20","description":"Run the tests"},"tool_use_id":"toolu_01ABCDEFGHJKLMNPQRSTUVWX"}
JSON

# A clean, local-mode environment; the audit file is written as in real use.
export HOME=$work WARDEN_HOOK_AUDIT_FILE=$work/audit.jsonl
unset WARDEN_URL WARDEN_HOOK_CENTRAL WARDEN_POLICY_FILE
cd "$work"

"$WARDEN" hook claude-code <"$event" >/dev/null # warm the page cache

: >"$work/warden.us"
: >"$work/true.us"
: >"$work/version.us"
for ((i = 0; i < N; i++)); do
    t0=$EPOCHREALTIME
    "$WARDEN" hook claude-code <"$event" >/dev/null
    t1=$EPOCHREALTIME
    "$TRUE" <"$event" >/dev/null
    t2=$EPOCHREALTIME
    "$WARDEN" --version >/dev/null
    t3=$EPOCHREALTIME
    echo $(((${t1/./} - ${t0/./}))) >>"$work/warden.us"
    echo $(((${t2/./} - ${t1/./}))) >>"$work/true.us"
    echo $(((${t3/./} - ${t2/./}))) >>"$work/version.us"
done

stats() {
    sort -n "$1" | awk -v name="$2" '
        { v[NR] = $1 }
        END {
            printf "%-22s n=%d  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n", name, NR,
                v[int(NR * 0.50 + 0.5)] / 1000, v[int(NR * 0.90 + 0.5)] / 1000,
                v[int(NR * 0.99 + 0.5)] / 1000, v[NR] / 1000
        }'
}
echo "$(nproc) CPUs, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg), $N invocations each"
stats "$work/warden.us" "warden hook claude-code"
stats "$work/true.us" "true"
stats "$work/version.us" "warden --version"
lines=$(wc -l <"$work/audit.jsonl")
echo "audit lines written: $lines"
