#!/usr/bin/env bash
# Exhaustive interleaving checks of sync's locks with loom: every tests/loom_*.rs (the
# Mutex, the PolicyMutex, the RwLock). Uses its own target dir: `--cfg loom` rebuilds
# every dependency. Warnings are errors here too (make lint does not build the loom cfg).
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="${RUSTFLAGS:-} --cfg loom -D warnings"
tests=()
for f in tests/loom_*.rs; do
  tests+=(--test "$(basename "$f" .rs)")
done
exec cargo test --release --target-dir target/loom "${tests[@]}" "$@"
