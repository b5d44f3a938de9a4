#!/usr/bin/env python3
"""classify_gen_rules.py - write a synthetic rule set with N institutions
(default 100,000) for classify_bench: the shipped countries, places,
normalize, domains and policies files, plus N made-up institutions with
aliases, acronyms and domains, all distinct.

usage: classify_gen_rules.py SHIPPED_RULES_DIR OUT_DIR [N]
"""
import os
import random
import shutil
import sys

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
         "sigma tau upsilon phi chi psi omega north south east west central royal national "
         "institute college academy polytechnic research centre laboratory foundation").split()
CODES = ["US", "CN", "GB", "DE", "FR", "JP", "KR", "CA", "IN", "SG", "CH", "AU", "IT", "NL", "SE"]


def main():
    src, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
    os.makedirs(out, exist_ok=True)
    for f in ("normalize.yaml", "countries.yaml", "places.yaml", "domains.yaml", "policies.yaml"):
        if os.path.exists(os.path.join(src, f)):
            shutil.copy(os.path.join(src, f), os.path.join(out, f))
    rnd = random.Random(42)
    with open(os.path.join(out, "institutions.yaml"), "w") as fh:
        fh.write("institutions:\n")
        for i in range(n):
            w = [rnd.choice(WORDS) for _ in range(2)]
            name = "%s %s Synthetic University %d" % (w[0].title(), w[1].title(), i)
            fh.write("  - {id: inst.syn%d, name: %s, country: %s, aliases: [%s Univ %d, "
                     "%s Tech %d], acronyms: [SYN%d], domains: [syn%d.edu]}\n"
                     % (i, name, CODES[i % len(CODES)], w[0].title(), i, w[1].title(), i, i, i))


if __name__ == "__main__":
    main()
