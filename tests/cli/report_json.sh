# report_json.sh - `nipscope report --format json`: fixed key order, hand-checked counts.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
S="$NSC_SOURCE_DIR/tests/fixtures/report/store"

"$NIPSCOPE" report "$S" --year 2024 --rules "$NSC_RULES_DIR" --format json >"$TMP/a.json"
check "exit 0" 0 $?
"$NIPSCOPE" report "$S" --year 2024 --rules "$NSC_RULES_DIR" --format json >"$TMP/b.json"
cmp -s "$TMP/a.json" "$TMP/b.json"
check "byte-identical twice" 0 $?

get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$TMP/a.json" "$1"; }
check "top-level keys in order" "['schema', 'years', 'policy', 'papers', 'incomplete', 'headline', 'policies', 'country_pairs', 'countries', 'mentions', 'trend']" "$(get 'list(d)')"
check "headline keys in order" "['blocs', 'multinational', 'first', 'second', 'both', 'both_permille', 'undecided', 'affiliations']" "$(get 'list(d["headline"])')"
check "papers" 6 "$(get 'd["papers"]')"
check "headline both" 2 "$(get 'd["headline"]["both"]')"
check "per-mille (2/6)" 333 "$(get 'd["headline"]["both_permille"]')"
check "affiliations" "{'complete': 4, 'partial': 1, 'missing': 1}" "$(get 'd["headline"]["affiliations"]')"
check "policy both" "[2, 1, 3, 4]" "$(get '[p["both"] for p in d["policies"]]')"
check "policy names" "['default', 'strict', 'greater_china', 'greater_china_tw']" "$(get '[p["name"] for p in d["policies"]]')"
check "tw bloc members" "['CN', 'HK', 'MO', 'TW']" "$(get 'd["policies"][3]["pair"][1]["members"]')"
check "pairs" "[('CN', 'US', 2), ('CH', 'CN', 1), ('HK', 'US', 1), ('TW', 'US', 1)]" "$(get '[(p["a"],p["b"],p["papers"]) for p in d["country_pairs"]]')"
check "CN institutions" "[('Tsinghua University', 2), ('Peking University', 1)]" "$(get '[(i["institution"],i["papers"]) for i in d["countries"][1]["institutions"]]')"
check "llama by bloc" "{'us': 1, 'cn': 2, 'both': 1, 'other': 1, 'unknown': 0}" "$(get 'd["mentions"][0]["by_bloc"]')"
check "llama display name from models.yaml" "Llama family" "$(get 'd["mentions"][0]["name"]')"
check "trend row with summary" "{'year': 2024, 'papers': 6, 'first': 4, 'second': 3, 'both': 2, 'both_permille': 333, 'summary_papers': 6}" "$(get 'd["trend"][0]')"
finish
