# crawl_resume.sh - a second crawler on the same directory is refused;
# SIGTERM stops a crawl with a message saying it is incomplete and can be
# resumed; the same command then finishes it without refetching a paper the
# first run finished, and the result matches the mock's truth.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

# Slow answers (150 ms each) so the first crawl is still running when the
# second one starts and when it is stopped.
crawl_mock --years 2024 --papers 80 --delay-ms 150
# Not through crawl_run: $! must be nipscope's pid, not a subshell's.
"$NIPSCOPE" crawl --rules "$CRAWL_RULES" --proceedings-url "$MOCK_URL" --virtual-url "$MOCK_URL" \
    --rate 0 --concurrency 2 --year 2024 --out "$TMP/out" >"$TMP/out1.txt" 2>"$TMP/err1.txt" &
crawler=$!

# Wait (at most 20 s) until the first crawler has written a record.
i=0
while [ ! -s "$TMP/out/neurips-2024.jsonl" ] && [ $i -lt 200 ]; do
    sleep 0.1
    i=$((i + 1))
done
check "the first crawl has written a record" yes \
    "$([ -s "$TMP/out/neurips-2024.jsonl" ] && echo yes || echo no)"

crawl_run --year 2024 --out "$TMP/out" >"$TMP/out2.txt" 2>"$TMP/err2.txt"
check "a second crawler on the same directory is refused (exit 75)" 75 $?
check_contains "it says who holds the directory" \
    "'$TMP/out' is in use by another nipscope (pid $crawler)" "$(cat "$TMP/err2.txt")"

kill -TERM "$crawler"
wait "$crawler"
rc=$?
check "the stopped crawl exits 1" 1 "$rc"
check_contains "it says the crawl is incomplete" "the crawl is incomplete" "$(cat "$TMP/err1.txt")"
check_contains "it says how to resume" "run the same command again to resume" \
    "$(cat "$TMP/err1.txt")"
check "no summary claims a finished year" no \
    "$([ -e "$TMP/out/neurips-2024.summary.json" ] && echo yes || echo no)"
# Once more, stopped with SIGINT (as Ctrl-C would) after it adds a record.
before=$(wc -l <"$TMP/out/neurips-2024.jsonl")
"$NIPSCOPE" crawl --rules "$CRAWL_RULES" --proceedings-url "$MOCK_URL" --virtual-url "$MOCK_URL" \
    --rate 0 --concurrency 2 --year 2024 --out "$TMP/out" >"$TMP/out4.txt" 2>"$TMP/err4.txt" &
crawler=$!
i=0
while [ "$(wc -l <"$TMP/out/neurips-2024.jsonl")" -le "$before" ] && [ $i -lt 200 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -INT "$crawler"
wait "$crawler"
check "the crawl stopped by SIGINT exits 1" 1 $?
check_contains "it says the crawl is incomplete" "the crawl is incomplete" "$(cat "$TMP/err4.txt")"
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    print(json.loads(line)["id"])' "$TMP/out/neurips-2024.jsonl" | sort -u >"$TMP/done1"
ndone=$(wc -l <"$TMP/done1")
check "the stopped runs finished some papers but not all" yes \
    "$([ "$ndone" -gt 0 ] && [ "$ndone" -lt 80 ] && echo yes || echo "no ($ndone)")"
n=$(wc -l <"$TMP/requests.log")

crawl_run --year 2024 --out "$TMP/out" --concurrency 8 >"$TMP/out3.txt" 2>"$TMP/err3.txt"
check "the resumed crawl exits 0" 0 $?
tail -n +"$((n + 1))" "$TMP/requests.log" >"$TMP/rerun.log"
refetched=0
while read -r id; do
    if grep -q "/$id-" "$TMP/rerun.log"; then
        refetched=$((refetched + 1))
    fi
done <"$TMP/done1"
check "no paper finished by the stopped runs is fetched again" 0 "$refetched"

cmp=$(crawl_compare 2024 "$TMP/out")
check "resumed: the same paper ids as the truth" yes "$(crawl_value ids_same "$cmp")"
check "resumed: every affiliation string as the truth" 0 \
    "$(crawl_value affiliation_mismatches "$cmp")"
check "resumed: US-CN papers as the truth" same "$(crawl_value us_cn_default_papers "$cmp")"
check "resumed: every paper's model families as the truth's mentions" 0 "$(crawl_value mention_mismatches "$cmp")"

finish
