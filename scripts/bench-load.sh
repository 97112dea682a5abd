#!/usr/bin/env bash
# Loading benchmark in headless Chromium: navigation start to the first interactive frame,
# cold (new browser profile) and warm (2nd and 3rd visit, from the cache), and the wasm's
# compile time. Prints a markdown table. LOAD_SAMPLES sessions (default 5); E2E_DIST to
# time another dist (then no build).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
[[ -n "${E2E_DIST:-}" ]] || trunk build --release --offline
cargo test --locked --test e2e load:: -- --ignored --nocapture --test-threads=1
