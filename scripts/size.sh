#!/usr/bin/env bash
# Prints the size of a release dist's wasm, JS and CSS, raw and gzip -9, as a markdown table.
set -euo pipefail
dist="${1:-dist}"
printf '| file | raw bytes | gzip -9 bytes |\n|---|---:|---:|\n'
total_raw=0; total_gz=0
for f in "$dist"/*.wasm "$dist"/*.js "$dist"/*.css; do
  [[ -f "$f" ]] || continue
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  name=$(basename "$f" | sed -E "s/-[0-9a-f]{16}(_bg)?\./\1./")
  printf '| %s | %d | %d |\n' "$name" "$raw" "$gz"
done
printf '| **total** | **%d** | **%d** |\n' "$total_raw" "$total_gz"
