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

# country of one affiliation (with an optional email domain and policy)
country() {
    printf '{"affiliation": %s, "email_domain": %s}\n' "$1" "$2" |
        "$NIPSCOPE" classify --jsonl --rules "$R" ${3:+--policy "$3"} |
        python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["country"])'
}

check "Peking University is CN" CN "$(country '"School of EECS, Peking University, Beijing, China"' null)"
check "MIT is US" US "$(country '"CSAIL, MIT, Cambridge, MA, USA"' null)"
check "CUHK is HK, not CN" HK "$(country '"The Chinese University of Hong Kong"' null)"
check "CUHK-Shenzhen is CN" CN "$(country '"The Chinese University of Hong Kong, Shenzhen"' null)"
check "HKUST (Guangzhou) is CN" CN "$(country '"The Hong Kong University of Science and Technology (Guangzhou)"' null)"
check "National Taiwan University is TW" TW "$(country '"National Taiwan University"' null)"
check "University of Macau is MO" MO "$(country '"University of Macau"' null)"
check "Northeastern University with neu.edu.cn is CN" CN "$(country '"Northeastern University"' '"neu.edu.cn"')"
check "Northeastern University with northeastern.edu is US" US "$(country '"Northeastern University"' '"northeastern.edu"')"
check "Northeastern University alone is unknown" None "$(country '"Northeastern University"' null)"
check "Huawei Noah's Ark Lab is at its hq, CN" CN "$(country '"Huawei Noah'"'"'s Ark Lab"' null)"
check "Huawei Noah's Ark Lab, London is GB" GB "$(country '"Huawei Noah'"'"'s Ark Lab, London, UK"' null)"
check "Microsoft Research Asia is CN" CN "$(country '"Microsoft Research Asia"' null)"
check "Alibaba Group US is US" US "$(country '"Alibaba Group US"' null)"
check "Tencent AI Lab, Bellevue is US" US "$(country '"Tencent AI Lab, Bellevue, WA"' null)"
check "Baidu Research USA is US" US "$(country '"Baidu Research USA"' null)"
check "Google DeepMind is at DeepMind's hq, GB" GB "$(country '"Google DeepMind"' null)"
check "Google alone is unknown under strict" None "$(country '"Google"' null strict)"
check "NYU Abu Dhabi is AE" AE "$(country '"New York University Abu Dhabi"' null)"
check "a State Key Laboratory is CN" CN "$(country '"State Key Laboratory of Cognitive Intelligence"' null)"
check "an unknown lab in Hefei is CN" CN "$(country '"Some Lab, Hefei, China"' null)"
check "an edu.cn domain alone is CN" CN "$(country '"Anonymous"' '"foo.edu.cn"')"
check "a gmail address says nothing" None "$(country '"Anonymous"' '"gmail.com"')"
check "University of Georgia, Athens, GA is US" US "$(country '"University of Georgia, Athens, GA"' null)"
check "Georgia Tech is US" US "$(country '"Georgia Institute of Technology, Atlanta"' null)"
check "KAIST is KR" KR "$(country '"KAIST"' null)"

finish
