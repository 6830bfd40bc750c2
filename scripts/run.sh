#!/usr/bin/env bash
# The one command that runs warden: dependencies (installed/started/reused),
# a release build, then `warden serve`. Extra arguments go to `warden serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
exec cargo run --release --locked --bin warden -- serve "$@"
