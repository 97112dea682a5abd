#!/usr/bin/env bash
# Runs a command that starts Chromium (through ChromeDriver) with TMPDIR set to a folder of
# its own under target/, removed when the command ends, however it ends.
#
# Why: ChromeDriver gives every browser session a profile folder (about 50 MB) in TMPDIR
# and removes it only when the session is closed by name; wasm-bindgen-test-runner's
# sessions, and those of a test that panics, are not. Left in /tmp, a few hundred test
# runs filled this machine's disk, and CI, which runs on the same machine, failed to link.
set -euo pipefail
base="$(cd "$(dirname "$0")/.." && pwd)/target/chromium-tmp"
mkdir -p "$base"
# Folders of runs that were killed outright (their shell is gone) go first.
for dir in "$base"/*; do
    [[ -d $dir ]] || continue
    pid="${dir##*/}"
    kill -0 "$pid" 2>/dev/null || rm -rf "$dir"
done
scratch="$base/$$"
mkdir -p "$scratch"
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
TMPDIR="$scratch" "$@"
