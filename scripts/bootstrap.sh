#!/usr/bin/env bash
# Installs what the playground needs to build, serve and test, and nothing that is
# already there. Safe to run any number of times. Called by `make serve` and `make test`.
#
# Versions are pinned here and must agree with Cargo.toml (wasm-bindgen) and Trunk.toml.
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.130
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0   # npm package `binaryen`: ships wasm-opt version 132
AXE_VERSION=4.14.1         # npm package `axe-core`: the accessibility audit of the e2e suite

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*"; }

need_browser=1
for arg in "$@"; do
  case "$arg" in
    --no-browser) need_browser=0 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

# 0. room to build: a cold `make test` leaves about 7 GB in target/ (a fresh clone's came to
# 6.8 GB). A full disk shows up much later as a linker's failure, so say it here, plainly.
free_kb=$(df -Pk "$root" | awk 'NR == 2 { print $4 }')
if [[ ${free_kb:-0} -lt $((10 * 1024 * 1024)) ]]; then
  say "warning: only $((free_kb / 1024)) MB free on the disk that holds $root; a cold make test needs about 7 GB"
fi

# 1. the wasm32 target
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 1b. the quality gates' tools (make lint): rustfmt and clippy
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding rust component $component"
    rustup component add "$component"
  fi
done

# 2. wasm-bindgen-cli at exactly the version Cargo.toml pins (also gives wasm-bindgen-test-runner).
#    It only builds without --locked on this toolchain.
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 3. trunk (0.22 needs a newer rustc than ours)
if [[ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]]; then
  say "installing trunk $TRUNK_VERSION (about 5 minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

# 3b. npm, for the two npm packages below (Debian's nodejs and npm, if it is missing)
if ! command -v npm >/dev/null; then
  say "installing nodejs and npm"
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm
fi

# 4. wasm-opt from the npm package (Debian's wasm-opt 108 cannot read what rustc 1.95 emits),
#    into the ignored folder .tools/; scripts put .tools/node_modules/.bin on PATH.
if [[ ! -x .tools/node_modules/.bin/wasm-opt ]] \
   || ! .tools/node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into .tools/"
  mkdir -p .tools
  [[ -f .tools/package.json ]] || echo '{"private": true}' > .tools/package.json
  npm install --prefix .tools --no-audit --no-fund --save-exact "binaryen@$BINARYEN_VERSION"
fi

# 4b. axe-core, the accessibility rules the end-to-end suite runs in the page (a script,
#     read from .tools/node_modules/axe-core/axe.min.js).
if [[ "$(node -p "require('./.tools/node_modules/axe-core/package.json').version" 2>/dev/null || true)" != "$AXE_VERSION" ]]; then
  say "installing axe-core@$AXE_VERSION into .tools/"
  mkdir -p .tools
  [[ -f .tools/package.json ]] || echo '{"private": true}' > .tools/package.json
  npm install --prefix .tools --no-audit --no-fund --save-exact "axe-core@$AXE_VERSION"
fi

# 5. Chromium and ChromeDriver from Debian (matching versions), for the browser tests.
if [[ $need_browser == 1 ]] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; }; then
  say "installing chromium and chromium-driver"
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver
fi

say "ready: $(wasm-bindgen --version), $(trunk --version), wasm-opt $(.tools/node_modules/.bin/wasm-opt --version | awk '{print $3}')$( [[ $need_browser == 1 ]] && echo ", $(chromium --version 2>/dev/null | head -1)")"
