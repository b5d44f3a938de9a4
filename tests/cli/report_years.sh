# report_years.sh - several years: a trend, and totals over all of them.
#   2023 (by hand): b1 CN+US, b2 US, b3 CN (Google, Beijing) + US: 3 papers, us 3, cn 2, both 2.
#   2024: 6 papers, us 4, cn 3, both 2.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
S="$NSC_SOURCE_DIR/tests/fixtures/report/store"

out=$("$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR")
check "exit 0" 0 $?
check_contains "all years found" "NeurIPS papers 2023, 2024: 9 papers, policy default" "$out"
check_contains "headline over both years" "Headline: 4 of 9 papers (44.4%)" "$out"
line() { printf '%s\n' "$out" | grep -E "$1" | tr -s ' '; }
check "trend 2023" " 2023 3 3 2 2 66.7%" "$(line '^  2023 ')"
check "trend 2024" " 2024 6 4 3 2 33.3%" "$(line '^  2024 ')"
check "strict over both years: a placed multinational stays in CN" " strict cn=CN unknown 6 5 3 33.3% 0" "$(line '^  strict ')"
check_contains "stale summary noted" "Note: the 2023 summary counts 4 papers; the records have 3" "$out"
out2=$("$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR" --year 2024 --year 2023)
check "--year 2024 --year 2023 equals all years" "$out" "$out2"
"$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR" --year 2019 >/dev/null 2>&1
check "an absent year exits 66" 66 $?
finish
