# crawl_faults.sh - a crawl through a flaky site (503, 429, resets, truncated
# bodies) ends with exactly the truth's papers and affiliations: the engine
# retries, and what still fails is retried by running the same command again.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

crawl_mock --years 2023 --papers 150 \
    --fault 'status503=0.12,status429=0.06,reset=0.04,truncate=0.03'
runs=0
rc=1
while [ "$rc" -ne 0 ] && [ "$runs" -lt 3 ]; do
    runs=$((runs + 1))
    crawl_run --year 2023 --out "$TMP/out" --concurrency 8 >"$TMP/out.txt" 2>"$TMP/err.txt"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "# run $runs exited $rc: $(tail -n 1 "$TMP/err.txt")"
        check_contains "run $runs says how to retry" "run the same command again" \
            "$(cat "$TMP/err.txt")"
        check_contains "run $runs: the report says the year is incomplete" "INCOMPLETE: " \
            "$(cat "$TMP/out.txt")"
    fi
done
check "the crawl completes within 3 runs" 0 "$rc"
faults=$(grep -c '"fault": "[a-z]' "$TMP/requests.log")
check "the complete summary has no 'incomplete' key" 0 \
    "$(grep -c '"incomplete"' "$TMP/out/neurips-2023.summary.json")"
check "the mock injected faults" yes "$([ "$faults" -gt 10 ] && echo yes || echo "no ($faults)")"

cmp=$(crawl_compare 2023 "$TMP/out")
check "the same paper ids as the truth" yes "$(crawl_value ids_same "$cmp")"
check "every author name as the truth" 0 "$(crawl_value name_mismatches "$cmp")"
check "every affiliation string as the truth" 0 "$(crawl_value affiliation_mismatches "$cmp")"
check "US-CN papers as the truth" same "$(crawl_value us_cn_default_papers "$cmp")"
check "every paper's model families as the truth's mentions" 0 "$(crawl_value mention_mismatches "$cmp")"

finish
