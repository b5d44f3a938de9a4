# crawl_fulltext.sh [PAPERS] - crawl a mock year with --fulltext and compare,
# for every paper, the model mentions counted in the PDF's body and, apart,
# in its references, and every affiliation the PDF's first page gave, with
# the mock's truth (tests/mock/mockdata.py pdf_plan: what each PDF shows).
# Then --keep-pdf, a resume that fetches no PDF again, and malformed PDFs
# (the mock's --bad-pdfs) that fail only their own paper, naming the URL.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

papers=${1:-300}
year=2024
crawl_mock --years "$year" --papers "$papers"

pdf_requests() {
    grep -c '"path": "/paper_files/paper/[0-9]*/file/[0-9a-f]*-Paper[-A-Za-z_]*\.pdf"' "$TMP/requests.log"
}

out=$(crawl_run --year "$year" --out "$TMP/out" --fulltext 2>"$TMP/crawl.err")
rc=$?
check "crawl --fulltext exits 0" 0 "$rc"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$TMP/crawl.err"
check "one PDF request per paper" "$papers" "$(pdf_requests)"
check_contains "the report says the mentions include the full text" \
    "the full text (references apart) of $papers papers (0 PDFs unreadable, 0 papers without)" "$out"

fulltext_compare() {
    python3 - "$TMP/truth/truth-$year.jsonl" "$1/neurips-$year.jsonl" "$1/neurips-$year.summary.json" \
        "$CRAWL_RULES/models.yaml" <<'PY'
import json, sys
import yaml

truth_path, rec_path, sum_path, models_path = sys.argv[1:5]
truth = {json.loads(l)["id"]: json.loads(l) for l in open(truth_path, encoding="utf-8")}
recs = {json.loads(l)["id"]: json.loads(l) for l in open(rec_path, encoding="utf-8")}
summary = json.load(open(sum_path))
models = yaml.safe_load(open(models_path, encoding="utf-8"))["models"]
family_of = {m["id"]: m.get("family", m["id"]) for m in models}
def fam_named(disp):
    d = disp.casefold()
    for m in models:
        if m["name"].casefold() in (d, d + " family"):
            return family_of[m["id"]]
    raise SystemExit("no model in %s is named %r" % (models_path, disp))
def out(k, v):
    print("%s=%s" % (k, v))

ex = []
bad_ft = bad_ref = 0
ft_total = ref_total = 0
for pid, t in truth.items():
    r = recs.get(pid)
    if r is None:
        continue
    want_ft = {}
    for d, n in t["fulltext_mentions"].items():
        want_ft[fam_named(d)] = want_ft.get(fam_named(d), 0) + n
    want_ref = {}
    for d, n in t["references_mentions"].items():
        want_ref[fam_named(d)] = want_ref.get(fam_named(d), 0) + n
    got_ft, got_ref = {}, {}
    for mid, m in r["mentions"].items():
        n = m.get("by_field", {}).get("fulltext", 0)
        if n:
            f = family_of[mid]
            got_ft[f] = got_ft.get(f, 0) + n
    for mid, m in r.get("references_mentions", {}).items():
        f = family_of[mid]
        got_ref[f] = got_ref.get(f, 0) + m["count"]
    ft_total += sum(want_ft.values())
    ref_total += sum(want_ref.values())
    if got_ft != want_ft:
        bad_ft += 1
        ex.append("%s fulltext %s truth %s" % (pid, got_ft, want_ft))
    if got_ref != want_ref:
        bad_ref += 1
        ex.append("%s references %s truth %s" % (pid, got_ref, want_ref))
out("fulltext_mentions_truth", ft_total)
out("references_mentions_truth", ref_total)
out("fulltext_mismatches", bad_ft)
out("references_mismatches", bad_ref)

# Affiliations: an author the truth gives no institution but the PDF decides
# (pdf_affiliation: its line; pdf_email_domain: its email only) has exactly
# that, source "pdf", and the truth's countries (or none, for a string the
# truth marks ambiguous: bare "Northeastern University"); any other author
# keeps what the other sources gave.
by_line = by_mail = bad_pdf = bad_other = undecided = 0
for pid, t in truth.items():
    r = recs.get(pid)
    if r is None:
        continue
    for ta, ra in zip(t["authors"], r["authors"]):
        got_cc = sorted({a["country"] for a in ra["affiliations"] if a["country"]})
        want_cc = sorted(set(ta.get("pdf_countries", [])))
        cc_ok = got_cc == want_cc or (ta.get("pdf_ambiguous") and got_cc == [])
        if ta.get("pdf_affiliation"):
            by_line += 1
            ok = ra["affiliation"] == ta["pdf_affiliation"] and ra["source"] == "pdf" and cc_ok
        elif ta.get("pdf_email_domain"):
            by_mail += 1
            ok = (ra["affiliation"] is None and ra.get("email_domain") == ta["pdf_email_domain"]
                  and ra["source"] == "pdf" and cc_ok)
        else:
            if not ta["institution"]:
                undecided += 1
            ok = (ra["affiliation"] == (ta["institution"] or None) and ra["source"] != "pdf"
                  and "email_domain" not in ra)
            if not ok:
                bad_other += 1
                ex.append("%s %s: %r %r" % (pid, ta["name"], ra["affiliation"], ra["source"]))
            continue
        if not ok:
            bad_pdf += 1
            ex.append("%s %s: %r %r %r, truth %r %r %r" % (
                pid, ta["name"], ra["affiliation"], ra.get("email_domain"), got_cc,
                ta.get("pdf_affiliation"), ta.get("pdf_email_domain"), ta.get("pdf_countries")))
out("pdf_by_line_truth", by_line)
out("pdf_by_email_truth", by_mail)
out("pdf_undecided_truth", undecided)
out("pdf_affiliation_mismatches", bad_pdf)
out("other_affiliation_mismatches", bad_other)
out("pages_read", sum(1 for r in recs.values() if r.get("fulltext", {}).get("pages", 0) >= 1))
# US-CN with the PDF's countries: recomputed from the truth.
want = set()
for pid, t in truth.items():
    cs = set()
    for a in t["authors"]:
        cs.update(a["countries"] or a.get("pdf_countries", []))
    if any(a["ambiguous"] or a.get("pdf_ambiguous") for a in t["authors"]):
        continue  # a classifier may rightly leave it unknown: not compared
    if "US" in cs and "CN" in cs:
        want.add(pid)
got = {pid for pid, r in recs.items() if "us_cn" in r["pairs"]["default"] and
       not any(a["ambiguous"] or a.get("pdf_ambiguous") for a in truth[pid]["authors"])}
out("us_cn_truth", len(want))
out("us_cn_papers", "same" if got == want else "differ: missing %s extra %s" % (
    sorted(want - got)[:3], sorted(got - want)[:3]))
ft = summary.get("fulltext", {})
out("summary_fulltext", "%s/%s/%s" % (ft.get("papers_read"), ft.get("papers_failed"), ft.get("papers_without")))
refs_want = {}
for t in truth.values():
    for f in {fam_named(d) for d in t["references_mentions"]}:
        refs_want[f] = refs_want.get(f, 0) + 1
refs_got = {k: v for k, v in ft.get("references_mentions", {}).items()}
refs_got_fam = {}
for pid, r in recs.items():
    for f in {family_of[m] for m in r.get("references_mentions", {})}:
        refs_got_fam[f] = refs_got_fam.get(f, 0) + 1
out("summary_references", "same" if refs_got_fam == refs_want and
    all(refs_got.get(m, 0) == sum(1 for r in recs.values() if m in r.get("references_mentions", {}))
        for m in refs_got) else "differ: %s vs %s" % (refs_got, refs_want))
if ex:
    print("# e.g. " + "; ".join(ex[:4]), file=sys.stderr)
PY
}

cmp=$(fulltext_compare "$TMP/out")
check "the truth has full-text mentions (so the next check can fail)" yes \
    "$([ "$(crawl_value fulltext_mentions_truth "$cmp")" -gt 0 ] && echo yes || echo no)"
check "every paper's full-text mention counts per family as the truth" 0 \
    "$(crawl_value fulltext_mismatches "$cmp")"
check "the truth has references mentions (so the next check can fail)" yes \
    "$([ "$(crawl_value references_mentions_truth "$cmp")" -gt 0 ] && echo yes || echo no)"
check "every paper's references mention counts per family, counted apart, as the truth" 0 \
    "$(crawl_value references_mismatches "$cmp")"
check "the truth has authors placed by an affiliation line of the PDF" yes \
    "$([ "$(crawl_value pdf_by_line_truth "$cmp")" -gt 0 ] && echo yes || echo no)"
check "the truth has authors placed by their email domain alone" yes \
    "$([ "$(crawl_value pdf_by_email_truth "$cmp")" -gt 0 ] && echo yes || echo no)"
check "every PDF-derived affiliation (line or domain, source pdf, countries) as the truth" 0 \
    "$(crawl_value pdf_affiliation_mismatches "$cmp")"
check "every other author keeps the other sources' affiliation (or none)" 0 \
    "$(crawl_value other_affiliation_mismatches "$cmp")"
check "every record says how many pages its PDF had" "$papers" "$(crawl_value pages_read "$cmp")"
check "US-CN papers, with the PDF's countries, are the truth's" same "$(crawl_value us_cn_papers "$cmp")"
check "summary: papers read, failed, without" "$papers/0/0" "$(crawl_value summary_fulltext "$cmp")"
check "summary: papers citing each model in their references as the records" same \
    "$(crawl_value summary_references "$cmp")"
std=$(crawl_compare "$year" "$TMP/out")
check "records satisfy docs/paper.schema.json" valid "$(crawl_value records_schema "$std")"
check "the summary satisfies docs/paper.schema.json" valid "$(crawl_value summary_schema "$std")"
check "every author name as the truth" 0 "$(crawl_value name_mismatches "$std")"
check "no PDF is kept without --keep-pdf" no "$([ -e "$TMP/out/pdf" ] && echo yes || echo no)"
check "no PDF body in the state DB" 0 "$(python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("select count(*) from fetches where url like ? and body is not null", ("%.pdf",)).fetchone()[0])
' "$TMP/out/.nipscope-state.sqlite")"

# Resume: a rerun of the finished year fetches no PDF again.
before=$(pdf_requests)
crawl_run --year "$year" --out "$TMP/out" --fulltext >/dev/null 2>"$TMP/crawl2.err"
check "a rerun exits 0" 0 "$?"
check "a rerun fetches no PDF again" "$before" "$(pdf_requests)"

# kill -9 in the middle of a --fulltext crawl, then the same command again:
# the year ends byte-identical to the uninterrupted crawl's, and the second
# run fetches the PDF of no paper the first one finished.
"$NIPSCOPE" crawl --rules "$CRAWL_RULES" --proceedings-url "$MOCK_URL" --virtual-url "$MOCK_URL" \
    --datasets-url "$MOCK_DATASETS_URL" --rate 40 --concurrency 4 --year "$year" \
    --out "$TMP/kill" --fulltext >/dev/null 2>&1 &
pid=$!
i=0
while [ "$(cat "$TMP/kill/neurips-$year.jsonl" 2>/dev/null | wc -l)" -lt 30 ] && [ "$i" -lt 600 ]; do
    sleep 0.05
    i=$((i + 1))
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
finished=$(python3 -c '
import json, sys
ids = []
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        ids.append(json.loads(line)["id"])
    except ValueError:
        pass  # the torn last line: the store cuts it off
print(" ".join(ids))
' "$TMP/kill/neurips-$year.jsonl")
check "the kill came in the middle of the crawl" yes "$(n=$(echo "$finished" | wc -w);
    [ "$n" -ge 30 ] && [ "$n" -lt "$papers" ] && echo yes || echo "no: $n papers finished")"
log_before=$(wc -l <"$TMP/requests.log")
crawl_run --year "$year" --out "$TMP/kill" --fulltext >/dev/null 2>"$TMP/crawl-kill.err"
check "the resumed crawl exits 0" 0 "$?"
check "the resumed year is byte-identical to the uninterrupted one" same \
    "$(cmp -s "$TMP/kill/neurips-$year.jsonl" "$TMP/out/neurips-$year.jsonl" && echo same || echo differ)"
check "the resumed crawl fetched the PDFs of exactly the papers not finished before the kill" ok \
    "$(tail -n +"$((log_before + 1))" "$TMP/requests.log" | python3 -c '
import json, re, sys
finished = set(sys.argv[1].split())
want = int(sys.argv[2]) - len(finished)
got = set()
for line in sys.stdin:
    m = re.search(r"/file/([0-9a-f]{32})-Paper[^\"]*\.pdf", json.loads(line)["path"])
    if m:
        got.add(m.group(1))
print("ok" if not got & finished and len(got) == want else
      "refetched %d finished, fetched %d of %d" % (len(got & finished), len(got), want))
' "$finished" "$papers")"

# --keep-pdf: the PDFs as served, under out/pdf/<year>/, named in the records.
crawl_run --year "$year" --out "$TMP/keep" --fulltext --keep-pdf --max-papers 5 >/dev/null \
    2>"$TMP/crawl3.err"
check "crawl --keep-pdf exits 0" 0 "$?"
check "--keep-pdf keeps 5 PDFs, each as the mock serves it, named by its record" ok "$(python3 - \
    "$TMP/keep" "$year" "$MOCK_URL" <<'PY'
import json, os, sys, urllib.request
d, year, base = sys.argv[1], sys.argv[2], sys.argv[3]
recs = [json.loads(l) for l in open(os.path.join(d, "neurips-%s.jsonl" % year))]
files = sorted(os.listdir(os.path.join(d, "pdf", year)))
bad = []
for r in recs:
    kept = r["fulltext"].get("kept")
    if kept != "pdf/%s/%s.pdf" % (year, r["id"]):
        bad.append("kept %r" % kept)
        continue
    body = urllib.request.urlopen(r["pdf_url"]).read()
    if open(os.path.join(d, kept), "rb").read() != body:
        bad.append("%s differs" % kept)
print("ok" if len(recs) == 5 and len(files) == 5 and not bad else "%d files: %s" % (len(files), bad))
PY
)"
crawl_mock_stop

# Malformed PDFs: every 3rd paper's PDF cut in half.  Those papers are still
# written, their record names the URL and says why; the others are read.
crawl_mock --years "$year" --papers 12 --bad-pdfs 3
crawl_run --year "$year" --out "$TMP/bad" --fulltext >/dev/null 2>"$TMP/crawl4.err"
check "a crawl with malformed PDFs exits 0" 0 "$?"
check "4 records say their PDF is unreadable, naming its URL; 8 were read" "4 8" "$(python3 - \
    "$TMP/bad/neurips-$year.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
bad = sum(1 for r in recs if r["pdf_url"] in r["fulltext"].get("error", "") and "PDF" in r["fulltext"]["error"])
good = sum(1 for r in recs if r["fulltext"].get("pages", 0) > 0)
print(bad, good)
PY
)"
check_contains "the log names a malformed PDF's URL" "-Paper-" "$(grep 'PDF' "$TMP/crawl4.err")"

finish
