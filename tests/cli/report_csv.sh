# report_csv.sh - `nipscope report --format csv`: a header row, one value per row.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
S="$NSC_SOURCE_DIR/tests/fixtures/report/store"

out=$("$NIPSCOPE" report "$S" --year 2024 --rules "$NSC_RULES_DIR" --format csv)
check "exit 0" 0 $?
check "header row" "table,year,policy,key,subkey,value" "$(printf '%s\n' "$out" | head -1)"
has() { printf '%s\n' "$out" | grep -cxF "$1"; }
check "papers" 1 "$(has 'papers,all,,papers,,6')"
check "headline both" 1 "$(has 'headline,all,default,both,,2')"
check "partial" 1 "$(has 'affiliations,all,default,partial,,1')"
check "strict both" 1 "$(has 'policy,all,strict,both,,1')"
check "greater_china_tw second bloc" 1 "$(has 'policy,all,greater_china_tw,china_greater_tw,,5')"
check "pair" 1 "$(has 'country_pair,all,default,CN,US,2')"
check "institution" 1 "$(has 'institution,all,default,CN,Tsinghua University,2')"
check "mention" 1 "$(has 'mention,all,default,model.qwen,both,2')"
check "trend" 1 "$(has 'trend,2024,default,both,,2')"
check "every row has 6 fields" "" "$(printf '%s\n' "$out" | awk -F, 'NF != 6')"
finish
