#!/usr/bin/env python3
"""The Python side of the parse benchmark: the same work as bench/parse_bench.c
in 'parse' mode, written as a Python developer would with each library.

    parse_peers.py IMPL INDEX_FILE LIST_FILE

IMPL: bs4-html.parser, bs4-lxml, lxml (lxml.html + XPath), parsel (CSS).
From the index: every paper (link, title, authors, track); from every
abstract page: title, authors, track, abstract and the absolute pdf link.
Files are read into memory first; the timed part is decoding and parsing.
Prints one JSON line like parse_bench."""
import json
import sys
import time
from urllib.parse import urljoin

BASE = "http://127.0.0.1/paper_files/paper/2024/hash/"


def bs4_impl(backend):
    from bs4 import BeautifulSoup

    def index(data):
        soup = BeautifulSoup(data.decode("utf-8"), backend)
        out = []
        for li in soup.select("ul.paper-list > li"):
            a = li.find("a", href=lambda h: h and "/hash/" in h)
            if a is None:
                continue
            span = li.find("span", class_="paper-authors")
            authors = [s.strip() for s in span.get_text().split(",")] if span else []
            out.append({"url": a["href"], "title": a.get_text(strip=True),
                        "authors": authors, "track": li.get("data-track")})
        return out

    def abstract(url, data):
        soup = BeautifulSoup(data.decode("utf-8"), backend)
        meta = soup.find("meta", attrs={"name": "citation_title"})
        title = meta["content"] if meta else soup.find("h1", class_="paper-title").get_text(strip=True)
        authors = [m["content"] for m in soup.find_all("meta", attrs={"name": "citation_author"})]
        track = soup.find("span", class_="paper-track")
        ab = soup.find("p", class_="paper-abstract")
        pdf = None
        actions = soup.find("div", class_="paper-actions")
        if actions:
            for a in actions.find_all("a"):
                if a.get_text(strip=True) == "Paper":
                    pdf = urljoin(url, a["href"])
                    break
        return {"title": title, "authors": authors,
                "track": track.get_text(strip=True) if track else None,
                "abstract": ab.get_text(strip=True) if ab else None, "pdf": pdf}

    return index, abstract


def cls(name):
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def lxml_impl():
    import lxml.html
    from lxml import etree

    x_items = etree.XPath(f"//ul[{cls('paper-list')}]/li")
    x_link = etree.XPath("(.//a[contains(@href, '/hash/')])[1]")
    x_iauth = etree.XPath(f".//span[{cls('paper-authors')}]/text()")
    x_title = etree.XPath("//meta[@name='citation_title']/@content")
    x_h1 = etree.XPath(f"//h1[{cls('paper-title')}]")
    x_auth = etree.XPath("//meta[@name='citation_author']/@content")
    x_track = etree.XPath(f"//span[{cls('paper-track')}]")
    x_abs = etree.XPath(f"//p[{cls('paper-abstract')}]")
    x_pdf = etree.XPath(f"//div[{cls('paper-actions')}]/a[normalize-space(.)='Paper']/@href")

    def index(data):
        doc = lxml.html.fromstring(data)
        out = []
        for li in x_items(doc):
            a = x_link(li)
            if not a:
                continue
            au = "".join(x_iauth(li))
            out.append({"url": a[0].get("href"), "title": a[0].text_content().strip(),
                        "authors": [s.strip() for s in au.split(",")] if au else [],
                        "track": li.get("data-track")})
        return out

    def abstract(url, data):
        doc = lxml.html.fromstring(data)
        t = x_title(doc)
        title = t[0] if t else x_h1(doc)[0].text_content().strip()
        tr, ab, pdf = x_track(doc), x_abs(doc), x_pdf(doc)
        return {"title": title, "authors": list(x_auth(doc)),
                "track": tr[0].text_content().strip() if tr else None,
                "abstract": ab[0].text_content().strip() if ab else None,
                "pdf": urljoin(url, pdf[0]) if pdf else None}

    return index, abstract


def parsel_impl():
    from parsel import Selector

    def index(data):
        sel = Selector(text=data.decode("utf-8"))
        out = []
        for li in sel.css("ul.paper-list > li"):
            a = li.css("a[href*='/hash/']")
            if not a:
                continue
            au = li.css("span.paper-authors::text").get()
            out.append({"url": a[0].attrib["href"], "title": (a[0].css("::text").get() or "").strip(),
                        "authors": [s.strip() for s in au.split(",")] if au else [],
                        "track": li.attrib.get("data-track")})
        return out

    def abstract(url, data):
        sel = Selector(text=data.decode("utf-8"))
        title = sel.css("meta[name=citation_title]::attr(content)").get() or \
            "".join(sel.css("h1.paper-title ::text").getall()).strip()
        pdf = sel.xpath("//div[contains(@class, 'paper-actions')]/a[normalize-space(.)='Paper']/@href").get()
        return {"title": title,
                "authors": sel.css("meta[name=citation_author]::attr(content)").getall(),
                "track": (sel.css("span.paper-track::text").get() or "").strip() or None,
                "abstract": "".join(sel.css("p.paper-abstract ::text").getall()).strip() or None,
                "pdf": urljoin(url, pdf) if pdf else None}

    return index, abstract


def main():
    impl, index_file, list_file = sys.argv[1:4]
    if impl.startswith("bs4-"):
        index, abstract = bs4_impl(impl[4:])
    elif impl == "lxml":
        index, abstract = lxml_impl()
    elif impl == "parsel":
        index, abstract = parsel_impl()
    else:
        sys.exit(f"unknown implementation {impl}")
    with open(index_file, "rb") as f:
        ix = f.read()
    pages = []
    for path in open(list_file).read().split():
        with open(path, "rb") as f:
            pages.append((BASE + path.rsplit("/", 1)[1], f.read()))
    nbytes = len(ix) + sum(len(d) for _, d in pages)
    t0 = time.perf_counter()
    papers = index(ix)
    npapers, nauthors = len(papers), sum(len(p["authors"]) for p in papers)
    for url, data in pages:
        p = abstract(url, data)
        if p["title"] and p["pdf"]:
            npapers += 1
            nauthors += len(p["authors"])
    secs = time.perf_counter() - t0
    print(json.dumps({"mode": impl, "pages": len(pages) + 1, "bytes": nbytes, "seconds": round(secs, 6),
                      "papers": npapers, "authors": nauthors}))


if __name__ == "__main__":
    main()
