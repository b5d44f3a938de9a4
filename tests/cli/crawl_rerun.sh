# crawl_rerun.sh - a rerun of a finished crawl refetches nothing: the mock's
# request log shows only conditional requests (and the engine's robots.txt),
# and every output file is byte-identical.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

crawl_mock --years 2024 --papers 300
crawl_run --year 2024 --out "$TMP/out" >"$TMP/report1.txt" 2>"$TMP/err1.txt"
check "first crawl exits 0" 0 $?
cp "$TMP/out/neurips-2024.jsonl" "$TMP/records1"
cp "$TMP/out/neurips-2024.summary.json" "$TMP/summary1"
# Every paper's abstract page was fetched once by the first crawl.
check "first crawl fetched 300 abstract pages" 300 \
    "$(grep -c -- '-Abstract' "$TMP/requests.log")"
n=$(wc -l <"$TMP/requests.log")

sleep 1 # so a rewritten summary would carry a different time
crawl_run --year 2024 --out "$TMP/out" >"$TMP/report2.txt" 2>"$TMP/err2.txt"
check "rerun exits 0" 0 $?
tail -n +"$((n + 1))" "$TMP/requests.log" >"$TMP/rerun.log"
summary=$(python3 - "$TMP/rerun.log" <<'PY'
import json, sys
total = cond = uncond = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    total += 1
    if r["path"] == "/robots.txt":
        continue
    if r["if_none_match"] or r["if_modified_since"]:
        cond += 1
    else:
        uncond += 1
        print("# unconditional: %s" % r["path"], file=sys.stderr)
print("%d conditional, %d unconditional" % (cond, uncond))
PY
)
check "rerun sends only conditional requests: index and feed" \
    "2 conditional, 0 unconditional" "$summary"
check "rerun requests no abstract page" 0 "$(grep -c -- '-Abstract' "$TMP/rerun.log")"
check "records byte-identical" same \
    "$(cmp -s "$TMP/records1" "$TMP/out/neurips-2024.jsonl" && echo same || echo differ)"
check "summary byte-identical" same \
    "$(cmp -s "$TMP/summary1" "$TMP/out/neurips-2024.summary.json" && echo same || echo differ)"
check "report identical" same \
    "$(cmp -s "$TMP/report1.txt" "$TMP/report2.txt" && echo same || echo differ)"

finish
