#!/usr/bin/env python3
"""Python baselines for the classifier benchmark, over the same rules YAML
(python3-yaml).  Both normalise a string as nipscope does (NFKC, casefold,
accents stripped, anything but letters and digits a space), then try an
exact dictionary lookup of the whole normalised string, and end with the
longest email-domain suffix in a dictionary.  In between:

  substring  (what issue 7 asks for: dictionary and substring matching) every
             rule name and alias, longest first, is looked for as a substring
             of the normalised string (on word boundaries); the first found
             wins.  One `in` test per name: the plain way to write it.
  ngram      (a cleverer script) the longest run of whole words found in the
             name dictionary: at most 15 x words dictionary probes a string.

Neither has nipscope's policies, separators or precedence rules.

    classify_baseline.py [--method ngram|substring] [--limit N] [--decisions FILE]
                         RULES_DIR INPUT

INPUT: "affiliation[\\tdomain]" lines; --limit: only the first N lines (the
benchmark's input is a random draw, so its first N lines are a fixed random
subset).  --decisions: write each line's country code ("" = undecided).
Prints one JSON line: method, rules, load_seconds, rules_rss_kb (peak RSS
once the rules are loaded), affiliations, seconds, decided."""
import argparse
import json
import re
import resource
import sys
import time
import unicodedata

import yaml

_NONWORD = re.compile(r"[\W_]+")


def norm(s):
    s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", s).casefold())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return _NONWORD.sub(" ", s).strip()


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
    return names, domains


def by_domain(dom, domains):
    if dom:
        parts = dom.lower().split(".")
        for i in range(len(parts)):
            c = domains.get(".".join(parts[i:]))
            if c:
                return c
    return None


def make_ngram(names, domains):
    maxn = max(len(k.split()) for k in names)

    def classify(aff, dom):
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
        return by_domain(dom, domains)
    return classify


def make_substring(names, domains):
    # padded with spaces so that a name matches whole words only ("mit" is
    # not found in "submitted"); longest first, so "university of york" wins
    # over "york"
    ordered = sorted(((f" {k} ", v) for k, v in names.items()), key=lambda kv: (-len(kv[0]), kv[0]))

    def classify(aff, dom):
        n = norm(aff)
        c = names.get(n)
        if c:
            return c
        padded = f" {n} "
        for name, c in ordered:
            if name in padded:
                return c
        return by_domain(dom, domains)
    return classify


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--method", choices=("ngram", "substring"), default="ngram")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--decisions")
    ap.add_argument("rules")
    ap.add_argument("input")
    a = ap.parse_args()
    t0 = time.perf_counter()
    names, domains = load(a.rules)
    classify = (make_ngram if a.method == "ngram" else make_substring)(names, domains)
    t1 = time.perf_counter()
    rules_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = []
    with open(a.input, encoding="utf-8") as f:
        for line in f:
            aff, _, dom = line.rstrip("\n").partition("\t")
            rows.append((aff, dom))
            if a.limit and len(rows) >= a.limit:
                break
    t2 = time.perf_counter()
    out = [classify(aff, dom) for aff, dom in rows]
    t3 = time.perf_counter()
    if a.decisions:
        with open(a.decisions, "w", encoding="utf-8") as f:
            f.write("".join((c or "") + "\n" for c in out))
    print(json.dumps({"method": a.method, "rules": len(names), "load_seconds": round(t1 - t0, 4),
                      "rules_rss_kb": rules_rss_kb, "affiliations": len(rows), "seconds": round(t3 - t2, 4),
                      "decided": sum(1 for c in out if c)}))


if __name__ == "__main__":
    main()
