#!/usr/bin/env bash
# Runs the Miri tests (tests/sync_miri.rs, tests/sync_kinds_miri.rs, tests/engine_miri.rs):
# checks the `unsafe` code of `sync` and the engine for undefined behaviour and data
# races, with real threads. Installs Miri on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! cargo +nightly miri --version >/dev/null 2>&1; then
    rustup component add --toolchain nightly miri rust-src
fi
cargo +nightly miri setup
# Many seeds of the scheduler would be better; one is what fits in a couple of minutes.
export MIRIFLAGS="${MIRIFLAGS:-} -Zmiri-strict-provenance"
exec cargo +nightly miri test --test sync_miri --test sync_kinds_miri --test engine_miri "$@"
