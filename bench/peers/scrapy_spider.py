#!/usr/bin/env python3
"""The Scrapy peer of the crawl benchmark: the virtual-site feed, then the
year index, then every abstract page; one JSON line a paper with the same
fields as nipscope's record (title, authors with the feed's institution,
track, abstract, pdf link).  Settings as a Python developer would set them
for the same politeness as `nipscope crawl --rate 0 --concurrency N`: N
concurrent requests, no delay, AutoThrottle off, robots.txt obeyed.

    scrapy_spider.py BASE_URL YEAR CONCURRENCY OUT.jsonl   (BASE_URL: the mock only)"""
import json
import sys
from urllib.parse import urlparse

import scrapy
from scrapy.crawler import CrawlerProcess


class NeurIPSSpider(scrapy.Spider):
    name = "neurips"

    def __init__(self, base, year, **kw):
        super().__init__(**kw)
        self.base, self.year, self.feed = base, int(year), {}

    def start_requests(self):
        yield scrapy.Request(f"{self.base}/static/virtual/data/neurips-{self.year}-orals-posters.json",
                             callback=self.parse_feed)

    def parse_feed(self, response):
        for r in json.loads(response.body).get("results", []):
            url = r.get("paper_url") or ""
            if url:
                self.feed[urlparse(url).path] = [(a.get("fullname"), a.get("institution"))
                                                 for a in r.get("authors", [])]
        yield scrapy.Request(f"{self.base}/paper_files/paper/{self.year}", callback=self.parse_index)

    def parse_index(self, response):
        for li in response.css("ul.paper-list > li"):
            href = li.css("a[href*='/hash/']::attr(href)").get()
            if href:
                yield response.follow(href, callback=self.parse_paper,
                                      cb_kwargs={"track": li.attrib.get("data-track")})

    def parse_paper(self, response, track):
        path = urlparse(response.url).path
        feed = dict(self.feed.get(path, []))
        authors = response.css("meta[name=citation_author]::attr(content)").getall()
        pdf = response.xpath("//div[contains(@class, 'paper-actions')]/a[normalize-space(.)='Paper']/@href").get()
        yield {
            "id": path.rsplit("/", 1)[1].split("-", 1)[0],
            "title": response.css("meta[name=citation_title]::attr(content)").get(),
            "authors": [{"name": a, "affiliation": feed.get(a)} for a in authors],
            "track": track,
            "abstract": "".join(response.css("p.paper-abstract ::text").getall()).strip(),
            "pdf_url": response.urljoin(pdf) if pdf else None,
        }


def main():
    base, year, conc, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    assert base.startswith("http://127.0.0.1:"), "the mock site only"
    process = CrawlerProcess(settings={
        "CONCURRENT_REQUESTS": conc,
        "CONCURRENT_REQUESTS_PER_DOMAIN": conc,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "USER_AGENT": "nipscope-bench-scrapy",
        "FEEDS": {out: {"format": "jsonlines", "overwrite": True}},
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    })
    process.crawl(NeurIPSSpider, base=base, year=year)
    process.start()


if __name__ == "__main__":
    main()
