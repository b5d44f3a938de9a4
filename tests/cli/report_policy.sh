# report_policy.sh - `nipscope report --policy NAME` changes the headline.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
S="$NSC_SOURCE_DIR/tests/fixtures/report/store"

out=$("$NIPSCOPE" report "$S" --year 2024 --rules "$NSC_RULES_DIR" --policy strict)
check_contains "strict headline: only a1" "Headline: 1 of 6 papers (16.7%)" "$out"
check_contains "strict definition" "(\"Google\") counts nowhere (country unknown)." "$out"
check_contains "strict: a2 becomes partial" "3 papers complete, 2 partial" "$out"
out=$("$NIPSCOPE" report "$S" --year 2024 --rules "$NSC_RULES_DIR" --policy greater_china_tw)
check_contains "greater_china_tw headline" "Headline: 4 of 6 papers (66.7%) have authors in both us and china_greater_tw." "$out"
check_contains "greater_china_tw members" "affiliation in CN, HK, MO, TW." "$out"
err=$("$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR" --policy nosuch 2>&1)
check "unknown policy is a usage error" 64 $?
check_contains "unknown policy named" "no policy 'nosuch'" "$err"
"$NIPSCOPE" report "$S" --format pdf >/dev/null 2>&1
check "unknown format is a usage error" 64 $?
finish
