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
# A browser killed with its driver can still be writing (its code cache) for a moment
# after the command ends: try again until the folder is gone (a few seconds at most).
clean() {
    for _ in 1 2 3 4 5; do
        rm -rf "$scratch" 2>/dev/null || true
        [[ -e $scratch ]] || return 0
        sleep 1
    done
}
trap clean EXIT
trap 'exit 130' INT TERM
TMPDIR="$scratch" "$@"
