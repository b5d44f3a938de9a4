# report_text.sh - `nipscope report` as text on the hand-built 2024 store.
# Expected figures are worked out by hand from tests/fixtures/report/make_store.py:
#   a1 CN+US, a2 CN+US (Google at headquarters), a3 HK+US, a4 TW+US,
#   a5 CH+CN (+ an author without affiliation), a6 no country.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
S="$NSC_SOURCE_DIR/tests/fixtures/report/store"

out=$("$NIPSCOPE" report "$S" --year 2024 --rules "$NSC_RULES_DIR")
check "exit 0" 0 $?
check_contains "headline" "Headline: 2 of 6 papers (33.3%) have authors in both us and cn." "$out"
check_contains "bloc totals" "us: 4 papers; cn: 3 papers" "$out"
check_contains "definition names the members" "at least one author has an affiliation in US, for cn if one has an affiliation in CN." "$out"
check_contains "definition says how multinationals count" "(\"Google\") counts at its headquarters." "$out"
check_contains "incomplete affiliations" "4 papers complete, 1 partial" "$out"
check_contains "missing affiliations" "1 missing" "$out"
line() { printf '%s\n' "$out" | grep -E "$1" | tr -s ' '; }
check "default row" " default cn=CN headquarters 4 3 2 33.3%" "$(line '^  default ')"
check "strict row: Google leaves a2 without US" " strict cn=CN unknown 3 3 1 16.7%" "$(line '^  strict ')"
check "greater china adds HK (a3)" " greater_china china_greater=CN+HK+MO headquarters 4 4 3 50.0%" "$(line '^  greater_china ')"
check "with Taiwan adds a4" " greater_china_tw china_greater_tw=CN+HK+MO+TW headquarters 4 5 4 66.7%" "$(line '^  greater_china_tw ')"
check "top pair" " CN-US 2" "$(line '^  CN-US')"
check "pairs in order" "CN-US CH-CN HK-US TW-US" "$(printf '%s\n' "$out" | grep -E '^  [A-Z]{2}-[A-Z]{2} ' | awk '{printf "%s%s", sep, $1; sep=" "}')"
check "countries in order" "US CN CH HK TW" "$(printf '%s\n' "$out" | grep -E '^  [A-Z]{2} \(' | awk '{printf "%s%s", sep, $1; sep=" "}')"
check "Tsinghua counts a1 and a5" " 2 Tsinghua University" "$(line 'Tsinghua University$')"
check "the later a1 line wins (Stanford)" " 1 Stanford University" "$(line 'Stanford University$')"
check "llama family: a1 (llama.2) and a5" " model.llama 2 1 2 1 1 0" "$(line '^  model.llama ')"
check "qwen family: a1 and a2 (qwen.2_5)" " model.qwen 2 2 2 2 0 0" "$(line '^  model.qwen ')"
check "gpt family once for a3 (gpt and gpt.4)" " model.gpt 1 1 0 0 1 0" "$(line '^  model.gpt ')"
check "clip paper has no country" " model.clip 1 0 0 0 0 1" "$(line '^  model.clip ')"
check_contains "papers with mentions" "5 papers carry mentions" "$out"
case "$out" in *Trend*) check "no trend for one year" "" "Trend" ;; *) check "no trend for one year" 1 1 ;; esac

out2=$("$NIPSCOPE" report "$S" --year 2024 --rules "$NSC_RULES_DIR")
check "deterministic" "$out" "$out2"
finish
