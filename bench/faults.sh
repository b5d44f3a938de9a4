#!/bin/sh
# faults.sh - the fault-injection figures of README.md ("Reliability") and
# docs/reliability.md: a full mock year (2024, 4,493 papers) crawled with no
# faults and with 10% 503/429 (Retry-After: 1), 5% resets, 2% truncated
# bodies and 1% answers 2 s late, both --rate 0; every paper must arrive.
#
#   sh bench/faults.sh [BUILD_DIR]      # default: build (takes about 10 minutes)
#
# It runs tests/cli/crawl_faults_full.sh at full size; ctest runs the same
# script on 150 papers.  NSC_FAULTS_PAPERS=N and NSC_FAULTS_SPEC=... override.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
NSC_SOURCE_DIR=$src NSC_RULES_DIR=$src/rules NIPSCOPE=$build/nipscope \
    NSC_FAULTS_PAPERS=${NSC_FAULTS_PAPERS:-full} exec sh "$src/tests/cli/crawl_faults_full.sh"
