# crawl_faults_full.sh - the fault-injection crawl: a mock year crawled once
# with no faults and once with the issue's faults (10% of responses 503 or
# 429 with Retry-After: 1, 5% of connections reset, 2% of bodies truncated,
# 1% of answers 2 s late), both --rate 0, same mock seed.  Every paper must
# arrive as the truth has it (a run that ends incomplete is followed by the
# same command again, at most 3 runs in all).  It reports requests, retries
# (attempts per URL from the mock's request log; the crawler's own "retry"
# log lines must agree), the faults injected by kind, wall and CPU time of
# both crawls.
#
# ctest runs it on 150 papers; the figures in README.md / docs/reliability.md
# come from the full year: bench/faults.sh (NSC_FAULTS_PAPERS=full, 4,493 papers).
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

papers=${NSC_FAULTS_PAPERS:-150}
size="--papers $papers"
[ "$papers" = full ] && size=
FAULTS=${NSC_FAULTS_SPEC:-status503=0.05,status429=0.05,reset=0.05,truncate=0.02,slow=0.01}
echo "# 2024, papers: $papers, faults: $FAULTS"

# timed OUT ERR ARGS...: nipscope -v crawl ARGS against the mock; prints
# "EXIT WALL_S CPU_S PEAK_RSS_KB".
timed() {
    o=$1
    e=$2
    shift 2
    crawl_measured "$o" "$e" -v crawl --rules "$CRAWL_RULES" --proceedings-url "$MOCK_URL" \
        --virtual-url "$MOCK_URL" --rate 0 --no-progress --year 2024 "$@"
}

# log_stats FROM_LINE: requests in the mock's log from that line on: total,
# distinct URLs, retries (requests beyond the first of each URL), the most
# attempts of one URL, resets before any byte of the answer, and faults by kind.
log_stats() {
    tail -n +"$1" "$TMP/requests.log" | python3 -c '
import collections, json, sys
per, kinds, early = collections.Counter(), collections.Counter(), 0
for line in sys.stdin:
    r = json.loads(line)
    per[r["path"]] += 1
    kinds[r["fault"] or "none"] += 1
    early += r["fault"] == "reset" and r["status"] is None
n = sum(per.values())
print("requests=%d urls=%d retries=%d max_attempts=%d early_resets=%d" % (
    n, len(per), n - len(per), max(per.values()), early))
print("faults=" + ",".join("%s:%d" % (k, kinds[k]) for k in
      ("status503", "status429", "reset", "truncate", "slow")))
'
}
# value KEY TEXT: KEY=N from log_stats output.
value() {
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# No faults.
crawl_mock --years 2024 $size --warm
port=$MOCK_PORT
set -- $(timed "$TMP/clean.out" "$TMP/clean.err" --out "$TMP/clean")
check "no faults: the crawl exits 0" 0 "$1"
clean_wall=$2 clean_cpu=$3 clean_rss=$4
clean_stats=$(log_stats 1)
cmp=$(crawl_compare 2024 "$TMP/clean")
check "no faults: the same paper ids as the truth" yes "$(crawl_value ids_same "$cmp")"
echo "# no faults: ${clean_wall} s wall, ${clean_cpu} s CPU, ${clean_rss} KB peak RSS; $clean_stats" |
    tr '\n' ' '
echo
crawl_mock_stop

# Faults.  Each run's requests are counted apart.  The crawler counts the
# requests it starts and logs each retry ("...; retry N in D ms"); the mock
# sees a few more: when a kept-alive connection is reset before any byte of
# the answer, libcurl sends the request again on a new connection by itself.
# So the mock's count may exceed the crawler's by at most its early resets.
# The same port: the records name their URLs, so both crawls can be compared byte for byte.
crawl_mock --years 2024 $size --warm --fault "$FAULTS" --slow-ms 2000 --port "$port"
first=$(($(wc -l <"$TMP/requests.log") + 1))
runs=0
rc=1
fault_wall=0
fault_cpu=0
while [ "$rc" -ne 0 ] && [ "$runs" -lt 3 ]; do
    runs=$((runs + 1))
    from=$(($(wc -l <"$TMP/requests.log") + 1))
    set -- $(timed "$TMP/fault$runs.out" "$TMP/fault$runs.err" --out "$TMP/faults")
    rc=$1
    fault_wall=$(awk "BEGIN { print $fault_wall + $2 }")
    fault_cpu=$(awk "BEGIN { print $fault_cpu + $3 }")
    stats=$(log_stats "$from")
    nips_retries=$(grep -c '; retry [0-9]* in [0-9]* ms' "$TMP/fault$runs.err")
    nips_requests=$(sed -n 's/.*crawl: \([0-9]*\) requests, .*/\1/p' "$TMP/fault$runs.err")
    failed=$(grep 'gave up after 3 attempts' "$TMP/fault$runs.err" | grep -o "'http[^']*'" |
        sort -u | wc -l)
    echo "# faults, run $runs: exit $rc, $2 s wall, $3 s CPU, $4 KB peak RSS;" \
        "nipscope: $nips_requests requests, $nips_retries retries, $failed URLs given up;" \
        "mock: $(printf '%s' "$stats" | tr '\n' ' ')"
    extra=$(($(value requests "$stats") - ${nips_requests:-0}))
    check "run $runs: the mock's requests are the crawler's plus at most its early resets" yes \
        "$([ "$extra" -ge 0 ] && [ "$extra" -le "$(value early_resets "$stats")" ] && echo yes ||
            echo "no ($extra more, $(value early_resets "$stats") early resets)")"
    check "run $runs: and so are the retries" "$extra" \
        "$(($(value retries "$stats") - nips_retries))"
    [ "$rc" -ne 0 ] && check_contains "run $runs: it says to run the same command again" \
        "run the same command again" "$(tail -n 1 "$TMP/fault$runs.err")"
    if [ "$runs" -eq 1 ]; then
        # 17% of attempts fail: with 3 attempts about 0.5% of URLs fail them
        # all (0.17^3), without retries 17%.
        urls=$(value urls "$stats")
        check "run 1: the engine retried, so at most 3% of the $urls URLs failed" yes \
            "$([ $((failed * 100)) -le $((urls * 3)) ] && [ "$nips_retries" -gt 0 ] && echo yes ||
                echo "no ($failed failed, $nips_retries retries)")"
    fi
done
check "the crawl with faults completes within 3 runs" 0 "$rc"
all=$(log_stats "$first")
echo "# faults, all runs: $runs runs, $fault_wall s wall, $fault_cpu s CPU; $(printf '%s' "$all" | tr '\n' ' ')"
for kind in status503 status429 reset truncate slow; do
    n=$(printf '%s\n' "$all" | sed -n "s/.*$kind:\([0-9]*\).*/\1/p")
    check "the mock injected $kind faults" yes "$([ "${n:-0}" -gt 0 ] && echo yes || echo no)"
done

cmp=$(crawl_compare 2024 "$TMP/faults")
check "faults: the same paper ids as the truth" yes "$(crawl_value ids_same "$cmp")"
check "faults: every author name as the truth" 0 "$(crawl_value name_mismatches "$cmp")"
check "faults: every affiliation as the truth" 0 "$(crawl_value affiliation_mismatches "$cmp")"
check "faults: every paper's model families as the truth" 0 "$(crawl_value mention_mismatches "$cmp")"
check "faults: US-CN papers as the truth" same "$(crawl_value us_cn_default_papers "$cmp")"
check "faults: a complete summary" 0 "$(grep -c '"incomplete"' "$TMP/faults/neurips-2024.summary.json")"
# The records do not depend on the faults: byte-identical to the clean crawl's.
check "faults: records byte-identical to the crawl without faults" same \
    "$(cmp -s "$TMP/clean/neurips-2024.jsonl" "$TMP/faults/neurips-2024.jsonl" && echo same || echo differ)"

finish
