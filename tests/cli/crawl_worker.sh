# crawl_worker.sh - the HTML parser runs in a worker process (issue 6): when
# it crashes or hangs on one abstract page (made to, by the test hook
# NSC_TEST_PARSER_FAULT), that one paper fails with a message saying so, the
# others match the truth, and running the command again completes the year.
# A crash on the year index fails the crawl loudly and writes nothing.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

crawl_mock --years 2024 --papers 60
# The second paper of the truth; its PDF link ("<id>-Paper") is on its
# abstract page only (the index links the abstract page).
id=$(sed -n 2p "$TMP/truth/truth-2024.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
n=$(wc -l <"$TMP/truth/truth-2024.jsonl")
check "the truth has 60 papers" 60 "$n"

# crawl_one_fault KIND OUT: a crawl with the fault on that one paper, then a
# rerun without it; checks both.
crawl_one_fault() {
    kind=$1 out=$2 want=$3
    shift 3
    t0=$(date +%s)
    NSC_TEST_PARSER_FAULT="$kind:$id-Paper" crawl_run --year 2024 --out "$out" "$@" \
        >"$TMP/out.txt" 2>"$TMP/err.txt"
    rc=$?
    t1=$(date +%s)
    check "$kind: the crawl finishes, incomplete (exit 1)" 1 "$rc"
    check "$kind: within 60 s" yes "$([ $((t1 - t0)) -lt 60 ] && echo yes || echo "no: $((t1 - t0)) s")"
    check "$kind: one warning names the page and the fault" 1 \
        "$(grep -c "abstract page: $MOCK_URL/paper_files/paper/2024/hash/$id-Abstract-Conference.html: $want; page skipped" "$TMP/err.txt")"
    check "$kind: no other parser failure" 1 "$(grep -c 'parser' "$TMP/err.txt")"
    check_contains "$kind: the run says one paper failed, and why" \
        "1 of 60 papers failed: the crawl is incomplete (1: worker process failed); run the same command again to retry them" \
        "$(cat "$TMP/err.txt")"
    cmp=$(crawl_compare 2024 "$out")
    check "$kind: every paper but that one written" "no: 1 missing, 0 extra" \
        "$(crawl_value ids_same "$cmp")"
    check "$kind: the missing one is that paper" "" \
        "$(grep -c "\"id\": *\"$id\"" "$out/neurips-2024.jsonl" | grep -v '^0$')"
    check "$kind: the others' authors as the truth" 0 "$(crawl_value name_mismatches "$cmp")"
    check "$kind: the others' affiliations as the truth" 0 \
        "$(crawl_value affiliation_mismatches "$cmp")"

    before=$(grep -c "$id-Abstract" "$TMP/requests.log")
    crawl_run --year 2024 --out "$out" "$@" >"$TMP/out.txt" 2>"$TMP/err.txt"
    check "$kind: the rerun completes the year" 0 "$?"
    check "$kind: the rerun fetched that page again" $((before + 1)) \
        "$(grep -c "$id-Abstract" "$TMP/requests.log")"
    cmp=$(crawl_compare 2024 "$out")
    check "$kind: after the rerun, the truth's paper ids" yes "$(crawl_value ids_same "$cmp")"
    check "$kind: after the rerun, every affiliation" 0 "$(crawl_value affiliation_mismatches "$cmp")"
    check "$kind: after the rerun, US-CN papers as the truth" same \
        "$(crawl_value us_cn_default_papers "$cmp")"
}

crawl_one_fault crash "$TMP/crash" "parser worker killed by signal 11 (SIGSEGV)"

printf 'parser_timeout: 1s\n' >"$TMP/cfg.yaml"
crawl_one_fault hang "$TMP/hang" "parser timed out after 1.0 s" --config "$TMP/cfg.yaml"

# The year index itself: the crawl fails, naming it, and writes no records.
NSC_TEST_PARSER_FAULT="crash:book-title" crawl_run --year 2024 --out "$TMP/ix" \
    >"$TMP/out.txt" 2>"$TMP/err.txt"
check "index crash: the crawl fails (exit 1)" 1 "$?"
check_contains "index crash: the message names the index and the signal" \
    "nipscope: $MOCK_URL/paper_files/paper/2024: parser worker killed by signal 11 (SIGSEGV)" \
    "$(cat "$TMP/err.txt")"
check "index crash: no records file" no \
    "$([ -e "$TMP/ix/neurips-2024.jsonl" ] && echo yes || echo no)"
check "index crash: no summary file" no \
    "$([ -e "$TMP/ix/neurips-2024.summary.json" ] && echo yes || echo no)"

finish
