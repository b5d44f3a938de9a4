#!/usr/bin/env python3
"""Structural check of a rule set, independent of the C engine.

Checks what rules/README.md requires of the data:
  - every file parses, with no duplicated mapping key;
  - every id is unique, well formed and starts with its file's kind;
  - every country code is an ISO 3166-1 alpha-2 code listed in countries.yaml;
  - no key outside the format (catches a flow mapping split by an unquoted
    comma: "{name: University of California, Berkeley}" gives a key "Berkeley");
  - acronyms are single tokens;
  - no alias (after normalisation as the engine does it) names two
    institutions of different countries unless both list it under `shared:`;
  - no email domain belongs to two institutions.

usage: tools/check_rules.py [RULES_DIR]     exit status 0 if clean, 1 otherwise
"""
import os
import re
import sys
import unicodedata

import yaml

ID_RE = re.compile(r"^[a-z0-9_.-]+$")
KEYS = {
    "countries": {"id", "code", "name", "names", "demonyms"},
    "places": {"id", "country", "kind", "names", "codes", "shared"},
    "institutions": {"id", "name", "kind", "country", "hq", "aliases", "acronyms",
                     "domains", "branches", "shared", "places"},
    "branches": {"id", "name", "country", "aliases", "acronyms", "domains"},
    "domains": {"id", "suffix", "country", "weak"},
    "blocs": {"id", "name", "members"},
    "policies": {"id", "name", "multinational", "pair"},
    "models": {"id", "name", "family", "patterns", "case", "exclude"},
}
KINDS = {"university", "lab", "academy", "company", "multinational"}


class UniqueKeyLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicated key {key!r}", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Read every plain scalar as a string, as libyaml does for the C engine:
# "NO" (Norway) must not become False.
for ch in list(UniqueKeyLoader.yaml_implicit_resolvers):
    UniqueKeyLoader.yaml_implicit_resolvers[ch] = [
        (tag, rx) for tag, rx in UniqueKeyLoader.yaml_implicit_resolvers[ch]
        if tag in ("tag:yaml.org,2002:null",)]


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=UniqueKeyLoader)


class Normalizer:
    """The normalisation of rules/README.md: NFKC, case fold, no diacritics,
    non-alphanumerics as token boundaries, abbreviations, leading 'the'."""

    def __init__(self, spec):
        spec = spec or {}
        self.abbr = {str(k).casefold(): str(v).casefold().split()
                     for k, v in (spec.get("abbreviations") or {}).items()}
        self.drop = {str(w).casefold() for w in (spec.get("drop_leading") or [])}

    def tokens(self, text):
        t = unicodedata.normalize("NFKC", str(text)).casefold()
        t = "".join(c for c in unicodedata.normalize("NFD", t)
                    if unicodedata.category(c) != "Mn")
        t = unicodedata.normalize("NFC", t)
        out = []
        for tok in re.findall(r"[^\W_]+", t):
            out.extend(self.abbr.get(tok, [tok]))
        while out and out[0] in self.drop:
            out.pop(0)
        return out

    def __call__(self, text):
        return " ".join(self.tokens(text))


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def main():
    rules = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "rules")
    errors = []

    def err(f, msg):
        errors.append(f"{f}: {msg}")

    data = {}
    for name in ("normalize", "countries", "places", "institutions",
                 "institutions-generated", "domains", "policies", "models"):
        path = os.path.join(rules, name + ".yaml")
        if not os.path.exists(path):
            if name != "institutions-generated":
                err(name + ".yaml", "missing")
            continue
        try:
            data[name] = load(path) or {}
        except yaml.YAMLError as e:
            err(name + ".yaml", f"cannot parse: {e}")
    norm = Normalizer(data.get("normalize"))

    codes = set()
    for c in (data.get("countries") or {}).get("countries") or []:
        codes.add(c.get("code"))
    if len(codes) != 249:
        err("countries.yaml", f"{len(codes)} country codes, ISO 3166-1 has 249")

    ids = {}

    def check_entry(f, e, section, kind):
        unknown = set(e) - KEYS[section]
        if unknown:
            err(f, f"{e.get('id')}: unknown keys {sorted(map(str, unknown))}"
                   " (an unquoted comma in a flow mapping?)")
        i = e.get("id")
        if not isinstance(i, str) or not ID_RE.match(i) or not i.startswith(kind + "."):
            err(f, f"bad id {i!r} (want {kind}.<words>)")
        elif i in ids:
            err(f, f"id {i} also in {ids[i]}")
        else:
            ids[i] = f
        for key in ("country", "hq", "code"):
            if key in e and e[key] is not None and e[key] not in codes:
                err(f, f"{i}: {key} {e[key]!r} is not an ISO alpha-2 code")

    for section, kind, fname in (("countries", "country", "countries"),
                                 ("places", "place", "places"),
                                 ("domains", "dom", "domains"),
                                 ("blocs", "bloc", "policies"),
                                 ("policies", "policy", "policies"),
                                 ("models", "model", "models")):
        for e in (data.get(fname) or {}).get(section) or []:
            check_entry(fname + ".yaml", e, section, kind)
            for m in e.get("members") or []:
                if m not in codes:
                    err(fname + ".yaml", f"{e.get('id')}: member {m!r} is not an ISO code")

    suffixes = {}
    for e in (data.get("domains") or {}).get("domains") or []:
        for s in as_list(e.get("suffix")):
            if s in suffixes:
                err("domains.yaml", f"suffix {s} in {suffixes[s]} and {e.get('id')}")
            suffixes[s] = e.get("id")

    # alias -> {(inst id, country, shared?)}
    aliases = {}
    domains = {}

    def add_names(f, e, country, shared):
        i = e.get("id")
        for key in ("name", "aliases", "acronyms", "shared"):
            for a in as_list(e.get(key)):
                if not isinstance(a, str) or not a.strip():
                    err(f, f"{i}: empty or non-string {key} {a!r}")
                    continue
                n = norm(a)
                if not n:
                    err(f, f"{i}: {key} {a!r} normalises to nothing")
                    continue
                if key == "acronyms" and len(n.split()) != 1:
                    err(f, f"{i}: acronym {a!r} is not one token")
                aliases.setdefault(n, {})
                prev = aliases[n].get(i)
                aliases[n][i] = (country, (prev and prev[1]) or n in shared, f)
        for d in as_list(e.get("domains")):
            d = str(d).lower()
            if d in domains and domains[d] != i:
                err(f, f"{i}: domain {d} also belongs to {domains[d]}")
            domains[d] = i

    for fname in ("institutions", "institutions-generated"):
        f = fname + ".yaml"
        for e in (data.get(fname) or {}).get("institutions") or []:
            check_entry(f, e, "institutions", "inst")
            if e.get("kind") is not None and e.get("kind") not in KINDS:
                err(f, f"{e.get('id')}: unknown kind {e.get('kind')!r}")
            multi = e.get("kind") == "multinational"
            if multi and not e.get("hq"):
                err(f, f"{e.get('id')}: a multinational needs hq")
            if not multi and not e.get("country"):
                err(f, f"{e.get('id')}: needs a country (or kind: multinational and hq)")
            shared = {norm(s) for s in as_list(e.get("shared"))}
            add_names(f, e, e.get("country") or ("hq:" + str(e.get("hq"))), shared)
            for b in e.get("branches") or []:
                check_entry(f, b, "branches", "inst")
                if not b.get("country"):
                    err(f, f"{b.get('id')}: a branch needs a country")
                add_names(f, b, b.get("country"), set())

    # An institution alias that is just a country or place name is almost
    # always a list item split by an unquoted comma ("Tencent AI Lab, Bellevue").
    geo = {}
    for c in (data.get("countries") or {}).get("countries") or []:
        for a in as_list(c.get("names")):
            geo[norm(a)] = c.get("id")
    for p in (data.get("places") or {}).get("places") or []:
        for a in as_list(p.get("names")):
            geo[norm(a)] = p.get("id")
    for n, owners in sorted(aliases.items()):
        if n in geo:
            desc = ", ".join(sorted(owners))
            err("institutions", f"alias '{n}' of {desc} is the place {geo[n]}")

    for n, owners in sorted(aliases.items()):
        if len(owners) < 2:
            continue
        if all(sh for (_, sh, _) in owners.values()):
            continue
        desc = ", ".join(f"{i} ({c}, {f})" for i, (c, _, f) in sorted(owners.items()))
        err("institutions", f"alias '{n}' names {desc} without `shared:` in all")

    for e in errors:
        print(e)
    print(f"check_rules: {len(ids)} ids, {len(aliases)} normalised names, "
          f"{len(errors)} problem(s)", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
