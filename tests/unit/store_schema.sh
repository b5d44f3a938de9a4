#!/bin/sh
# store_schema.sh - docs/paper.schema.json is a valid draft 2020-12 schema,
# the example record in docs/schema.md satisfies it, and records that break
# it are rejected.  Needs python3 with jsonschema (Debian: python3-jsonschema).
set -eu
src=${NSC_SOURCE_DIR:?NSC_SOURCE_DIR is not set}
exec python3 - "$src/docs/paper.schema.json" "$src/docs/schema.md" <<'PY'
import copy, json, re, sys
try:
    import jsonschema
except ImportError:
    sys.exit("store_schema: FAIL: python3 has no jsonschema module (apt-get install python3-jsonschema)")

schema_path, doc_path = sys.argv[1], sys.argv[2]
with open(schema_path) as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
record_v = jsonschema.Draft202012Validator(schema)
summary_schema = dict(schema["$defs"]["summary"], **{"$defs": schema["$defs"]})
summary_v = jsonschema.Draft202012Validator(summary_schema)

with open(doc_path) as f:
    blocks = re.findall(r"```json\n(.*?)```", f.read(), re.S)
if len(blocks) != 1:
    sys.exit("store_schema: FAIL: expected one ```json block in %s, found %d" % (doc_path, len(blocks)))
good = json.loads(blocks[0])
failures = 0

def expect(validator, doc, ok, what):
    global failures
    errs = list(validator.iter_errors(doc))
    if bool(errs) == ok:
        failures += 1
        print("store_schema: FAIL: %s: expected %s, got %s" % (what, "valid" if ok else "invalid",
              errs[0].message if errs else "valid"))

expect(record_v, good, True, "docs/schema.md example record")

def bad(change, what):
    doc = copy.deepcopy(good)
    change(doc)
    expect(record_v, doc, False, what)

bad(lambda d: d.pop("id"), "record without id")
bad(lambda d: d.update(id="XYZ"), "id that is not a 32-hex hash")
bad(lambda d: d.update(schema=2), "schema 2")
bad(lambda d: d.update(countries=["USA"]), "country that is not alpha-2")
bad(lambda d: d["authors"][0]["affiliations"][0].update(country="us"), "lower-case country")
bad(lambda d: d["authors"][0].pop("affiliation"), "author without affiliation key")
bad(lambda d: d.update(mentions={"model.llama": {"count": 1.5, "where": ["title"]}}), "real count")
bad(lambda d: d.update(mentions={"model.llama": {"count": 1, "where": ["body"]}}), "unknown where")
bad(lambda d: d.update(extra=1), "unknown top-level field")

summary = {
    "schema": 1, "year": 2024, "papers": 3,
    "affiliations": {"complete": 1, "partial": 1, "missing": 1},
    "countries": {"CN": 2, "US": 1},
    "country_pairs": {"CN": {"US": 1}, "US": {"CN": 1}},
    "us_cn": {"default": {"pair": ["us", "cn"], "first": 1, "second": 2, "both": 1}},
    "mentions": {"model.llama": {"papers": 1, "by_bloc": {"cn": 1, "us": 0, "other": 0, "unknown": 0}}},
    "rules": {"version": "1", "hash": "0123abcd"},
    "crawl": {"started": "2026-11-22T00:00:00Z", "finished": "2026-11-22T01:00:00Z"},
}
expect(summary_v, summary, True, "example summary")
s2 = copy.deepcopy(summary); s2["countries"]["usa"] = 1
expect(summary_v, s2, False, "summary with a bad country key")
s3 = copy.deepcopy(summary); s3["affiliations"]["complete"] = 0.5
expect(summary_v, s3, False, "summary with a real count")
s4 = copy.deepcopy(summary); del s4["crawl"]
expect(summary_v, s4, False, "summary without crawl")
# What the crawl writes about the feed join and an unfinished year.
s5 = copy.deepcopy(summary)
s5["join"] = {"feed": "https://neurips.cc/static/virtual/data/neurips-2024-orals-posters.json",
              "by_url": 2, "by_title": 1, "papers_unjoined": 0, "records_unjoined": 0,
              "ambiguous": 0, "authors_unmatched": 1}
s5["incomplete"] = {"papers_listed": 4, "papers_missing": 1}
expect(summary_v, s5, True, "summary with join and incomplete")
s6 = copy.deepcopy(summary); s6["join"] = None
expect(summary_v, s6, True, "summary of a year without a feed (join null)")
s7 = copy.deepcopy(s5); s7["incomplete"]["papers_missing"] = -1
expect(summary_v, s7, False, "summary with a negative papers_missing")

if failures:
    sys.exit(1)
print("store_schema: ok")
PY
