#!/usr/bin/env bash
# classify.sh - the classifier benchmark of issue 2: affiliations/s on one
# core, rule-loading time and peak RSS, with the shipped rules and with a
# synthetic rule set of 100,000 institutions.  Run on demand, never in CI.
#
#   bash bench/classify.sh [BUILD_DIR] [RUNS]      defaults: build-bench, 3
#
# Input: the 81,408 raw affiliation strings (with their email domains) of
# ../shared/data/affiliations-dev.jsonl, classified 10 rounds (shipped rules)
# or 5 rounds (100k rules) per run.  Prints every run; compare the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
runs=${2:-3}
data=../shared/data/affiliations-dev.jsonl
[ -f "$data" ] || { echo "classify.sh: $data is missing" >&2; exit 1; }

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target classify_bench -j"$(nproc)" >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/nsc-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

python3 - "$data" "$work/affs.txt" <<'PY'
import json, sys
with open(sys.argv[2], "w") as out:
    for line in open(sys.argv[1], encoding="utf-8"):
        r = json.loads(line)
        aff = r["raw"].replace("\t", " ").replace("\n", " ")
        out.write(aff + ("\t" + r["email_domain"] if r["email_domain"] else "") + "\n")
PY
python3 bench/classify_gen_rules.py rules "$work/syn100k" 100000 >/dev/null

echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "build: $build ($(cmake -L -N "$build" 2>/dev/null | grep CMAKE_BUILD_TYPE | cut -d= -f2))"
for set in "rules 10" "$work/syn100k 5"; do
  read -r dir rounds <<<"$set"
  echo "== rules: $dir"
  for _ in $(seq "$runs"); do
    "$build/classifier/classify_bench" "$dir" "$work/affs.txt" "$rounds"
  done
done
