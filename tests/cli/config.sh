# config.sh - `nipscope crawl --config FILE`: a crawl that takes its site
# URLs, politeness, user agent, contact and out dir from the file only,
# against the mock site; options on the command line override the file;
# --check prints the effective settings; a bad file is refused with
# FILE:LINE:COL before anything is fetched.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

"$NIPSCOPE" crawl --check >/dev/null 2>"$TMP/err"
check "--check without --config is a usage error" 64 $?

"$NIPSCOPE" crawl --config "$NSC_SOURCE_DIR/systemd/nipscope.yaml" --check >"$TMP/ex.txt" 2>&1
check "the shipped example systemd/nipscope.yaml is valid" 0 $?
check_contains "and --check shows its out dir" 'out: "/var/lib/nipscope"' "$(cat "$TMP/ex.txt")"
sed -n '/^```yaml$/,/^```$/p' "$NSC_SOURCE_DIR/docs/config.md" | sed '1d;$d' >"$TMP/doc.yaml"
"$NIPSCOPE" crawl --config "$TMP/doc.yaml" --rules "$CRAWL_RULES" --check >"$TMP/ex.txt" 2>&1
check "the example in docs/config.md is valid" 0 $?
check_contains "and it is not empty" "years: {last: 2}" "$(cat "$TMP/ex.txt")"

crawl_mock --years 2024 --papers 40

cat >"$TMP/nipscope.yaml" <<YAML
out: $TMP/from-file
rules: $CRAWL_RULES
politeness:
  rate: 0
  concurrency: 3
user_agent: config-test/1.0
contact: https://example.org/contact
sites:
  proceedings: $MOCK_URL
  virtual: $MOCK_URL
YAML

# --check: the file's values, and the command line over them, wherever the
# option stands.
"$NIPSCOPE" crawl --rate 2.5 --config "$TMP/nipscope.yaml" --check --out "$TMP/cli-out" \
    >"$TMP/check.txt" 2>"$TMP/err"
check "--check exits 0" 0 $?
eff=$(sed -n '/^# the whole file/q;p' "$TMP/check.txt")
check_contains "--check: the file's proceedings URL" "proceedings: \"$MOCK_URL\"" "$eff"
check_contains "--check: the file's concurrency" "concurrency: 3" "$eff"
check_contains "--check: --rate beats the file's rate 0" "rate: 2.5" "$eff"
check_contains "--check: --out beats the file's out" "out: \"$TMP/cli-out\"" "$eff"
check_contains "--check: the contact goes into the user agent" \
    'user_agent: "config-test/1.0 (+https://example.org/contact)"' "$eff"
check "--check fetched nothing" no "$([ -s "$TMP/requests.log" ] && echo yes || echo no)"

# A crawl whose site URLs come from the file alone (no --proceedings-url,
# --virtual-url or --rules on this command line).
"$NIPSCOPE" crawl --year 2024 --config "$TMP/nipscope.yaml" >"$TMP/out.txt" 2>"$TMP/err"
check "the crawl against the file's mock URLs exits 0" 0 $?
check "it wrote every paper of the truth into the file's out dir" \
    "$(wc -l <"$TMP/truth/truth-2024.jsonl")" "$(wc -l <"$TMP/from-file/neurips-2024.jsonl" 2>/dev/null)"
check "every request carried the file's user agent and contact" \
    "config-test/1.0 (+https://example.org/contact)" \
    "$(python3 -c '
import json, sys
print(" | ".join(sorted({json.loads(l)["user_agent"] for l in open(sys.argv[1])})))' "$TMP/requests.log")"

# --out on the command line wins over the file's out.
"$NIPSCOPE" crawl --year 2024 --config "$TMP/nipscope.yaml" --out "$TMP/cli-out" \
    >/dev/null 2>"$TMP/err"
check "a crawl with --out exits 0" 0 $?
check "it wrote into --out, not the file's out" yes \
    "$([ -s "$TMP/cli-out/neurips-2024.jsonl" ] && echo yes || echo no)"

# --proceedings-url on the command line wins: a dead port makes the crawl fail.
: >"$TMP/requests.log"
"$NIPSCOPE" crawl --year 2024 --config "$TMP/nipscope.yaml" --out "$TMP/dead" \
    --proceedings-url http://127.0.0.1:9 >/dev/null 2>"$TMP/err"
check "--proceedings-url beats the file's (a dead port: the crawl fails)" yes \
    "$([ $? -ne 0 ] && echo yes || echo no)"
check "and the mock saw no request for the proceedings index" 0 \
    "$(grep -c '/paper_files/paper/2024' "$TMP/requests.log")"

# A bad file: exit 65, FILE:LINE:COL, nothing fetched, nothing written.
printf 'sites:\n  proceedings: %s\npoliteness:\n  rate: -1\n' "$MOCK_URL" >"$TMP/bad.yaml"
: >"$TMP/requests.log"
"$NIPSCOPE" crawl --year 2024 --config "$TMP/bad.yaml" --out "$TMP/bad" >/dev/null 2>"$TMP/err"
check "a negative rate in the file: exit 65" 65 $?
check "the message names FILE:LINE:COL" \
    "nipscope: $TMP/bad.yaml:4:9: rate: -1 is not a rate from 0 to 1000" "$(cat "$TMP/err")"
check "nothing was fetched" no "$([ -s "$TMP/requests.log" ] && echo yes || echo no)"
check "no out dir was made" no "$([ -e "$TMP/bad" ] && echo yes || echo no)"
# Policy names are checked against the rules by --check (the loader knows no rules).
printf 'policies:\n  - default\n  - nosuch\n' >"$TMP/pol.yaml"
"$NIPSCOPE" crawl --config "$TMP/pol.yaml" --rules "$CRAWL_RULES" --check >/dev/null 2>"$TMP/err"
check "--check: an unknown policy is refused (exit 65)" 65 $?
check "it names FILE:LINE:COL and the policy" \
    "nipscope: $TMP/pol.yaml:3:5: policies: no policy 'nosuch' in the rules" "$(cat "$TMP/err")"
printf 'policies: [default, strict]\n' >"$TMP/pol.yaml"
"$NIPSCOPE" crawl --config "$TMP/pol.yaml" --rules "$CRAWL_RULES" --check >/dev/null 2>"$TMP/err"
check "--check: known policies pass" 0 $?

"$NIPSCOPE" crawl --year 2024 --config "$TMP/missing.yaml" >/dev/null 2>&1
check "a missing file: exit 66" 66 $?

# A path the file gives that cannot be opened or created is a bad value too:
# the message names the key's FILE:LINE:COL (the value starts at column 8 of
# line 2 for 'rules: ', column 6 for 'out: '), the exit status is unchanged.
printf 'years: [2024]\nrules: %s/no-such-rules\n' "$TMP" >"$TMP/norules.yaml"
"$NIPSCOPE" crawl --year 2024 --config "$TMP/norules.yaml" --out "$TMP/nr" >/dev/null 2>"$TMP/err"
check "rules: a missing directory: exit 66" 66 $?
check_contains "it names FILE:LINE:COL of the 'rules' value" \
    "nipscope: $TMP/norules.yaml:2:8: rules: cannot open '$TMP/no-such-rules/" "$(cat "$TMP/err")"
"$NIPSCOPE" crawl --year 2024 --config "$TMP/norules.yaml" --rules "$CRAWL_RULES" --out "$TMP/nr" \
    --proceedings-url "$MOCK_URL" --virtual-url "$MOCK_URL" --max-papers 1 >/dev/null 2>"$TMP/err"
check "--rules on the command line overrides the file's bad one" 0 $?
printf 'years: [2024]\nout: /proc/nipscope-no\n' >"$TMP/noout.yaml"
"$NIPSCOPE" crawl --year 2024 --config "$TMP/noout.yaml" --rules "$CRAWL_RULES" \
    --proceedings-url "$MOCK_URL" --virtual-url "$MOCK_URL" >/dev/null 2>"$TMP/err"
check "out: a directory that cannot be created: exit 74" 74 $?
check_contains "it names FILE:LINE:COL of the 'out' value" \
    "nipscope: $TMP/noout.yaml:2:6: out: cannot create" "$(cat "$TMP/err")"
"$NIPSCOPE" crawl --year 2024 --config "$TMP/noout.yaml" --rules "$CRAWL_RULES" --out /proc/nipscope-no \
    --proceedings-url "$MOCK_URL" --virtual-url "$MOCK_URL" >/dev/null 2>"$TMP/err"
check "an --out on the command line is not blamed on the file" \
    "nipscope: cannot create directory '/proc/nipscope-no': No such file or directory" "$(cat "$TMP/err")"

finish
