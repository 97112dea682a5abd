#!/usr/bin/env bash
# Exhaustive interleaving checks of the async Mutex (tests/loom_mutex.rs) with loom.
# Uses its own target dir: `--cfg loom` rebuilds every dependency.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="${RUSTFLAGS:-} --cfg loom"
exec cargo test --release --target-dir target/loom --test loom_mutex "$@"
