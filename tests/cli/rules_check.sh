# rules_check.sh - `nipscope rules check`: one bad fixture per error kind, each
# reported as file:line:col (positions checked by hand against the fixtures).
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
cd "$NSC_SOURCE_DIR/tests/fixtures/rules" || exit 1

# bad DIR EXPECTED-LINE: exit 65 and the exact file:line:col message
bad() {
    out=$("$NIPSCOPE" rules check "$1" 2>&1)
    rc=$?
    check "$1 exits 65" 65 "$rc"
    check_contains "$1 says where and what" "$2" "$out"
}

bad bad-yaml "bad-yaml/countries.yaml:3:5: YAML error: did not find expected ',' or '}' while parsing a flow mapping"
bad bad-type "bad-type/countries.yaml:2:3: 'countries' must be a list, not a mapping"
bad bad-unknown-key "bad-unknown-key/countries.yaml:4:46: unknown key 'colour' in a country"
bad bad-code-malformed "bad-code-malformed/countries.yaml:4:28: malformed country code 'fra' in 'code'"
bad bad-code-unknown "bad-code-unknown/places.yaml:2:38: unknown country code 'QQ' in 'country'"
bad bad-duplicate-id "bad-duplicate-id/institutions.yaml:3:10: duplicate id 'inst.mit' (first at bad-duplicate-id/institutions.yaml:2:10)"
bad bad-alias-two-countries "bad-alias-two-countries/institutions.yaml:3:79: alias 'Northeastern University' maps to two countries: CN (inst.neu.cn) and US (inst.neu.us, bad-alias-two-countries/institutions.yaml:2:10); list it under 'shared:' in both"
bad bad-alias-empty "bad-alias-empty/institutions.yaml:2:54: alias '--' normalises to nothing; it can never match"
bad bad-unreachable-branch "bad-unreachable-branch/institutions.yaml:8:82: alias 'Microsoft Research' of inst.ms can never decide: branch inst.ms.asia (bad-unreachable-branch/institutions.yaml:8:14) has the same alias"
bad bad-unreachable-duplicate "bad-unreachable-duplicate/institutions.yaml:3:57: alias 'Alpha Laboratory' of inst.b duplicates an alias of inst.a (bad-unreachable-duplicate/institutions.yaml:2:10); it can never decide"
bad bad-place-country "bad-place-country/places.yaml:2:57: place name 'Georgia' of place.us.ga is also a name of country.ge (bad-place-country/countries.yaml:4:10); it can never decide"
bad bad-bloc-country "bad-bloc-country/policies.yaml:2:41: bloc bloc.x names unknown country 'ZZ'"
bad bad-id "bad-id/countries.yaml:4:10: malformed id 'Country.FR'"
bad bad-policy-bloc "bad-policy-bloc/policies.yaml:4:81: policy policy.default names unknown bloc 'cn'"
bad bad-domain-duplicate "bad-domain-duplicate/domains.yaml:3:10: domain 'cn' of dom.china is already listed by dom.cn (bad-domain-duplicate/domains.yaml:2:10)"
bad bad-utf8 "bad-utf8/countries.yaml:4:42: invalid UTF-8"
# A second document (after "---") is an error, not ignored: the file would be half-loaded.
bad bad-second-document "bad-second-document/countries.yaml:4:1: only one YAML document is allowed"
# 100,000 nested '[': refused at the 65th level (the top mapping is the first; the
# 64th '[' stands at column 9 + 63 = 72), at once: libyaml alone took minutes.
mkdir -p "$TMP/bad-deep"
cp good/countries.yaml "$TMP/bad-deep/"
python3 -c 'import sys; sys.stdout.write("places: " + "[" * 100000 + "\n")' >"$TMP/bad-deep/places.yaml"
t0=$(date +%s)
bad "$TMP/bad-deep" "$TMP/bad-deep/places.yaml:1:72: nested deeper than 64 levels"
check "it is refused within 5 s" yes "$([ $(($(date +%s) - t0)) -le 5 ] && echo yes || echo no)"
bad bad-alias-yaml "bad-alias-yaml/countries.yaml:3:5: YAML alias '*us': aliases are not allowed in rule files"

# every error of a set is reported, not just the first
out=$("$NIPSCOPE" rules check bad-many 2>&1)
check "bad-many exits 65" 65 $?
check_contains "bad-many: first error" "bad-many/countries.yaml:4:28: malformed country code 'fr'" "$out"
check_contains "bad-many: second error" "bad-many/countries.yaml:5:47: unknown key 'flag' in a country" "$out"
check_contains "bad-many: count" "2 errors in bad-many" "$out"

out=$("$NIPSCOPE" rules check bad-missing-countries 2>&1)
check "a set without countries.yaml exits 66" 66 $?
check_contains "the missing file is named" "bad-missing-countries/countries.yaml" "$out"

# The fixture set's models.yaml and sites/x.yaml are junk on purpose (the
# classifier's loader must ignore them): rules check, which also loads
# models.yaml, reports it.  The classifier files alone are checked on a copy.
out=$("$NIPSCOPE" rules check good 2>&1)
check "the fixture's junk models.yaml exits 65" 65 $?
check_contains "the fixture's junk models.yaml is reported" "good/models.yaml:3:1: did not find expected ',' or ']'" "$out"
mkdir -p "$TMP/good"
cp good/*.yaml "$TMP/good/"
rm "$TMP/good/models.yaml"
out=$("$NIPSCOPE" rules check "$TMP/good" 2>&1)
check "the good set passes" 0 $?
check_contains "summary counts" "good: ok: 7 countries, 13 places, 21 institutions, 2 branches, 6 domains, 3 blocs, 2 policies, 3 abbreviations" "$out"
check_contains "summary gives the version" "version test-1" "$out"
hash=$(printf '%s' "$out" | sed -n 's/.*hash \([0-9a-f]*\);.*/\1/p')
check "hash is 16 hex digits" 16 "${#hash}"
cp -r "$TMP/good" "$TMP/copy"
echo "# changed" >>"$TMP/copy/places.yaml"
out2=$("$NIPSCOPE" rules check "$TMP/copy" 2>&1)
hash2=$(printf '%s' "$out2" | sed -n 's/.*hash \([0-9a-f]*\);.*/\1/p')
[ "$hash" != "$hash2" ]
check "changing a byte changes the hash" 0 $?

# The rest of a rules directory: models.yaml (the mention scanner's) and the
# site profile sites/neurips.yaml are checked with the loaders the crawl uses,
# so what `crawl` would refuse is not called "ok" here.  Positions by hand:
# the appended line is one past the copied file's last line.
mkdir -p "$TMP/r"
cp -R "$NSC_RULES_DIR"/. "$TMP/r/"
out=$("$NIPSCOPE" rules check "$TMP/r" 2>&1)
check "the shipped rules directory passes" 0 $?
check_contains "the summary counts the models" "models" "$out"
check_contains "the summary names the site profile" "sites/neurips.yaml" "$out"

# rules_dir_case NAME FILE APPEND EXPECTED: FILE (relative) with APPEND added
# at its end exits 65 and says EXPECTED at file:line:col.
rules_dir_case() {
    rm -rf "$TMP/c"
    cp -R "$TMP/r" "$TMP/c"
    printf '%s' "$3" >>"$TMP/c/$2"
    out=$("$NIPSCOPE" rules check "$TMP/c" 2>&1)
    rc=$?
    check "$1: exits 65" 65 "$rc"
    check_contains "$1: says where and what" "$4" "$out"
    check "$1: not called ok" "" "$(printf '%s\n' "$out" | grep ': ok: ')"
}
nm=$(($(wc -l <"$TMP/r/models.yaml") + 1))
rules_dir_case "models.yaml: a second document" models.yaml '---
x: 1
' "$TMP/c/models.yaml:$nm:1: only one YAML document is allowed"
ns=$(($(wc -l <"$TMP/r/sites/neurips.yaml") + 1))
rules_dir_case "site profile: an unknown key" sites/neurips.yaml 'colour: blue
' "$TMP/c/sites/neurips.yaml:$ns:1: unknown key 'colour'"
# libyaml stops at the end of the file, the line after the appended one.
rules_dir_case "site profile: broken YAML" sites/neurips.yaml 'x: [
' "$TMP/c/sites/neurips.yaml:$((ns + 1)):1: did not find expected node content"
# Both broken at once: both reported, and counted.
rm -rf "$TMP/c"
cp -R "$TMP/r" "$TMP/c"
printf -- '---\nx: 1\n' >>"$TMP/c/models.yaml"
printf 'colour: blue\n' >>"$TMP/c/sites/neurips.yaml"
out=$("$NIPSCOPE" rules check "$TMP/c" 2>&1)
check "two files broken: exits 65" 65 $?
check_contains "two files broken: the models error" "$TMP/c/models.yaml:$nm:1:" "$out"
check_contains "two files broken: the profile error" "$TMP/c/sites/neurips.yaml:$ns:1:" "$out"
check_contains "two files broken: counted" "2 errors in $TMP/c" "$out"

"$NIPSCOPE" rules frob >/dev/null 2>&1
check "unknown rules subcommand is a usage error" 64 $?

finish
