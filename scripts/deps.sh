#!/usr/bin/env bash
# Makes sure redis-server and nats-server (JetStream) are installed and running
# on loopback: installs them from Debian's packages when missing, starts them
# when nothing answers on their ports, reuses them when something does.
# Idempotent; safe to run with no stdin (CI=true).
set -euo pipefail

REDIS_PORT="${REDIS_PORT:-6379}"
NATS_PORT="${WARDEN_NATS_PORT:-4222}"
STATE_DIR="${WARDEN_STATE_DIR:-$PWD/.warden}"
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf 'deps: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
    log "need root to run: $* (no sudo available)"; return 1; fi
}

install_missing() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-cli >/dev/null || missing+=(redis-tools)
  command -v nats-server >/dev/null || missing+=(nats-server)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from Debian's packages"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 50); do port_open "$1" && return 0; sleep 0.1; done
  log "$2 did not open port $1; see $STATE_DIR/$2.log"; return 1
}

start_redis() {
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
    log "reusing redis on 127.0.0.1:$REDIS_PORT"; return
  fi
  mkdir -p "$STATE_DIR/redis"
  log "starting redis-server on 127.0.0.1:$REDIS_PORT (data in $STATE_DIR/redis)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" \
    --dir "$STATE_DIR/redis" --appendonly yes --save "" \
    --logfile "$STATE_DIR/redis.log" >/dev/null
  wait_port "$REDIS_PORT" redis
}

start_nats() {
  if port_open "$NATS_PORT"; then
    log "reusing nats on 127.0.0.1:$NATS_PORT"; return
  fi
  mkdir -p "$STATE_DIR/nats"
  log "starting nats-server -js on 127.0.0.1:$NATS_PORT (data in $STATE_DIR/nats)"
  nohup nats-server -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$STATE_DIR/nats" \
    >"$STATE_DIR/nats.log" 2>&1 </dev/null &
  wait_port "$NATS_PORT" nats
}

install_missing
if [ "${WARDEN_DEPS_INSTALL_ONLY:-0}" != 1 ]; then
  start_redis
  start_nats
fi
