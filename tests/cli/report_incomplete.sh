# report_incomplete.sh - a year whose summary is marked "incomplete" (the crawl
# ended with papers missing) is reported as such in every format, near the
# headline, with the summary's counts: shares over the papers that arrived
# must not pass for the whole year.  Figures are the summaries' own, written
# here by hand.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
S="$NSC_SOURCE_DIR/tests/fixtures/report/store"

# Part of 2024 failed: the 6 fixture records arrived, 4 of 10 listed did not.
P="$TMP/partial"
mkdir -p "$P"
cp "$S/neurips-2024.jsonl" "$S/neurips-2023.jsonl" "$S/neurips-2023.summary.json" "$P/"
cat >"$P/neurips-2024.summary.json" <<'JSON'
{"incomplete": {"papers_listed": 10, "papers_missing": 4}, "papers": 6, "schema": 1, "year": 2024}
JSON
# Every abstract page of 2024 failed: an empty records file, 40 listed, 40 missing.
A="$TMP/allfailed"
mkdir -p "$A"
: >"$A/neurips-2024.jsonl"
cat >"$A/neurips-2024.summary.json" <<'JSON'
{"incomplete": {"papers_listed": 40, "papers_missing": 40}, "papers": 0, "schema": 1, "year": 2024}
JSON

warn24="INCOMPLETE: NeurIPS 2024: 4 of the 10 papers listed are missing; the counts below leave them out"
out=$("$NIPSCOPE" report "$P" --year 2024 --rules "$NSC_RULES_DIR")
check "partial: exit 0" 0 $?
check_contains "partial: the text says the year is incomplete, with the counts" "$warn24" "$out"
first() { printf '%s\n' "$out" | grep -n -- "$1" | head -n 1 | cut -d: -f1; }
check "partial: the warning comes right before the headline" "$(($(first '^Headline:') - 1))" "$(first '^INCOMPLETE:')"

out=$("$NIPSCOPE" report "$P" --rules "$NSC_RULES_DIR")
check "two years: exit 0" 0 $?
check_contains "two years: 2024 is named incomplete" "$warn24" "$out"
check "two years: only 2024 is" 1 "$(printf '%s\n' "$out" | grep -c '^INCOMPLETE:')"

out=$("$NIPSCOPE" report "$A" --rules "$NSC_RULES_DIR")
check "all failed: exit 0" 0 $?
check_contains "all failed: 40 of 40 missing is said" \
    "INCOMPLETE: NeurIPS 2024: 40 of the 40 papers listed are missing" "$out"

out=$("$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR")
check "complete years: no warning" 0 "$(printf '%s\n' "$out" | grep -c 'INCOMPLETE')"

# JSON: "incomplete" lists the incomplete years with the summary's counts.
get() { "$NIPSCOPE" report "$1" --rules "$NSC_RULES_DIR" --format json |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$2"; }
check "json: the incomplete year and its counts" \
    "[{'year': 2024, 'papers_listed': 10, 'papers_missing': 4}]" "$(get "$P" 'd["incomplete"]')"
check "json: all failed" "[{'year': 2024, 'papers_listed': 40, 'papers_missing': 40}]" \
    "$(get "$A" 'd["incomplete"]')"
check "json: complete years give an empty list" "[]" "$(get "$S" 'd["incomplete"]')"

# CSV: one row per count, for the incomplete year only.
out=$("$NIPSCOPE" report "$P" --rules "$NSC_RULES_DIR" --format csv)
check "csv: the incomplete rows" "incomplete,2024,,papers_listed,,10
incomplete,2024,,papers_missing,,4" "$(printf '%s\n' "$out" | grep '^incomplete,')"
out=$("$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR" --format csv)
check "csv: none for complete years" 0 "$(printf '%s\n' "$out" | grep -c '^incomplete,')"

# HTML: the warning before the headline paragraph.
out=$("$NIPSCOPE" report "$P" --rules "$NSC_RULES_DIR" --format html)
check_contains "html: the warning" "$warn24" "$out"
check "html: before the headline" yes "$(printf '%s\n' "$out" | awk '/INCOMPLETE: NeurIPS 2024/ && !h {w=1} /<p><strong>/ {h=1} END {print (w ? "yes" : "no")}')"
out=$("$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR" --format html)
check "html: none for complete years" 0 "$(printf '%s\n' "$out" | grep -c 'INCOMPLETE')"

finish
