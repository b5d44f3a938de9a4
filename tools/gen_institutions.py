#!/usr/bin/env python3
"""Generate rules/institutions-generated.yaml from the shared data.

Sources (read from ../shared/data, never copied into the repository):
  world_universities_and_domains.json  name, domains, alpha-2 code
  affiliations-dev.jsonl               normalised institution, label country, count

Rules of generation (see also docs/accuracy.md):
  - Names are compared after the engine's normalisation (tools/check_rules.py).
  - Anything rules/institutions.yaml already has (an alias, acronym, name or
    domain) is skipped: the hand-reviewed file wins and the two never conflict.
  - A dev institution gets the country that carries at least --min-share of
    its summed `count` (default 0.8); otherwise it is left out and listed on
    stderr with --verbose.
  - Hong Kong, Macau and Taiwan are coded apart: the dev labels say "China"
    for them, so a China-labelled institution is recoded HK/MO/TW when most
    of its email domains end in .hk/.mo/.tw, when its name names Hong Kong,
    Macau or Taiwan (or a Taiwanese city) and no mainland place, or when the
    world list codes the same name HK/MO/TW.
  - A name that two sources or two world-list entries put in different
    countries is emitted once per country with `shared: [name]`, so the
    engine settles it by a place or a domain and otherwise says unknown.
  - A name the dev raw strings use under several countries (over
    --max-foreign of their count, default 0.2) is dropped: such names are
    units ("Robotics Institute") found inside many institutions.
  - Generic names, made only of GENERIC_WORDS ("Robotics Laboratory",
    "School of Computer Science"), and names that are only a place or
    country are left out; a specific name made of such words ("Higher
    School of Economics") is written by hand in institutions.yaml.
  - Ids are inst.gen.<slug of the name>, with the country code appended for a
    shared name; output is sorted by id, so the file is deterministic.

usage: tools/gen_institutions.py [--data DIR] [--rules DIR] [--out FILE] [-v]
"""
import argparse
import collections
import hashlib
import json
import os
import re
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_rules import Normalizer, as_list, load  # noqa: E402

# Words that do not identify an institution.  A name is used only if at
# least one of its tokens is not here (a place name counts as identifying:
# "University of Tokyo" is a name, "Robotics Laboratory" is not).  Chosen by
# reading the most frequent tokens of the dev institution names.
GENERIC_WORDS = set("""
a an and the of for in at on to by with de la le les l d des du di del della degli
dei der die das und fur y e et i en do da das s u t p m r b v ii vi
university universities universite universitat universita universidad universidade
universiteit universit hochschule college colleges school schools faculty department
dept division unit branch team group groups institute institutes institut instituto
istituto ecole scuola centro zentrum laboratoire laboratory laboratories lab labs
center centers centre research recherche investigacion studies study studi science
sciences scientific technology technologies technological technical technische
technologie tecnologia tecnologico polytechnic polytechnique politecnica politecnico
engineering engineers ingenieurs ingenierie computer computers computing
computational information informatics informatique informatica data ai artificial
intelligence intelligent machine learning national nationale nacional international
state states federal federale central general joint high higher advanced applied
graduate key open public private global european excellence convergence future new
north south east west western eastern northern southern central city normal
academy academic academia system systems electrical electronic electronics
electric mathematics mathematical statistics statistical physics natural medical
medicine health healthcare hospital clinic clinical cancer children women life bio
biomedical neuroscience brain cognitive cognition human robotics robotic robot
robots robotique robotica autonomous mechanical mechatronics aerospace aeronautics
automation automatic control vision image imaging language processing software
digital innovation innovations development industrial industries industry
manufacturing materials energy power space network networks communication
communications telecommunications telecom security media smart design architecture
analytics finance economics management business marine ocean agriculture
agricultural military defense defence naval army air force aviation automotive
mobile solutions services service production dynamics incorporated inc limited ltd
company corporation corp gmbh llc ag ab sa srl bv holdings foundation council agency
organization organisation society ministry office program programme project
chinese indian german french american swiss australian japanese korean british
canadian italian spanish
""".split())

# Acronyms that name several institutions (see the header of
# rules/institutions.yaml): never emitted, whatever the data says.
AMBIGUOUS = {"ntu", "ucl", "usc", "uw", "umd", "ucd", "hit", "bit", "iit", "cas",
             "mpi", "ict", "crest", "ist", "ecole polytechnique"}

HK_WORDS = re.compile(r"\b(hong kong|kowloon)\b")
MO_WORDS = re.compile(r"\b(macau|macao)\b")
TW_WORDS = re.compile(r"\b(taiwan|taipei|hsinchu|tainan|taichung|kaohsiung|taoyuan|chiayi)\b")


def slug(text, norm):
    s = "_".join(norm.tokens(text))
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9_]+", "", s).strip("_")
    s = re.sub(r"_+", "_", s)
    if not s:
        s = "x" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return s[:80]


# Spacing accents that PDF text extraction leaves before (or after) the
# letter they belong to: "Universit´e de Montr´eal", "Universit¨ at",
# "S ˜ao Paulo", "Bo˘gazi¸ci".  Each maps to its combining mark and the
# letters it may sit on; anything else ("Sotheby´s": an apostrophe) is
# left alone.
SPACING_ACCENTS = {
    "\u00b4": ("\u0301", "aeiouyAEIOUYcnzCNZ"),  # acute
    "\u0060": ("\u0300", "aeiouAEIOU"),            # grave
    "\u00a8": ("\u0308", "aeiouyAEIOUY"),          # diaeresis
    "\u02dc": ("\u0303", "anoANO"),                # tilde
    "\u02c6": ("\u0302", "aeiouAEIOU"),            # circumflex
    "\u02d8": ("\u0306", "agAG"),                  # breve
    "\u00b8": ("\u0327", "cstCST"),                # cedilla
    "\u02c7": ("\u030c", "cnrszCNRSZeE"),          # caron
    "\u02da": ("\u030a", "auAU"),                  # ring
}
ACCENT_RE = re.compile(" ?([" + "".join(SPACING_ACCENTS) + "]) ?([A-Za-z])")


def repair_accents(name):
    """The name with PDF-extraction spacing accents put back on their letter."""
    def join(m):
        mark, letters = SPACING_ACCENTS[m.group(1)]
        if m.group(2) not in letters:
            return m.group(0)
        return unicodedata.normalize("NFC", m.group(2) + mark)
    name = ACCENT_RE.sub(join, name)
    # "T 'el 'ecom": an apostrophe standing for the acute, after a space
    name = re.sub(r"(?<=[A-Za-z]) '([aeiou])(?=[a-z])",
                  lambda m: unicodedata.normalize("NFC", m.group(1) + "\u0301"), name)
    # "Universit é Paris": a letter cut off from its word (never "à", a word)
    return re.sub(r"(?<=[a-z]) ([éèëêüöäç])(?![\w])", r"\1", name)


def q(s):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.join(here, "..")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(root, "..", "shared", "data"))
    ap.add_argument("--rules", default=os.path.join(root, "rules"))
    ap.add_argument("--out", default=None, help="default: RULES/institutions-generated.yaml")
    ap.add_argument("--min-share", type=float, default=0.8)
    ap.add_argument("--max-foreign", type=float, default=0.2)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    out_path = args.out or os.path.join(args.rules, "institutions-generated.yaml")
    dev_path = os.path.join(args.data, "affiliations-dev.jsonl")
    world_path = os.path.join(args.data, "world_universities_and_domains.json")
    for p in (dev_path, world_path):
        if not os.path.exists(p):
            sys.exit(f"gen_institutions: cannot find '{p}'")

    norm = Normalizer(load(os.path.join(args.rules, "normalize.yaml")))
    countries = load(os.path.join(args.rules, "countries.yaml"))["countries"]
    iso = {c["code"] for c in countries}
    label_code = {}
    for c in countries:
        for n in [c["name"]] + as_list(c.get("names")):
            label_code.setdefault(norm(n), c["code"])

    # What the hand-reviewed file and the geography rules already own.
    taken = set()
    taken_domains = set()
    for e in load(os.path.join(args.rules, "institutions.yaml"))["institutions"]:
        for x in [e] + list(e.get("branches") or []):
            for k in ("name", "aliases", "acronyms", "shared"):
                taken.update(norm(a) for a in as_list(x.get(k)))
            taken_domains.update(str(d).lower() for d in as_list(x.get("domains")))
    # aliases of the hand-reviewed HK/MO/TW institutions, to recode unit
    # names that contain them
    region_names = {}
    for e in load(os.path.join(args.rules, "institutions.yaml"))["institutions"]:
        if e.get("country") in ("HK", "MO", "TW"):
            for k in ("name", "aliases"):
                for a in as_list(e.get(k)):
                    region_names[norm(a)] = e["country"]

    def region_alias(key):
        toks = key.split()
        for n in range(len(toks), 0, -1):
            for i in range(len(toks) - n + 1):
                code = region_names.get(" ".join(toks[i:i + n]))
                if code:
                    return code
        return None

    geo = set(label_code)
    for p in load(os.path.join(args.rules, "places.yaml"))["places"]:
        geo.update(norm(n) for n in as_list(p.get("names")))
    generic_domains = set()
    for d in load(os.path.join(args.rules, "domains.yaml"))["domains"]:
        if d.get("country") is None:
            generic_domains.update(str(s).lower() for s in as_list(d.get("suffix")))

    def usable_name(name):
        if any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") for ch in name):
            return None           # mojibake: control or unassigned characters
        n = norm(name)
        toks = n.split()
        if not toks or n in taken or n in geo:
            return None
        if all(t in GENERIC_WORDS or t.isdigit() for t in toks):
            return None           # "Robotics Laboratory"; a specific name made of
                                  # such words goes in institutions.yaml by hand
        if n in AMBIGUOUS:
            return None
        if len(toks) == 1 and len(toks[0]) < 2:
            return None
        return n

    def owned_domain(d):
        d = d.lower().strip(".")
        if not re.fullmatch(r"[a-z0-9.-]+", d):
            return False
        if d in generic_domains or "." not in d:
            return False
        parts = d.split(".")
        return not any(".".join(parts[i:]) in taken_domains for i in range(len(parts)))

    # key (normalised name) -> country -> candidate
    cand = collections.defaultdict(dict)

    def candidate(key, code, name):
        return cand[key].setdefault(code, {"name": name, "domains": set(), "aliases": set(),
                                           "sources": set(), "count": 0})

    # 1. the world universities list
    with open(world_path, encoding="utf-8") as f:
        world = json.load(f)
    world_code = collections.defaultdict(set)
    for u in world:
        name = (u.get("name") or "").strip()
        code = u.get("alpha_two_code")
        key = usable_name(name)
        if not key or code not in iso:
            continue              # e.g. XK (Kosovo): not an ISO 3166-1 code
        world_code[key].add(code)
        c = candidate(key, code, name)
        c["sources"].add("world")
        c["domains"].update(d.lower() for d in u.get("domains") or [] if owned_domain(d))

    # 2. the dev labels
    inst_count = collections.Counter()
    inst_country = collections.defaultdict(collections.Counter)
    inst_domains = collections.defaultdict(collections.Counter)
    inst_name = {}
    inst_alias = collections.defaultdict(set)  # key -> raw names with broken accents
    domain_total = collections.Counter()
    domain_inst = collections.defaultdict(collections.Counter)
    with open(dev_path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            raw = (r.get("institution") or "").strip()
            name = repair_accents(raw)
            key = usable_name(name) if name else None
            if not key:
                continue
            if raw != name:
                inst_alias[key].add(raw)
            code = label_code.get(norm(r.get("country") or ""))
            if code is None:
                sys.exit(f"gen_institutions: unknown country label {r.get('country')!r}")
            n = r.get("count") or 1
            inst_count[key] += n
            inst_country[key][code] += n
            inst_name.setdefault(key, name)
            d = (r.get("email_domain") or "").lower()
            if d:
                inst_domains[key][d] += n
                domain_total[d] += n
                domain_inst[d][key] += n

    left_out = []
    for key in sorted(inst_count):
        total = inst_count[key]
        code, n = inst_country[key].most_common(1)[0]
        if n < args.min_share * total:
            left_out.append((key, dict(inst_country[key])))
            continue
        if code == "CN":
            doms = inst_domains[key]
            by_tld = collections.Counter()
            for d, k in doms.items():
                by_tld[d.rsplit(".", 1)[-1]] += k
            tld, k = by_tld.most_common(1)[0] if by_tld else ("", 0)
            mainland = any(p in key for p in ("shenzhen", "guangzhou", "dongguan", "beijing", "shanghai"))
            if tld in ("hk", "mo", "tw") and k * 2 > sum(doms.values()):
                code = tld.upper()
            elif not mainland and HK_WORDS.search(key):
                code = "HK"
            elif not mainland and MO_WORDS.search(key):
                code = "MO"
            elif not mainland and TW_WORDS.search(key):
                code = "TW"
            elif not mainland and region_alias(key):
                # "Institute of Information Science, Academia Sinica"
                code = region_alias(key)
            # The world list's HK/MO/TW code is NOT used to recode a name:
            # "Soochow University" is both Suzhou (CN) and Taipei (TW), and
            # such names are emitted as shared instead.
        c = candidate(key, code, inst_name[key])
        c["sources"].add("dev")
        c["aliases"].update(inst_alias[key])
        c["count"] += total
        for d, k in inst_domains[key].items():
            # a dev domain is this institution's if most of its rows are,
            # and it is not a generic mail provider or a hand-listed domain
            if k >= 2 and k * 2 > domain_total[d] and owned_domain(d):
                c["domains"].add(d)

    # 3. Drop a name that the dev raw strings use under several countries:
    # a unit name such as "Robotics Institute" or "Biorobotics Laboratory"
    # appears in affiliations of CMU, HIT and Oxford alike, and as an
    # institution rule it would decide against the real institution.  A
    # candidate is dropped when more than --max-foreign of the count of the
    # dev rows whose raw string contains it carries a label of another
    # country ("China" counts as agreeing with HK, MO and TW).
    lengths = sorted({len(k.split()) for k in cand})
    seen_under = collections.defaultdict(collections.Counter)
    with open(dev_path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            code = label_code.get(norm(r.get("country") or ""))
            toks = norm.tokens(r.get("raw") or "")
            grams = set()
            i = 0
            while i < len(toks):
                # longest match first, as the engine does: "queen s university"
                # inside "queen s university belfast" is not a use of it
                for n in reversed(lengths):
                    g = " ".join(toks[i:i + n]) if i + n <= len(toks) else None
                    if g in cand:
                        grams.add(g)
                        i += n
                        break
                else:
                    i += 1
            for g in grams:
                seen_under[g][code] += r.get("count") or 1
    dropped = []
    for key in sorted(cand):
        use = seen_under.get(key)
        if not use:
            continue
        total = sum(use.values())
        for code in list(cand[key]):
            agree = use[code] + (use["CN"] if code in ("HK", "MO", "TW") else 0)
            if total >= 3 and (total - agree) > args.max_foreign * total:
                # keep it if another candidate country of the same (shared)
                # name explains the foreign rows
                others = sum(use[c] for c in cand[key] if c != code)
                if total - agree - others > args.max_foreign * total:
                    dropped.append((key, code, dict(use)))
                    del cand[key][code]
        if not cand[key]:
            del cand[key]

    # 4. emit
    entries = []
    used_ids = set()
    used_domains = {}
    for key in sorted(cand):
        by_country = cand[key]
        shared = len(by_country) > 1
        for code in sorted(by_country):
            c = by_country[code]
            base = "inst.gen." + slug(c["name"], norm)
            i = base + ("." + code.lower() if shared else "")
            k = 2
            while i in used_ids:
                i = f"{base}.{k}"
                k += 1
            used_ids.add(i)
            doms = []
            for d in sorted(c["domains"]):
                if d in used_domains:
                    continue          # first (sorted) owner keeps it
                used_domains[d] = i
                doms.append(d)
            entries.append((i, c["name"], code, shared, doms, c))

    entries.sort(key=lambda e: e[0])
    lines = [
        "# institutions-generated.yaml - GENERATED by tools/gen_institutions.py; do not edit.",
        "# Override or fix an entry in rules/institutions.yaml (which the generator",
        "# reads: it never emits an alias or a domain that file has), then regenerate:",
        "#   python3 tools/gen_institutions.py",
        "# Sources: ../shared/data/world_universities_and_domains.json (\"world\") and",
        "# ../shared/data/affiliations-dev.jsonl (\"dev\", majority country of the",
        f"# summed count, at least {args.min_share:.0%}; HK/MO/TW recoded from \"China\").",
        "# The trailing comment gives the sources and the dev count.",
        f"# {len(entries)} entries.",
        "institutions:",
    ]
    for i, name, code, shared, doms, c in entries:
        one_token = len(norm(name).split()) == 1
        acronym = one_token and name.isupper() and name.isalnum() and len(name) <= 8
        parts = [f"id: {i}", f"name: {q(name)}", f"country: {code}"]
        seen = {norm(name)}
        aliases = []
        for a in sorted(c["aliases"]):        # the broken forms the data has
            if norm(a) not in seen:
                seen.add(norm(a))
                aliases.append(a)
        if aliases:
            parts.append("aliases: [" + ", ".join(q(a) for a in aliases) + "]")
        if acronym:
            parts.append(f"acronyms: [{q(name)}]")
        if shared:
            parts.append(f"shared: [{q(name)}]")
        if doms:
            parts.append("domains: [" + ", ".join(q(d) for d in doms) + "]")
        src = "+".join(sorted(c["sources"]))
        tail = f"  # {src}" + (f" {c['count']}" if c["count"] else "")
        lines.append("  - {" + ", ".join(parts) + "}" + tail)
    with open(out_path + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(out_path + ".tmp", out_path)
    if args.verbose:
        for key, code, use in dropped:
            print(f"dropped (used under other countries): {key} {code} {use}", file=sys.stderr)
        for key, cs in left_out:
            print(f"left out (no {args.min_share:.0%} majority): {key} {cs}", file=sys.stderr)
    print(f"gen_institutions: {len(entries)} entries, "
          f"{sum(1 for e in entries if e[3])} shared, {len(left_out)} dev names left out, "
          f"{len(dropped)} dropped as used under other countries",
          file=sys.stderr)


if __name__ == "__main__":
    main()
