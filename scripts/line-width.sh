#!/usr/bin/env bash
# The line-width gate of `make lint`: no line of Rust over 120 columns (rustfmt keeps code
# to it, but cannot break long strings, comments or lines inside macros such as `html!`).
set -euo pipefail
cd "$(dirname "$0")/.."
max=120
# Characters, not bytes (perl is in every Debian base system; mawk counts bytes).
long=$(git ls-files -co --exclude-standard '*.rs' | xargs perl -CSD -ne \
  'print "$ARGV:$.: ", length($_) - 1, " columns\n" if length($_) - 1 > '"$max"'; close ARGV if eof')
if [[ -n "$long" ]]; then
  echo "Lines over $max columns:"
  echo "$long"
  exit 1
fi
