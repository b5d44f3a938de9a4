#!/usr/bin/env python3
"""List the institutions of affiliations-dev.jsonl by summed `count`.

For each normalised institution: total count, number of rows, the label
countries seen (with their counts) and the most common email domains.
Used to choose and review the entries of rules/institutions.yaml.

usage: tools/top_institutions.py [--data ../shared/data] [-n 1000]
       tools/top_institutions.py --check NIPSCOPE [--rules rules] [-n 1000]

--check classifies each of the top institution names alone and reports
every one whose answer is not its majority label country, except those
reviewed in tools/top-exceptions.tsv and the HK/MO/TW answers to names
labelled China; exit status 1 if any is left.
"""
import argparse
import collections
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_rules import Normalizer, as_list, load  # noqa: E402


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"))
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--check", metavar="NIPSCOPE", default=None)
    ap.add_argument("--rules", default=os.path.join(here, "..", "rules"))
    ap.add_argument("--exceptions", default=os.path.join(here, "top-exceptions.tsv"))
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
    if args.check:
        return check(args, ranked, countries)
    for i, (inst, n) in enumerate(ranked, 1):
        cs = ",".join(f"{c}:{k}" for c, k in countries[inst].most_common())
        ds = ",".join(d for d, _ in domains[inst].most_common(3))
        print(f"{i}\t{n}\t{rows[inst]}\t{inst}\t{cs}\t{ds}")


def check(args, ranked, countries):
    norm = Normalizer(load(os.path.join(args.rules, "normalize.yaml")))
    code_of = {}
    for c in load(os.path.join(args.rules, "countries.yaml"))["countries"]:
        for n in [c["name"]] + as_list(c.get("names")):
            code_of.setdefault(norm(n), c["code"])
    reviewed = {}
    with open(args.exceptions, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, answer, reason = line.rstrip("\n").split("\t")
                reviewed[name] = answer
    feed = "".join(json.dumps({"affiliation": inst, "email_domain": None}) + "\n"
                   for inst, _ in ranked)
    p = subprocess.run([args.check, "classify", "--jsonl", "--rules", args.rules],
                       input=feed.encode("utf-8"), stdout=subprocess.PIPE)
    answers = [json.loads(x) for x in p.stdout.decode("utf-8").splitlines()]
    if len(answers) != len(ranked):
        sys.exit(f"top_institutions: {len(answers)} answers for {len(ranked)} names")
    bad = 0
    for i, ((inst, n), a) in enumerate(zip(ranked, answers), 1):
        label = code_of[norm(countries[inst].most_common(1)[0][0])]
        got = a.get("country")
        if got == label or (label == "CN" and got in ("HK", "MO", "TW")):
            continue
        if reviewed.get(inst) == (got or "null"):
            continue
        bad += 1
        print(f"{i}\t{n}\t{inst}\tlabel {label}\tgot {got} by {a.get('rule')}\t{a.get('reason') or ''}")
    print(f"top_institutions: {len(ranked)} names, {bad} unexpected answers", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
