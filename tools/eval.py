#!/usr/bin/env python3
"""Score `nipscope classify` on the labelled dev affiliations.

Runs `NIPSCOPE classify --jsonl --rules RULES [--policy P]` over
../shared/data/affiliations-dev.jsonl, feeding {"affiliation": raw,
"email_domain": domain} per row, and compares the answer with the row's
label (an English country name, mapped to ISO alpha-2 through
rules/countries.yaml).  Hong Kong, Macau and Taiwan are their own codes, so
an HK answer to a row labelled "China" counts as wrong in the raw figures.

Figures (overall, and for the rows whose label is US or CN):
  precision = correct / decided      coverage = decided / all
each by rows and weighted by the rows' `count`.  They are given twice: raw,
and corrected by tools/dev-errata.tsv (rows judged mislabelled get the
errata's code as their label; see that file's header).

The worst errors are listed: the most frequent (label, answer, rule)
triples, weighted by count, with an example, and the most frequent undecided
US/CN rows.

--check exits 1 unless, in the corrected figures, the US and CN rows meet
precision >= --min-precision and coverage >= --min-coverage, both by rows
and weighted.  A missing data file or binary is an error (exit 2), never a
pass.

usage: tools/eval.py [--nipscope build/nipscope] [--rules rules]
                     [--data ../shared/data] [--errata tools/dev-errata.tsv]
                     [--policy default] [--errors 25] [--json FILE] [--check]
"""
import argparse
import collections
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_rules import Normalizer, as_list, load  # noqa: E402


def die(msg, status=2):
    print(f"eval: {msg}", file=sys.stderr)
    sys.exit(status)


def read_errata(path):
    """(raw, email_domain or '*' or '-') -> (label, code, reason)."""
    errata = {}
    if not path:
        return errata
    if not os.path.exists(path):
        die(f"cannot find errata '{path}'")
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 5:
                die(f"{path}:{n}: want 5 tab-separated columns, got {len(cols)}")
            raw, dom, label, code, reason = cols
            if not reason.strip():
                die(f"{path}:{n}: an erratum needs a reason")
            errata[(raw, dom)] = (label, code, reason)
    return errata


class Tally:
    def __init__(self):
        self.rows = collections.Counter()
        self.weight = collections.Counter()

    def add(self, key, w):
        self.rows[key] += 1
        self.weight[key] += w

    def figures(self, which):
        c = getattr(self, which)
        total = c["all"]
        decided = c["decided"]
        correct = c["correct"]
        return {
            "all": total, "decided": decided, "correct": correct,
            "precision": correct / decided if decided else 0.0,
            "coverage": decided / total if total else 0.0,
        }


def score(rows, answers, label_of):
    groups = {"all": Tally(), "US": Tally(), "CN": Tally()}
    for r, a in zip(rows, answers):
        label = label_of(r)
        if label is None:
            continue
        got = a.get("country")
        w = r.get("count") or 1
        for g in ("all", label):
            if g not in groups:
                continue
            t = groups[g]
            t.add("all", w)
            if got:
                t.add("decided", w)
                if got == label:
                    t.add("correct", w)
    return {g: {"rows": t.figures("rows"), "weighted": t.figures("weight")}
            for g, t in groups.items()}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, ".."))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nipscope", default=os.environ.get("NIPSCOPE", os.path.join(root, "build", "nipscope")))
    ap.add_argument("--rules", default=os.path.join(root, "rules"))
    ap.add_argument("--data", default=os.path.join(root, "..", "shared", "data"))
    ap.add_argument("--errata", default=os.path.join(here, "dev-errata.tsv"))
    ap.add_argument("--policy", default=None)
    ap.add_argument("--errors", type=int, default=25)
    ap.add_argument("--json", default=None, help="write the figures as JSON to FILE")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--min-precision", type=float, default=0.99)
    ap.add_argument("--min-coverage", type=float, default=0.97)
    args = ap.parse_args()

    dev = os.path.join(args.data, "affiliations-dev.jsonl")
    if not os.path.exists(dev):
        die(f"cannot find '{dev}': the dev data is needed to score the rules")
    if not os.access(args.nipscope, os.X_OK):
        die(f"cannot run '{args.nipscope}' (build it, or pass --nipscope)")
    errata = read_errata(args.errata)

    norm = Normalizer(load(os.path.join(args.rules, "normalize.yaml")))
    label_code = {}
    for c in load(os.path.join(args.rules, "countries.yaml"))["countries"]:
        for n in [c["name"]] + as_list(c.get("names")):
            label_code.setdefault(norm(n), c["code"])

    rows = []
    with open(dev, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            r = json.loads(line)
            code = label_code.get(norm(r.get("country") or ""))
            if code is None:
                die(f"{dev}:{n}: cannot map label {r.get('country')!r} to a country code")
            r["code"] = code
            rows.append(r)

    feed = "".join(json.dumps({"affiliation": r["raw"], "email_domain": r.get("email_domain")},
                              ensure_ascii=False) + "\n" for r in rows)
    cmd = [args.nipscope, "classify", "--jsonl", "--rules", args.rules]
    if args.policy:
        cmd += ["--policy", args.policy]
    p = subprocess.run(cmd, input=feed.encode("utf-8"), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    out = p.stdout.decode("utf-8").splitlines()
    if p.returncode not in (0, 65) or len(out) != len(rows):
        die(f"{' '.join(cmd)}: exit {p.returncode}, {len(out)} lines for {len(rows)} rows\n"
            + p.stderr.decode("utf-8", "replace")[-2000:])
    answers = []
    for n, line in enumerate(out, 1):
        a = json.loads(line)
        if "error" in a:
            die(f"row {n}: the classifier rejected the input: {a['error']}")
        answers.append(a)

    # errata: which rows they touch, and which errata touch nothing
    used = set()

    def corrected(r):
        dom = r.get("email_domain")
        for key in ((r["raw"], dom if dom else "-"), (r["raw"], "*")):
            e = errata.get(key)
            if e and e[0] == r["country"]:
                used.add(key)
                return None if e[1] == "?" else e[1]
        return r["code"]

    raw = score(rows, answers, lambda r: r["code"])
    fixed = score(rows, answers, corrected)
    stale = sorted(k for k in errata if k not in used)
    changed = sum(1 for r in rows if corrected(r) != r["code"])

    def show(title, s):
        print(f"== {title}")
        print(f"{'rows':<6} {'by':<9} {'precision':>9} {'coverage':>9} {'correct':>8} {'decided':>8} {'all':>8}")
        for g in ("all", "US", "CN"):
            for by in ("rows", "weighted"):
                f = s[g][by]
                print(f"{g:<6} {by:<9} {f['precision']:>9.4f} {f['coverage']:>9.4f} "
                      f"{f['correct']:>8} {f['decided']:>8} {f['all']:>8}")

    print(f"# {' '.join(cmd)} < {dev}  ({len(rows)} rows)")
    show("raw labels", raw)
    show(f"corrected by {os.path.relpath(args.errata, root) if args.errata else '-'} "
         f"({len(errata)} errata, {changed} rows relabelled)", fixed)
    if stale:
        print(f"# {len(stale)} errata match no row (label changed?): "
              + "; ".join(f"{k[0]!r}/{k[1]}" for k in stale[:10]))

    wrong = collections.Counter()
    example = {}
    undecided = collections.Counter()
    for r, a in zip(rows, answers):
        label = corrected(r)
        got = a.get("country")
        w = r.get("count") or 1
        if label is None:
            continue
        if got and got != label:
            key = (label, got, a.get("rule") or "-")
            wrong[key] += w
            example.setdefault(key, (r["raw"], r.get("email_domain")))
        elif not got and label in ("US", "CN"):
            undecided[(label, r["raw"], r.get("email_domain"), a.get("reason") or "-")] += w
    if args.errors:
        print(f"== worst errors (corrected labels, weighted by count)")
        for (label, got, rule), w in wrong.most_common(args.errors):
            raw_s, dom = example[(label, got, rule)]
            print(f"{w:>6}  label {label} got {got} by {rule}  e.g. {raw_s!r} [{dom}]")
        print(f"== most frequent undecided US/CN rows")
        for (label, raw_s, dom, reason), w in undecided.most_common(args.errors):
            print(f"{w:>6}  {label} {raw_s!r} [{dom}]  {reason}")

    result = {"command": cmd, "rows": len(rows), "raw": raw, "corrected": fixed,
              "errata": len(errata), "relabelled": changed}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2, sort_keys=True)
            f.write("\n")

    if args.check:
        failed = []
        for g in ("US", "CN"):
            for by in ("rows", "weighted"):
                f = fixed[g][by]
                if f["precision"] < args.min_precision:
                    failed.append(f"{g} {by} precision {f['precision']:.4f} < {args.min_precision}")
                if f["coverage"] < args.min_coverage:
                    failed.append(f"{g} {by} coverage {f['coverage']:.4f} < {args.min_coverage}")
        if failed:
            print("eval: targets NOT met: " + "; ".join(failed), file=sys.stderr)
            return 1
        print(f"eval: targets met (US and CN rows, corrected: precision >= "
              f"{args.min_precision}, coverage >= {args.min_coverage})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
