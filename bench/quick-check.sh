#!/bin/sh
# quick-check.sh BUILD_DIR - the ctest bench_quick (tests/bench.cmake): runs
# `bench/run --quick` with BUILD_DIR's binaries and checks that RESULTS.md
# has every section.  Checks the harness only; nothing is timed or compared.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/nsc-benchquick.XXXXXX")
trap 'rm -rf "$out"' EXIT
bash "$src/bench/run" --quick --scale --build-dir "$1" --out "$out/RESULTS.md"
for s in Machine Versions Parse Crawl Classify Scale; do
    grep -q "^## $s\$" "$out/RESULTS.md" || { echo "quick-check: RESULTS.md has no section '$s'" >&2; exit 1; }
done
grep -q '^| nipscope |' "$out/RESULTS.md" || { echo "quick-check: no nipscope row" >&2; exit 1; }
echo "quick-check: ok"
