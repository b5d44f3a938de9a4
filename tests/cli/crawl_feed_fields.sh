# crawl_feed_fields.sh - issue 3: the virtual feed's field names are the site
# profile's.  The mock's 2024 feed is served again from a second local server
# with "results", "uid" and the authors' "institution" renamed; a copy of the
# profile naming the new fields (--profile) crawls the year with every
# affiliation as the mock's truth has it, while the shipped profile refuses
# the renamed feed and the edited profile refuses the original one.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

FEED_PATH=/static/virtual/data/neurips-2024-orals-posters.json
SRV_PID=
trap '[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null; crawl_cleanup' EXIT

crawl_mock --years 2024 --papers 40

# The renamed feed, made with Python's json module from the mock's own feed.
mkdir -p "$TMP/virtual$(dirname "$FEED_PATH")"
python3 - "$MOCK_URL$FEED_PATH" "$TMP/virtual$FEED_PATH" <<'PY'
import json, sys, urllib.request
feed = json.load(urllib.request.urlopen(sys.argv[1]))
assert feed["results"] and all("uid" in r for r in feed["results"])
for r in feed["results"]:
    r["event_uid"] = r.pop("uid")
    for a in r["authors"]:
        if "institution" in a:
            a["affiliation"] = a.pop("institution")
feed["papers"] = feed.pop("results")
json.dump(feed, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
check "the renamed feed was written" 0 $?
check "it has no 'institution' field left" 0 "$(grep -c '"institution"' "$TMP/virtual$FEED_PATH")"

# A static server for it on a free port (the mock stays the proceedings host).
python3 - "$TMP/virtual" "$TMP/srv.port" <<'PY' 2>"$TMP/srv.err" &
import functools, http.server, os, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
PY
SRV_PID=$!
i=0
while [ ! -s "$TMP/srv.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
SRV_URL=http://127.0.0.1:$(cat "$TMP/srv.port")

sed -e 's/^  results: results$/  results: papers/' -e 's/^  uid: uid$/  uid: event_uid/' \
    -e 's/^  author_institution: institution$/  author_institution: affiliation/' \
    "$CRAWL_RULES/sites/neurips.yaml" >"$TMP/site.yaml"
check "the profile copy names the three new fields" 3 \
    "$(diff "$CRAWL_RULES/sites/neurips.yaml" "$TMP/site.yaml" | grep -c '^>')"

crawl_run --year 2024 --out "$TMP/out" --profile "$TMP/site.yaml" --virtual-url "$SRV_URL" \
    >/dev/null 2>"$TMP/err"
check "the edited profile crawls the renamed feed (exit 0)" 0 $?
cmp=$(crawl_compare 2024 "$TMP/out")
check "the same paper ids as the truth" yes "$(crawl_value ids_same "$cmp")"
check "every affiliation as the truth" 0 "$(crawl_value affiliation_mismatches "$cmp")"
check "affiliations came from the feed" yes "$(grep -q '"source":"virtual_json"' \
    "$TMP/out/neurips-2024.jsonl" && echo yes || echo no)"

crawl_run --year 2024 --out "$TMP/shipped" --virtual-url "$SRV_URL" >/dev/null 2>"$TMP/err"
check "the shipped profile fails on the renamed feed" 1 $?
check_contains "it says the shipped name is missing" "$FEED_PATH': 'results' is missing" \
    "$(cat "$TMP/err")"
crawl_run --year 2024 --out "$TMP/orig" --profile "$TMP/site.yaml" >/dev/null 2>"$TMP/err"
check "the edited profile fails on the original feed" 1 $?
check_contains "it says the new name is missing" "$FEED_PATH': 'papers' is missing" \
    "$(cat "$TMP/err")"

finish
