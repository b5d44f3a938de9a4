#!/usr/bin/env python3
"""Mock of proceedings.neurips.cc and the neurips.cc virtual-site JSON, on one
127.0.0.1 port, for every year 2019-2025.  See docs/mock-site.md.

    python3 tests/mock/mocksite.py --port 0 --port-file F [--years 2019,2024] [options]
    python3 tests/mock/mocksite.py --generate-only --truth-dir DIR [--years ...]

Standard library only.  Pages are generated deterministically from
(year, seed), rendered on first use and cached.
"""

import argparse
import calendar
import email.utils
import gzip
import hashlib
import html
import json
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mockdata as md  # noqa: E402
import mockpdf  # noqa: E402

CANON = "https://proceedings.neurips.cc"
# The 2021 Datasets and Benchmarks host (SOURCES.md §1.1), served on a second
# port (--datasets-port-file) with the real site's paths.
DNB_CANON = "https://datasets-benchmarks-proceedings.neurips.cc"
VOLUME = {2019: 32, 2020: 33, 2021: 34, 2022: 35, 2023: 36, 2024: 37, 2025: 38}
EDITORS = {
    2019: "H. Wallach and H. Larochelle and A. Beygelzimer and F. d\'Alch\u00e9-Buc and E. Fox and R. Garnett",
    2020: "H. Larochelle and M. Ranzato and R. Hadsell and M.F. Balcan and H. Lin",
    2021: "M. Ranzato and A. Beygelzimer and Y. Dauphin and P.S. Liang and J. Wortman Vaughan",
    2022: "S. Koyejo and S. Mohamed and A. Agarwal and D. Belgrave and K. Cho and A. Oh",
    2023: "A. Oh and T. Naumann and A. Globerson and K. Saenko and M. Hardt and S. Levine",
    2024: "A. Globerson and L. Mackey and D. Belgrave and A. Fan and U. Paquet and J. Tomczak and C. Zhang",
    2025: "D. Belgrave and C. Zhang and H. Lin and R. Pascanu and P. Koniusz and M. Ghassemi and N. Chen",
}
EDITORS_CREATIVE_2025 = "D. Belgrave and C. Zhang and M. Coelho and L. Elliott and Y. Tian and P. Prakash"
PUBDATE = {2024: "2024-12-16", 2025: "2025-12-02"}
CITY = {2019: ("Vancouver", "-08:00"), 2020: ("Virtual", "-08:00"), 2021: ("Virtual", "-08:00"),
        2022: ("New Orleans", "-06:00"), 2023: ("New Orleans", "-06:00"),
        2024: ("Vancouver", "-08:00"), 2025: ("San Diego", "-08:00")}
FEED_YEARS = range(2020, 2026)
COMPANION = "vol38-main-conference"
# Fixed Last-Modified values (deterministic): a year's pages date from the
# proceedings' publication, everything else from the OP-facts check day.
LASTMOD_OTHER = 1790467200  # 2026-09-27 00:00:00 UTC
HUGE_CHUNK = (b"<p>" + b"huge body " * 6550 + b"</p>\n")[:65536]


def esc(s, quote=False):
    return html.escape(s, quote=quote)


def lastmod_for_year(year):
    return calendar.timegm((year, 12, 16, 0, 0, 0, 0, 0, 0))


# --------------------------------------------------------------------------
# The site model
# --------------------------------------------------------------------------
class Site:
    def __init__(self, years, seed, papers=None, mode=None):
        self.seed, self.years, self.mode = seed, sorted(years), mode
        self.people = md.build_people(seed)
        self.papers, self.extra, self.by_sha = {}, {}, {}
        self.dnb = {}  # year -> the D&B host's papers (2021)
        for y in self.years:
            ps, ex = md.build_year(y, seed, self.people, papers)
            self.papers[y], self.extra[y] = ps, ex
            self.by_sha[y] = {p.sha: p for p in ps}
            self.dnb[y] = [p for p in ps if p.dnb_round]

    def index_of(self, p):
        """The position of paper p in its year (0-based), as --hostile-pages counts."""
        if not hasattr(self, "_index"):
            self._index = {(y, q.sha): i for y in self.years for i, q in enumerate(self.papers[y])}
        return self._index[(p.year, p.sha)]

    def write_hostile(self, d, every):
        """DIR/hostile-<Y>.tsv: "<paper id>\t<kind>" for each hostile abstract page."""
        for y in self.years:
            rows = ["%s\t%s\n" % (p.sha, hostile_kind(i, every)) for i, p in enumerate(self.papers[y])
                    if not p.dnb_round and hostile_kind(i, every)]
            atomic_write(os.path.join(d, "hostile-%d.tsv" % y), "".join(rows).encode())

    # ---- edits between crawls (--edit-file) --------------------------------
    def load_edits(self, path):
        """Apply the edit file if it changed since the last look: a JSON object
        {"titles": {"<year>/<paper id>": "new title"}, "abstracts": {...}}.  Every page
        that shows the field (index, abstract page, feed) changes with it, as
        on the real site.  Returns True when the site changed."""
        try:
            st = os.stat(path)
            key = (st.st_mtime_ns, st.st_size)
        except OSError:
            key = None
        if hasattr(self, "edit_gen") and key == self.edit_key:
            return False
        self.edit_key = key
        edits = {}
        if key is not None:
            with open(path, encoding="utf-8") as f:
                edits = json.load(f)
        if not hasattr(self, "orig"):
            self.orig = {}
        for y in self.years:
            for p in self.papers[y]:
                key = "%d/%s" % (y, p.sha)
                o = self.orig.setdefault(key, (p.title, p.abstract))
                p.title = edits.get("titles", {}).get(key, o[0])
                p.abstract = edits.get("abstracts", {}).get(key, o[1])
        self.edit_gen = getattr(self, "edit_gen", 0) + 1
        return True

    # ---- URLs --------------------------------------------------------------
    @staticmethod
    def suffix(p):
        if p.dnb_round:
            return "-" + p.dnb_round
        tok = md.TRACK_INFO[p.track][0]
        return "-" + tok if tok else ""

    # The D&B host has the 2020-2022 URL form, without "paper_files" (§1.1).
    @staticmethod
    def base_path(p):
        return "/paper/%d" % p.year if p.dnb_round else "/paper_files/paper/%d" % p.year

    @staticmethod
    def canon(p):
        return DNB_CANON if p.dnb_round else CANON

    def abstract_path(self, p):
        return "%s/hash/%s-Abstract%s.html" % (self.base_path(p), p.sha, self.suffix(p))

    def pdf_path(self, p):
        return "%s/file/%s-Paper%s.pdf" % (self.base_path(p), p.sha, self.suffix(p))

    def file_path(self, p, kind):
        return "%s/file/%s-%s" % (self.base_path(p), p.sha, kind)

    # ---- names -------------------------------------------------------------
    @staticmethod
    def shown_name(p, i):
        """The author name as the proceedings pages carry it, before HTML escaping."""
        a = p.authors[i]
        if p.double_escaped and i == 0:
            return esc(a["name"], True)  # stored escaped, escaped again on output
        return a["name"]

    def authors_text(self, p):
        return ", ".join(esc(self.shown_name(p, i)) for i in range(len(p.authors)))

    # ---- truth -------------------------------------------------------------
    def truth_author(self, p, a, i):
        if p.year <= 2021 and not p.dnb_round:  # D&B pages link no Metadata.json
            inst = a["institution"]
        elif not p.in_feed:
            inst = None
        else:
            inst = a["feed_institution"]
        countries, hq, amb, cand = [], [], False, []
        if inst:
            info = md.INSTITUTION_BY_NAME[inst]
            countries, hq, amb = list(info["countries"]), list(info["hq_only"]), info["ambiguous"]
            cand = list(info["candidates"])
        d = {"name": a["name"], "institution": inst, "countries": countries,
             "hq_only_countries": hq, "ambiguous": amb}
        if amb:
            d["candidate_countries"] = cand
        if p.double_escaped and i == 0:
            d["name_as_shown"] = self.shown_name(p, i)
        return d

    def truth(self, year):
        lines = []
        for p in self.papers[year]:
            lines.append({
                "id": p.sha, "year": year, "track": p.track, "title": p.title,
                "authors": [self.truth_author(p, a, i) for i, a in enumerate(p.authors)],
                "abstract_url": self.canon(p) + self.abstract_path(p),
                "pdf_url": self.canon(p) + self.pdf_path(p),
                "in_feed": bool(p.in_feed) if year in FEED_YEARS else False,
                "feed_uid": p.uid if (p.in_feed and year in FEED_YEARS) else None,
                "mentions": p.mentions})
            self.add_pdf_truth(p, lines[-1])
        return lines

    # ---- PDFs ----------------------------------------------------------------
    def pdf_missing(self, p):
        """Indexes of the authors no other source gives an affiliation."""
        return {i for i, a in enumerate(p.authors) if not self.truth_author(p, a, i)["institution"]}

    def pdf_plan(self, p):
        return md.pdf_plan(p, self.seed, self.pdf_missing(p))

    def pdf(self, p, bad_every=0):
        """The PDF of 'p'; with bad_every K, every K-th paper of the year
        (from the first) gets only the first half of its bytes."""
        data = mockpdf.render(self.pdf_plan(p)[0])
        if bad_every and self.papers[p.year].index(p) % bad_every == 0:
            data = data[:len(data) // 2]
        return data

    def add_pdf_truth(self, p, line):
        """What a crawl with --fulltext can know from the PDF (docs/mock-site.md)."""
        _, t = self.pdf_plan(p)
        line["fulltext_mentions"] = t["fulltext_mentions"]
        line["references_mentions"] = t["references_mentions"]
        for a, pa in zip(line["authors"], t["authors"]):
            if pa["pdf_affiliation"] or pa["pdf_email_domain"]:
                a["pdf_affiliation"] = pa["pdf_affiliation"]
                a["pdf_email_domain"] = pa["pdf_email_domain"]
                a["pdf_countries"] = pa["pdf_countries"]
                a["pdf_ambiguous"] = pa["pdf_ambiguous"]

    def summary(self, year, lines):
        china = {"cn": {"CN"}, "cn_hk_mo": {"CN", "HK", "MO"}, "cn_hk_mo_tw": {"CN", "HK", "MO", "TW"}}
        s = {"year": year, "seed": self.seed, "papers": len(lines), "papers_by_track": {},
             "us_cn": 0, "us_cn_hk_mo": 0, "us_cn_hk_mo_tw": 0,
             "strict": {"us_cn": 0, "us_cn_hk_mo": 0, "us_cn_hk_mo_tw": 0},
             "papers_with_unknown_institution": 0, "papers_with_ambiguous_institution": 0,
             "mentions": {}}
        for t in lines:
            s["papers_by_track"][t["track"]] = s["papers_by_track"].get(t["track"], 0) + 1
            allc, strictc = set(), set()
            for a in t["authors"]:
                allc.update(a["countries"])
                strictc.update(c for c in a["countries"] if c not in a["hq_only_countries"])
            if any(not a["countries"] for a in t["authors"]):
                s["papers_with_unknown_institution"] += 1
            if any(a["ambiguous"] for a in t["authors"]):
                s["papers_with_ambiguous_institution"] += 1
            for key, cs in china.items():
                name = "us_" + key
                if "US" in allc and allc & cs:
                    s[name] += 1
                if "US" in strictc and strictc & cs:
                    s["strict"][name] += 1
            for m in t["mentions"]:
                s["mentions"][m] = s["mentions"].get(m, 0) + 1
        if year in FEED_YEARS:
            feed = self.feed(year)
            s["feed_records"] = feed["count"]
            s["papers_not_in_feed"] = sum(1 for t in lines if not t["in_feed"])
            s["feed_records_without_paper"] = len(self.extra[year])
            s["feed_oral_duplicates"] = sum(1 for r in feed["results"] if r["eventtype"] == "Oral")
        else:
            s["feed_records"] = 0
            s["papers_not_in_feed"] = len(lines)
            s["feed_records_without_paper"] = 0
            s["feed_oral_duplicates"] = 0
        s["mentions"] = dict(sorted(s["mentions"].items()))
        return s

    def write_truth(self, d):
        os.makedirs(d, exist_ok=True)
        for y in self.years:
            lines = self.truth(y)
            body = "".join(json.dumps(t, ensure_ascii=False, sort_keys=True) + "\n" for t in lines)
            atomic_write(os.path.join(d, "truth-%d.jsonl" % y), body.encode())
            summ = json.dumps(self.summary(y, lines), indent=1, sort_keys=True) + "\n"
            atomic_write(os.path.join(d, "truth-%d.summary.json" % y), summ.encode())

    # ---- feed --------------------------------------------------------------
    def feed_record(self, p, oral=False):
        y = p.year
        city, tz = CITY[y]
        rng = random.Random("ev:%d:%s:%d" % (self.seed, p.uid, oral))
        day = 10 + rng.randrange(4)
        hour = rng.choice((10, 11, 16))
        kind = "oral" if oral else "poster"
        ev = p.oral_event_id if oral else p.event_id
        if y <= 2024 and p.number is not None and not p.dnb_round:
            paper_url = CANON + self.abstract_path(p)
        else:  # 2025, feed-only records, and the 2021 D&B papers (reviewed on OpenReview)
            paper_url = "https://openreview.net/forum?id=" + p.forum
        media = [{"id": ev * 3 + 1, "modified": "%d-09-18T17:35:12.146761-07:00" % y, "display_section": 1,
                  "type": "URL", "name": "OpenReview", "visible": True, "sortkey": 0,
                  "is_live_content": False, "uri": "https://openreview.net/forum?id=" + p.forum,
                  "resourcetype": "UriEventmedia"}]
        if y <= 2024 and p.number is not None and not p.dnb_round:
            media.append(dict(media[0], id=ev * 3 + 2, name="Paper", uri=paper_url, sortkey=1))
        authors = []
        for a in p.authors:
            inst = a["feed_institution"]
            authors.append({"id": a["person"].pid, "fullname": a["name"],
                            "url": "http://neurips.cc/api/miniconf/users/%d?format=json" % a["person"].pid,
                            "institution": None if inst is None else esc(inst, True)})
        topic = None if rng.random() < 0.05 else "General Machine Learning->" + rng.choice(md.T_TASK)
        return {
            "id": ev, "uid": p.uid, "name": p.title, "authors": authors, "abstract": p.abstract,
            "topic": topic if y >= 2023 else None,
            "keywords": [rng.choice(md.T_TECH)] if y in (2021, 2022) else [],
            "decision": p.decision, "eventtype": "Oral" if oral else "Poster",
            "event_type": "{location} Oral" if oral else "{location} Poster",
            "session": ("Oral Session %d" % (1 + rng.randrange(20))) if oral else
                       ("%s Poster Session %d" % (city, 1 + rng.randrange(6))),
            "room_name": "Exhibit Hall C,D,E", "virtualsite_url": "/virtual/%d/%s/%d" % (y, kind, ev),
            "url": None, "sourceid": p.number if p.number is not None else 90000 + ev % 1000,
            "sourceurl": "https://openreview.net/group?id=NeurIPS.cc/%d/Conference" % y,
            "starttime": "%d-12-%02dT%02d:30:00%s" % (y, day, hour, tz),
            "endtime": "%d-12-%02dT%02d:30:00%s" % (y, day, hour + 3, tz),
            "paper_url": paper_url, "paper_pdf_url": "",
            "poster_position": "" if oral else "#%d" % (1000 + rng.randrange(4000)),
            "eventmedia": media, "related_events": [], "related_events_ids": []}

    def feed(self, year):
        res = []
        for p in self.papers[year] + self.extra[year]:
            if not p.in_feed:
                continue
            res.append(self.feed_record(p))
            if p.oral:
                res.append(self.feed_record(p, oral=True))
        res.sort(key=lambda r: r["id"])
        return {"count": len(res), "next": None, "previous": None, "results": res}

    # ---- HTML --------------------------------------------------------------
    HEAD = ('<!doctype html>\n<html lang="en">\n<head>\n\n    <!-- Required meta tags -->\n'
            '    <meta charset="utf-8">\n'
            '    <meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">\n'
            '    <title>%s</title>\n'
            '    <link href="https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/css/bootstrap.min.css" rel="stylesheet">\n'
            '    <link rel="stylesheet" href="/static/papers/css/papers.css">\n%s'
            '    <style>\n        .btn-spacer { margin: 2px; }\n    </style>\n</head>\n\n')
    NAV = ('<body class="modern-theme">\n\n<nav class="navbar navbar-expand-md bg-body-tertiary">\n'
           '    <div class="container-fluid">\n'
           '        <a class="navbar-brand" href="/">NeurIPS Proceedings</a>\n'
           '        <div class="collapse navbar-collapse" id="navbarSupportedContent">\n'
           '            <ul class="navbar-nav me-auto mb-2 mb-lg-0">\n'
           '            <li class="nav-item">\n                <a class="nav-link" href="/admin/login/?next=/admin/">'
           '<i class="fas fa-sign-in-alt" title="Login"></i></a>\n            </li>\n'
           '            </ul>\n'
           '            <form class="d-flex" role="search" method="get" action="/papers/search">\n'
           '                <input class="form-control me-2" type="search" placeholder="Search" name="q">\n'
           '            </form>\n        </div>\n    </div>\n</nav>\n\n')
    FOOT = ('\n<br> \n        <div class="modal fade" id="myModal">\n          <div class="modal-dialog">\n'
            '            <div class="modal-content">\n              <div class="modal-header">\n'
            '                <h4 class="modal-title">Name Change Policy</h4>\n'
            '              </div>\n              <div class="modal-body">\n'
            '                <p>Requests for name changes in the electronic proceedings will be accepted '
            'with no questions asked.</p>\n              </div>\n            </div><!-- /.modal-content -->\n'
            '          </div>\n        </div><!-- /.modal -->\n\n<footer class="footer">\n'
            '    <div class="btn-spacer">\n        <a href="https://neurips.cc/Help/Contact?select=Conference">'
            'Report an Issue</a> &nbsp;|&nbsp; <a href="#" class="modal-link" data-toggle="modal" '
            'data-target="#myModal">Name Change Policy</a>\n    </div>\n</footer>\n'
            "<div class='hidden'>Do not remove: This comment is monitored to verify that the site is working properly</div>\n"
            '</body>\n</html>\n')

    def conf_name(self, y):
        return "NeurIPS %d" % y

    def index_old(self, y):
        """<=2021 year index: the older template (SOURCES.md §1.5) with the
        <li class="" data-track="none"> entries of §1.2."""
        out = [self.HEAD % ("NeurIPS %d" % y, ""), self.NAV,
               '<div class="container-fluid">\n    <div class="col p-3">\n',
               '<h4>Advances in Neural Information Processing Systems %d  (%s)</h4>\n' % (VOLUME[y], self.conf_name(y)),
               '<ul class="paper-list">\n']
        for p in sorted((p for p in self.papers[y] if not p.dnb_round), key=lambda p: p.sha):
            out.append('<li class="" data-track="none"><a title="paper title" href="%s">%s</a> <i>%s</i></li>\n'
                       % (self.abstract_path(p), esc(p.title), self.authors_text(p)))
        out.append('</ul>\n    </div>\n</div>\n')
        out.append(self.FOOT)
        return "".join(out)

    def index_new(self, y, papers, title_suffix, editors, see_also=None, isbn=None):
        """2022+ year index: the current Bootstrap 5 template (SOURCES.md §1.2)."""
        tracks = []
        for p in papers:
            if p.track not in tracks:
                tracks.append(p.track)
        out = [self.HEAD % ("Book", ""), self.NAV,
               '    <div class="container-fluid">\n        <div class="col book-page">\n'
               '            <header class="book-header">\n'
               '                <h1 class="book-title">Advances in Neural Information Processing Systems %d %s</h1>\n'
               % (VOLUME[y], title_suffix),
               '                <p class="book-meta">NeurIPS %d</p>\n' % y,
               '                    <p class="book-editors">Edited by %s</p>\n' % esc(editors)]
        if isbn:
            out.append('                    <p class="book-isbn">ISBN: %s</p>\n' % isbn)
        if see_also:
            out.append('                    <p class="book-see-also">See also: <a href="%s">%s</a></p>\n' % see_also)
        out.append('            </header>\n\n            <div class="paper-list-header">\n'
                   '                <span class="paper-count">%d papers</span>\n' % len(papers))
        if len(tracks) > 1:
            out.append('                <div class="track-filters">\n'
                       '                    <button class="track-filter active" data-track="all">All</button>\n')
            for i, t in enumerate(tracks, 1):
                out.append('                    <button class="track-filter track-%d" data-track="%s" '
                           'data-track-class="track-%d"><span class="track-dot"></span>%s</button>\n'
                           % (i, t, i, md.TRACK_INFO[t][1]))
            out.append('                </div>\n')
        out.append('            </div>\n\n            <ul class="paper-list">\n                \n')
        first = True
        for p in sorted(papers, key=lambda p: p.sha):
            indent = "                    " if first else ""  # every <li> after the first at column 0
            first = False
            out.append('%s<li class="%s" data-track="%s">\n'
                       '                        <div class="paper-content">\n'
                       '                            <a title="paper title" href="%s">%s</a>\n'
                       '                            <span class="paper-authors">%s</span>\n'
                       '                        </div>\n                        \n'
                       '                        <span class="paper-track-badge">%s</span>\n'
                       '                        \n                    </li>\n'
                       % (indent, p.track, p.track, self.abstract_path(p), esc(p.title),
                          self.authors_text(p), md.TRACK_INFO[p.track][1]))
        out.append('                \n            </ul>\n        </div>\n    </div>\n')
        out.append('<script>\n// track filter script (see SOURCES.md §1.2)\n'
                   'const papers = document.querySelectorAll(".paper-list li");\n</script>\n')
        out.append(self.FOOT)
        return "".join(out)

    def index_changed(self, y, papers):
        """--mode changed-template: markup no known parser recognises."""
        out = ['<!doctype html>\n<html><head><title>Proceedings</title></head><body>\n'
               '<main class="pp-v3"><section data-kind="volume" data-year="%d">\n' % y]
        for p in sorted(papers, key=lambda p: p.sha):
            out.append('<article class="pp-entry"><h3 class="pp-h"><a data-ref="%s">%s</a></h3>'
                       '<div class="pp-people">%s</div></article>\n'
                       % (self.abstract_path(p), esc(p.title), " &middot; ".join(
                           esc(self.shown_name(p, i)) for i in range(len(p.authors)))))
        out.append('</section></main></body></html>\n')
        return "".join(out)

    def year_index(self, y, companion=False):
        ps = self.papers[y]
        if y == 2025:
            ps = [p for p in ps if (p.track != "creative_ai_track") == companion]
        elif companion:
            return None
        if self.mode == "changed-template":
            return self.index_changed(y, ps)
        if y <= 2021:
            return self.index_old(y)
        if y == 2025 and companion:
            return self.index_new(y, ps, "Main Conference ", EDITORS[2025],
                                  ("/paper_files/paper/2025", "Advances in Neural Information Processing Systems 38 Creative AI "))
        if y == 2025:
            return self.index_new(y, ps, "Creative AI ", EDITORS_CREATIVE_2025,
                                  ("/paper_files/paper/2025/" + COMPANION,
                                   "Advances in Neural Information Processing Systems 38 Main Conference "))
        isbn = {2022: "9781713871088", 2023: "9781713899921", 2024: "9798331314385"}[y]
        return self.index_new(y, ps, "", EDITORS[y], isbn=isbn)

    def abstract_changed(self, p):
        """--mode changed-abstract: the same facts in markup no era of the
        profile recognises (no div.paper-detail, no h4 "Abstract", no
        container-fluid), as a site redesign would give."""
        return ('<!doctype html>\n<html lang="en"><head><title>%s</title>\n'
                '<meta name="citation_title" content="%s"></head><body>\n'
                '<main class="pp-v3"><article class="pp-paper" data-year="%d">\n'
                '<h2 class="pp-heading">%s</h2>\n<div class="pp-people">%s</div>\n'
                '<h3 class="pp-label">Summary</h3>\n<div class="pp-summary">%s</div>\n'
                '<nav class="pp-files"><a data-ref="%s">PDF</a></nav>\n'
                '</article></main></body></html>\n'
                % (esc(p.title), esc(p.title, True), p.year, esc(p.title), self.authors_text(p),
                   esc(p.abstract), self.pdf_path(p)))

    def abstract_page(self, p):
        """Abstract page, current template for every year (SOURCES.md §1.3)."""
        if self.mode == "changed-abstract":
            return self.abstract_changed(p)
        y = p.year
        metas = ['    <meta name="citation_title" content="%s">\n' % esc(p.title, True)]
        for i in range(len(p.authors)):
            metas.append('    \n        <meta name="citation_author" content="%s">\n' % esc(self.shown_name(p, i), True))
        metas.append('    \n    <meta name="citation_journal_title" content="Advances in Neural Information Processing Systems">\n')
        metas.append('    <meta name="citation_volume" content="%d">\n' % VOLUME[y])
        if y >= 2024:
            metas.append('    <meta name="citation_doi" content="%s">\n' % p.doi)
            metas.append('        <meta name="citation_firstpage" content="%d">\n'
                         '        <meta name="citation_lastpage" content="%d">\n' % p.pages)
        else:
            metas.append('        \n        \n')
        metas.append('    <meta name="citation_pdf_url" content="%s">\n' % (CANON + self.pdf_path(p)))
        metas.append('    <meta name="citation_publication_date" content="%s">\n' % PUBDATE.get(y, str(y)))
        out = [self.HEAD % (esc(p.title), "".join(metas)), self.NAV,
               '<div class="container-fluid">\n    <div class="col p-3 paper-detail">\n\n    \n'
               '        <header class="paper-header">\n'
               '            <h1 class="paper-title">%s</h1>\n' % esc(p.title),
               '            <p class="paper-authors">%s</p>\n' % self.authors_text(p),
               '            <p class="paper-meta">\n'
               '                <a href="/paper_files/paper/%d">Advances in Neural Information Processing Systems %d  (%s)</a>\n'
               % (y, VOLUME[y], self.conf_name(y))]
        if y >= 2022:
            out.append('                <span class="paper-track">%s</span>\n' % md.TRACK_INFO[p.track][1])
        else:
            out.append('                \n')
        out.append('            </p>\n        </header>\n\n')
        if y <= 2021:
            btns = [("Bibtex", "Bibtex.bib"), ("Metadata", "Metadata.json"), ("Paper", "Paper.pdf"),
                    ("Reviews", "Reviews.html")]
            if y <= 2020 and p.number % 3 == 0:
                btns.append(("AuthorFeedback", "AuthorFeedback.pdf"))
            if p.supplemental:
                btns.append(("Supplemental", "Supplemental.zip" if p.number % 2 else "Supplemental.pdf"))
            links = " ".join("<a class='btn btn-light btn-spacer' href='%s'>%s</a>" % (self.file_path(p, f), t)
                             for t, f in btns)
        else:
            links = ('<a href="/paper_files/paper/%d-/bibtex" class="btn btn-light btn-spacer">Bibtex</a> '
                     "<a class='btn btn-primary btn-spacer' href='%s'>Paper</a>" % (p.bibtex_id, self.pdf_path(p)))
            if p.supplemental:
                links += (" <a class='btn btn-light btn-spacer' href='%s'>Supplemental</a>"
                          % self.file_path(p, "Supplemental%s.zip" % self.suffix(p)))
        out.append('        <div class="paper-actions">%s</div>\n\n        \n\n' % links)
        # The abstract <p> is never closed (both samples, §1.3); the abstract
        # text is emitted raw, bare '<' and entities included.
        out.append('        <section class="paper-section">\n            <h2 class="section-label">Abstract</h2>\n'
                   '            <p class="paper-abstract">%s</section>\n\n' % p.abstract)
        if y >= 2024:
            out.append('        \n        <section class="paper-section paper-doi-section">\n'
                       '            <h2 class="section-label">DOI</h2>\n'
                       '            <p><a href="https://doi.org/%s" class="paper-doi">%s</a></p>\n'
                       '        </section>\n' % (p.doi, p.doi))
        out.append('\n    \n\n    </div>\n</div>\n')
        out.append(self.FOOT)
        return "".join(out)

    def metadata_json(self, p):
        """-Metadata.json, <=2021 only (SOURCES.md §1.4)."""
        authors = []
        for i, a in enumerate(p.authors):
            fam = a["family"]
            if p.double_escaped and i == 0:
                fam = esc(fam, True)
            authors.append({"given_name": a["given"], "family_name": fam, "institution": a["institution"]})
        if p.blank_meta_author:
            authors.append({"given_name": "", "family_name": "", "institution": "Adobe Research"})
        d = {"title": p.title, "abstract": p.abstract,
             "book": "Advances in Neural Information Processing Systems", "publisher": "Curran Associates, Inc.",
             "volume": str(VOLUME[p.year]), "page_first": p.pages[0], "page_last": p.pages[1],
             "award": [], "authors": authors}
        return json.dumps(d, ensure_ascii=False)

    def dnb_index(self, y):
        """The 2021 D&B host's index: the older template of §1.5 with
        <li class="round1|round2"> entries and authors in <i> (§1.1)."""
        out = [self.HEAD % ("NeurIPS Datasets and Benchmarks %d" % y, ""), self.NAV,
               '<div class="container-fluid">\n    <div class="col p-3">\n',
               '<h4>Proceedings of the Neural Information Processing Systems Track on Datasets and '
               'Benchmarks 1 (NeurIPS Datasets and Benchmarks %d)</h4>\n' % y, '<ul>\n']
        for p in sorted(self.dnb[y], key=lambda p: p.sha):
            out.append('<li class="%s"><a title="paper title" href="%s">%s</a> <i>%s</i></li>\n'
                       % (p.dnb_round, self.abstract_path(p), esc(p.title), self.authors_text(p)))
        out.append('</ul>\n    </div>\n</div>\n')
        out.append(self.FOOT)
        return "".join(out)

    def dnb_abstract_page(self, p):
        """A D&B abstract page in the older h4 template (§1.5): title in the
        first h4, then the buttons, Authors and Abstract sections.  No
        Metadata button (nothing in SOURCES.md says the D&B host has one)."""
        metas = ['    <meta name="citation_title" content="%s">\n' % esc(p.title, True)]
        for i in range(len(p.authors)):
            metas.append('    <meta name="citation_author" content="%s">\n' % esc(self.shown_name(p, i), True))
        metas.append('    <meta name="citation_pdf_url" content="%s">\n' % (self.canon(p) + self.pdf_path(p)))
        btns = [("Bibtex", "Bibtex.bib"), ("Paper", "Paper-%s.pdf" % p.dnb_round)]
        if p.supplemental:
            btns.append(("Supplemental", "Supplemental-%s.zip" % p.dnb_round))
        links = " ".join("<a class='btn btn-light btn-spacer' href='%s'>%s</a>" % (self.file_path(p, f), t)
                         for t, f in btns)
        out = [self.HEAD % (esc(p.title), "".join(metas)), self.NAV,
               '<div class="container-fluid">\n    <div class="col p-3">\n',
               '        <h4>%s</h4>\n' % esc(p.title),
               '        <p>\n            %s\n        </p>\n' % links,
               '        <h4>Authors</h4>\n        <p>\n            <i>%s</i>\n        </p>\n' % self.authors_text(p),
               '        <h4>Abstract</h4>\n        <p>%s</p>\n' % p.abstract,
               '    </div>\n</div>\n', self.FOOT]
        return "".join(out)

    def dnb_home(self):
        lis = "".join('<li><a href="/paper/%d">NeurIPS Datasets and Benchmarks %d</a></li>\n' % (y, y)
                      for y in reversed(self.years) if self.dnb[y])
        return (self.HEAD % ("NeurIPS Datasets and Benchmarks Proceedings", "") + self.NAV +
                '<div class="container-fluid">\n<div class="col-sm">\n<ul>\n%s</ul>\n</div>\n</div>\n' % lis
                + self.FOOT)

    def bibtex(self, p):
        return ("@inproceedings{NEURIPS%d_%s,\n author = {%s},\n booktitle = {Advances in Neural Information "
                "Processing Systems},\n title = {%s},\n volume = {%d},\n year = {%d}\n}\n"
                % (p.year, p.sha[:8], " and ".join(a["name"] for a in p.authors), p.title, VOLUME[p.year], p.year))

    def home(self):
        lis = "".join('<li><a href="/paper_files/paper/%d">Advances in Neural Information Processing Systems %d '
                      '(NeurIPS %d)</a></li>\n' % (y, VOLUME[y], y) for y in reversed(self.years))
        return (self.HEAD % ("NeurIPS Proceedings", "") + self.NAV +
                '<div class="container-fluid">\n<div class="col-sm">\n<ul>\n%s</ul>\n</div>\n</div>\n' % lis
                + self.FOOT)


def atomic_write(path, data):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


# --------------------------------------------------------------------------
# Fault-path bodies
# --------------------------------------------------------------------------
FEED_FAULTS = ("badtype", "missing", "duplicate-uids", "huge", "huge-chunked")
FEED_HUGE = 1 << 30  # the 1 GiB feed of --feed-fault huge and huge-chunked


def feed_with_fault(feed, fault):
    """The feed as --feed-fault serves it (the huge kinds are streamed in serve_huge_feed)."""
    if fault == "badtype":  # the 3rd record's authors are an object, not a list
        feed = dict(feed, results=[dict(r) for r in feed["results"]])
        feed["results"][2]["authors"] = {"fullname": "A B"}
    elif fault == "missing":  # the 3rd record has no uid
        feed = dict(feed, results=[dict(r) for r in feed["results"]])
        del feed["results"][2]["uid"]
    elif fault == "duplicate-uids":
        # After each record, a decoy with its uid, and after every 5th one with a
        # new uid claiming the same paper_url: the same author names, every
        # institution "Decoy Institute".  A crawler keeps the first record of a
        # uid and joins one record to a paper.
        out = []
        for i, r in enumerate(feed["results"]):
            out.append(r)
            decoy = dict(r, authors=[dict(a, institution="Decoy Institute") for a in r["authors"]])
            out.append(decoy)
            if i % 5 == 0:
                out.append(dict(decoy, uid="%032x" % (0xdec0 + i), id=r["id"] + 900000))
        feed = dict(feed, results=out)
    return feed


def fault_body(name):
    if name == "invalid-utf8":
        return ("text/html; charset=utf-8",
                b"<!doctype html><html><head><meta charset='utf-8'><title>Bad \xff\xfe bytes</title></head>"
                b"<body><ul class=\"paper-list\"><li class=\"\" data-track=\"none\"><a title=\"paper title\" "
                b"href=\"/x\">Caf\xe9 \xc0\xaf overlong \xed\xa0\x80 surrogate \x80 lone</a> <i>A\xffB</i></li>"
                b"</ul></body></html>\n")
    if name == "nul-bytes":
        return ("text/html; charset=utf-8",
                b"<!doctype html><html><head><title>Nul\x00Title</title></head><body>"
                b"<h1 class=\"paper-title\">Ti\x00tle</h1><p class=\"paper-authors\">A\x00 B, C</p>"
                b"<p class=\"paper-abstract\">abs\x00tract</section></body></html>\n")
    if name == "deep-nesting":
        return ("text/html; charset=utf-8",
                b"<!doctype html><html><body>" + b"<div>" * 100000 + b"deep" + b"</div>" * 100000
                + b"</body></html>\n")
    if name == "entity-bomb":
        dtd = [b'<!ENTITY lol "lol">']
        for i in range(1, 10):
            prev = b"lol" if i == 1 else b"lol%d" % (i - 1)
            dtd.append(b'<!ENTITY lol%d "%s">' % (i, (b"&" + prev + b";") * 10))
        return ("text/html; charset=utf-8",
                b'<?xml version="1.0"?>\n<!DOCTYPE html [\n' + b"\n".join(dtd) + b"\n]>\n"
                b"<html><body><p class=\"paper-abstract\">&lol9;" + b"&amp;&lt;&#x41;&#65;" * 50000
                + b"</p></body></html>\n")
    if name == "malformed":
        return ("text/html; charset=utf-8",
                b"<!doctype html><html><head><title>Malformed</head><body>\n"
                b"<ul class=paper-list><li class=conference data-track=conference><a title=\"paper title\" "
                b"href=/paper_files/paper/2024/hash/x-Abstract-Conference.html>Unclosed <b>title</a>\n"
                b"</li></li></ul></ul><li <span class=\"paper-authors\">A, B</span\n"
                b"<a href='unterminated><p class=\"paper-abstract\">text & more </section></div></div>"
                b"<!-- comment never closed <li>x</li>\n")
    return None


# Hostile variants of a paper's own abstract page (--hostile-pages K): the
# real page with something hostile added after its content.  A crawler must
# refuse the first three (its caps: nesting, attributes in one tag, page
# size), failing that paper alone, and read the others to the same record.
HOSTILE_KINDS = ("deep-nesting", "attr-flood", "over-cap", "entity-flood", "nul-bytes",
                 "invalid-utf8", "unclosed")
HOSTILE_REFUSED = ("deep-nesting", "attr-flood", "over-cap")
HOSTILE_OVER_CAP = 17 * 1024 * 1024  # past the crawler's 16 MiB HTML cap, under its 32 MiB body cap


def hostile_kind(index, every):
    """The kind of hostile page of the index-th paper of a year (0-based), or None."""
    if not every or index % every != every - 1:
        return None
    return HOSTILE_KINDS[(index // every) % len(HOSTILE_KINDS)]


def hostile_page(page, kind):
    """The bytes of abstract page 'page' (str) made hostile by 'kind'."""
    body = page.encode()
    cut = body.rfind(b"</body>")
    if cut < 0:
        cut = len(body)
    if kind == "deep-nesting":
        junk = b"<div>" * 100000 + b"deep" + b"</div>" * 100000
    elif kind == "attr-flood":
        junk = b"<span" + b"".join(b" a%d='x'" % i for i in range(100000)) + b">flood</span>"
    elif kind == "over-cap":
        junk = b"<!-- " + b"padding " * (HOSTILE_OVER_CAP // 8) + b"-->"
    elif kind == "entity-flood":
        dtd = b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10))
        junk = (b"<div class='junk'><![CDATA[" + dtd + b"]]>&lol9;" + b"&amp;&lt;&#x41;&#65;" * 50000
                + b"&#x110000;&#0;&#xD800;&bogus;&amp</div>")
    elif kind == "nul-bytes":
        junk = b"<div class='junk'>N\x00U\x00L <b>\x00</b> bytes\x00</div>"
    elif kind == "invalid-utf8":
        junk = (b"<div class='junk'>Caf\xe9 \xc0\xaf overlong \xed\xa0\x80 surrogate \x80 lone "
                b"\xf5\xff\xfe</div>")
    elif kind == "unclosed":
        junk = (b"<div class='junk'><p><b><i><u><span><table><tr><td><ul><li>never closed"
                b"</ul></li></td></tr></tbody></div></div></div><a href='x>unterminated"
                b"<!-- a comment never closed <p>")
    else:
        raise ValueError(kind)
    return body[:cut] + junk + body[cut:]


# --------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------
STATUS_TEXT = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified",
               400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
               429: "Too Many Requests", 503: "Service Unavailable"}
FAULT_ORDER = ("status503", "status429", "reset", "truncate", "slow")


class Page:
    __slots__ = ("status", "ctype", "body", "gz", "etag", "lastmod", "extra")

    def __init__(self, status, ctype, body, lastmod, extra=None):
        self.status, self.ctype, self.body, self.extra = status, ctype, body, extra or []
        self.lastmod = email.utils.formatdate(lastmod, usegmt=True)
        self.etag = '"%s"' % hashlib.sha1(body).hexdigest()[:20]
        self.gz = None


class MockServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, opts, site, kind="proceedings", main=None):
        """kind "proceedings": proceedings.neurips.cc and the virtual feed;
        kind "datasets": the 2021 D&B host, sharing main's lock and log."""
        if opts.host != "127.0.0.1":
            raise ValueError("refusing to bind %r: the mock binds 127.0.0.1 only" % opts.host)
        self.opts, self.site, self.kind = opts, site, kind
        self.cache = {}
        self.lock = main.lock if main else threading.Lock()
        self.attempts = {}
        self.faults = parse_faults(opts.fault)
        if main:
            self.logf = main.logf
        else:
            self.logf = open(opts.log, "a", encoding="utf-8") if opts.log else None
        self.robots = self.make_robots()
        super().__init__(("127.0.0.1", opts.port if kind == "proceedings" else 0), Handler)

    def make_robots(self):
        lines = ["User-agent: *"]
        for p in self.opts.robots_disallow or []:
            lines.append("Disallow: " + p)
        if not self.opts.robots_disallow:
            lines.append("Allow: /")
        if self.opts.robots_crawl_delay is not None:
            lines.append("Crawl-delay: %g" % self.opts.robots_crawl_delay)
        return ("\n".join(lines) + "\n").encode()

    def log(self, rec):
        if self.kind != "proceedings":
            rec["site"] = self.kind
        if self.logf:
            line = json.dumps(rec) + "\n"
            with self.lock:
                self.logf.write(line)
                self.logf.flush()

    def count_request(self):
        """Requests so far on this port, this one included (for --outage-after)."""
        with self.lock:
            self.requests = getattr(self, "requests", 0) + 1
            return self.requests

    def next_attempt(self, path):
        with self.lock:
            n = self.attempts.get(path, 0)
            self.attempts[path] = n + 1
        return n

    def choose_fault(self, path):
        if not self.faults:
            return None
        rng = random.Random("fault:%d:%s:%d" % (self.opts.seed, path, self.next_attempt(path)))
        r = rng.random()
        acc = 0.0
        for name in FAULT_ORDER:
            acc += self.faults.get(name, 0.0)
            if r < acc:
                # a reset happens before any byte or mid-response, half and half
                if name == "reset" and rng.random() < 0.5:
                    return "reset-early"
                return name
        return None

    # Routing ----------------------------------------------------------------
    def page(self, path):
        if self.opts.edit_file:
            with self.lock:
                self.site.load_edits(self.opts.edit_file)
                if self.site.edit_gen != getattr(self, "cache_gen", None):
                    self.cache, self.cache_gen = {}, self.site.edit_gen
        pg = self.cache.get(path)
        if pg is None:
            pg = self.build(path)
            # PDFs are built on each request (about 5 ms) and never kept.
            if pg.status == 200 and len(self.cache) < 200000 and not path.endswith(".pdf"):
                self.cache[path] = pg
        return pg

    def build_datasets(self, path):
        """The 2021 D&B host: /paper/<Y>, its abstract pages and Bibtex files."""
        s = self.site
        html_t = "text/html; charset=utf-8"
        m = re.fullmatch(r"/paper/(\d{4})/?", path)
        if m and s.dnb.get(int(m.group(1))):
            y = int(m.group(1))
            return Page(200, html_t, s.dnb_index(y).encode(), lastmod_for_year(y))
        m = re.fullmatch(r"/paper/(\d{4})/hash/([0-9a-f]{32})-Abstract-(round[12])\.html", path)
        if m and int(m.group(1)) in s.papers:
            p = s.by_sha[int(m.group(1))].get(m.group(2))
            if p and p.dnb_round == m.group(3):
                return Page(200, html_t, s.dnb_abstract_page(p).encode(), lastmod_for_year(p.year))
        m = re.fullmatch(r"/paper/(\d{4})/file/([0-9a-f]{32})-Paper-(round[12])\.pdf", path)
        if m and int(m.group(1)) in s.papers:
            p = s.by_sha[int(m.group(1))].get(m.group(2))
            if p and p.dnb_round == m.group(3):
                return Page(200, "application/pdf", s.pdf(p, self.opts.bad_pdfs), lastmod_for_year(p.year))
        m = re.fullmatch(r"/paper/(\d{4})/file/([0-9a-f]{32})-Bibtex\.bib", path)
        if m and int(m.group(1)) in s.papers:
            p = s.by_sha[int(m.group(1))].get(m.group(2))
            if p and p.dnb_round:
                return Page(200, "application/x-bibtex; charset=utf-8", s.bibtex(p).encode(),
                            lastmod_for_year(p.year))
        if path == "/":
            return Page(200, html_t, s.dnb_home().encode(), LASTMOD_OTHER)
        return Page(404, html_t, b"<!doctype html><html><body><h1>Not Found</h1></body></html>\n",
                    LASTMOD_OTHER)

    def build(self, path):
        s = self.site
        html_t = "text/html; charset=utf-8"
        if self.kind == "datasets":
            return self.build_datasets(path)
        m = re.fullmatch(r"/paper_files/paper/(\d{4})/?", path)
        if m and int(m.group(1)) in s.papers:
            y = int(m.group(1))
            return Page(200, html_t, s.year_index(y).encode(), lastmod_for_year(y))
        if path == "/paper_files/paper/2025/" + COMPANION and 2025 in s.papers:
            return Page(200, html_t, s.year_index(2025, companion=True).encode(), lastmod_for_year(2025))
        m = re.fullmatch(r"/paper_files/paper/(\d{4})/hash/([0-9a-f]{32})-Abstract(-[A-Za-z_]+)?\.html", path)
        if m and int(m.group(1)) in s.papers:
            p = s.by_sha[int(m.group(1))].get(m.group(2))
            if p and not p.dnb_round and (m.group(3) or "") == s.suffix(p):
                kind = hostile_kind(s.index_of(p), self.opts.hostile_pages)
                if kind:
                    return Page(200, html_t, hostile_page(s.abstract_page(p), kind),
                                lastmod_for_year(p.year))
                return Page(200, html_t, s.abstract_page(p).encode(), lastmod_for_year(p.year))
        m = re.fullmatch(r"/paper_files/paper/(\d{4})/file/([0-9a-f]{32})-(Metadata\.json|Bibtex\.bib)", path)
        if m and int(m.group(1)) in s.papers and int(m.group(1)) <= 2021:
            p = s.by_sha[int(m.group(1))].get(m.group(2))
            if p and not p.dnb_round:
                if m.group(3) == "Metadata.json":
                    return Page(200, "application/json", s.metadata_json(p).encode(), lastmod_for_year(p.year))
                return Page(200, "application/x-bibtex; charset=utf-8", s.bibtex(p).encode(),
                            lastmod_for_year(p.year))
        m = re.fullmatch(r"/paper_files/paper/(\d{4})/file/([0-9a-f]{32})-Paper(-[A-Za-z_]+)?\.pdf", path)
        if m and int(m.group(1)) in s.papers:
            p = s.by_sha[int(m.group(1))].get(m.group(2))
            if p and not p.dnb_round and (m.group(3) or "") == s.suffix(p):
                return Page(200, "application/pdf", s.pdf(p, self.opts.bad_pdfs), lastmod_for_year(p.year))
        m = re.fullmatch(r"/static/virtual/data/neurips-(\d{4})-orals-posters\.json", path)
        if m and int(m.group(1)) in s.papers and int(m.group(1)) in FEED_YEARS:
            y = int(m.group(1))
            body = json.dumps(feed_with_fault(s.feed(y), self.opts.feed_fault), ensure_ascii=False).encode()
            return Page(200, "application/json", body, lastmod_for_year(y))
        if path == "/":
            return Page(200, html_t, s.home().encode(), LASTMOD_OTHER)
        # Older URL forms (SOURCES.md §1.1), redirect INFERRED there.
        m = re.fullmatch(r"/paper/(\d{4})(/.*)?", path)
        if m:
            return Page(301, html_t, b"", LASTMOD_OTHER,
                        [("Location", "/paper_files/paper/%s%s" % (m.group(1), m.group(2) or ""))])
        m = re.fullmatch(r"/book/advances-in-neural-information-processing-systems-\d+-(\d{4})", path)
        if m:
            return Page(301, html_t, b"", LASTMOD_OTHER, [("Location", "/paper_files/paper/" + m.group(1))])
        if path.startswith("/__fault/"):
            name = path[len("/__fault/"):]
            if name == "redirect-loop":
                return Page(302, html_t, b"", LASTMOD_OTHER, [("Location", "/__fault/redirect-loop-b")])
            if name == "redirect-loop-b":
                return Page(302, html_t, b"", LASTMOD_OTHER, [("Location", "/__fault/redirect-loop")])
            if name == "redirect-foreign":
                return Page(302, html_t, b"", LASTMOD_OTHER, [("Location", "http://example.com/x")])
            fb = fault_body(name)
            if fb:
                return Page(200, fb[0], fb[1], LASTMOD_OTHER)
        return Page(404, html_t, b"<!doctype html><html><body><h1>Not Found</h1></body></html>\n",
                    LASTMOD_OTHER)


def parse_faults(spec):
    out = {}
    if not spec:
        return out
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        k, _, v = part.partition("=")
        if k not in FAULT_ORDER:
            raise ValueError("unknown fault %r (known: %s)" % (k, ", ".join(FAULT_ORDER)))
        out[k] = float(v)
    if sum(out.values()) > 1.0:
        raise ValueError("fault probabilities add up to more than 1")
    return out


def accepts_gzip(ae):
    if not ae:
        return False
    star = None
    for item in ae.split(","):
        parts = item.strip().split(";")
        coding = parts[0].strip().lower()
        q = 1.0
        for prm in parts[1:]:
            k, _, v = prm.strip().partition("=")
            if k.strip() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        if coding in ("gzip", "x-gzip"):
            return q > 0
        if coding == "*":
            star = q > 0
    return bool(star)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nipscope-mock/1.0"
    sys_version = ""
    timeout = 60

    def log_message(self, fmt, *args):  # quiet; --log is the request log
        pass

    def do_GET(self):
        self.serve(head=False)

    def do_HEAD(self):
        self.serve(head=True)

    def do_POST(self):
        self.t0 = time.monotonic()
        self.close_connection = True  # the request body is not read
        self.logrec(405, None)
        self.send_simple(405, b"method not allowed\n", [("Allow", "GET, HEAD")], head=False)

    def logrec(self, status, fault):
        h = self.headers
        self.server.log({"t": self.t0, "method": self.command, "path": self.path, "status": status,
                         "if_none_match": h.get("If-None-Match"), "if_modified_since": h.get("If-Modified-Since"),
                         "user_agent": h.get("User-Agent"), "accept_encoding": h.get("Accept-Encoding"),
                         "fault": fault})

    def send_simple(self, status, body, extra, head, ctype="text/plain; charset=utf-8"):
        hdr = ["HTTP/1.1 %d %s" % (status, STATUS_TEXT.get(status, "Status")),
               "Server: nipscope-mock/1.0", "Date: " + email.utils.formatdate(usegmt=True),
               "Content-Type: " + ctype, "Content-Length: %d" % len(body)]
        hdr += ["%s: %s" % kv for kv in extra]
        if self.close_connection:
            hdr.append("Connection: close")
        try:
            self.wfile.write(("\r\n".join(hdr) + "\r\n\r\n").encode("latin-1") + (b"" if head else body))
        except OSError:
            self.close_connection = True

    def hard_reset(self):
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def serve(self, head):
        self.t0 = time.monotonic()
        srv, opts = self.server, self.server.opts
        url = urlsplit(self.path)
        path = url.path
        if opts.delay_ms:
            time.sleep(opts.delay_ms / 1000.0)
        if opts.mode == "5xx" or (opts.outage_after and srv.count_request() > opts.outage_after):
            self.logrec(503, "mode-5xx")
            return self.send_simple(503, b"service unavailable\n", [("Retry-After", "1")], head)
        if path == "/robots.txt" and opts.robots_status:
            st = opts.robots_status
            self.logrec(st, None)
            return self.send_simple(st, b"robots unavailable\n", [("Retry-After", "1")] if st == 503 else [], head)
        fault = None
        if not path.startswith("/__fault/") and (path != "/robots.txt" or opts.fault_robots):
            fault = srv.choose_fault(self.path)
        if fault in ("status503", "status429"):
            st = int(fault[6:])
            self.logrec(st, fault)
            return self.send_simple(st, b"try again later\n", [("Retry-After", "1")], head)
        if fault == "slow":
            time.sleep(opts.slow_ms / 1000.0)
        m = re.fullmatch(r"/__fault/status/(\d{3})", path)
        if m:
            st = int(m.group(1))
            if not 200 <= st <= 599:
                self.logrec(400, None)
                return self.send_simple(400, b"bad status\n", [], head)
            extra = []
            ra = parse_qs(url.query).get("retry_after")
            if ra:
                extra.append(("Retry-After", ra[0]))
            body = b"" if st in (204, 304) else ("status %d\n" % st).encode()
            self.logrec(st, None)
            return self.send_simple(st, body, extra, head)
        if path == "/__fault/huge":
            return self.serve_huge(head)
        if opts.feed_fault in ("huge", "huge-chunked") and re.fullmatch(
                r"/static/virtual/data/neurips-\d{4}-orals-posters\.json", path):
            return self.serve_huge_feed(head, opts.feed_fault == "huge")
        if path == "/robots.txt":
            pg = Page(200, "text/plain; charset=utf-8", srv.robots, LASTMOD_OTHER)
        else:
            pg = srv.page(path)
        if fault == "reset-early":
            self.logrec(None, "reset")
            return self.hard_reset()  # no response at all
        status = pg.status
        use_gz = (accepts_gzip(self.headers.get("Accept-Encoding")) and status == 200 and len(pg.body) > 0
                  and not path.endswith(".pdf"))  # PDFs are compressed inside
        etag = pg.etag
        if use_gz:
            if pg.gz is None:
                pg.gz = gzip.compress(pg.body, compresslevel=6, mtime=0)
            etag = pg.etag[:-1] + '-gzip"'
        body = pg.gz if use_gz else pg.body
        if status == 200:
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            not_mod = False
            if inm is not None:
                tags = [t.strip() for t in inm.split(",")]
                tags = [t[2:] if t.startswith("W/") else t for t in tags]
                not_mod = "*" in tags or pg.etag in tags or etag in tags
            elif ims:
                try:
                    not_mod = email.utils.parsedate_to_datetime(ims) >= email.utils.parsedate_to_datetime(pg.lastmod)
                except (TypeError, ValueError):
                    not_mod = False
            if not_mod:
                hdr = ["HTTP/1.1 304 Not Modified", "Server: nipscope-mock/1.0",
                       "Date: " + email.utils.formatdate(usegmt=True), "ETag: " + etag,
                       "Last-Modified: " + pg.lastmod, "Vary: Accept-Encoding"]
                if self.close_connection:
                    hdr.append("Connection: close")
                self.logrec(304, fault)
                return self.wfile.write(("\r\n".join(hdr) + "\r\n\r\n").encode("latin-1"))
        clen = len(body) + (max(1000, len(body)) if fault == "truncate" else 0)
        hdr = ["HTTP/1.1 %d %s" % (status, STATUS_TEXT.get(status, "Status")), "Server: nipscope-mock/1.0",
               "Date: " + email.utils.formatdate(usegmt=True), "Content-Type: " + pg.ctype,
               "Content-Length: %d" % clen, "ETag: " + etag, "Last-Modified: " + pg.lastmod,
               "Vary: Accept-Encoding"]
        if use_gz:
            hdr.append("Content-Encoding: gzip")
        hdr += ["%s: %s" % kv for kv in pg.extra]
        if fault == "truncate":
            self.close_connection = True
        if self.close_connection:
            hdr.append("Connection: close")
        head_bytes = ("\r\n".join(hdr) + "\r\n\r\n").encode("latin-1")
        # The log line is written before the response, so a client that has
        # its answer always finds the line.
        self.logrec(status, fault)
        if fault == "reset":  # mid-response: headers and half the body, then RST
            try:
                self.wfile.write(head_bytes + (b"" if head else body[:len(body) // 2]))
            except OSError:
                pass
            return self.hard_reset()
        try:
            self.wfile.write(head_bytes if head else head_bytes + body)
        except OSError:
            self.close_connection = True

    def serve_huge_feed(self, head, with_length):
        """A 1 GiB feed of valid records, streamed: with Content-Length, or (huge-chunked)
        without one, the body ending when the connection closes."""
        rec = json.dumps({"id": 1, "uid": "0" * 32, "name": "A paper", "authors": [
            {"fullname": "A B", "institution": "MIT"}], "paper_url": None}).encode() + b","
        chunk = rec * (65536 // len(rec))
        head_json = b'{"count": 0, "next": null, "previous": null, "results": ['
        hdr = ["HTTP/1.1 200 OK", "Server: nipscope-mock/1.0", "Content-Type: application/json"]
        if with_length:
            hdr.append("Content-Length: %d" % FEED_HUGE)
        else:
            self.close_connection = True
        if self.close_connection:
            hdr.append("Connection: close")
        self.logrec(200, "feed-" + ("huge" if with_length else "huge-chunked"))
        try:
            self.wfile.write(("\r\n".join(hdr) + "\r\n\r\n").encode("latin-1"))
            if not head:
                self.wfile.write(head_json)
                sent = len(head_json)
                while sent < FEED_HUGE:
                    part = chunk[:min(len(chunk), FEED_HUGE - sent)]
                    self.wfile.write(part)
                    sent += len(part)
        except OSError:
            self.close_connection = True

    def serve_huge(self, head):
        total = self.server.opts.huge_mb * 1024 * 1024
        hdr = ["HTTP/1.1 200 OK", "Server: nipscope-mock/1.0", "Content-Type: text/html; charset=utf-8",
               "Content-Length: %d" % total, "ETag: \"huge-%d\"" % total,
               "Last-Modified: " + email.utils.formatdate(LASTMOD_OTHER, usegmt=True)]
        if self.close_connection:
            hdr.append("Connection: close")
        self.logrec(200, None)
        try:
            self.wfile.write(("\r\n".join(hdr) + "\r\n\r\n").encode("latin-1"))
            if not head:
                sent = 0
                while sent < total:
                    chunk = HUGE_CHUNK[:min(len(HUGE_CHUNK), total - sent)]
                    self.wfile.write(chunk)
                    sent += len(chunk)
        except OSError:
            self.close_connection = True


EPILOG = """\
paths served (one port plays both hosts):
  /paper_files/paper/<Y>                         year index (2025: Creative AI base page)
  /paper_files/paper/2025/vol38-main-conference  2025 companion index
  /paper_files/paper/<Y>/hash/<md5(n)>-Abstract[-<Track>].html
  /paper_files/paper/<Y>/file/<sha>-Metadata.json, -Bibtex.bib   (<=2021)
  /paper_files/paper/<Y>/file/<sha>-Paper[-<Track>].pdf          the paper's PDF (mockpdf.py)
  /static/virtual/data/neurips-<Y>-orals-posters.json            2020..2025
  /paper/<Y>/...  /book/advances-in-neural-information-processing-systems-<V>-<Y>   301 to the current form
  /robots.txt  /
fault kinds for --fault (probability each, decided per attempt from seed, path, attempt):
  status503, status429  answer 503/429 with Retry-After: 1
  reset                 close with RST, before or in the middle of the response
  truncate              Content-Length larger than the body, then close
  slow                  wait --slow-ms before answering
fixed fault paths:
  /__fault/redirect-loop  /__fault/redirect-foreign  /__fault/huge  /__fault/invalid-utf8
  /__fault/nul-bytes  /__fault/deep-nesting  /__fault/entity-bomb  /__fault/malformed
  /__fault/status/<code>?retry_after=N
exit status: 0 after SIGTERM/SIGINT or --generate-only; 2 on bad arguments or a non-loopback --host.
"""


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Mock proceedings.neurips.cc + neurips.cc virtual JSON on one 127.0.0.1 port "
                    "(see docs/mock-site.md).",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    ap.add_argument("--host", default="127.0.0.1", help="bind address; anything but 127.0.0.1 is refused")
    ap.add_argument("--port", type=int, default=0, help="TCP port, 0 = pick a free one (default 0)")
    ap.add_argument("--port-file", help="write the bound port here (atomically) once listening")
    ap.add_argument("--datasets-port-file",
                    help="also serve the 2021 Datasets and Benchmarks host on a second free port, "
                         "written here (before --port-file)")
    ap.add_argument("--years", default=",".join(map(str, md.YEARS)),
                    help="comma-separated years to serve, from 2019..2025 (default all)")
    ap.add_argument("--seed", type=int, default=1, help="generator and fault seed (default 1)")
    ap.add_argument("--papers", type=int, default=None,
                    help="papers per year (default: the real size of each year, SOURCES.md §1.1)")
    ap.add_argument("--truth-dir", help="write truth-<Y>.jsonl and truth-<Y>.summary.json here")
    ap.add_argument("--generate-only", action="store_true", help="write the truth files and exit")
    ap.add_argument("--fault", default="",
                    help="random faults per attempt, e.g. 'status503=0.10,status429=0.10,reset=0.05,"
                         "truncate=0.02,slow=0.01'")
    ap.add_argument("--fault-robots", action="store_true", help="let --fault hit /robots.txt too")
    ap.add_argument("--slow-ms", type=int, default=2000, help="delay of the 'slow' fault (default 2000)")
    ap.add_argument("--delay-ms", type=int, default=0, help="delay added to every response")
    ap.add_argument("--mode", choices=("5xx", "changed-template", "changed-abstract"),
                    help="whole-site failure modes")
    ap.add_argument("--outage-after", type=int, default=0, metavar="N",
                    help="after N requests, answer everything as --mode 5xx does (an outage mid-crawl)")
    ap.add_argument("--robots-disallow", action="append", metavar="PATH", help="add a Disallow line (repeatable)")
    ap.add_argument("--robots-crawl-delay", type=float, metavar="S", help="add a Crawl-delay line")
    ap.add_argument("--robots-status", type=int, choices=(404, 503), help="answer /robots.txt with this status")
    ap.add_argument("--huge-mb", type=int, default=200, help="size of /__fault/huge in MiB (default 200)")
    ap.add_argument("--log", help="append one JSON line per request to this file")
    ap.add_argument("--warm", action="store_true", help="render every page before listening")
    ap.add_argument("--edit-file", metavar="FILE",
                    help='JSON {"titles": {"Y/ID": TITLE}, "abstracts": {"Y/ID": TEXT}} applied to the pages '
                         "whenever FILE changes (a page that changes between crawls)")
    ap.add_argument("--hostile-pages", type=int, default=0, metavar="K",
                    help="every K-th paper's abstract page of a year is made hostile (kinds in turn: "
                         + ", ".join(HOSTILE_KINDS) + "); with --truth-dir, hostile-<Y>.tsv lists them")
    ap.add_argument("--feed-fault", choices=FEED_FAULTS,
                    help="serve a bad virtual feed: a wrong type, a missing uid, decoy records with "
                         "duplicate uids, or 1 GiB (with or without Content-Length)")
    ap.add_argument("--bad-pdfs", type=int, default=0, metavar="K",
                    help="serve every K-th paper's PDF cut in half (a malformed PDF)")
    ap.add_argument("--dump-dir", metavar="DIR",
                    help="write the proceedings and virtual-site pages of --years under DIR, by URL path "
                         "(a year index as <path>/index.html), for a static server; then exit")
    o = ap.parse_args(argv)
    try:
        o.years_list = sorted({int(y) for y in o.years.split(",") if y.strip()})
    except ValueError:
        ap.error("--years: comma-separated years expected")
    bad = [y for y in o.years_list if y not in md.YEAR_TRACKS]
    if bad:
        ap.error("--years: unsupported year(s) %s (2019..2025)" % bad)
    if o.papers is not None and o.papers < 1:
        ap.error("--papers must be >= 1")
    try:
        parse_faults(o.fault)
    except ValueError as e:
        ap.error("--fault: %s" % e)
    if o.generate_only and not o.truth_dir:
        ap.error("--generate-only needs --truth-dir")
    if o.dump_dir and o.mode:
        ap.error("--dump-dir writes the normal site only")
    return o


def dump(o, site):
    """--dump-dir: every page a crawl of the years asks for, as files.  A
    year index is also a directory (its abstract pages are below it), so
    it goes to <path>/index.html; static servers answer <path> with a
    redirect to <path>/ and that file.  The D&B host is not dumped."""
    srv = MockServer.__new__(MockServer)  # the routing, without a socket
    srv.opts, srv.site, srv.kind, srv.cache = o, site, "proceedings", {}

    def put(path, name=None):
        pg = srv.build(path)
        if pg.status != 200:
            raise SystemExit("mocksite: --dump-dir: %s answers %d" % (path, pg.status))
        fn = os.path.join(o.dump_dir, (name or path).lstrip("/"))
        os.makedirs(os.path.dirname(fn), exist_ok=True)
        with open(fn, "wb") as f:
            f.write(pg.body)

    os.makedirs(o.dump_dir, exist_ok=True)
    with open(os.path.join(o.dump_dir, "robots.txt"), "wb") as f:
        f.write(MockServer.make_robots(srv))
    put("/", "/index.html")
    for y in site.years:
        put("/paper_files/paper/%d" % y, "/paper_files/paper/%d/index.html" % y)
        if y == 2025:
            put("/paper_files/paper/2025/" + COMPANION, "/paper_files/paper/2025/%s/index.html" % COMPANION)
        for p in site.papers[y]:
            if p.dnb_round:
                continue
            put(site.abstract_path(p))
            if y <= 2021:
                put(site.file_path(p, "Metadata.json"))
        if y in FEED_YEARS:
            put("/static/virtual/data/neurips-%d-orals-posters.json" % y)


def main(argv=None):
    o = parse_args(sys.argv[1:] if argv is None else argv)
    if o.host != "127.0.0.1":
        print("mocksite: refusing to bind %s: the mock binds 127.0.0.1 only" % o.host, file=sys.stderr)
        return 2
    site = Site(o.years_list, o.seed, o.papers, o.mode)
    if o.truth_dir:
        site.write_truth(o.truth_dir)
        if o.hostile_pages:
            site.write_hostile(o.truth_dir, o.hostile_pages)
    if o.generate_only:
        return 0
    if o.dump_dir:
        dump(o, site)
        return 0
    srv = MockServer(o, site)
    dsrv = MockServer(o, site, "datasets", srv) if o.datasets_port_file else None
    if o.warm:
        for y in site.years:
            srv.page("/paper_files/paper/%d" % y)
            if dsrv and site.dnb[y]:
                dsrv.page("/paper/%d" % y)
            for p in site.papers[y]:
                if not p.dnb_round:
                    srv.page(site.abstract_path(p))
                elif dsrv:
                    dsrv.page(site.abstract_path(p))
    stopping = threading.Event()

    def stop(signum, frame):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=srv.shutdown, daemon=True).start()
            if dsrv:
                threading.Thread(target=dsrv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    dthread = None
    if dsrv:
        dthread = threading.Thread(target=dsrv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        dthread.start()
        atomic_write(o.datasets_port_file, ("%d\n" % dsrv.server_address[1]).encode())
    if o.port_file:
        atomic_write(o.port_file, ("%d\n" % srv.server_address[1]).encode())
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        if dsrv:
            dsrv.shutdown()
            dthread.join()
            dsrv.server_close()
        srv.server_close()
        if srv.logf:
            srv.logf.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
