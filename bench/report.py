#!/usr/bin/env python3
"""Write bench/RESULTS.md from the result lines bench/run collected (one JSON
object a measurement).  Medians over runs; ratios are nipscope/peer of
throughput (above 1: nipscope is faster) or of cost (below 1: nipscope uses less)."""
import argparse
import collections
import json
import os
import platform
import statistics
import subprocess
import time


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "n/a"


def pyver(mod):
    r = subprocess.run(["/usr/bin/python3", "-c", f"import {mod}; print({mod}.__version__)"],
                       capture_output=True, text=True, check=False)
    return r.stdout.strip() or "not installed"


def med(rows, key):
    return statistics.median(r[key] for r in rows)


COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]


def svg_plot(path, title, xlabel, ylabel, series):
    """A small log-log line plot: series is [(name, [(x, y), ...]), ...]."""
    import math
    pts = [p for _, ps in series for p in ps if p[0] > 0 and p[1] > 0]
    if not pts:
        return False
    W, H, L, R, T, B = 480, 300, 60, 130, 30, 40
    lx = [math.log10(p[0]) for p in pts]
    ly = [math.log10(p[1]) for p in pts]
    x0, x1 = min(lx), max(lx) if max(lx) > min(lx) else min(lx) + 1
    y0, y1 = min(ly), max(ly) if max(ly) > min(ly) else min(ly) + 1

    def X(v):
        return L + (math.log10(v) - x0) / (x1 - x0) * (W - L - R)

    def Y(v):
        return H - B - (math.log10(v) - y0) / (y1 - y0) * (H - T - B)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2 - R / 2}" y="16" text-anchor="middle" font-size="13">{title}</text>',
           f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="black"/>',
           f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="black"/>',
           f'<text x="{(L + W - R) / 2}" y="{H - 8}" text-anchor="middle">{xlabel} (log)</text>',
           f'<text x="14" y="{(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 14 {(T + H - B) / 2})">{ylabel} (log)</text>']
    for x in sorted({p[0] for p in pts}):
        out.append(f'<text x="{X(x):.1f}" y="{H - B + 14}" text-anchor="middle">{x:,}</text>')
    for y in (10 ** y0, 10 ** ((y0 + y1) / 2), 10 ** y1):
        out.append(f'<text x="{L - 4}" y="{Y(y) + 4:.1f}" text-anchor="end">{y:.3g}</text>')
    for i, (name, ps) in enumerate(series):
        c = COLOURS[i % len(COLOURS)]
        ps = [p for p in ps if p[0] > 0 and p[1] > 0]
        out.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="'
                   + " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in ps) + '"/>')
        for x, y in ps:
            out.append(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="3" fill="{c}"/>')
        out.append(f'<text x="{W - R + 8}" y="{T + 16 * i + 10}" fill="{c}">{name}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return True


def tree(rs, what):
    """the median of the runs' tree peak of 'what' (pss, rss, anon), in MB"""
    return med(rs, f"tree_{what}_kb") / 1024


def split(rs):
    """nipscope's getrusage peaks apart: ' (crawler C + parser worker W)', else ''"""
    if not all("rss_crawler_kb" in r for r in rs):
        return ""
    return (f" (crawler {med(rs, 'rss_crawler_kb') / 1024:.0f} + parser worker "
            f"{med(rs, 'rss_worker_kb') / 1024:.0f})")


def scale_section(w, by, impls, o):
    w("")
    w("## Scale")
    w("")
    w("One run a size. Crawl: the 2024 mock year cut to N papers with `--papers N`, mock without delay "
      f"(`--warm`), {o.concurrency} connections for both. Classify: {'100,000' if o.quick != '1' else 'the'} "
      "affiliations of the classify section, with the shipped countries, places and domains plus N synthetic "
      "institutions from `bench/classify_gen_rules.py`.")
    base = os.path.splitext(o.out)[0]
    for section, xlabel, ylabel, key in (("scale-crawl", "papers", "wall s", "seconds"),
                                         ("scale-classify", "institutions", "matching s", "seconds")):
        w("")
        crawl = section == "scale-crawl"
        w(f"| program | {xlabel} | wall s | {'CPU s' if crawl else 'start-up s'} | peak RSS"
          f"{' (getrusage) | tree peak Pss | tree peak Rss | tree peak anon' if crawl else ''} |")
        w(f"|---|---|---|---|---|{'---|---|---|' if crawl else ''}")
        series = []
        for impl in impls(section):
            rs = sorted(by[(section, impl)], key=lambda r: r["size"])
            for r in rs:
                extra = (f"{r['user'] + r['sys']:.2f}" if section == "scale-crawl" else f"{r['load_seconds']:.3f}")
                parts = split([r])  # nipscope: the sum of its two processes' peaks
                if crawl:
                    parts += (f" | {tree([r], 'pss'):.0f} MB | {tree([r], 'rss'):.0f} MB | "
                              f"{tree([r], 'anon'):.0f} MB")
                w(f"| {impl} | {r['size']:,} | {r['seconds']:.3f} | {extra} | {r['rss_kb'] / 1024:.0f} MB{parts} |")
            series.append((impl, [(r["size"], r[key]) for r in rs]))
        svg = f"{base}-{section}.svg"
        if svg_plot(svg, section, xlabel, ylabel, series):
            w("")
            w(f"![{section}]({os.path.basename(svg)})")
        if section != "scale-crawl":
            continue
        # memory: issue 7 wants it flat as the crawl grows; show the peak and its growth per paper
        rss = []
        for impl in impls(section):
            rs = sorted(by[(section, impl)], key=lambda r: r["size"])
            rss.append((impl, [(r["size"], r["rss_kb"] / 1024) for r in rs]))
            if all("tree_pss_kb" in r for r in rs):
                rss.append((impl + " (tree Pss)", [(r["size"], r["tree_pss_kb"] / 1024) for r in rs]))
            if len(rs) >= 2 and rs[-1]["size"] > rs[0]["size"]:
                per = (rs[-1]["rss_kb"] - rs[0]["rss_kb"]) * 1024 / (rs[-1]["size"] - rs[0]["size"])
                w("")
                w(f"{impl}: peak RSS grows {per / 1024:.1f} KB a paper from {rs[0]['size']:,} to "
                  f"{rs[-1]['size']:,} papers.")
                if all("rss_crawler_kb" in r for r in (rs[0], rs[-1])):
                    span = 1024 * 1024 / (rs[-1]["size"] - rs[0]["size"])
                    w(f"Of that, {(rs[-1]['rss_crawler_kb'] - rs[0]['rss_crawler_kb']) * span / 1024 / 1024:.1f} KB "
                      f"a paper is the crawler's and "
                      f"{(rs[-1]['rss_worker_kb'] - rs[0]['rss_worker_kb']) * span / 1024 / 1024:.1f} KB the parser "
                      "worker's (its peak is the year index, one page listing every paper).")
                per = (rs[-1]["tree_pss_kb"] - rs[0]["tree_pss_kb"]) / (rs[-1]["size"] - rs[0]["size"])
                w(f"The whole process tree's peak Pss grows {per:.1f} KB a paper "
                  f"({tree(rs[:1], 'pss'):.0f} MB to {tree(rs[-1:], 'pss'):.0f} MB).")
        svg = f"{base}-{section}-rss.svg"
        if svg_plot(svg, section + " peak RSS", xlabel, "peak RSS MB", rss):
            w("")
            w(f"![{section} peak RSS]({os.path.basename(svg)})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("out")
    for a in ("scale", "src", "runs", "quick", "parse-pages", "crawl-papers", "delay", "concurrency", "naffs", "peers",
              "load-start"):
        ap.add_argument("--" + a, default="")
    o = ap.parse_args()
    rows = [json.loads(line) for line in open(o.results) if line.strip()]
    by = collections.defaultdict(list)
    for r in rows:
        by[(r["section"], r["impl"])].append(r)

    def impls(section):
        seen = []
        for r in rows:
            if r["section"] == section and r["impl"] not in seen:
                seen.append(r["impl"])
        return seen

    L = []
    w = L.append
    quick = o.quick == "1"
    w("# nipscope against its peers")
    w("")
    w(f"Written by `bench/run{' --quick' if quick else ''} --runs {o.runs}` on "
      f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Every figure is the median of {o.runs} run(s); "
      "all programs ran in the same run of the harness, one after another, on the same inputs.")
    if quick:
        w("")
        w("**--quick: tiny sizes and one run, to check that the harness works. These figures mean nothing.**")
    if o.peers != "1":
        w("")
        w("The Python peers were not installed: only nipscope was measured.")
    w("")
    w("## Machine")
    w("")
    model = "unknown"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = "unknown"
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem = f"{int(line.split()[1]) / 1048576:.1f} GiB"
    w(f"- cores: {os.cpu_count()} ({platform.machine()}), CPU: {model}")
    w(f"- memory: {mem}; kernel {platform.release()}")
    w(f"- load average (1, 5, 15 min) at the start: {o.load_start}; at the end: "
      f"{' '.join(open('/proc/loadavg').read().split()[:3])}")
    w("")
    w("## Versions")
    w("")
    head = sh("git", "-C", o.src, "rev-parse", "--short", "HEAD")
    dirty = " (with uncommitted changes)" if sh("git", "-C", o.src, "status", "--porcelain", "--untracked-files=no") else ""
    w(f"- nipscope: commit {head}{dirty}, Release build (gcc -O3 via CMake)")
    w(f"- gcc: {sh('gcc', '-dumpfullversion')}; gumbo {sh('pkg-config', '--modversion', 'gumbo')}, "
      f"libxml2 {sh('pkg-config', '--modversion', 'libxml-2.0')}, libcurl {sh('pkg-config', '--modversion', 'libcurl')}")
    w(f"- python3: {sh('/usr/bin/python3', '-c', 'import platform; print(platform.python_version())')} (Debian's /usr/bin/python3)")
    w(f"- scrapy {pyver('scrapy')}, bs4 {pyver('bs4')}, lxml {pyver('lxml')}, parsel {pyver('parsel')}, "
      f"PyYAML {pyver('yaml')}")

    # ---- parse
    w("")
    w("## Parse")
    w("")
    w(f"The 2024 year index and {o.parse_pages} abstract pages, fetched once from the mock site and saved to "
      "files, read into memory first; timed: parsing and extracting every paper's title, authors, track, "
      "abstract and absolute PDF link (and the index's papers: link, title, authors, track). "
      "nipscope is `bench/parse_bench` calling `crawler_parse_year_index()` and `crawler_parse_abstract()` "
      "with `rules/sites/neurips.yaml` (gumbo, then libxml2 XPath). The floors: `cat` of every file to "
      "/dev/null (a process, wall time), a read loop into memory, gumbo's parse alone with nipscope's options "
      "(no extraction; max_errors 0) and libxml2's HTML parser alone (`htmlReadMemory`, recovering). "
      "\"nipscope on libxml2 HTML\" is a data point, not what nipscope runs: `bench/parse_bench_libxml2`, the "
      "same parser code and profile with libxml2's HTML parser in gumbo's place (its extraction is "
      "byte-identical to gumbo's on every mock page and the shared samples). "
      "Ratio: nipscope pages/s over the row's pages/s.")
    w("")
    w("| program | pages | papers | authors | MB | seconds | pages/s | MB/s | peak RSS | nipscope/this |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    nip = by.get(("parse", "nipscope"))
    nip_s = med(nip, "seconds") if nip else None
    for impl in impls("parse"):
        rs = by[("parse", impl)]
        s = med(rs, "seconds")
        pages = rs[0].get("pages", nip[0]["pages"] if nip else 0)
        mb = rs[0].get("bytes", nip[0]["bytes"] if nip else 0) / 1e6
        ratio = f"{s / nip_s:.2f}" if nip_s and s and impl != "nipscope" else ""
        w(f"| {impl} | {pages} | {rs[0].get('papers', '')} | {rs[0].get('authors', '')} | {mb:.1f} | {s:.3f} | "
          f"{pages / s if s else 0:,.0f} | {mb / s if s else 0:,.1f} | {med(rs, 'rss_kb') / 1024:.0f} MB | {ratio} |")

    # ---- crawl
    w("")
    w("## Crawl")
    w("")
    papers = o.crawl_papers if o.crawl_papers != "full" else "all 4,493"
    w(f"The 2024 mock year ({papers} papers), mock started with `--delay-ms {o.delay} --warm`; "
      f"{o.concurrency} concurrent connections for both, no rate cap: `nipscope crawl --rate 0 --concurrency "
      f"{o.concurrency}` (which also classifies every author, writes and fsyncs records and keeps SQLite state) "
      f"against `bench/peers/scrapy_spider.py` (CONCURRENT_REQUESTS={o.concurrency}, no delay, AutoThrottle off, "
      "robots.txt obeyed; feed, then index, then abstract pages, same fields, JSON lines). "
      f"Bound = requests x {o.delay} ms / {o.concurrency}, requests = papers + 2 (index, feed; robots.txt not "
      "counted). CPU = user + sys of the process from `/usr/bin/time` (for nipscope, its parser worker "
      "included). Memory, two ways. *getrusage RSS* (the old column): nipscope's is the crawler's peak plus its "
      "parser worker's peak (each from `getrusage`, in the crawl's `-v` log), an upper bound that counts the "
      "shared libraries both processes map twice and adds two peaks that need not coincide; Scrapy's is its "
      "one process's from `/usr/bin/time`. *Tree* (the fair one, the same for every program): "
      "`bench/memsample.py` reads `/proc/PID/smaps_rollup` of the program's process and all its descendants "
      "every 20 ms and keeps the peak of their sum at one instant: *Pss* (a page shared by n processes counts "
      "1/n in each, so every page counts once: what the program needs), *Rss* (shared pages once a process) and "
      "*anon* (anonymous memory: heaps and stacks, no file pages). A peak shorter than 20 ms can be missed. "
      "The sampler is a separate process whose CPU is not in the CPU column; its own CPU is shown.")
    w("")
    w("| program | papers written | wall s | bound s | wall/bound | CPU s | CPU s per 1,000 pages | peak RSS (getrusage) "
      "| tree peak Pss | tree peak Rss | tree peak anon | sampler CPU s | nipscope/this (wall, CPU, RSS, Pss) |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    nip = by.get(("crawl", "nipscope"))
    for impl in impls("crawl"):
        rs = by[("crawl", impl)]
        wall = med(rs, "seconds")
        cpu = statistics.median(r["user"] + r["sys"] for r in rs)
        rss = med(rs, "rss_kb") / 1024
        npapers = int(med(rs, "papers"))
        bound = (npapers + 2) * int(o.delay) / 1000 / int(o.concurrency)
        ratio = ""
        if nip and impl != "nipscope":
            nw = med(nip, "seconds")
            nc = statistics.median(r["user"] + r["sys"] for r in nip)
            nr = med(nip, "rss_kb") / 1024
            ratio = f"{nw / wall:.2f}, {nc / cpu:.2f}, {nr / rss:.2f}, {tree(nip, 'pss') / tree(rs, 'pss'):.2f}"
        w(f"| {impl} | {npapers} | {wall:.2f} | {bound:.2f} | {wall / bound:.2f} | {cpu:.2f} | "
          f"{cpu / (npapers + 2) * 1000:.2f} | {rss:.0f} MB{split(rs)} | {tree(rs, 'pss'):.0f} MB | "
          f"{tree(rs, 'rss'):.0f} MB | {tree(rs, 'anon'):.0f} MB | {med(rs, 'sampler_cpu'):.2f} | {ratio} |")

    # ---- classify
    w("")
    w("## Classify")
    w("")
    agree = {r["impl"]: r for r in rows if r["section"] == "classify-agree"}
    nsub = next((r["affiliations"] for r in by.get(("classify", "python substring baseline"), [])), 0)
    w(f"{int(o.naffs):,} affiliation strings (with their email domains) drawn with repetition, seed 7, from "
      "`../shared/data/affiliations-dev.jsonl`; the shipped `rules/`. nipscope is `classify_bench` "
      "(bench/classify_bench.c, one round). The baselines are `bench/peers/classify_baseline.py` (PyYAML with "
      "the C loader; NFKC, casefold and accents stripped as nipscope normalises; an exact dictionary lookup of "
      "the whole string first and the longest email-domain suffix last; no policies, separators or "
      "precedence, so both do less than nipscope). In between, the *substring* baseline (what issue 7 "
      "describes) looks for every rule name and alias, longest first, as a substring on word boundaries: "
      f"it is too slow for the full input, so it is timed on the first {nsub:,} lines of the same random "
      "draw (a fixed random subset); the *n-gram* baseline (a cleverer script) looks up the longest run of "
      "whole words in the dictionary. Agreement = the share of the baseline's inputs where its country (or "
      "no country) is nipscope's; decided = both give the same country. Start-up = loading the rules; "
      "affiliations/s = wall time of the matching loop alone; rules RSS = peak RSS once the rules are "
      "loaded (before the input is read); process RSS also holds the input. Ratio: nipscope over the row "
      "(throughput; start-up and rules RSS as costs).")
    w("")
    w("| program | affiliations | decided | agreement with nipscope (all, decided) | start-up s | affiliations/s | rules RSS | process RSS | nipscope/this (speed, start-up, rules RSS) |")
    w("|---|---|---|---|---|---|---|---|---|")
    nip = by.get(("classify", "nipscope"))
    for impl in impls("classify"):
        rs = by[("classify", impl)]
        s = med(rs, "seconds")
        aps = rs[0]["affiliations"] / s if s else 0
        ratio = ""
        rr = med(rs, "rules_rss_kb") if all("rules_rss_kb" in r for r in rs) else 0
        if nip and impl != "nipscope":
            ns = med(nip, "seconds")
            nrr = med(nip, "rules_rss_kb") if all("rules_rss_kb" in r for r in nip) else 0
            ratio = (f"{(nip[0]['affiliations'] / ns) / aps:.2f}, {med(nip, 'load_seconds') / med(rs, 'load_seconds'):.2f}, "
                     f"{nrr / rr if rr else 0:.2f}")
        ag = agree.get(impl)
        agt = (f"{100 * ag['agree'] / ag['affiliations']:.2f}%, {100 * ag['agree_decided'] / ag['affiliations']:.2f}%"
               if ag and ag["affiliations"] else ("(itself)" if impl == "nipscope" else ""))
        w(f"| {impl} | {rs[0]['affiliations']:,} | {rs[0]['decided']:,} | {agt} | {med(rs, 'load_seconds'):.3f} | "
          f"{aps:,.0f} | {rr / 1024:.0f} MB | {med(rs, 'rss_kb') / 1024:.0f} MB | {ratio} |")
    if o.scale == "1":
        scale_section(w, by, impls, o)
    w("")
    w("Raw measurements: the `.jsonl` file next to this one (one line a program run).")
    with open(o.out, "w") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
