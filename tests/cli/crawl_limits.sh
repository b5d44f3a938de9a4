# crawl_limits.sh - the fetch limits of `nipscope crawl` reach the engine, from
# the command line and from the config file: the body cap (pages only; the
# virtual feed has its own, larger cap), the total timeout, and --check
# printing them.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

crawl_mock --years 2024 --papers 20
# Sizes of the mock's pages, from the mock itself (not from nipscope).
sizes=$(python3 - "$NSC_SOURCE_DIR/tests/mock" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import mocksite as ms
s = ms.Site([2024], 1, 20)
page = max([len(s.year_index(2024).encode())] +
           [len(s.abstract_page(p).encode()) for p in s.papers[2024]])
print(page, len(json.dumps(s.feed(2024), ensure_ascii=False).encode()))
PY
)
page=${sizes% *}
feed=${sizes#* }
cap=$((page + 64))
check "the feed is larger than every page (so the cap below sits between them)" yes \
    "$([ "$feed" -gt "$cap" ] && echo yes || echo no)"

# A cap below the index page: the crawl fails on it, with ELIMIT's message.
crawl_run --year 2024 --out "$TMP/small" --max-body 2048 >/dev/null 2>"$TMP/err"
rc=$?
check "--max-body 2048 fails the crawl" yes "$([ "$rc" -ne 0 ] && echo yes || echo no)"
check_contains "the message names the index URL and the cap" \
    "nipscope: '$MOCK_URL/paper_files/paper/2024': response larger than 2048 bytes" "$(cat "$TMP/err")"
check "no records were written" no "$([ -s "$TMP/small/neurips-2024.jsonl" ] && echo yes || echo no)"

# The same cap from the config file.
printf 'politeness:\n  max_body: 2048\n' >"$TMP/small.yaml"
crawl_run --year 2024 --out "$TMP/small2" --config "$TMP/small.yaml" >/dev/null 2>"$TMP/err"
check_contains "politeness.max_body in the file has the same effect" \
    "'$MOCK_URL/paper_files/paper/2024': response larger than 2048 bytes" "$(cat "$TMP/err")"
# ... and the command line wins over the file.
crawl_run --year 2024 --out "$TMP/mid" --config "$TMP/small.yaml" --max-body "$cap" \
    >/dev/null 2>"$TMP/err"
check "--max-body above every page but below the feed: the crawl succeeds" 0 $?
sed 's/^/# /' "$TMP/err" | tail -3
cmp=$(crawl_compare 2024 "$TMP/mid")
check "... with every paper" yes "$(crawl_value ids_same "$cmp")"
check "... and every affiliation from the feed, which the page cap did not limit" 0 \
    "$(crawl_value affiliation_mismatches "$cmp")"

# A total timeout shorter than the site's answers: every request times out.
crawl_mock_stop
crawl_mock --years 2024 --papers 20 --delay-ms 2500
t0=$(date +%s)
crawl_run --year 2024 --out "$TMP/slow" --timeout 1s >/dev/null 2>"$TMP/err"
rc=$?
t1=$(date +%s)
check "--timeout 1s against a site answering in 2.5 s fails" yes \
    "$([ "$rc" -ne 0 ] && echo yes || echo no)"
check_contains "the message names the URL and the timeout" \
    "robots.txt '$MOCK_URL/robots.txt' unreachable after 3 attempts: Operation timed out after 1" \
    "$(cat "$TMP/err")"
check "it gave up within 20 s, not after the 2 min default" yes \
    "$([ $((t1 - t0)) -lt 20 ] && echo yes || echo no)"
printf 'politeness:\n  timeout: 1s\n' >"$TMP/slow.yaml"
crawl_run --year 2024 --out "$TMP/slow2" --config "$TMP/slow.yaml" >/dev/null 2>"$TMP/err"
check_contains "politeness.timeout in the file has the same effect" \
    "Operation timed out after 1" "$(cat "$TMP/err")"
crawl_run --year 2024 --out "$TMP/slow3" --config "$TMP/slow.yaml" --timeout 10s --max-papers 2 \
    >/dev/null 2>"$TMP/err"
check "--timeout 10s overrides the file's 1s: the slow site is crawled" 0 $?

# --check shows what the engine gets.
printf 'politeness:\n  connect_timeout: 3s\n  timeout: 7s\n  max_body: 4096\n  low_speed_limit: 0\n  low_speed_time: 5s\nca_file: /etc/ssl/x.pem\nsites:\n  datasets: http://127.0.0.1:1\n' \
    >"$TMP/show.yaml"
out=$("$NIPSCOPE" crawl --config "$TMP/show.yaml" --check --timeout 9s --max-body 5000 2>&1)
check "--check exits 0" 0 $?
for want in "  connect_timeout: 3s" "  timeout: 9s" "  max_body: 5000" "  low_speed_limit: 0" \
    "  low_speed_time: 5s" 'ca_file: "/etc/ssl/x.pem"' '  datasets: "http://127.0.0.1:1"'; do
    check_contains "--check prints '$want'" "$want" "$(printf '%s\n' "$out" | sed -n '1,/^# the whole file/p')"
done
"$NIPSCOPE" crawl --year 2024 --timeout 10 >/dev/null 2>"$TMP/err"
check "--timeout without a unit is a usage error" 64 $?
check_contains "it names the option" "--timeout: '10' is not an interval" "$(cat "$TMP/err")"
"$NIPSCOPE" crawl --year 2024 --max-body 100 >/dev/null 2>"$TMP/err"
check "--max-body below 1024 is a usage error" 64 $?

finish
