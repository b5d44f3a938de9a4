# reclassify.sh - `nipscope reclassify` places stored records again with a
# new rule set and fetches nothing: crawl a small mock year, stop the mock,
# widen the default policy's "cn" bloc to CN and HK, reclassify, and the
# US-CN papers and counts must become the truth's papers with US and CN-or-HK
# authors.  The same rules again leave every file byte-identical; a bad rule
# set fails with file:line:col and leaves the store as it was; a crawler's
# lock refuses the command.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

crawl_mock --years 2024 --papers 150
crawl_run --year 2024 --out "$TMP/out" >/dev/null 2>"$TMP/err1"
check "crawl exits 0" 0 $?
cp "$TMP/out/neurips-2024.jsonl" "$TMP/records1"
cp "$TMP/out/neurips-2024.summary.json" "$TMP/summary1"
# No HTTP request is possible from here on: the mock is gone.
kill -TERM "$MOCK_PID" && wait "$MOCK_PID" 2>/dev/null
MOCK_PID=
n=$(wc -l <"$TMP/requests.log")

# Same rules: nothing changes, byte for byte: records, summary and the state
# DB (the lock file only holds the last holder's pid).
(cd "$TMP/out" && find . -type f ! -name .nipscope.lock -exec cksum {} + | sort) >"$TMP/sums1"
"$NIPSCOPE" reclassify "$TMP/out" --rules "$CRAWL_RULES" --year 2024 >/dev/null 2>"$TMP/err2"
check "reclassify with the same rules exits 0" 0 $?
(cd "$TMP/out" && find . -type f ! -name .nipscope.lock -exec cksum {} + | sort) >"$TMP/sums2"
check "with the same rules every file is byte-identical" same \
    "$(cmp -s "$TMP/sums1" "$TMP/sums2" && echo same || diff "$TMP/sums1" "$TMP/sums2" | tr '\n' ' ')"

# A bad rule set: file:line:col, exit non-zero, the store untouched.
mkdir -p "$TMP/bad"
cp -R "$CRAWL_RULES"/. "$TMP/bad/"
printf 'blocs:\n  - name: [oops\n' >"$TMP/bad/policies.yaml"
"$NIPSCOPE" reclassify "$TMP/out" --rules "$TMP/bad" --year 2024 >/dev/null 2>"$TMP/err3"
rc=$?
check "a bad rule set fails" yes "$([ "$rc" -ne 0 ] && echo yes || echo no)"
check "its message gives file:line:col" 1 \
    "$(grep -c 'policies.yaml:[0-9][0-9]*:[0-9][0-9]*' "$TMP/err3")"
(cd "$TMP/out" && find . -type f ! -name .nipscope.lock -exec cksum {} + | sort) >"$TMP/sums3"
check "a bad rule set leaves every file as it was" same \
    "$(cmp -s "$TMP/sums1" "$TMP/sums3" && echo same || echo differ)"

# A crawler's lock: refused with a clear message, nothing written.
python3 - "$TMP/out" "$TMP/held" "$TMP/release" <<'PY' &
import fcntl, os, sys, time
lock = [f for f in os.listdir(sys.argv[1]) if "lock" in f]
fd = os.open(os.path.join(sys.argv[1], lock[0]), os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
for _ in range(300):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.1)
PY
holder=$!
i=0
while [ ! -e "$TMP/held" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
"$NIPSCOPE" reclassify "$TMP/out" --rules "$CRAWL_RULES" --year 2024 >/dev/null 2>"$TMP/err4"
rc=$?
touch "$TMP/release"
wait "$holder"
check "refused while the directory is locked (exit 75)" 75 "$rc"
check_contains "the message says the directory is in use" "in use by another nipscope" "$(cat "$TMP/err4")"

# The cn bloc widened to CN and HK.
mkdir -p "$TMP/rules"
cp -R "$CRAWL_RULES"/. "$TMP/rules/"
sed 's/^\(    members: \)\[CN\]\( .*mainland China only\)$/\1[CN, HK]\2/' \
    "$CRAWL_RULES/policies.yaml" >"$TMP/rules/policies.yaml"
check "the bloc cn now holds CN and HK" 1 "$(grep -c 'members: \[CN, HK\] .*mainland' "$TMP/rules/policies.yaml")"
"$NIPSCOPE" reclassify "$TMP/out" --rules "$TMP/rules" --year 2024 >"$TMP/out5" 2>"$TMP/err5"
check "reclassify with the widened bloc exits 0" 0 $?
check "no HTTP request was made" "$n" "$(wc -l <"$TMP/requests.log")"
res=$(python3 - "$TMP/truth/truth-2024.jsonl" "$TMP/records1" "$TMP/out/neurips-2024.jsonl" \
    "$TMP/summary1" "$TMP/out/neurips-2024.summary.json" "$CRAWL_RULES/models.yaml" <<'PY'
import json, sys
truth = [json.loads(l) for l in open(sys.argv[1])]
old = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[2])}
recs = [json.loads(l) for l in open(sys.argv[3])]
new = {r["id"]: r for r in recs}
s_old, s_new = json.load(open(sys.argv[4])), json.load(open(sys.argv[5]))
def papers(china):
    out = set()
    for t in truth:
        cs = {c for a in t["authors"] for c in a["countries"]}
        if "US" in cs and cs & china:
            out.add(t["id"])
    return out
want_old, want = papers({"CN"}), papers({"CN", "HK"})
print("widening_matters=%s" % ("yes" if want_old != want else "no"))
got = {i for i, r in new.items() if "us_cn" in r["pairs"].get("default", [])}
print("records=%s" % ("same" if got == want else "differ: %d vs %d" % (len(got), len(want))))
print("sorted=%s" % ("yes" if [r["id"] for r in recs] == sorted(new) else "no"))
# Only the default policy's pairs may change; everything else stays.
changed = set()
for i, r in new.items():
    o = dict(old[i]); n = dict(r)
    po, pn = o.pop("pairs"), n.pop("pairs")
    if o != n or {k: v for k, v in po.items() if k != "default"} != {k: v for k, v in pn.items() if k != "default"}:
        changed.add(i)
print("other_fields=%s" % ("same" if not changed else "differ: %s" % sorted(changed)[:3]))
moved = {i for i in new if new[i]["pairs"].get("default") != old[i]["pairs"].get("default")}
print("moved=%s" % ("same" if moved == want ^ want_old else "differ"))
print("summary_both=%s" % s_new["us_cn"]["default"]["both"])
print("want_both=%d" % len(want))
# Mentions by bloc follow the bloc: cn counts papers with a CN or HK author
# (a paper counts under each id it mentions and that id's family).
import yaml
family_of = {m["id"]: m.get("family", m["id"]) for m in
             yaml.safe_load(open(sys.argv[6], encoding="utf-8"))["models"]}
ok = True
for m, e in s_new["mentions"].items():
    ids = [t["id"] for t in truth if m in new[t["id"]]["mentions"] or
           any(family_of.get(k) == m for k in new[t["id"]]["mentions"])]
    cn = sum(1 for i in ids if {c for a in next(t for t in truth if t["id"] == i)["authors"]
                                for c in a["countries"]} & {"CN", "HK"})
    if e["by_bloc"]["cn"] != cn:
        ok = False
print("mentions_cn=%s" % ("same" if ok else "differ"))
rest_old = {k: v for k, v in s_old.items() if k not in ("us_cn", "mentions")}
rest_new = {k: v for k, v in s_new.items() if k not in ("us_cn", "mentions", "rules")}
rest_old.pop("rules")
print("summary_rest=%s" % ("same" if rest_old == rest_new else "differ"))
PY
)
check "the truth's count changes with HK (so this test can fail)" yes "$(crawl_value widening_matters "$res")"
check "records: US-CN papers are the truth's with US and CN or HK" same "$(crawl_value records "$res")"
check "records: exactly those papers changed their default pairs" same "$(crawl_value moved "$res")"
check "records: no other field changed" same "$(crawl_value other_fields "$res")"
check "records stay sorted by id" yes "$(crawl_value sorted "$res")"
check "summary: US-CN (default) is the truth's count" "$(crawl_value want_both "$res")" \
    "$(crawl_value summary_both "$res")"
check "summary: mentions by bloc follow the widened cn" same "$(crawl_value mentions_cn "$res")"
check "summary: crawl facts, countries and pairs unchanged" same "$(crawl_value summary_rest "$res")"
check_contains "the report gives the new count" "US-CN: $(crawl_value want_both "$res") of 150 papers" \
    "$(cat "$TMP/out5")"

# Deterministic: the same new rules again change nothing.
(cd "$TMP/out" && find . -type f ! -name .nipscope.lock -exec cksum {} + | sort) >"$TMP/sums5"
"$NIPSCOPE" reclassify "$TMP/out" --rules "$TMP/rules" >/dev/null 2>"$TMP/err6"
check "reclassify again (every stored year) exits 0" 0 $?
(cd "$TMP/out" && find . -type f ! -name .nipscope.lock -exec cksum {} + | sort) >"$TMP/sums6"
check "and leaves every file byte-identical" same \
    "$(cmp -s "$TMP/sums5" "$TMP/sums6" && echo same || echo differ)"

finish
