# classify.sh - `nipscope classify`, text and --jsonl, on the test rule set.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
R="$NSC_SOURCE_DIR/tests/fixtures/rules/good"

out=$("$NIPSCOPE" classify --rules "$R" "School of CS, Peking University, Beijing 100871, China")
check "text mode exits 0" 0 $?
check_contains "text: country" "  country:     CN" "$out"
check_contains "text: institution" "  institution: Peking University" "$out"
check_contains "text: rule and match" '  rule:        inst.pku (matched "Peking University")' "$out"
check_contains "text: evidence" 'place place.cn.beijing CN "Beijing"' "$out"

out=$("$NIPSCOPE" classify --rules "$R" "Northeastern University")
check_contains "text: unknown with reason" "country:     unknown ('Northeastern University' is shared by" "$out"
out=$("$NIPSCOPE" classify --rules "$R" --email-domain neu.edu.cn "Northeastern University")
check_contains "text: email domain settles" "rule:        inst.northeastern.cn" "$out"
out=$("$NIPSCOPE" classify --rules "$R" --policy strict "Google DeepMind")
check_contains "text: strict policy" "policy strict leaves it unknown" "$out"
"$NIPSCOPE" classify --rules "$R" --policy nope "x" >/dev/null 2>&1
check "unknown policy is a usage error" 64 $?
"$NIPSCOPE" classify --rules "$R" >/dev/null 2>&1
check "no string is a usage error" 64 $?
"$NIPSCOPE" classify --rules "$R" "$(printf 'bad \377 byte')" >/dev/null 2>&1
check "invalid UTF-8 argument exits 65" 65 $?
err=$("$NIPSCOPE" classify --rules "$NSC_SOURCE_DIR/tests/fixtures/rules/bad-type" x 2>&1)
check "bad rules exit 65" 65 $?
check_contains "bad rules say where" "countries.yaml:2:3:" "$err"

# --jsonl: one object per line, in order; malformed lines get {"line","error"}.
printf '%s\n' \
    '{"affiliation": "Tsinghua University", "email_domain": null, "id": 7}' \
    'not json' \
    '{"affiliation": "University of Oxford / Facebook AI Research"}' \
    '{"email_domain": "mit.edu"}' \
    '{"affiliation": "Department of CS", "email_domain": "cs.tsinghua.edu.cn"}' \
    '{"affiliation": 5}' \
    '{"affiliation": "Northeastern University", "country": "United States"}' \
    >"$TMP/in.jsonl"
"$NIPSCOPE" classify --jsonl --rules "$R" <"$TMP/in.jsonl" >"$TMP/out.jsonl"
check "malformed lines make the exit status 65" 65 $?
check "one output line per input line" 7 "$(wc -l <"$TMP/out.jsonl" | tr -d ' ')"
l1=$(sed -n 1p "$TMP/out.jsonl")
check "line 1 exact" '{"affiliation":"Tsinghua University","email_domain":null,"id":7,"country":"CN","institution":"Tsinghua University","rule":"inst.tsinghua","matched":"Tsinghua University","reason":null,"evidence":[{"rule":"inst.tsinghua","kind":"institution","country":"CN","text":"Tsinghua University"}],"affiliations":[{"text":"Tsinghua University","country":"CN","institution":"Tsinghua University","rule":"inst.tsinghua","matched":"Tsinghua University","reason":null,"evidence":[{"rule":"inst.tsinghua","kind":"institution","country":"CN","text":"Tsinghua University"}]}]}' "$l1"
l2=$(sed -n 2p "$TMP/out.jsonl")
check_contains "line 2 is an error with its number" '{"line":2,"error":"line 2: column' "$l2"
l3=$(sed -n 3p "$TMP/out.jsonl")
check_contains "line 3: top level is the first with a country" '"University of Oxford / Facebook AI Research","country":"GB","institution":"University of Oxford","rule":"inst.oxford"' "$l3"
check_contains "line 3: second affiliation" '{"text":"Facebook AI Research","country":"US","institution":"Meta","rule":"inst.meta"' "$l3"
check "line 4: missing affiliation" '{"line":4,"error":"no \"affiliation\" field"}' "$(sed -n 4p "$TMP/out.jsonl")"
check_contains "line 5: decided by the email domain" '"country":"CN","institution":"Tsinghua University","rule":"inst.tsinghua","matched":"cs.tsinghua.edu.cn"' "$(sed -n 5p "$TMP/out.jsonl")"
check "line 6: wrong type" '{"line":6,"error":"\"affiliation\" is not a string"}' "$(sed -n 6p "$TMP/out.jsonl")"
l7=$(sed -n 7p "$TMP/out.jsonl")
check_contains "line 7: an input country field is replaced by ours" '{"affiliation":"Northeastern University","country":null,"institution":null,"rule":null,"matched":null,"reason":"'"'"'Northeastern University'"'"' is shared by' "$l7"

printf '%s\n' '{"affiliation": "MIT"}' '{"affiliation": "Alibaba US"}' |
    "$NIPSCOPE" classify --jsonl --rules "$R" >"$TMP/ok.jsonl"
check "all good lines exit 0" 0 $?
check_contains "good lines in order" '"rule":"inst.alibaba.us"' "$(sed -n 2p "$TMP/ok.jsonl")"

out=$(printf '%s\n' '{"affiliation": ""}' | "$NIPSCOPE" classify --jsonl --rules "$R")
check "an empty affiliation is no affiliation, not an error" '{"affiliation":"","country":null,"institution":null,"rule":null,"matched":null,"reason":"no affiliation in the string","evidence":[],"affiliations":[]}' "$out"
out=$(printf '%s\n' '{"affiliation": "MIT"}' '' | "$NIPSCOPE" classify --jsonl --rules "$R")
check_contains "a blank line is malformed and named" '{"line":2,"error":' "$out"

"$NIPSCOPE" classify --jsonl --rules "$R" </dev/null >"$TMP/empty.jsonl"
check "empty input exits 0" 0 $?
check "empty input, empty output" 0 "$(wc -c <"$TMP/empty.jsonl" | tr -d ' ')"

finish
