#!/usr/bin/env python3
"""Tests of the mock NeurIPS site (tests/mock/mocksite.py).  unittest,
standard library only; every loop and wait is bounded."""

import gzip
import html
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from html.parser import HTMLParser
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
MOCK = os.path.join(HERE, "mocksite.py")
SMALL_N = 240
SMALL = ["--papers", str(SMALL_N)]
sys.path.insert(0, HERE)
import mocksite as ms  # noqa: E402  (for the hostile-page kinds)


def start(args, tmp=None):
    """Start the mock; return (proc, port, tmpdir).  Waits at most 20 s."""
    tmp = tmp or tempfile.mkdtemp(prefix="mocksite-test-")
    pf = os.path.join(tmp, "port")
    proc = subprocess.Popen([sys.executable, MOCK, "--port", "0", "--port-file", pf] + args,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if os.path.exists(pf):
            with open(pf) as f:
                txt = f.read().strip()
            if txt:
                return proc, int(txt), tmp
        if proc.poll() is not None:
            raise RuntimeError("mock exited: %s" % proc.stderr.read().decode())
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("mock did not write its port file in 20 s")


def stop(proc):
    rc = proc.poll()
    if rc is None:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
            rc = None
    if proc.stderr:
        proc.stderr.close()
    return rc


def slurp(path, mode="rb"):
    with open(path, mode) as f:
        return f.read()


def load_json(path):
    return json.loads(slurp(path))


def get(port, path, headers=None, method="GET", conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    c.request(method, path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    if conn is None:
        c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def raw_exchange(port, path, timeout=10):
    """Send one GET on a raw socket; return everything received until close."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
    data = b""
    err = None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError as e:
        err = e
    s.close()
    return data, err


class IndexParser(HTMLParser):
    """Collect (href, title, authors) for each paper entry of a year index."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.entries, self.cur, self.field = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "li" and "data-track" in a:
            self.cur = {"track": a["data-track"], "href": None, "title": "", "authors": ""}
            self.entries.append(self.cur)
        elif self.cur is not None and tag == "a" and a.get("title") == "paper title":
            self.cur["href"] = a["href"]
            self.field = "title"
        elif self.cur is not None and (tag == "i" or (tag == "span" and a.get("class") == "paper-authors")):
            self.field = "authors"

    def handle_endtag(self, tag):
        if tag in ("a", "i", "span"):
            self.field = None

    def handle_data(self, data):
        if self.cur is not None and self.field:
            self.cur[self.field] += data


def parse_index(body):
    p = IndexParser()
    p.feed(body.decode())
    return p.entries


class MockSiteTest(unittest.TestCase):
    YEARS = [2019, 2020, 2022, 2024, 2025]

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mocksite-test-")
        cls.log = os.path.join(cls.tmp, "req.log")
        cls.truth = os.path.join(cls.tmp, "truth")
        cls.proc, cls.port, _ = start(["--years", ",".join(map(str, cls.YEARS)), "--log", cls.log,
                                       "--truth-dir", cls.truth] + SMALL, cls.tmp)
        cls.t = {}
        for y in cls.YEARS:
            with open(os.path.join(cls.truth, "truth-%d.jsonl" % y)) as f:
                cls.t[y] = [json.loads(line) for line in f]

    @classmethod
    def tearDownClass(cls):
        cls.rc = stop(cls.proc)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def page(self, path, **kw):
        st, h, body = get(self.port, path, **kw)
        self.assertEqual(st, 200, path)
        return h, body

    # ---- year indexes ---------------------------------------------------
    def test_index_pre2022_markup(self):
        for y in (2019, 2020):
            _, body = self.page("/paper_files/paper/%d" % y)
            txt = body.decode()
            self.assertIn("<h4>Advances in Neural Information Processing Systems", txt)
            lis = re.findall(r'<li class="" data-track="none"><a title="paper title" '
                             r'href="(/paper_files/paper/%d/hash/[0-9a-f]{32}-Abstract\.html)">[^<]+</a> <i>[^<]*</i></li>' % y, txt)
            self.assertEqual(len(lis), len(self.t[y]))
            self.assertNotIn("paper-track-badge", txt)

    def test_index_2022_tracks(self):
        txt = self.page("/paper_files/paper/2022")[1].decode()
        self.assertEqual(set(re.findall(r'<li class="([a-z_]+)" data-track="\1">', txt)),
                         {"conference", "datasets_and_benchmarks"})
        self.assertIn("-Abstract-Datasets_and_Benchmarks.html", txt)
        self.assertIn("-Abstract-Conference.html", txt)

    def test_index_2024_current_template(self):
        txt = self.page("/paper_files/paper/2024")[1].decode()
        n = len(self.t[2024])
        self.assertIn('<span class="paper-count">%d papers</span>' % n, txt)
        self.assertEqual(set(re.findall(r'<li class="([a-z_]+)" data-track="\1">', txt)),
                         {"conference", "datasets_and_benchmarks_track"})
        self.assertEqual(txt.count('title="paper title"'), n)
        # every <li> after the first starts at column 0
        self.assertEqual(len(re.findall(r'\n<li class="', txt)), n - 1)
        self.assertEqual(len(re.findall(r'\n {20}<li class="(?:conference|datasets)', txt)), 1)
        self.assertIn('<h4 class="modal-title">Name Change Policy</h4>', txt)
        self.assertIn('<nav class="navbar navbar-expand-md bg-body-tertiary">\n    <div class="container-fluid">', txt)
        self.assertIn('<span class="paper-track-badge">Datasets and Benchmarks Track</span>', txt)
        self.assertIn('<span class="paper-authors">', txt)
        # sorted by hash, as on the real page
        hashes = re.findall(r"/hash/([0-9a-f]{32})-", txt)
        self.assertEqual(hashes, sorted(hashes))

    def test_index_2025_base_and_companion(self):
        base = self.page("/paper_files/paper/2025")[1].decode()
        self.assertIn('<p class="book-see-also">See also: <a href="/paper_files/paper/2025/vol38-main-conference">', base)
        self.assertEqual(set(re.findall(r'data-track="([a-z_]+)">\n', base)), {"creative_ai_track"})
        comp = self.page("/paper_files/paper/2025/vol38-main-conference")[1].decode()
        self.assertEqual(set(re.findall(r'<li class="([a-z_]+)" data-track="\1">', comp)),
                         {"conference", "datasets_and_benchmarks_track", "position_paper_track"})
        self.assertIn('See also: <a href="/paper_files/paper/2025">', comp)
        nb, nc = len(parse_index(base.encode())), len(parse_index(comp.encode()))
        self.assertEqual(nb + nc, len(self.t[2025]))
        self.assertIn('<span class="paper-count">%d papers</span>' % nc, comp)
        self.assertEqual(get(self.port, "/paper_files/paper/2024/vol38-main-conference")[0], 404)

    def test_unknown_year_404(self):
        self.assertEqual(get(self.port, "/paper_files/paper/2021")[0], 404)  # not in --years
        self.assertEqual(get(self.port, "/paper_files/paper/2018")[0], 404)

    # ---- truth agrees with the pages ------------------------------------
    def test_truth_matches_indexes(self):
        for y in self.YEARS:
            entries = parse_index(self.page("/paper_files/paper/%d" % y)[1])
            if y == 2025:
                entries += parse_index(self.page("/paper_files/paper/2025/vol38-main-conference")[1])
            truth = {t["id"]: t for t in self.t[y]}
            ids = [re.search(r"/hash/([0-9a-f]{32})-", e["href"]).group(1) for e in entries]
            self.assertEqual(sorted(ids), sorted(truth), y)
            for e, i in zip(entries, ids):
                t = truth[i]
                self.assertEqual(e["title"], t["title"])
                self.assertEqual(e["track"], t["track"])
                self.assertEqual(urlsplit(t["abstract_url"]).path, e["href"])
                names = [a.get("name_as_shown", a["name"]) for a in t["authors"]]
                self.assertEqual(e["authors"], ", ".join(names))

    def test_truth_ids_are_md5_of_numbers_and_countries_valid(self):
        for y in self.YEARS:
            for t in self.t[y]:
                self.assertRegex(t["id"], r"^[0-9a-f]{32}$")
                for a in t["authors"]:
                    if not a["institution"]:
                        self.assertEqual(a["countries"], [])
                    else:
                        self.assertTrue(a["countries"])
                        for c in a["countries"]:
                            self.assertRegex(c, r"^[A-Z]{2}$")

    def test_ambiguous_flag(self):
        amb = {a["institution"] for y in self.YEARS for t in self.t[y] for a in t["authors"] if a["ambiguous"]}
        self.assertEqual(amb, {"Northeastern University"})
        for y in self.YEARS:
            for t in self.t[y]:
                for a in t["authors"]:
                    if a["ambiguous"]:
                        self.assertEqual(a["candidate_countries"], ["CN", "US"])
                    else:
                        self.assertNotIn("candidate_countries", a)
        for y in self.YEARS:
            summ = load_json(os.path.join(self.truth, "truth-%d.summary.json" % y))
            self.assertEqual(summ["papers_with_ambiguous_institution"],
                             sum(any(a["ambiguous"] for a in t["authors"]) for t in self.t[y]))

    def test_same_name_different_affiliations(self):
        seen = {}
        for t in self.t[2019] + self.t[2020]:
            for a in t["authors"]:
                seen.setdefault(a["name"], set()).add(a["institution"])
        self.assertTrue(any(len(v) > 1 for v in seen.values()))

    def test_double_escaped_name(self):
        txt = self.page("/paper_files/paper/2024")[1].decode()
        self.assertIn("Chenyue &amp;quot;xdd44&amp;quot; Dai", txt)

    # ---- abstract pages ---------------------------------------------------
    def check_abstract(self, t):
        path = urlsplit(t["abstract_url"]).path
        txt = self.page(path)[1].decode()
        y = t["year"]
        self.assertIn('<meta name="citation_title" content="%s">' % html.escape(t["title"]), txt)
        authors = [html.unescape(a) for a in re.findall(r'<meta name="citation_author" content="([^"]*)">', txt)]
        self.assertEqual(authors, [a.get("name_as_shown", a["name"]) for a in t["authors"]])
        self.assertIn('<meta name="citation_pdf_url" content="%s">' % t["pdf_url"], txt)
        self.assertIn('<h1 class="paper-title">', txt)
        self.assertIn('<p class="paper-authors">', txt)
        m = re.search(r'<p class="paper-abstract">(.*?)</section>', txt, re.S)
        self.assertIsNotNone(m)
        self.assertNotIn("</p>", m.group(1))  # never closed
        for mention in t["mentions"]:
            key = {"Transformer": "ransformer", "Llama 2": "la", "diffusion models": "diffusion models"}.get(mention, mention)
            self.assertIn(key.lower(), m.group(1).lower())
        if y >= 2022:
            self.assertIn('<span class="paper-track">', txt)
            self.assertEqual(txt.count("class='btn btn-primary btn-spacer'"), 1)
            self.assertEqual(txt.count("btn-primary"), 1)
            self.assertIn("href='%s'>Paper</a>" % urlsplit(t["pdf_url"]).path, txt)
        else:
            self.assertNotIn('<span class="paper-track">', txt)
            self.assertNotIn("btn-primary", txt)
            for label in ("Bibtex", "Metadata", "Paper", "Reviews"):
                self.assertRegex(txt, r"<a class='btn btn-light btn-spacer' href='[^']+'>%s</a>" % label)
        if y >= 2024:
            self.assertRegex(txt, r'<meta name="citation_doi" content="10\.52202/[0-9-]+">')
        else:
            self.assertNotIn("citation_doi", txt)

    def test_abstract_pages_sample(self):
        for y in self.YEARS:
            for t in self.t[y][::37]:
                self.check_abstract(t)

    def test_abstract_quirks_exist(self):
        # bare '<' and raw entities appear in some abstracts; mentions and the
        # electrical 'transformer' are both present somewhere
        found = {"lt": False, "ent": False, "elec": False}
        for t in self.t[2024]:
            if found["lt"] and found["ent"] and found["elec"]:
                break
            txt = self.page(urlsplit(t["abstract_url"]).path)[1].decode()
            ab = re.search(r'<p class="paper-abstract">(.*?)</section>', txt, re.S).group(1)
            found["lt"] |= bool(re.search(r"< ?[0-9a-z]", ab))
            found["ent"] |= "&amp;" in ab or "&quot;" in ab
            if "transformer" in ab and "Transformer" not in t["mentions"]:
                found["elec"] = True
        self.assertEqual(found, {"lt": True, "ent": True, "elec": True})

    def test_wrong_track_suffix_404(self):
        t = self.t[2024][0]
        path = urlsplit(t["abstract_url"]).path.replace("-Abstract-", "-Abstract-X")
        self.assertEqual(get(self.port, path)[0], 404)

    def test_paper_pdfs(self):
        """Each paper's pdf_url path serves a PDF, the same bytes every time, not gzipped,
        whose author block shows every author; the truth has its mention counts."""
        t = self.t[2024][0]
        path = urlsplit(t["pdf_url"]).path
        h, body = self.page(path, headers={"Accept-Encoding": "gzip"})
        self.assertEqual(h.get("content-type"), "application/pdf")
        self.assertIsNone(h.get("content-encoding"))
        self.assertTrue(body.startswith(b"%PDF-1.4\n") and body.rstrip().endswith(b"%%EOF"))
        self.assertEqual(self.page(path)[1], body)
        self.assertIn(b"/FlateDecode", body)
        self.assertIn(b"/Differences [1 /fi /fl]", body)
        for y in (2024, 2019):
            for t in self.t[y][:5]:
                self.assertIsInstance(t["fulltext_mentions"], dict)
                self.assertIsInstance(t["references_mentions"], dict)
        # Some paper names models in its body and in its references.
        self.assertTrue(any(t["fulltext_mentions"] for t in self.t[2024]))
        self.assertTrue(any(t["references_mentions"] for t in self.t[2024]))
        # Only authors with no other source are decided by the PDF.
        for y in self.YEARS:
            for t in self.t[y]:
                for a in t["authors"]:
                    if "pdf_affiliation" in a:
                        self.assertFalse(a["institution"])
        self.assertEqual(get(self.port, path.replace("-Paper-", "-Paper-X"))[0], 404)

    def test_metadata_json_pre2022(self):
        blank = 0
        for t in self.t[2020]:
            path = urlsplit(t["abstract_url"]).path.replace("/hash/", "/file/").replace("-Abstract.html", "-Metadata.json")
            d = json.loads(self.page(path)[1])
            real = [a for a in d["authors"] if a["given_name"] or a["family_name"]]
            blank += len(d["authors"]) - len(real)
            self.assertEqual([html.unescape(a["given_name"] + " " + a["family_name"]).strip() for a in real],
                             [a["name"] for a in t["authors"]])
            self.assertEqual([a["institution"] for a in real], [a["institution"] for a in t["authors"]])
            self.assertEqual(d["title"], t["title"])
        self.assertGreater(blank, 0)
        t = self.t[2024][0]
        self.assertEqual(get(self.port, urlsplit(t["abstract_url"]).path.replace("/hash/", "/file/")
                             .replace("-Abstract-Conference.html", "-Metadata.json"))[0], 404)

    def test_old_url_redirects(self):
        t = self.t[2020][0]
        path = urlsplit(t["abstract_url"]).path
        old = path.replace("/paper_files/paper/", "/paper/")
        st, h, _ = get(self.port, old)
        self.assertEqual(st, 301)
        self.assertEqual(h["location"], path)

    # ---- feed ---------------------------------------------------------------
    def test_feed(self):
        for y in (2020, 2024, 2025):
            d = json.loads(self.page("/static/virtual/data/neurips-%d-orals-posters.json" % y)[1])
            self.assertEqual(set(d), {"count", "next", "previous", "results"})
            self.assertEqual(d["count"], len(d["results"]))
            self.assertEqual(len({r["id"] for r in d["results"]}), d["count"])  # event ids unique
            self.assertIsNone(d["next"])
            uids = {}
            for r in d["results"]:
                uids.setdefault(r["uid"], []).append(r["eventtype"])
                for k in ("id", "uid", "name", "authors", "abstract", "decision", "eventtype",
                          "virtualsite_url", "paper_url", "sourceid", "starttime"):
                    self.assertIn(k, r)
            self.assertTrue(any(sorted(v) == ["Oral", "Poster"] for v in uids.values()))
            insts = [a["institution"] for r in d["results"] for a in r["authors"]]
            self.assertIn("", insts)
            self.assertTrue(any(i and "&amp;" in i for i in insts))
            self.assertFalse(any(i and re.search(r"&(?!amp;|#x27;|quot;|lt;|gt;)", i) for i in insts))
            self.assertFalse(any(i and "'" in i for i in insts))
            truth = self.t[y]
            summ = load_json(os.path.join(self.truth, "truth-%d.summary.json" % y))
            self.assertEqual(summ["feed_records"], d["count"])
            if y <= 2024:
                by_path = {}
                for r in d["results"]:
                    u = urlsplit(r["paper_url"])
                    if u.netloc == "proceedings.neurips.cc":
                        by_path[u.path] = r
                self.assertTrue(all(r["paper_url"].startswith("https://") for r in by_path.values()))
                matched = 0
                for t in truth:
                    r = by_path.get(urlsplit(t["abstract_url"]).path)
                    self.assertEqual(r is not None, t["in_feed"])
                    if r is None:
                        continue
                    matched += 1
                    self.assertEqual(r["uid"], t["feed_uid"])
                    self.assertEqual([a["fullname"] for a in r["authors"]], [a["name"] for a in t["authors"]])
                    if y >= 2022:
                        self.assertEqual([None if a["institution"] is None else html.unescape(a["institution"])
                                          for a in r["authors"]], [a["institution"] for a in t["authors"]])
                no_paper = len({r["uid"] for r in d["results"]} - {t["feed_uid"] for t in truth})
                self.assertEqual(no_paper, summ["feed_records_without_paper"])
                self.assertGreater(no_paper, 0)
                self.assertGreater(summ["papers_not_in_feed"], 0)
            else:
                self.assertTrue(all(r["paper_url"].startswith("https://openreview.net/forum?id=")
                                    for r in d["results"]))
                by_title = {r["name"]: r for r in d["results"]}
                for t in truth:
                    self.assertEqual(t["title"] in by_title, t["in_feed"])
        self.assertEqual(get(self.port, "/static/virtual/data/neurips-2019-orals-posters.json")[0], 404)

    # ---- HTTP ---------------------------------------------------------------
    def test_conditional_get(self):
        path = "/paper_files/paper/2024"
        h, body = self.page(path)
        self.assertIn("etag", h)
        self.assertIn("last-modified", h)
        self.assertEqual(int(h["content-length"]), len(body))
        st, h2, b2 = get(self.port, path, {"If-None-Match": h["etag"]})
        self.assertEqual((st, b2), (304, b""))
        self.assertEqual(h2["etag"], h["etag"])
        st, _, b3 = get(self.port, path, {"If-Modified-Since": h["last-modified"]})
        self.assertEqual((st, b3), (304, b""))
        st, _, b4 = get(self.port, path, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
        self.assertEqual((st, b4), (200, body))
        st, _, _ = get(self.port, path, {"If-None-Match": '"nope"'})
        self.assertEqual(st, 200)
        fh, _ = self.page("/static/virtual/data/neurips-2024-orals-posters.json")
        self.assertEqual(get(self.port, "/static/virtual/data/neurips-2024-orals-posters.json",
                             {"If-None-Match": fh["etag"]})[0], 304)

    def test_gzip_and_head(self):
        path = "/paper_files/paper/2022"
        _, plain = self.page(path)
        h, gz = self.page(path, headers={"Accept-Encoding": "gzip, deflate"})
        self.assertEqual(h.get("content-encoding"), "gzip")
        self.assertEqual(int(h["content-length"]), len(gz))
        self.assertEqual(gzip.decompress(gz), plain)
        self.assertLess(len(gz), len(plain))
        h, b = self.page(path, headers={"Accept-Encoding": "gzip;q=0, identity"})
        self.assertNotIn("content-encoding", h)
        self.assertEqual(b, plain)
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        st, h, b = get(self.port, path, method="HEAD", conn=c)
        self.assertEqual((st, b), (200, b""))
        self.assertEqual(int(h["content-length"]), len(plain))
        # keep-alive: the same connection serves another request
        st, _, b = get(self.port, "/robots.txt", conn=c)
        self.assertEqual(st, 200)
        self.assertEqual(b, b"User-agent: *\nAllow: /\n")
        c.close()

    def test_request_log(self):
        get(self.port, "/robots.txt", {"User-Agent": "nipscope-test/1", "Accept-Encoding": "gzip"})
        recs = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with open(self.log) as f:
                recs = [json.loads(line) for line in f]
            if any(r["user_agent"] == "nipscope-test/1" for r in recs):
                break
            time.sleep(0.05)
        r = [r for r in recs if r["user_agent"] == "nipscope-test/1"][-1]
        self.assertEqual((r["method"], r["path"], r["status"], r["accept_encoding"]),
                         ("GET", "/robots.txt", 200, "gzip"))
        self.assertIsInstance(r["t"], float)
        self.assertLessEqual(r["t"], time.monotonic())
        for k in ("if_none_match", "if_modified_since"):
            self.assertIn(k, r)

    def test_fixed_fault_paths(self):
        st, h, _ = get(self.port, "/__fault/redirect-loop")
        self.assertEqual(st, 302)
        st2, h2, _ = get(self.port, h["location"])
        self.assertEqual((st2, h2["location"]), (302, "/__fault/redirect-loop"))
        st, h, _ = get(self.port, "/__fault/redirect-foreign")
        self.assertEqual((st, h["location"]), (302, "http://example.com/x"))
        st, h, b = get(self.port, "/__fault/status/418?retry_after=7")
        self.assertEqual((st, h.get("retry-after")), (418, "7"))
        st, h, b = get(self.port, "/__fault/status/503")
        self.assertEqual(st, 503)
        self.assertNotIn("retry-after", h)
        b = self.page("/__fault/invalid-utf8")[1]
        self.assertRaises(UnicodeDecodeError, b.decode, "utf-8")
        self.assertIn(b"\x00", self.page("/__fault/nul-bytes")[1])
        b = self.page("/__fault/deep-nesting")[1]
        self.assertEqual(b.count(b"<div>"), 100000)
        self.assertIn(b"<!ENTITY lol9", self.page("/__fault/entity-bomb")[1])
        self.assertIn(b"<!-- comment never closed", self.page("/__fault/malformed")[1])
        # huge: 200 MiB announced, streamed; read 1 MiB and hang up
        st, h, b = get(self.port, "/__fault/huge", method="HEAD")
        self.assertEqual((st, int(h["content-length"]), b), (200, 200 * 1024 * 1024, b""))
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request("GET", "/__fault/huge")
        r = c.getresponse()
        self.assertEqual(len(r.read(1 << 20)), 1 << 20)
        c.close()
        self.assertEqual(get(self.port, "/paper_files/paper/2024")[0], 200)  # still serving


class FaultTest(unittest.TestCase):
    def run_mock(self, args, log=False):
        tmp = tempfile.mkdtemp(prefix="mocksite-test-")
        self.addCleanup(shutil.rmtree, tmp, True)
        extra = ["--log", os.path.join(tmp, "req.log")] if log else []
        proc, port, tmp = start(["--years", "2024"] + SMALL + args + extra, tmp)
        self.addCleanup(stop, proc)
        return proc, port, tmp

    def outcomes(self, port, paths):
        out = []
        for p in paths:
            data, err = raw_exchange(port, p)
            head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
            m = re.match(r"HTTP/1\.1 (\d{3})", head)
            if not m:
                out.append(("reset", None))
                continue
            st = int(m.group(1))
            cl = re.search(r"(?i)content-length: (\d+)", head)
            body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
            short = cl is not None and len(body) < int(cl.group(1))
            ra = re.search(r"(?i)retry-after: (\S+)", head)
            out.append((st, "short" if short else (ra.group(1) if ra else None)))
        return out

    def test_random_faults_deterministic_and_retryable(self):
        spec = "status503=0.2,status429=0.2,reset=0.15,truncate=0.15"
        _, p1, t1 = self.run_mock(["--fault", spec, "--seed", "5"], log=True)
        paths = ["/paper_files/paper/2024?x=%d" % i for i in range(40)]
        a = self.outcomes(p1, paths)
        recs = [json.loads(line) for line in slurp(os.path.join(t1, "req.log"), "r").splitlines()]
        self.assertEqual([r["path"] for r in recs], paths)
        faults = {(r["fault"], r["status"]) for r in recs}
        self.assertIn(("reset", None), faults)  # closed before any byte
        self.assertTrue(any(f == "reset" and st == 200 for f, st in faults))  # closed mid-response
        self.assertTrue(any(f == "truncate" and st == 200 for f, st in faults))
        kinds = {o[0] if o[1] != "short" else "short" for o in a}
        self.assertTrue({503, 429, "reset", "short", 200} <= kinds, a)
        for st, extra in a:
            if st in (503, 429):
                self.assertEqual(extra, "1")  # Retry-After: 1
        # same seed, new server: the same outcome per (path, attempt)
        _, p2, _ = self.run_mock(["--fault", spec, "--seed", "5"])
        self.assertEqual(self.outcomes(p2, paths), a)
        # a retry can succeed: every path eventually answers 200 in <= 30 attempts
        for p in paths[:10]:
            for _ in range(30):
                if self.outcomes(p1, [p])[0] == (200, None):
                    break
            else:
                self.fail("no success for %s" % p)
        # robots.txt is never faulted unless asked
        self.assertEqual(self.outcomes(p1, ["/robots.txt"] * 30), [(200, None)] * 30)

    def test_fault_robots(self):
        _, port, _ = self.run_mock(["--fault", "status503=1.0", "--fault-robots"])
        self.assertEqual(get(port, "/robots.txt")[0], 503)

    def test_slow_and_delay(self):
        _, port, _ = self.run_mock(["--fault", "slow=1.0", "--slow-ms", "300"])
        t0 = time.monotonic()
        self.assertEqual(get(port, "/paper_files/paper/2024")[0], 200)
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)
        _, port, _ = self.run_mock(["--delay-ms", "200"])
        t0 = time.monotonic()
        self.assertEqual(get(port, "/robots.txt")[0], 200)
        self.assertGreaterEqual(time.monotonic() - t0, 0.2)

    def test_mode_5xx(self):
        _, port, _ = self.run_mock(["--mode", "5xx"])
        for p in ("/paper_files/paper/2024", "/robots.txt", "/static/virtual/data/neurips-2024-orals-posters.json"):
            st, h, _ = get(port, p)
            self.assertEqual((st, h.get("retry-after")), (503, "1"))

    def test_hostile_pages(self):
        tdir = tempfile.mkdtemp(prefix="mocksite-test-")
        self.addCleanup(shutil.rmtree, tdir, True)
        _, port, _ = self.run_mock(["--hostile-pages", "3", "--truth-dir", tdir])
        rows = [l.split("\t") for l in slurp(os.path.join(tdir, "hostile-2024.tsv"), "r").split("\n") if l]
        truth = [json.loads(l) for l in slurp(os.path.join(tdir, "truth-2024.jsonl"), "r").splitlines()]
        ids = [t["id"] for t in truth]
        by_id = {t["id"]: t for t in truth}
        # every 3rd paper in the year's order (the truth's, sorted by id, is another order)
        self.assertEqual(len(rows), len(ms.Site([2024], 1, SMALL_N).papers[2024]) // 3)
        self.assertEqual([k for _, k in rows][:7], list(ms.HOSTILE_KINDS))
        for pid, kind in rows[:7]:
            st, _, b = get(port, urlsplit(by_id[pid]["abstract_url"]).path)
            self.assertEqual(st, 200)
            self.assertIn(by_id[pid]["title"].encode()[:20], b)  # still that paper's page
            if kind == "over-cap":
                self.assertGreater(len(b), 16 << 20)
            if kind == "nul-bytes":
                self.assertIn(b"\x00", b)
        plain = [i for i in ids if i not in dict(rows)][0]
        b = get(port, urlsplit(by_id[plain]["abstract_url"]).path)[2]
        self.assertNotIn(b"class='junk'", b)

    def test_feed_faults(self):
        feed = "/static/virtual/data/neurips-2024-orals-posters.json"
        _, port, _ = self.run_mock([])
        good = json.loads(get(port, feed)[2])
        _, port, _ = self.run_mock(["--feed-fault", "badtype"])
        self.assertIsInstance(json.loads(get(port, feed)[2])["results"][2]["authors"], dict)
        _, port, _ = self.run_mock(["--feed-fault", "missing"])
        self.assertNotIn("uid", json.loads(get(port, feed)[2])["results"][2])
        _, port, _ = self.run_mock(["--feed-fault", "duplicate-uids"])
        dup = json.loads(get(port, feed)[2])["results"]
        self.assertEqual(dup[0], good["results"][0])  # the real record comes first
        self.assertEqual((dup[1]["uid"], dup[1]["authors"][0]["institution"]),
                         (good["results"][0]["uid"], "Decoy Institute"))
        self.assertEqual(dup[1]["authors"][0]["fullname"], good["results"][0]["authors"][0]["fullname"])
        self.assertEqual(dup[2]["paper_url"], good["results"][0]["paper_url"])
        self.assertNotEqual(dup[2]["uid"], good["results"][0]["uid"])
        for kind, length in (("huge", True), ("huge-chunked", False)):
            _, port, _ = self.run_mock(["--feed-fault", kind])
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", feed)
            r = c.getresponse()
            self.assertEqual(r.getheader("content-length"), str(1 << 30) if length else None)
            self.assertTrue(r.read(1 << 20).startswith(b'{"count": 0,'))
            c.close()
            self.assertEqual(get(port, "/paper_files/paper/2024")[0], 200)  # still serving

    def test_mode_changed_template(self):
        _, port, _ = self.run_mock(["--mode", "changed-template"])
        st, _, b = get(port, "/paper_files/paper/2024")
        self.assertEqual(st, 200)
        self.assertEqual(parse_index(b), [])
        self.assertNotIn(b"<li", b)
        self.assertNotIn(b"paper-list", b)
        self.assertIn(b"-Abstract-Conference.html", b)  # the papers are still there, in new markup

    def test_robots_options(self):
        _, port, _ = self.run_mock(["--robots-disallow", "/paper_files/paper/2019", "--robots-disallow", "/static/",
                                    "--robots-crawl-delay", "2"])
        st, _, b = get(port, "/robots.txt")
        self.assertEqual(b, b"User-agent: *\nDisallow: /paper_files/paper/2019\nDisallow: /static/\nCrawl-delay: 2\n")
        for code in ("404", "503"):
            _, port, _ = self.run_mock(["--robots-status", code])
            self.assertEqual(get(port, "/robots.txt")[0], int(code))
            self.assertEqual(get(port, "/paper_files/paper/2024")[0], 200)


class DatasetsHostTest(unittest.TestCase):
    """The 2021 Datasets and Benchmarks host on its second port."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mocksite-test-")
        cls.proc, cls.port, _ = start(["--years", "2021", "--papers", "300", "--truth-dir", cls.tmp,
                                       "--datasets-port-file", os.path.join(cls.tmp, "dsport")],
                                      cls.tmp)
        cls.dport = int(slurp(os.path.join(cls.tmp, "dsport")).decode())
        cls.truth = [json.loads(l) for l in slurp(os.path.join(cls.tmp, "truth-2021.jsonl")).decode().splitlines()]
        cls.dnb = [t for t in cls.truth if urlsplit(t["abstract_url"]).hostname ==
                   "datasets-benchmarks-proceedings.neurips.cc"]

    @classmethod
    def tearDownClass(cls):
        stop(cls.proc)
        shutil.rmtree(cls.tmp, True)

    def test_truth_has_dnb_papers_in_the_real_share(self):
        # 174 of 2,508 papers at full scale (SOURCES.md 1.1): 21 of 300
        self.assertEqual(len(self.dnb), round(300 * 174 / 2508))
        self.assertEqual({t["track"] for t in self.dnb}, {"datasets_and_benchmarks"})
        self.assertEqual(self.dport != self.port, True)

    def test_index_lists_exactly_the_dnb_papers(self):
        st, _, body = get(self.dport, "/paper/2021")
        self.assertEqual(st, 200)
        page = body.decode()
        self.assertNotIn("paper-list", page)  # the older template, not the current era's list
        items = re.findall(r'<li class="(round[12])"><a title="paper title" href="([^"]+)">', page)
        self.assertEqual(sorted(h for _, h in items), sorted(urlsplit(t["abstract_url"]).path for t in self.dnb))
        self.assertTrue(all(h.endswith("-Abstract-%s.html" % r) for r, h in items))
        main = get(self.port, "/paper_files/paper/2021")[2].decode()
        self.assertFalse(any(urlsplit(t["abstract_url"]).path.split("/")[-1] in main for t in self.dnb))

    def test_abstract_pages_only_on_their_host(self):
        t = self.dnb[0]
        path = urlsplit(t["abstract_url"]).path
        st, _, body = get(self.dport, path)
        self.assertEqual(st, 200)
        self.assertIn("<h4>Abstract</h4>", body.decode())
        self.assertNotIn("Metadata", body.decode())
        # the proceedings port redirects the old /paper/ form, to a 404
        self.assertEqual(get(self.port, path)[0], 301)
        self.assertEqual(get(self.port, "/paper_files" + path)[0], 404)
        self.assertEqual(get(self.dport, "/paper_files/paper/2021")[0], 404)
        self.assertEqual(get(self.dport, "/robots.txt")[0], 200)

    def test_feed_lists_dnb_papers_with_openreview_urls(self):
        feed = json.loads(get(self.port, "/static/virtual/data/neurips-2021-orals-posters.json")[2])
        by_uid = {r["uid"]: r for r in feed["results"]}
        inf = [t for t in self.dnb if t["in_feed"]]
        self.assertTrue(inf)
        for t in inf:
            self.assertTrue(by_uid[t["feed_uid"]]["paper_url"].startswith("https://openreview.net/forum?id="))


class DumpTest(unittest.TestCase):
    def test_dump_dir_has_every_page(self):
        tmp = tempfile.mkdtemp(prefix="mocksite-test-")
        self.addCleanup(shutil.rmtree, tmp, True)
        d = os.path.join(tmp, "site")
        r = subprocess.run([sys.executable, MOCK, "--years", "2021,2024", "--papers", "20", "--dump-dir", d,
                            "--truth-dir", tmp], timeout=60)
        self.assertEqual(r.returncode, 0)
        for y in (2021, 2024):
            truth = [json.loads(l) for l in slurp(os.path.join(tmp, "truth-%d.jsonl" % y)).decode().splitlines()]
            self.assertIn(b"<li", slurp(os.path.join(d, "paper_files/paper/%d/index.html" % y)))
            for t in truth:
                p = urlsplit(t["abstract_url"])
                exists = os.path.exists(os.path.join(d, p.path.lstrip("/")))
                # the D&B host is not dumped
                self.assertEqual(exists, p.hostname == "proceedings.neurips.cc", p.path)
            self.assertTrue(os.path.exists(os.path.join(d, "static/virtual/data/neurips-%d-orals-posters.json" % y)))
        self.assertTrue(os.path.exists(os.path.join(d, "robots.txt")))


class ProcessTest(unittest.TestCase):
    def test_refuses_other_hosts(self):
        tmp = tempfile.mkdtemp(prefix="mocksite-test-")
        self.addCleanup(shutil.rmtree, tmp, True)
        for host in ("0.0.0.0", "::", "localhost"):
            pf = os.path.join(tmp, "port")
            r = subprocess.run([sys.executable, MOCK, "--host", host, "--port", "0", "--port-file", pf,
                                "--years", "2024"] + SMALL, capture_output=True, timeout=30)
            self.assertEqual(r.returncode, 2, host)
            self.assertIn(b"refusing", r.stderr)
            self.assertFalse(os.path.exists(pf))

    def test_binds_loopback_and_exits_0_on_signals(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            proc, port, tmp = start(["--years", "2024"] + SMALL)
            self.addCleanup(shutil.rmtree, tmp, True)
            # the listening socket is on 127.0.0.1
            out = slurp("/proc/net/tcp", "r")
            self.assertIn(":%04X" % port, out)
            local = [ln.split()[1] for ln in out.splitlines()[1:] if ln.split()[1].endswith(":%04X" % port)]
            self.assertTrue(local and all(x.startswith("0100007F:") for x in local), local)
            proc.send_signal(sig)
            self.assertEqual(proc.wait(timeout=10), 0)
            proc.stderr.close()

    def test_generate_only_deterministic(self):
        outs = []
        for seed in ("3", "3", "4"):
            tmp = tempfile.mkdtemp(prefix="mocksite-test-")
            self.addCleanup(shutil.rmtree, tmp, True)
            r = subprocess.run([sys.executable, MOCK, "--generate-only", "--truth-dir", tmp, "--years",
                                "2021,2023", "--seed", seed, "--papers", "150"], timeout=60)
            self.assertEqual(r.returncode, 0)
            outs.append({f: slurp(os.path.join(tmp, f)) for f in sorted(os.listdir(tmp))})
        self.assertEqual(sorted(outs[0]), ["truth-2021.jsonl", "truth-2021.summary.json",
                                           "truth-2023.jsonl", "truth-2023.summary.json"])
        self.assertEqual(outs[0], outs[1])
        self.assertNotEqual(outs[0], outs[2])
        lines = outs[0]["truth-2023.jsonl"].decode().splitlines()
        self.assertEqual(len(lines), 150)
        summ = json.loads(outs[0]["truth-2023.summary.json"])
        self.assertEqual(summ["papers"], 150)
        self.assertLessEqual(summ["us_cn"], summ["us_cn_hk_mo"])
        self.assertLessEqual(summ["us_cn_hk_mo"], summ["us_cn_hk_mo_tw"])
        recount = 0
        for line in lines:
            cs = set(c for a in json.loads(line)["authors"] for c in a["countries"])
            recount += "US" in cs and "CN" in cs
        self.assertEqual(recount, summ["us_cn"])

    def test_full_scale_sizes(self):
        tmp = tempfile.mkdtemp(prefix="mocksite-test-")
        self.addCleanup(shutil.rmtree, tmp, True)
        r = subprocess.run([sys.executable, MOCK, "--generate-only", "--truth-dir", tmp, "--years", "2024,2025"],
                           timeout=60)
        self.assertEqual(r.returncode, 0)
        s24 = load_json(os.path.join(tmp, "truth-2024.summary.json"))
        s25 = load_json(os.path.join(tmp, "truth-2025.summary.json"))
        self.assertEqual(s24["papers_by_track"], {"conference": 4034, "datasets_and_benchmarks_track": 459})
        self.assertEqual(s25["papers"], 5887)
        self.assertEqual(s25["papers_by_track"]["creative_ai_track"], 64)


if __name__ == "__main__":
    unittest.main()
