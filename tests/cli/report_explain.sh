# report_explain.sh - `nipscope report --explain ID`: one paper, every author and rule.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
S="$NSC_SOURCE_DIR/tests/fixtures/report/store"

out=$("$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR" --explain a2)
check "exit 0" 0 $?
check_contains "title" "paper a2 (2024): Google and PKU" "$out"
check_contains "record line (2nd line of the file)" "neurips-2024.jsonl line 2" "$out"
check_contains "countries under the default policy" "countries (policy default): CN US" "$out"
check_contains "pairs per policy" "pairs: default=us_cn strict=- greater_china=us_china_greater greater_china_tw=us_china_greater_tw" "$out"
check_contains "raw affiliation" "author 1: Bo
  affiliation: Google [source virtual_json]
  [1] institution: Google
      country:     US
      rule:        inst.google
      evidence:    multinational inst.google US \"Google\"" "$out"
check_contains "second author" "author 2: Cy" "$out"

out=$("$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR" --explain a2 --policy strict)
check_contains "strict: Google alone gives no country" "countries (policy strict): CN" "$out"

out=$("$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR" --explain a5 --format json)
check "json: the author without affiliation" "None []" "$(printf '%s' "$out" | python3 -c 'import json,sys; a=json.load(sys.stdin)["authors"][2]; print(a["affiliation"], a["affiliations"])')"
out=$("$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR" --explain a1 --format csv)
check "csv: the later a1 line (2 authors)" 3 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"
check "csv row, quoted" 1 "$(printf '%s\n' "$out" | grep -cxF '2,Lu,Stanford University,Stanford University,US,inst.stanford,"institution inst.stanford US ""Stanford University"""')"

err=$("$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR" --explain nope 2>&1)
check "unknown id exits 66" 66 $?
check_contains "unknown id named" "no paper 'nope'" "$err"
finish
