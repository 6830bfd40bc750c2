#!/usr/bin/env bash
# Checks the operator artefacts that cargo cannot: the Prometheus alert rules
# (promtool) and the compose file (docker-compose config). Installs promtool
# (Debian package `prometheus`) and docker-compose from Debian's packages when
# missing; a tool that cannot be installed fails the check (an unchecked file
# is not a checked one).
# Non-interactive; safe with no stdin (CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf 'check-ops: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo -n "$@"
  else return 1; fi
}

apt_updated=0
apt_install() { # apt_install <command> <package>
  command -v "$1" >/dev/null && return 0
  if ! command -v apt-get >/dev/null; then
    log "$1 missing and apt-get is not available"; return 1
  fi
  log "installing $2 (for $1) from Debian's packages"
  if [ "$apt_updated" = 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || {
      log "apt-get update failed (no root, no sudo -n, or no network): cannot install $1"; return 1; }
    apt_updated=1
  fi
  # --no-install-recommends: promtool only, no exporters or web assets.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "$2" >/dev/null || {
    log "could not install $2 (for $1)"; return 1; }
  command -v "$1" >/dev/null
}

status=0
missing=()

if apt_install promtool prometheus; then
  log "promtool check rules dashboards/alerts.yml"
  promtool check rules dashboards/alerts.yml || status=1
  log "promtool check config dashboards/prometheus.yml"
  promtool check config dashboards/prometheus.yml || status=1
else
  missing+=(promtool)
fi

if apt_install docker-compose docker-compose; then
  log "docker-compose -f docker-compose.yml config -q"
  WARDEN_API_TOKENS="${WARDEN_API_TOKENS:-check-ops-dummy-token}" \
    docker-compose -f docker-compose.yml config -q || status=1
else
  missing+=(docker-compose)
fi

if [ ${#missing[@]} -gt 0 ]; then
  log "FAILED: could not run ${missing[*]} (install them, or run where apt works)"
  status=1
fi
if [ "$status" = 0 ]; then log "ok"; else log "FAILED"; fi
exit "$status"
