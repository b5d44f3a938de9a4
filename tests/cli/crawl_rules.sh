# crawl_rules.sh - a rerun with changed rules refetches nothing but places
# every stored record again, so records and summary follow the rules in use:
# here the default policy's "cn" bloc is widened to CN and HK, and the
# US-CN papers must become the truth's papers with US and CN-or-HK authors.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

crawl_mock --years 2024 --papers 150
mkdir -p "$TMP/rules"
cp -R "$CRAWL_RULES"/. "$TMP/rules/"
crawl_run --year 2024 --out "$TMP/out" --rules "$TMP/rules" >/dev/null 2>"$TMP/err1"
check "first crawl exits 0" 0 $?
cp "$TMP/out/neurips-2024.jsonl" "$TMP/records1"

sed 's/^\(    members: \)\[CN\]\( .*mainland China only\)$/\1[CN, HK]\2/' \
    "$CRAWL_RULES/policies.yaml" >"$TMP/rules/policies.yaml"
check "the bloc cn now holds CN and HK" 1 "$(grep -c 'members: \[CN, HK\] .*mainland' "$TMP/rules/policies.yaml")"
n=$(wc -l <"$TMP/requests.log")
crawl_run --year 2024 --out "$TMP/out" --rules "$TMP/rules" >"$TMP/out2" 2>"$TMP/err2"
check "rerun with the new rules exits 0" 0 $?
check "it fetches no abstract page" 0 "$(tail -n +"$((n + 1))" "$TMP/requests.log" | grep -c -- '-Abstract')"
check "it changed some records" differ \
    "$(cmp -s "$TMP/records1" "$TMP/out/neurips-2024.jsonl" && echo same || echo differ)"

res=$(python3 - "$TMP/truth/truth-2024.jsonl" "$TMP/out/neurips-2024.jsonl" \
    "$TMP/out/neurips-2024.summary.json" <<'PY'
import json, sys
truth = [json.loads(l) for l in open(sys.argv[1])]
recs = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[2])}
summary = json.load(open(sys.argv[3]))
def papers(china):
    out = set()
    for t in truth:
        cs = {c for a in t["authors"] for c in a["countries"]}
        if "US" in cs and cs & china:
            out.add(t["id"])
    return out
old, new = papers({"CN"}), papers({"CN", "HK"})
got = {i for i, r in recs.items() if "us_cn" in r["pairs"].get("default", [])}
print("widening_matters=%s" % ("yes" if old != new else "no"))
print("records=%s" % ("same" if got == new else "differ: %d vs %d" % (len(got), len(new))))
print("summary=%s" % ("same" if summary["us_cn"]["default"]["both"] == len(new) else "differ"))
print("want=%d" % len(new))
PY
)
check "the truth's count changes with HK (so this test can fail)" yes "$(crawl_value widening_matters "$res")"
check "records: US-CN papers are the truth's with US and CN or HK" same "$(crawl_value records "$res")"
check "summary counts them" same "$(crawl_value summary "$res")"
check_contains "the report says so" "US-CN: $(crawl_value want "$res") of 150 papers" "$(cat "$TMP/out2")"

finish
