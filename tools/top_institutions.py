#!/usr/bin/env python3
"""List the institutions of affiliations-dev.jsonl by summed `count`.

For each normalised institution: total count, number of rows, the label
countries seen (with their counts) and the most common email domains.
Used to choose and review the entries of rules/institutions.yaml.

usage: tools/top_institutions.py [--data ../shared/data] [-n 1000] [--tsv]
"""
import argparse
import collections
import json
import os
import sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"))
    ap.add_argument("-n", type=int, default=1000)
    args = ap.parse_args()
    path = os.path.join(args.data, "affiliations-dev.jsonl")
    if not os.path.exists(path):
        sys.exit(f"top_institutions: cannot find '{path}'")
    total = collections.Counter()
    rows = collections.Counter()
    countries = collections.defaultdict(collections.Counter)
    domains = collections.defaultdict(collections.Counter)
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            inst = r["institution"] or ""
            total[inst] += r["count"]
            rows[inst] += 1
            countries[inst][r["country"]] += r["count"]
            if r["email_domain"]:
                domains[inst][r["email_domain"]] += r["count"]
    ranked = sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[: args.n]
    for i, (inst, n) in enumerate(ranked, 1):
        cs = ",".join(f"{c}:{k}" for c, k in countries[inst].most_common())
        ds = ",".join(d for d, _ in domains[inst].most_common(3))
        print(f"{i}\t{n}\t{rows[inst]}\t{inst}\t{cs}\t{ds}")


if __name__ == "__main__":
    main()
