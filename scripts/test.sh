#!/usr/bin/env bash
# The one command that runs the whole suite (unit + integration). Integration
# tests spawn their own redis-server and nats-server -js on free loopback
# ports, so this only makes sure the binaries are installed (from Debian's
# packages when missing); it starts no long-lived server.
set -euo pipefail
cd "$(dirname "$0")/.."
WARDEN_DEPS_INSTALL_ONLY=1 ./scripts/deps.sh
exec cargo test --locked --all-targets "$@"
