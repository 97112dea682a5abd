#!/usr/bin/env bash
# Drawing benchmark in headless Chromium: frame times while playing 200 contending tasks
# and a ~100,000-event run, and seek-to-paint times. Prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
trunk build --release --offline
cargo test --locked --test e2e frames -- --ignored --nocapture --test-threads=1
