# rules_shipped.sh - the shipped rule set passes both checkers, and
# affiliations whose country is known independently get it.  Each expected
# code below was checked by hand against what the institution is, not copied
# from the program's output.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
R="$NSC_SOURCE_DIR/rules"

out=$("$NIPSCOPE" rules check "$R" 2>&1)
check "nipscope rules check accepts the shipped rules" "0" "$?"
check_contains "rules check says ok" "rules: ok" "$out"

out=$(python3 "$NSC_SOURCE_DIR/tools/check_rules.py" "$R" 2>&1)
check "tools/check_rules.py accepts the shipped rules" "0" "$?"

# the structural checker must be able to fail: a rule set with a country code
# that is not ISO and an alias given to two countries
mkdir -p "$TMP/bad"
cp "$R"/*.yaml "$TMP/bad/"
cat >>"$TMP/bad/institutions.yaml" <<'YAML'
  - {id: inst.test.a, name: Test Institute Alpha, country: XX}
  - {id: inst.test.b, name: Test Institute Beta, country: US, aliases: [Test Shared Name]}
  - {id: inst.test.c, name: Test Institute Gamma, country: CN, aliases: [Test Shared Name]}
YAML
out=$(python3 "$NSC_SOURCE_DIR/tools/check_rules.py" "$TMP/bad" 2>&1)
check "check_rules.py rejects a broken rule set" "1" "$?"
check_contains "it names the bad code" "'XX' is not an ISO alpha-2 code" "$out"
check_contains "it names the alias given to two countries" "alias 'test shared name'" "$out"

# Hand-checked cases, one per line: expected code (None = unknown), then the
# input object.  They run in one classify call per policy.
cat >"$TMP/default.tsv" <<'CASES'
CN	{"affiliation": "School of EECS, Peking University, Beijing, China", "email_domain": null}
US	{"affiliation": "CSAIL, MIT, Cambridge, MA, USA", "email_domain": null}
HK	{"affiliation": "The Chinese University of Hong Kong", "email_domain": null}
CN	{"affiliation": "The Chinese University of Hong Kong, Shenzhen", "email_domain": null}
CN	{"affiliation": "The Hong Kong University of Science and Technology (Guangzhou)", "email_domain": null}
TW	{"affiliation": "National Taiwan University", "email_domain": null}
MO	{"affiliation": "University of Macau", "email_domain": null}
CN	{"affiliation": "Northeastern University", "email_domain": "neu.edu.cn"}
US	{"affiliation": "Northeastern University", "email_domain": "northeastern.edu"}
None	{"affiliation": "Northeastern University", "email_domain": null}
CN	{"affiliation": "Huawei Noah's Ark Lab", "email_domain": null}
GB	{"affiliation": "Huawei Noah's Ark Lab, London, UK", "email_domain": null}
CN	{"affiliation": "Microsoft Research Asia", "email_domain": null}
US	{"affiliation": "Alibaba Group US", "email_domain": null}
US	{"affiliation": "Tencent AI Lab, Bellevue, WA", "email_domain": null}
US	{"affiliation": "Baidu Research USA", "email_domain": null}
GB	{"affiliation": "Google DeepMind", "email_domain": null}
AE	{"affiliation": "New York University Abu Dhabi", "email_domain": null}
CN	{"affiliation": "State Key Laboratory of Cognitive Intelligence", "email_domain": null}
CN	{"affiliation": "Some Lab, Hefei, China", "email_domain": null}
CN	{"affiliation": "Anonymous", "email_domain": "foo.edu.cn"}
None	{"affiliation": "Anonymous", "email_domain": "gmail.com"}
US	{"affiliation": "University of Georgia, Athens, GA", "email_domain": null}
US	{"affiliation": "Georgia Institute of Technology, Atlanta", "email_domain": null}
KR	{"affiliation": "KAIST", "email_domain": null}
US	{"affiliation": "Google", "email_domain": null}
CASES
cat >"$TMP/strict.tsv" <<'CASES'
None	{"affiliation": "Google", "email_domain": null}
None	{"affiliation": "Huawei Noah's Ark Lab", "email_domain": null}
GB	{"affiliation": "Huawei Noah's Ark Lab, London, UK", "email_domain": null}
CN	{"affiliation": "Microsoft Research Asia", "email_domain": null}
CASES

# run_cases POLICY: classify the cases of $TMP/POLICY.tsv, check each answer
run_cases() {
    cut -f2 "$TMP/$1.tsv" | "$NIPSCOPE" classify --jsonl --rules "$R" --policy "$1" >"$TMP/$1.out"
    check "classify --jsonl --policy $1 succeeds" 0 $?
    python3 - "$TMP/$1.tsv" "$TMP/$1.out" >"$TMP/$1.res" <<'PY'
import json, sys
cases = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")]
outs = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
for (want, inp), out in zip(cases, outs):
    i = json.loads(inp)
    print(f"{want}\t{out.get('country')}\t{i['affiliation']} [{i['email_domain']}]")
if len(outs) != len(cases):
    print(f"{len(cases)}\t{len(outs)}\tnumber of answers")
PY
    while IFS='	' read -r want got what; do
        check "$1: $what" "$want" "$got"
    done <"$TMP/$1.res"
}
run_cases default
run_cases strict

finish
