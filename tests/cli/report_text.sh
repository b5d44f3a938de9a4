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
check "default row" " default cn=CN headquarters 4 3 2 33.3% 0" "$(line '^  default ')"
check "strict row: Google leaves a2 without US" " strict cn=CN unknown 3 3 1 16.7% 0" "$(line '^  strict ')"
check "greater china adds HK (a3)" " greater_china china_greater=CN+HK+MO headquarters 4 4 3 50.0% 0" "$(line '^  greater_china ')"
check "with Taiwan adds a4" " greater_china_tw china_greater_tw=CN+HK+MO+TW headquarters 4 5 4 66.7% 0" "$(line '^  greater_china_tw ')"
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

# Undecided papers: open affiliations are those left unknown between the
# candidate countries their evidence names.  Worked out by hand:
#   u1 Stanford (US) + bare Northeastern (US|CN)      -> undecided (NEU in CN)
#   u2 bare Northeastern alone                        -> not: one place for both blocs
#   u3 two bare Northeastern authors                  -> undecided (one each)
#   u4 Tsinghua (CN) + "Lab, Cambridge" (US|GB)       -> undecided (Cambridge, MA)
#   u5 Stanford + Tsinghua                            -> both, so not undecided
#   u6 Tsinghua + "Lab, Athens" (GR|US)               -> undecided (Athens, GA)
#   u7 Tsinghua + Google with no place (a multinational): both at headquarters
#      (default); under strict unknown, and not open: that is the policy's choice
# default: us u1 u5 u7 = 3, cn u4-u7 = 4, both u5 u7 = 2 (28.6%), undecided 4;
# strict:  us u1 u5 = 2,    cn u4-u7 = 4, both u5 = 1 (14.3%),    undecided 4.
U="$TMP/undecided"
mkdir -p "$U"
python3 - "$U/neurips-2022.jsonl" <<'PY'
import json, sys
def ev(cc, kind, rule, text):
    return {"country": cc, "kind": kind, "rule": rule, "text": text}
def placed(inst, cc, rule):
    return {"country": cc, "evidence": [ev(cc, "institution", rule, inst)], "institution": inst, "rule": rule}
def open_(text, *evs):
    return {"country": None, "evidence": list(evs), "institution": None, "rule": None}
NEU = open_("Northeastern University", ev("US", "shared", "inst.northeastern.us", "Northeastern University"),
            ev("CN", "shared", "inst.northeastern.cn", "Northeastern University"))
CAM = open_("Lab, Cambridge", ev("US", "place", "place.us.cambridge", "Cambridge"),
            ev("GB", "place", "place.gb.cambridge", "Cambridge"))
ATH = open_("Lab, Athens", ev("GR", "place", "place.gr.athens", "Athens"),
            ev("US", "place", "place.us.athens", "Athens"))
GOOG = open_("Google", ev("US", "multinational", "inst.google", "Google"))
ST = placed("Stanford University", "US", "inst.stanford")
TS = placed("Tsinghua University", "CN", "inst.tsinghua")
def rec(pid, *affs):
    return {"abstract_url": None, "authors": [{"affiliation": "x", "affiliations": [a], "name": "N%d" % i,
            "source": "virtual_json"} for i, a in enumerate(affs)], "countries": [], "id": pid,
            "mentions": {}, "pairs": {}, "pdf_url": None, "schema": 1, "sources": {},
            "title": pid, "track": "conference", "year": 2022}
with open(sys.argv[1], "w") as f:
    for r in [rec("u1", ST, NEU), rec("u2", NEU), rec("u3", NEU, NEU), rec("u4", TS, CAM),
              rec("u5", ST, TS), rec("u6", TS, ATH), rec("u7", TS, GOOG)]:
        f.write(json.dumps(r, sort_keys=True) + "\n")
PY
out=$("$NIPSCOPE" report "$U" --rules "$NSC_RULES_DIR")
check "undecided: exit 0" 0 $?
check_contains "undecided: the headline counts u5 and u7" "Headline: 2 of 7 papers" "$out"
check_contains "undecided: u1, u3, u4 and u6 could count" \
    "Undecided: 4 more papers would count were an affiliation the rules leave between" "$out"
check "undecided: the default row" " default cn=CN headquarters 3 4 2 28.6% 4" "$(line '^  default ')"
check "undecided: the strict row (Google is no candidate)" " strict cn=CN unknown 2 4 1 14.3% 4" "$(line '^  strict ')"
out=$("$NIPSCOPE" report "$U" --rules "$NSC_RULES_DIR" --format csv)
check_contains "undecided: csv row" "policy,all,default,undecided,,4" "$out"
finish
