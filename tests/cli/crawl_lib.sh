# crawl_lib.sh - helpers for the `nipscope crawl` tests (tests/cli/crawl_*.sh).
#
#   . "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"
#   crawl_mock --years 2024 --papers 300     # starts the mock; truth in $TMP/truth
#   crawl_run --year 2024 --out "$TMP/out"   # nipscope crawl against the mock
#   crawl_compare 2024 "$TMP/out"            # key=value lines vs the mock's truth
#
# The mock is stopped when the script exits, whatever happens.  Every
# expected value comes from the mock's truth files (tests/mock/mockdata.py),
# never from nipscope's own output.

. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
. "$NSC_SOURCE_DIR/tests/mock/mock.sh"

CRAWL_RULES=${NSC_RULES_DIR:-$NSC_SOURCE_DIR/rules}
MOCK_PID=
trap 'crawl_cleanup' EXIT
trap 'exit 130' INT TERM

crawl_cleanup() {
    if [ -n "$MOCK_PID" ]; then
        kill -TERM "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
    fi
    rm -rf "$TMP"
}

# crawl_mock ARGS...: start the mock on a free port, truth files in $TMP/truth,
# request log in $TMP/requests.log.
crawl_mock() {
    mkdir -p "$TMP/mock"
    mock_start "$TMP/mock" --truth-dir "$TMP/truth" --log "$TMP/requests.log" "$@" || {
        echo "not ok - the mock site did not start"
        exit 1
    }
}

# crawl_mock_stop: stop the mock crawl_mock started (to start another).
crawl_mock_stop() {
    if [ -n "$MOCK_PID" ]; then
        kill -TERM "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
        MOCK_PID=
    fi
}

# crawl_run ARGS...: nipscope crawl against the mock, no rate limit.
crawl_run() {
    "$NIPSCOPE" crawl --rules "$CRAWL_RULES" --proceedings-url "$MOCK_URL" \
        --virtual-url "$MOCK_URL" --datasets-url "$MOCK_DATASETS_URL" --rate 0 --concurrency 4 "$@"
}

# crawl_measured OUT ERR ARGS...: "$NIPSCOPE" ARGS with stdout/stderr to
# OUT/ERR; prints "EXIT WALL_S CPU_S PEAK_RSS_KB" (from wait4(), so no
# /usr/bin/time needed; CPU and peak RSS of nipscope and its children).
crawl_measured() {
    o=$1
    e=$2
    shift 2
    python3 -c '
import os, subprocess, sys, time
t = time.monotonic()
with open(sys.argv[1], "w") as o, open(sys.argv[2], "w") as e:
    p = subprocess.Popen(sys.argv[3:], stdout=o, stderr=e)
    _, st, ru = os.wait4(p.pid, 0)
print(os.waitstatus_to_exitcode(st), "%.1f" % (time.monotonic() - t),
      "%.1f" % (ru.ru_utime + ru.ru_stime), ru.ru_maxrss)
' "$o" "$e" "$NIPSCOPE" "$@"
}

# crawl_compare YEAR DIR: compare DIR/neurips-YEAR.{jsonl,summary.json} with
# the truth; prints one key=value line per measure.
crawl_compare() {
    python3 - "$TMP/truth/truth-$1.jsonl" "$TMP/truth/truth-$1.summary.json" \
        "$2/neurips-$1.jsonl" "$2/neurips-$1.summary.json" \
        "$NSC_SOURCE_DIR/docs/paper.schema.json" "$CRAWL_RULES/models.yaml" <<'PY'
import json, sys

truth_path, tsum_path, rec_path, sum_path, schema_path, models_path = sys.argv[1:7]
truth = {}
for line in open(truth_path, encoding="utf-8"):
    t = json.loads(line)
    truth[t["id"]] = t
tsum = json.load(open(tsum_path))
recs = {}
for line in open(rec_path, encoding="utf-8"):
    r = json.loads(line)
    recs[r["id"]] = r
summary = json.load(open(sum_path))

def out(k, v):
    print("%s=%s" % (k, v))

out("ids_same", "yes" if set(truth) == set(recs) else
    "no: %d missing, %d extra" % (len(set(truth) - set(recs)), len(set(recs) - set(truth))))
bad_names, bad_affs, examples = 0, 0, []
for pid, t in sorted(truth.items()):
    r = recs.get(pid)
    if r is None:
        continue
    if [a["name"] for a in t["authors"]] != [a["name"] for a in r["authors"]]:
        bad_names += 1
        examples.append(pid)
    # The truth writes an empty feed institution as ""; a record keeps an
    # explicit null for an author no source gave an affiliation.
    want = [a["institution"] or None for a in t["authors"]]
    got = [a["affiliation"] for a in r["authors"]]
    if want != got:
        bad_affs += 1
        examples.append("%s %r %r" % (pid, want, got))
# Model mentions: per paper, the set of model families in the record (each id
# rolled up through models.yaml's 'family') against the truth's 'mentions',
# whose display names map to the model of that name (or "<name> family").
import yaml
models = yaml.safe_load(open(models_path, encoding="utf-8"))["models"]
family_of = {m["id"]: m.get("family", m["id"]) for m in models}
def model_named(disp):
    d = disp.casefold()
    for m in models:
        if m["name"].casefold() in (d, d + " family"):
            return m["id"]
    raise SystemExit("crawl_compare: no model in %s is named %r" % (models_path, disp))
bad_mentions = 0
for pid, t in sorted(truth.items()):
    r = recs.get(pid)
    if r is None:
        continue
    want = {family_of[model_named(d)] for d in t["mentions"]}
    got = {family_of.get(k, "unknown id " + k) for k in r.get("mentions", {})}
    if want != got:
        bad_mentions += 1
        examples.append("%s mentions %s, truth %s" % (pid, sorted(got), sorted(want)))
# The summary's "mentions" per family, worked out from the truth: a paper
# counts in bloc us if an author is in the US, in cn if one is in CN (the
# default policy), in "other" if its authors are placed elsewhere only, in
# "unknown" if none is placed.  (The truth names families, not members, so
# member ids are not checked here.)  An ambiguous author (see the US-CN
# checks below) is placed nowhere.
want_sum = {}
for t in truth.values():
    cs = set(c for a in t["authors"] if not a["ambiguous"] for c in a["countries"])
    for f in {family_of[model_named(d)] for d in t["mentions"]}:
        e = want_sum.setdefault(f, {"papers": 0, "by_bloc": {"us": 0, "cn": 0, "other": 0, "unknown": 0}})
        e["papers"] += 1
        for bloc, cc in (("us", "US"), ("cn", "CN")):
            e["by_bloc"][bloc] += cc in cs
        if not cs & {"US", "CN"}:
            e["by_bloc"]["other" if cs else "unknown"] += 1
got_sum = {k: v for k, v in summary.get("mentions", {}).items() if family_of.get(k) == k}
diff = sorted(k for k in set(want_sum) | set(got_sum) if want_sum.get(k) != got_sum.get(k))
out("summary_mentions", "same" if not diff else "differ: %s want %s got %s" % (
    diff[0], want_sum.get(diff[0]), got_sum.get(diff[0])))
out("mention_papers_truth", sum(1 for t in truth.values() if t["mentions"]))
out("mention_mismatches", bad_mentions)
from urllib.parse import urlsplit
def path(u):
    return urlsplit(u).path if u else None
bad_meta = 0
for pid, t in sorted(truth.items()):
    r = recs.get(pid)
    # The mock serves the canonical paths on its own host: compare paths.
    if r is not None and (r["title"] != t["title"] or r["track"] != t["track"] or
                          path(r["abstract_url"]) != path(t["abstract_url"]) or
                          path(r["pdf_url"]) != path(t["pdf_url"]) or r["year"] != t["year"]):
        bad_meta += 1
        examples.append("%s title/track/url" % pid)
out("paper_mismatches", bad_meta)
# The 2021 Datasets and Benchmarks papers, listed on their own host (the
# truth's abstract URLs name it): found, and joined to the feed when the
# truth says the feed has them.
dnb_host = "datasets-benchmarks-proceedings.neurips.cc"
dnb = {pid for pid, t in truth.items() if urlsplit(t["abstract_url"]).hostname == dnb_host}
dnb_feed = {pid for pid in dnb if truth[pid]["in_feed"]}
out("dnb_truth", len(dnb))
out("dnb_records", sum(1 for pid in dnb if pid in recs and
                       path(recs[pid]["abstract_url"]) == path(truth[pid]["abstract_url"])))
out("dnb_in_feed_truth", len(dnb_feed))
out("dnb_joined", sum(1 for pid in dnb_feed if pid in recs and
                      any(a.get("source") == "virtual_json" for a in recs[pid]["authors"])))
# The join: the summary's count of papers not joined to the feed against the
# truth's papers_not_in_feed ("none" for a year without a feed, whose join is null).
join = summary.get("join")
out("unjoined_truth", tsum["papers_not_in_feed"] if tsum["feed_records"] else "none")
out("unjoined_summary", join["papers_unjoined"] if isinstance(join, dict) else "none")
out("name_mismatches", bad_names)
out("affiliation_mismatches", bad_affs)
if examples:
    print("# e.g. " + "; ".join(examples[:3]), file=sys.stderr)

# US-CN per policy, recomputed from the truth's per-author countries (the
# mock's own summary is checked against the same sets).
# "strict" places no unlocated multinational: its countries are the truth's
# minus each author's hq_only_countries.
# An ambiguous string (the truth's "ambiguous", e.g. bare "Northeastern
# University": Boston's or Shenyang's) cannot be placed from its text, so a
# crawl must leave it unknown: the papers it must count ("truth") are those
# that join without such authors' countries, and the papers it must call
# undecided are the others that would join were each such author placed in
# one of its candidate_countries.  The truth's own count (with the mock's
# choice for those strings) must lie between the two.
blocs = {"default": {"CN"}, "greater_china": {"CN", "HK", "MO"},
         "greater_china_tw": {"CN", "HK", "MO", "TW"}, "strict": {"CN"}}
tkey = {"default": "us_cn", "greater_china": "us_cn_hk_mo", "greater_china_tw": "us_cn_hk_mo_tw",
        "strict": "us_cn"}
def could_join(cs, cands, china):
    """Some choice of one candidate per ambiguous author gives US and china."""
    need_us, need_cn = "US" not in cs, not (cs & china)
    us_ok = [i for i, c in enumerate(cands) if "US" in c]
    cn_ok = [i for i, c in enumerate(cands) if set(c) & china]
    if need_us and need_cn:
        return any(i != j for i in us_ok for j in cn_ok)
    return (not need_us or bool(us_ok)) and (not need_cn or bool(cn_ok))
for pol, china in blocs.items():
    want, undecided, full = set(), set(), set()
    for pid, t in truth.items():
        def countries(a):
            return set(c for c in a["countries"] if pol != "strict" or c not in a["hq_only_countries"])
        allcs = set(c for a in t["authors"] for c in countries(a))
        cs = set(c for a in t["authors"] if not a["ambiguous"] for c in countries(a))
        cands = [a["candidate_countries"] for a in t["authors"] if a["ambiguous"]]
        if "US" in allcs and allcs & china:
            full.add(pid)
        if "US" in cs and cs & china:
            want.add(pid)
        elif could_join(cs, cands, china):
            undecided.add(pid)
    tcount = tsum["strict"][tkey[pol]] if pol == "strict" else tsum[tkey[pol]]
    assert len(full) == tcount, "truth summary and truth records disagree"
    assert want <= full <= want | undecided, "the truth's count is outside its own bounds"
    got = {pid for pid, r in recs.items() if r.get("pairs", {}).get(pol)}
    out("us_cn_%s_truth" % pol, len(want))
    out("us_cn_%s_truth_undecided" % pol, len(undecided))
    out("us_cn_%s_truth_mock" % pol, len(full))
    out("us_cn_%s_papers" % pol, "same" if got == want else
        "differ: missing %s extra %s" % (sorted(want - got)[:3], sorted(got - want)[:3]))
    out("us_cn_%s_summary" % pol, summary.get("us_cn", {}).get(pol, {}).get("both"))
    out("us_cn_%s_summary_undecided" % pol, summary.get("us_cn", {}).get(pol, {}).get("undecided"))
# Every ambiguous author is left unknown, or placed in its truth's country
# (by an email domain, say): never guessed into another.
out("ambiguous_authors", sum(1 for t in truth.values() for a in t["authors"] if a["ambiguous"]))
wrong = 0
for pid, t in truth.items():
    r = recs.get(pid)
    for i, a in enumerate(t["authors"]):
        if r is None or not a["ambiguous"] or i >= len(r["authors"]):
            continue
        got = {x.get("country") for x in r["authors"][i]["affiliations"]} - {None}
        wrong += not got <= set(a["countries"])
out("ambiguous_misplaced", wrong)
out("summary_papers", summary.get("papers"))

try:
    import jsonschema
except ImportError:
    out("schema", "no python3 jsonschema module")
else:
    schema = json.load(open(schema_path))
    v = jsonschema.Draft202012Validator(schema)
    errs = [e for r in recs.values() for e in v.iter_errors(r)]
    out("records_schema", "valid" if not errs else "%d errors, e.g. %s" % (len(errs), errs[0].message))
    ss = dict(schema["$defs"]["summary"], **{"$defs": schema["$defs"]})
    errs = list(jsonschema.Draft202012Validator(ss).iter_errors(summary))
    out("summary_schema", "valid" if not errs else "%d errors, e.g. %s" % (len(errs), errs[0].message))
PY
}

# crawl_value KEY TEXT: the value of KEY in crawl_compare's output.
crawl_value() {
    printf '%s\n' "$2" | sed -n "s/^$1=//p"
}
