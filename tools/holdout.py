#!/usr/bin/env python3
"""Estimate how the rules do on affiliations the generator has not seen.

tools/eval.py scores the rules on the same dev rows that
tools/gen_institutions.py learnt names from, which flatters them.  This
splits affiliations-dev.jsonl in two by a hash of the row's institution
(so a whole institution is either seen or unseen), regenerates
institutions-generated.yaml from the first half only (in a temporary copy
of the rules), and runs tools/eval.py on the second half.

usage: tools/holdout.py [--nipscope build/nipscope] [--data DIR] [--seed 0]
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, ".."))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nipscope", default=os.path.join(root, "build", "nipscope"))
    ap.add_argument("--data", default=os.path.join(root, "..", "shared", "data"))
    ap.add_argument("--seed", default="0")
    args = ap.parse_args()
    dev = os.path.join(args.data, "affiliations-dev.jsonl")
    if not os.path.exists(dev):
        sys.exit(f"holdout: cannot find '{dev}'")
    with tempfile.TemporaryDirectory() as tmp:
        train = os.path.join(tmp, "train")
        test = os.path.join(tmp, "test")
        os.mkdir(train)
        os.mkdir(test)
        for d in (train, test):
            os.symlink(os.path.abspath(os.path.join(args.data, "world_universities_and_domains.json")),
                       os.path.join(d, "world_universities_and_domains.json"))
        with open(dev, encoding="utf-8") as f, \
                open(os.path.join(train, "affiliations-dev.jsonl"), "w", encoding="utf-8") as a, \
                open(os.path.join(test, "affiliations-dev.jsonl"), "w", encoding="utf-8") as b:
            for line in f:
                r = json.loads(line)
                h = hashlib.sha1((args.seed + (r.get("institution") or "")).encode()).digest()[0]
                (a if h % 2 == 0 else b).write(line)
        rules = os.path.join(tmp, "rules")
        shutil.copytree(os.path.join(root, "rules"), rules)
        subprocess.run([sys.executable, os.path.join(here, "gen_institutions.py"),
                        "--data", train, "--rules", rules], check=True)
        return subprocess.run([sys.executable, os.path.join(here, "eval.py"),
                               "--nipscope", args.nipscope, "--rules", rules,
                               "--data", test, "--errors", "15"]).returncode


if __name__ == "__main__":
    sys.exit(main())
