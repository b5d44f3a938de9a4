# report_bad.sh - a malformed records line is an error naming the file and line.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
B="$NSC_SOURCE_DIR/tests/fixtures/report/bad"

err=$("$NIPSCOPE" report "$B" --rules "$NSC_RULES_DIR" 2>&1 >"$TMP/out")
check "exit 65 (data error)" 65 $?
check_contains "file and line named" "$B/neurips-2024.jsonl:2: malformed record" "$err"
check "nothing on stdout" "" "$(cat "$TMP/out")"
printf '{"id":"x","authors":{}}\n' >"$TMP/neurips-2022.jsonl"
err=$("$NIPSCOPE" report "$TMP" --rules "$NSC_RULES_DIR" 2>&1)
check "wrong type exits 65" 65 $?
check_contains "wrong type named" "neurips-2022.jsonl:1: malformed record: \"authors\" is not an array" "$err"
mkdir "$TMP/empty"
err=$("$NIPSCOPE" report "$TMP/empty" --rules "$NSC_RULES_DIR" 2>&1)
check "no records exits 66" 66 $?
finish
