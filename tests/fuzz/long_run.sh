#!/bin/sh
# long_run.sh - a long libFuzzer run of one target, the way the README's
# "Reliability" figures were taken (CI only smoke-runs each target: ctest -L fuzz).
#
#   sh tests/fuzz/long_run.sh BUILD_DIR TARGET SECONDS MAX_LEN
#
# BUILD_DIR is a -DNSC_BUILD_FUZZERS=ON build (ASan + UBSan).  The run starts
# from the target's seeds (tests/fuzz/corpus/TARGET and the folders its smoke
# test names in tests/*.cmake, SEEDS), keeps what it finds in BUILD_DIR/long/TARGET/corpus, writes any
# crash, leak or timeout input to BUILD_DIR/long/TARGET/ and prints one line:
#   TARGET seconds=S execs=N exec_per_s=R cov=C ft=F slowest_s=T peak_rss_mb=M crashes=K
# Run it under `nice -n 10`, at most two at once on a shared machine.
set -eu
build=$(cd "$1" && pwd)
target=$2
secs=$3
maxlen=$4
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=$build/tests/$target
[ -x "$bin" ] || { echo "long_run: no $bin (build with -DNSC_BUILD_FUZZERS=ON)" >&2; exit 2; }
work=$build/long/$target
mkdir -p "$work/corpus" "$work/artifacts"
# A private copy of the binary: a rebuild during the run does not touch it.
cp "$bin" "$work/$target"
seeds=
[ -d "$src/tests/fuzz/corpus/$target" ] && seeds="$src/tests/fuzz/corpus/$target"
case $target in
fuzz_year_index | fuzz_abstract) seeds="$seeds $src/tests/fixtures/html" ;;
fuzz_feed | fuzz_metadata) seeds="$seeds $src/tests/fixtures/json" ;;
fuzz_profile) seeds="$seeds $src/tests/fixtures/sites $src/rules/sites" ;;
esac
# UBSan findings stop the run as crashes do; leaks are reported at exit of
# each input by libFuzzer's own leak check (-detect_leaks=1, the default).
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
rc=0
(cd "$work" && "./$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$maxlen" -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "$work/corpus" $seeds) >"$work/log" 2>&1 || rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | head -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | head -n 1)
slowest=$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$work/log" | head -n 1)
rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$work/log" | head -n 1)
last=$(grep -E '^#[0-9]+.*cov: ' "$work/log" | tail -n 1)
cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
found=$(ls "$work/artifacts" | wc -l)
echo "$target seconds=$secs execs=${execs:-?} exec_per_s=${rate:-?} cov=${cov:-?} ft=${ft:-?}" \
    "slowest_s=${slowest:-?} peak_rss_mb=${rss:-?} crashes=$found rc=$rc"
