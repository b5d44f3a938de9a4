# crawl_template.sh - a year index in markup no profile era recognises makes
# the crawl fail loudly, and leaves no records or summary file that could be
# taken for an empty year.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

crawl_mock --years 2024 --papers 50 --mode changed-template
crawl_run --year 2024 --out "$TMP/out" >"$TMP/out.txt" 2>"$TMP/err.txt"
rc=$?
check "an unrecognised template fails (exit 1)" 1 "$rc"
check_contains "the message says the template was not recognised" \
    "nipscope: no papers found in $MOCK_URL/paper_files/paper/2024: template not recognised" \
    "$(cat "$TMP/err.txt")"
check "no records file" no "$([ -e "$TMP/out/neurips-2024.jsonl" ] && echo yes || echo no)"
check "no summary file" no "$([ -e "$TMP/out/neurips-2024.summary.json" ] && echo yes || echo no)"
check "no report on stdout" "" "$(cat "$TMP/out.txt")"
# No abstract page was asked for: the crawl stopped at the index.
check "no abstract page requested" 0 "$(grep -c -- '-Abstract' "$TMP/requests.log")"

finish
