#!/usr/bin/env bash
# The one command that runs the whole suite (unit + integration). Integration
# tests spawn their own redis-server and nats-server -js on free loopback
# ports, the shared set-up (install when missing, start or reuse) runs first all the same,
# so both README commands prepare the machine identically.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
exec cargo test --locked --all-targets "$@"
