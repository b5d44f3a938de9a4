# crawl_hostile.sh - hostile abstract pages stay within their page.  The mock
# (--hostile-pages 5) serves every 5th paper's page with, in turn: 100,000
# nested <div>s, a tag with 100,000 attributes, a 17 MiB page (the HTML cap is
# 16 MiB), an entity flood (a "billion laughs" DTD, 200,000 character
# references, invalid ones), NUL bytes, invalid UTF-8, and markup never
# closed.  The first three must fail that paper alone, naming its URL and
# the cap; the others must give the truth's record; every other paper must
# arrive as the truth has it.  Then the same command against the normal site
# finishes the year, fetching only the failed papers.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

crawl_mock --years 2024 --papers 70 --hostile-pages 5
port=$MOCK_PORT
t0=$(date +%s)
crawl_run --year 2024 --out "$TMP/out" >"$TMP/out.txt" 2>"$TMP/err.txt"
rc=$?
t1=$(date +%s)
echo "# first crawl: exit $rc in $((t1 - t0)) s"
check "the crawl with hostile pages exits 1 (incomplete)" 1 "$rc"
check "it took under 60 s" yes "$([ $((t1 - t0)) -lt 60 ] && echo yes || echo no)"
refused=$(awk -F'\t' '$2 == "deep-nesting" || $2 == "attr-flood" || $2 == "over-cap" {print $1}' \
    "$TMP/truth/hostile-2024.tsv" | sort)
nrefused=$(printf '%s\n' "$refused" | grep -c .)
check "the mock made 14 pages hostile, 6 of them past a cap" "14 6" \
    "$(wc -l <"$TMP/truth/hostile-2024.tsv" | tr -d ' ') $nrefused"
check_contains "the summary line counts the failed papers" \
    "$nrefused of 70 papers failed: the crawl is incomplete" "$(cat "$TMP/err.txt")"
# Each refused page is named with its cap.
while IFS="$(printf '\t')" read -r id kind; do
    case $kind in
    deep-nesting) want="elements nested deeper than 1024" ;;
    attr-flood) want="a tag with more than 512 attributes" ;;
    over-cap) want="byte cap" ;;
    *) continue ;;
    esac
    line=$(grep -- "$id-Abstract" "$TMP/err.txt" | head -n 1)
    check_contains "$kind page of $id: its URL and the cap in the log" "$want" "$line"
done <"$TMP/truth/hostile-2024.tsv"

# The records: every paper but the refused ones, each as the truth has it.
got=$(python3 -c '
import json, sys
print("\n".join(sorted(json.loads(l)["id"] for l in open(sys.argv[1], encoding="utf-8"))))
' "$TMP/out/neurips-2024.jsonl")
missing=$(python3 -c '
import json, sys
truth = {json.loads(l)["id"] for l in open(sys.argv[1], encoding="utf-8")}
got = set(open(sys.argv[2]).read().split())
print("\n".join(sorted(truth - got)))
' "$TMP/truth/truth-2024.jsonl" "$(printf '%s\n' "$got" >"$TMP/got"; echo "$TMP/got")")
check "the papers missing are exactly the refused pages" "$refused" "$missing"
cmp=$(crawl_compare 2024 "$TMP/out")
check "every recorded paper's title, track and URLs as the truth" 0 \
    "$(crawl_value paper_mismatches "$cmp")"
check "every recorded paper's author names as the truth (NUL, bad UTF-8 pages too)" 0 \
    "$(crawl_value name_mismatches "$cmp")"
check "every recorded paper's affiliations as the truth" 0 \
    "$(crawl_value affiliation_mismatches "$cmp")"
check "every recorded paper's model families as the truth" 0 \
    "$(crawl_value mention_mismatches "$cmp")"
check "the records are valid against the schema" valid "$(crawl_value records_schema "$cmp")"

# The site is well again: the same command fetches only the failed papers.
crawl_mock_stop
crawl_mock --years 2024 --papers 70 --port "$port"
n=$(wc -l <"$TMP/requests.log")
crawl_run --year 2024 --out "$TMP/out" >"$TMP/out2.txt" 2>"$TMP/err2.txt"
check "the rerun against the well site exits 0" 0 $?
refetched=$(tail -n +"$((n + 1))" "$TMP/requests.log" | grep -o '[0-9a-f]\{32\}-Abstract' |
    sed 's/-Abstract//' | sort)
check "the rerun fetched exactly the failed papers' pages" "$refused" "$refetched"
cmp=$(crawl_compare 2024 "$TMP/out")
check "now the same paper ids as the truth" yes "$(crawl_value ids_same "$cmp")"
check "every author name as the truth" 0 "$(crawl_value name_mismatches "$cmp")"
check "every affiliation as the truth" 0 "$(crawl_value affiliation_mismatches "$cmp")"
check "US-CN papers as the truth" same "$(crawl_value us_cn_default_papers "$cmp")"

finish
