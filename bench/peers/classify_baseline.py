#!/usr/bin/env python3
"""A Python baseline for the classifier benchmark: what a Python developer
would write first.  Loads the same rules YAML (python3-yaml), builds one
dictionary from normalised names (institutions, aliases, branches, places,
countries) to a country code and one from email-domain suffixes, and places
each affiliation by: the whole normalised string, else the longest token
n-gram found in the dictionary (substring matching on token boundaries),
else the longest domain suffix.  No policies, separators or precedence, so
it does less than nipscope.

    classify_baseline.py RULES_DIR INPUT    (INPUT: "affiliation[\\tdomain]" lines)

Prints one JSON line: rules, load_seconds, affiliations, seconds, decided."""
import json
import re
import sys
import time
import unicodedata

import yaml

_SPLIT = re.compile(r"[^0-9a-z]+")


def norm(s):
    s = unicodedata.normalize("NFKD", s.casefold())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(_SPLIT.split(s)).strip()


def load(rules):
    names, domains = {}, {}

    def add(entry, country):
        country = entry.get("country", country) or entry.get("code") or entry.get("hq") or country
        if not country:
            return
        for key in ("name",):
            if entry.get(key):
                names.setdefault(norm(str(entry[key])), country)
        for key in ("names", "aliases"):
            for n in entry.get(key) or []:
                names.setdefault(norm(str(n)), country)
        for d in entry.get("domains") or []:
            domains.setdefault(str(d).lower(), country)
        for b in entry.get("branches") or []:
            add(b, country)

    for f, key in (("institutions.yaml", "institutions"), ("institutions-generated.yaml", "institutions"),
                   ("places.yaml", "places"), ("countries.yaml", "countries")):
        try:
            with open(f"{rules}/{f}", encoding="utf-8") as fh:
                doc = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        except FileNotFoundError:
            continue
        for e in doc.get(key) or []:
            add(e, None)
    with open(f"{rules}/domains.yaml", encoding="utf-8") as fh:
        doc = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    for e in doc.get("domains") or []:
        sfx = e.get("suffix")
        for s in sfx if isinstance(sfx, list) else [sfx]:
            if s and e.get("country"):
                domains.setdefault(str(s).lower(), e["country"])
    names.pop("", None)
    maxn = max(len(k.split()) for k in names)
    return names, domains, maxn


def classify(aff, dom, names, domains, maxn):
    n = norm(aff)
    c = names.get(n)
    if c:
        return c
    toks = n.split()
    for size in range(min(maxn, len(toks)), 0, -1):
        for i in range(len(toks) - size + 1):
            c = names.get(" ".join(toks[i:i + size]))
            if c:
                return c
    if dom:
        parts = dom.lower().split(".")
        for i in range(len(parts)):
            c = domains.get(".".join(parts[i:]))
            if c:
                return c
    return None


def main():
    rules, path = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    names, domains, maxn = load(rules)
    t1 = time.perf_counter()
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            aff, _, dom = line.rstrip("\n").partition("\t")
            rows.append((aff, dom))
    t2 = time.perf_counter()
    decided = sum(1 for aff, dom in rows if classify(aff, dom, names, domains, maxn))
    t3 = time.perf_counter()
    print(json.dumps({"rules": len(names), "load_seconds": round(t1 - t0, 4), "affiliations": len(rows),
                      "seconds": round(t3 - t2, 4), "decided": decided}))


if __name__ == "__main__":
    main()
