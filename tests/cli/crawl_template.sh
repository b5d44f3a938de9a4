# crawl_template.sh - a year index in markup no profile era recognises makes
# the crawl fail loudly, and leaves no records or summary file that could be
# taken for an empty year.  Abstract pages in such markup (the index as
# usual) fail every paper, each with its URL, and the year ends incomplete.
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

# --mode changed-abstract: the index lists the 40 papers, every abstract page
# is in unknown markup.  Expected URLs come from the mock's truth.
crawl_mock_stop
crawl_mock --years 2024 --papers 40 --mode changed-abstract
crawl_run --year 2024 --out "$TMP/abs" >"$TMP/abs.txt" 2>"$TMP/abs.err"
rc=$?
check "changed abstract pages: the crawl fails (exit 1)" 1 "$rc"
res=$(python3 - "$TMP/truth/truth-2024.jsonl" "$TMP/abs.err" "$MOCK_URL" <<'PY'
import json, re, sys
truth = [json.loads(l) for l in open(sys.argv[1])]
err = open(sys.argv[2]).read().splitlines()
base = sys.argv[3]
named = 0
for t in truth:
    url = base + re.sub(r"^https?://[^/]+", "", t["abstract_url"])
    if any(url + ": template not recognised" in l and "abstract page" in l for l in err):
        named += 1
print("papers=%d" % len(truth))
print("named=%d" % named)
PY
)
check "the truth lists 40 papers" 40 "$(crawl_value papers "$res")"
check "every abstract page's error names its URL and 'template not recognised'" 40 \
    "$(crawl_value named "$res")"
check "the summary is marked incomplete: 40 listed, 40 missing, 0 papers" "40 40 0" "$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
i = s.get("incomplete") or {}
print(i.get("papers_listed"), i.get("papers_missing"), s["papers"])' "$TMP/abs/neurips-2024.summary.json" 2>&1)"
check "the last line says the crawl is incomplete, and why" \
    "nipscope: 40 of 40 papers failed: the crawl is incomplete (40: template not recognised); run the same command again to retry them" \
    "$(tail -n 1 "$TMP/abs.err")"
check_contains "the crawl's report says INCOMPLETE" "INCOMPLETE: NeurIPS 2024: 40 of the 40 papers listed are missing" \
    "$(cat "$TMP/abs.txt")"
out=$("$NIPSCOPE" report "$TMP/abs" --rules "$CRAWL_RULES" 2>&1)
check_contains "nipscope report says so too" "INCOMPLETE: NeurIPS 2024: 40 of the 40 papers listed are missing" "$out"

# Two causes: the parser worker is made to crash (test hook) on one page, the
# one linking the truth's first paper's PDF; the last line groups them, most first.
id=$(sed -n 1p "$TMP/truth/truth-2024.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
NSC_TEST_PARSER_FAULT="crash:$id-Paper" crawl_run --year 2024 --out "$TMP/abs2" \
    >/dev/null 2>"$TMP/abs2.err"
check "two causes: exit 1" 1 $?
check "two causes: the last line groups the failures by kind" \
    "nipscope: 40 of 40 papers failed: the crawl is incomplete (39: template not recognised, 1: worker process failed); run the same command again to retry them" \
    "$(tail -n 1 "$TMP/abs2.err")"


# A selector the binary cannot evaluate (here the index marker calls a
# misspelt has-class(): the profile's fault, not the site's) is not "template
# not recognised": exit 65 with the selector's FILE:LINE:COL and the function
# libxml2 did not find, and no records file.
crawl_mock_stop
crawl_mock --years 2024 --papers 10
cp -r "$CRAWL_RULES" "$TMP/rules-typo"
prof=$TMP/rules-typo/sites/neurips.yaml
line=$(grep -n "marker: \"/descendant::ul\[has-class('paper-list')\]\"" "$prof" | cut -d: -f1)
check "the shipped profile has the index marker once" 1 "$(echo "$line" | wc -w)"
sed -i "${line}s/has-class(/has-clas(/" "$prof"
col=$(sed -n "${line}p" "$prof" | awk '{ print index($0, "\"") }')
CRAWL_RULES=$TMP/rules-typo crawl_run --year 2024 --out "$TMP/typo" >/dev/null 2>"$TMP/typo.err"
check "a selector calling an unknown function: exit 65" 65 $?
check "it names the selector's place, the function and libxml2's reason" \
    "nipscope: $prof:$line:$col: XPath '/descendant::ul[has-clas('paper-list')]' failed to evaluate: Unregistered function (xmlXPathCompOpEval: function has-clas not found)" \
    "$(tail -n 1 "$TMP/typo.err")"
check "no records file after the selector error" no \
    "$([ -e "$TMP/typo/neurips-2024.jsonl" ] && echo yes || echo no)"

finish
