# crawl_5xx.sh - a host that answers nothing but 503 (tests/mock/mocksite.py
# --mode 5xx, robots.txt included): the crawl gives up on it within seconds
# with a message naming the host and the status, and what is stored stays
# valid: a fresh directory gets no paper and no summary, a finished year and
# a half-finished one are left byte for byte as they were, and once the host
# answers again the same command finishes the year as the truth has it,
# without fetching a finished paper again.  A host that goes down in the
# middle of a crawl is given up after 10 URLs in a row fail all 3 attempts.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

# host_back PREFIX PAPERS DIR KEPT - restart the mock healthy, run the same
# crawl into $TMP/DIR again and check that it finishes, fetches no paper of
# $TMP/KEPT (the records written before the fault) again, and that the year
# then equals the truth.  Leaves the comparison in $cmp.
host_back() {
    crawl_mock_stop
    crawl_mock --years 2024 --papers "$2" --port "$port"
    n=$(wc -l <"$TMP/requests.log")
    crawl_run --year 2024 --out "$TMP/$3" >/dev/null 2>&1
    check "${1}with the host back the same command finishes" 0 $?
    tail -n +"$((n + 1))" "$TMP/requests.log" >"$TMP/last.log"
    refetched=0
    for id in $(python3 -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    print(json.loads(l)["id"])' "$TMP/$4"); do
        grep -q "/$id-Abstract" "$TMP/last.log" && refetched=$((refetched + 1))
    done
    check "${1}no paper written before the fault is fetched again" 0 "$refetched"
    cmp=$(crawl_compare 2024 "$TMP/$3")
    check "${1}the same paper ids as the truth" yes "$(crawl_value ids_same "$cmp")"
    check "${1}every affiliation as the truth" 0 "$(crawl_value affiliation_mismatches "$cmp")"
}

# A fresh directory.
crawl_mock --years 2024 --papers 40 --mode 5xx
port=$MOCK_PORT
t0=$(date +%s)
crawl_run --year 2024 --out "$TMP/fresh" >"$TMP/fresh.out" 2>"$TMP/fresh.err"
rc=$?
t1=$(date +%s)
check "all-5xx host: the crawl fails" 1 "$rc"
check "it gives up within 20 s" yes "$([ $((t1 - t0)) -lt 20 ] && echo yes || echo no)"
check_contains "it says it stopped the host, and why" \
    "fetch: stopping host $MOCK_URL: robots.txt '$MOCK_URL/robots.txt' answered HTTP 503 after 3 attempts" \
    "$(cat "$TMP/fresh.err")"
check_contains "the last line names the page it could not get and why" \
    "nipscope: '$MOCK_URL/paper_files/paper/2024': host stopped: robots.txt" \
    "$(tail -n 1 "$TMP/fresh.err")"
check "it asked for robots.txt 3 times and nothing else" "3 0" \
    "$(grep -c '"path": "/robots.txt"' "$TMP/requests.log") $(grep -vc '"path": "/robots.txt"' "$TMP/requests.log")"
check "no paper was written" 0 "$(cat "$TMP/fresh/neurips-2024.jsonl" 2>/dev/null | wc -l)"
check "no summary was written" no "$([ -e "$TMP/fresh/neurips-2024.summary.json" ] && echo yes || echo no)"
check "no report on stdout" "" "$(cat "$TMP/fresh.out")"
crawl_mock_stop

# A finished year, then the host fails: nothing of it changes.
crawl_mock --years 2024 --papers 40 --port "$port"
crawl_run --year 2024 --out "$TMP/done" >/dev/null 2>&1
check "a good crawl finishes the year" 0 $?
"$NIPSCOPE" report "$TMP/done" --rules "$CRAWL_RULES" >"$TMP/report1.txt" 2>&1
cp "$TMP/done/neurips-2024.jsonl" "$TMP/records1"
cp "$TMP/done/neurips-2024.summary.json" "$TMP/summary1"
crawl_mock_stop
crawl_mock --years 2024 --papers 40 --mode 5xx --port "$port"
sleep 1 # a rewritten file would carry another time
crawl_run --year 2024 --out "$TMP/done" >/dev/null 2>"$TMP/done.err"
check "recrawl of a finished year against the 5xx host fails" 1 $?
check "its records are byte-identical" same \
    "$(cmp -s "$TMP/records1" "$TMP/done/neurips-2024.jsonl" && echo same || echo differ)"
check "its summary is byte-identical" same \
    "$(cmp -s "$TMP/summary1" "$TMP/done/neurips-2024.summary.json" && echo same || echo differ)"
"$NIPSCOPE" report "$TMP/done" --rules "$CRAWL_RULES" >"$TMP/report2.txt" 2>&1
check "the report is the same" same \
    "$(cmp -s "$TMP/report1.txt" "$TMP/report2.txt" && echo same || echo differ)"
crawl_mock_stop

# A half-finished year (stopped with SIGTERM), then the host fails, then it is back.
crawl_mock --years 2024 --papers 40 --delay-ms 100 --port "$port"
"$NIPSCOPE" crawl --rules "$CRAWL_RULES" --proceedings-url "$MOCK_URL" --virtual-url "$MOCK_URL" \
    --rate 0 --concurrency 2 --year 2024 --out "$TMP/half" >/dev/null 2>&1 &
crawler=$!
i=0
while [ "$(cat "$TMP/half/neurips-2024.jsonl" 2>/dev/null | wc -l)" -lt 5 ] && [ $i -lt 300 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -TERM "$crawler"
wait "$crawler"
half=$(wc -l <"$TMP/half/neurips-2024.jsonl")
check "the stopped crawl finished some papers but not all" yes \
    "$([ "$half" -ge 5 ] && [ "$half" -lt 40 ] && echo yes || echo "no ($half)")"
cp "$TMP/half/neurips-2024.jsonl" "$TMP/records-half"
crawl_mock_stop
crawl_mock --years 2024 --papers 40 --mode 5xx --port "$port"
crawl_run --year 2024 --out "$TMP/half" >/dev/null 2>&1
check "the 5xx host fails the resumed crawl" 1 $?
check "the half year's records are byte-identical" same \
    "$(cmp -s "$TMP/records-half" "$TMP/half/neurips-2024.jsonl" && echo same || echo differ)"
check "no summary claims the year" no \
    "$([ -e "$TMP/half/neurips-2024.summary.json" ] && echo yes || echo no)"
host_back "" 40 half records-half
check "US-CN papers as the truth" same "$(crawl_value us_cn_default_papers "$cmp")"

# A host that goes down in the middle of a crawl (--outage-after: 503 for
# every request after the first 32): after 10 URLs in a row have failed
# their 3 attempts the host is given up, and the rest fail at once instead
# of each trying it 3 times more.
crawl_mock_stop
crawl_mock --years 2024 --papers 60 --outage-after 32 --port "$port"
n=$(wc -l <"$TMP/requests.log")
t0=$(date +%s)
crawl_run --year 2024 --out "$TMP/outage" >/dev/null 2>"$TMP/outage.err"
rc=$?
t1=$(date +%s)
tail -n +"$((n + 1))" "$TMP/requests.log" >"$TMP/outage.log"
failed=$(grep -c '"status": 503' "$TMP/outage.log")
written=$(wc -l <"$TMP/outage/neurips-2024.jsonl")
echo "# outage after 32 requests: exit $rc in $((t1 - t0)) s, $failed requests answered 503, $written papers written"
check "outage: the crawl fails" 1 "$rc"
check_contains "outage: it gives the host up, saying why" \
    "fetch: stopping host $MOCK_URL: 10 URLs in a row failed after 3 attempts each" \
    "$(cat "$TMP/outage.err")"
check "outage: the dead host got at most 14 URLs x 3 attempts (10 given up, 4 in flight)" yes \
    "$([ "$failed" -le 42 ] && echo yes || echo "no ($failed)")"
check "outage: it ended within 40 s" yes "$([ $((t1 - t0)) -le 40 ] && echo yes || echo no)"
check_contains "outage: the last line says how many papers failed" \
    "$((60 - written)) of 60 papers failed: the crawl is incomplete" "$(tail -n 1 "$TMP/outage.err")"
cp "$TMP/outage/neurips-2024.jsonl" "$TMP/records-outage"
host_back "outage: " 60 outage records-outage

finish
