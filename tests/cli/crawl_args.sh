# crawl_args.sh - the command line of `nipscope crawl`: usage errors (site
# URLs other than http and https among them), a year the profile has no
# proceedings for, a bad policy, --max-papers (the first N papers by id, as the truth lists them)
# and the plain log lines when stderr is not a terminal.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

"$NIPSCOPE" crawl --out "$TMP/x" >/dev/null 2>"$TMP/err"
check "no --year is a usage error" 64 $?
check_contains "it says --year is required" "--year Y is required" "$(cat "$TMP/err")"
"$NIPSCOPE" crawl --year 2024 --rate fast >/dev/null 2>"$TMP/err"
check "a bad --rate is a usage error" 64 $?
check_contains "it names the option" "--rate: 'fast' is not a rate" "$(cat "$TMP/err")"
"$NIPSCOPE" crawl --year 2024 --concurrency 0 >/dev/null 2>&1
check "--concurrency 0 is a usage error" 64 $?
"$NIPSCOPE" crawl --year 2024 extra >/dev/null 2>&1
check "a stray argument is a usage error" 64 $?
# Only http and https site URLs, refused before anything is created or fetched.
for u in "--proceedings-url file:///etc" "--virtual-url ftp://127.0.0.1/x" \
    "--datasets-url gopher://127.0.0.1" "--proceedings-url /paper_files"; do
    set -- $u
    "$NIPSCOPE" crawl --year 2024 --out "$TMP/scheme" "$@" >/dev/null 2>"$TMP/err"
    check "$1 $2 is a usage error" 64 $?
    check_contains "it names the option and the URL" \
        "$1: '$2' is not an http:// or https:// URL" "$(cat "$TMP/err")"
    check "nothing was created for it" no "$([ -e "$TMP/scheme" ] && echo yes || echo no)"
done
# A year the site profile lists no proceedings for: refused, naming the profile file.
"$NIPSCOPE" crawl --rules "$CRAWL_RULES" --year 2018 --out "$TMP/y2018" >/dev/null 2>"$TMP/err"
check "a year without proceedings is refused (exit 65)" 65 $?
check_contains "it names the profile file" \
    "the site profile $CRAWL_RULES/sites/neurips.yaml has no proceedings for 2018" "$(cat "$TMP/err")"
cp "$CRAWL_RULES/sites/neurips.yaml" "$TMP/site.yaml"
"$NIPSCOPE" crawl --rules "$CRAWL_RULES" --profile "$TMP/site.yaml" --year 2018 --out "$TMP/y2018" \
    >/dev/null 2>"$TMP/err"
check_contains "--profile: it names that file" \
    "the site profile $TMP/site.yaml has no proceedings for 2018" "$(cat "$TMP/err")"
check "nothing was created for it" no "$([ -e "$TMP/y2018" ] && echo yes || echo no)"

crawl_mock --years 2024 --papers 120
crawl_run --year 2024 --out "$TMP/p" --policy nosuch >/dev/null 2>"$TMP/err"
check "an unknown policy is refused (exit 65)" 65 $?
check_contains "it names the policy" "no policy 'nosuch'" "$(cat "$TMP/err")"
check "nothing was fetched for it" no "$([ -s "$TMP/requests.log" ] && echo yes || echo no)"

crawl_run --year 2024 --out "$TMP/out" --max-papers 25 >"$TMP/out.txt" 2>"$TMP/err"
check "--max-papers 25 exits 0" 0 $?
want=$(python3 -c '
import json, sys
ids = sorted(json.loads(l)["id"] for l in open(sys.argv[1]))
print(" ".join(ids[:25]))' "$TMP/truth/truth-2024.jsonl")
got=$(python3 -c '
import json, sys
print(" ".join(json.loads(l)["id"] for l in open(sys.argv[1])))' "$TMP/out/neurips-2024.jsonl")
check "--max-papers 25 keeps the 25 smallest ids, sorted" "$want" "$got"
check "only their 25 abstract pages were fetched" 25 "$(grep -c -- '-Abstract' "$TMP/requests.log")"
check_contains "stderr, not a terminal, gets plain progress lines" \
    "notice: crawl: 25 papers found, 25 fetched, 0 failed" "$(cat "$TMP/err")"
check "and no bar redraws" 0 "$(tr -cd '\r' <"$TMP/err" | wc -c)"

# On a terminal (script(1) gives it one): a one-line bar, redrawn at most
# 4 times a second, ending with the totals.
t0=$(date +%s)
script -qec "'$NIPSCOPE' crawl --rules '$CRAWL_RULES' --proceedings-url '$MOCK_URL' \
    --virtual-url '$MOCK_URL' --rate 0 --year 2024 --out '$TMP/tty' --max-papers 30 >/dev/null" \
    "$TMP/typescript" </dev/null >/dev/null 2>&1
check "the crawl on a terminal exits 0" 0 $?
secs=$(($(date +%s) - t0 + 1))
tty=$(cat "$TMP/typescript")
check_contains "the bar ends with the totals" "30 found, 30 fetched, 0 failed" "$tty"
redraws=$(grep -o "$(printf '\033')\[K\[" "$TMP/typescript" | wc -l)
check "the bar is redrawn at least once and at most 4 times a second ($redraws in ${secs}s)" yes \
    "$([ "$redraws" -ge 1 ] && [ "$redraws" -le $((4 * secs + 1)) ] && echo yes || echo no)"

finish
