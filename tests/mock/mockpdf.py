"""Real PDFs for the mock NeurIPS site, written by hand with the standard
library: text only, the base-14 Type 1 fonts (Times, Courier), Flate-
compressed content streams, a correct cross-reference table.

The layout imitates a NeurIPS camera-ready (SOURCES.md section 4): letter
paper, a 5.5 in text column, a bold centred title between two rules, a
centred author block in the superscript-numbered style (names with
affiliation numbers, one numbered affiliation per line, emails grouped by
domain as {a,b}@x.edu), a centred "Abstract", numbered sections, a
"References" section, sometimes an appendix after it, and the conference
notice at the foot of page 1.  Body words are set with the fi/fl ligature
glyphs and some long words are hyphenated at line ends, so an extractor's
handling of both shows.

Which text goes where (and therefore the truth: mentions per section,
the affiliation line or email domain of every author) is decided by
mockdata.pdf_plan(); this module only typesets a plan.
"""

import zlib

PAGE_W, PAGE_H = 612.0, 792.0
LEFT, WIDTH = 108.0, 396.0  # 1.5 in margins, 5.5 in of text
TOP, BOTTOM = 720.0, 72.0

# Advance widths (1/1000 em) of Times-Roman for ASCII, from its AFM; other
# characters count as 500.  Bold is taken as 5 % wider, Courier is 600.
_TIMES = {
    " ": 250, "!": 333, '"': 408, "#": 500, "$": 500, "%": 833, "&": 778, "'": 333, "(": 333,
    ")": 333, "*": 500, "+": 564, ",": 250, "-": 333, ".": 250, "/": 278, ":": 278, ";": 278,
    "<": 564, "=": 564, ">": 564, "?": 444, "@": 921, "[": 333, "]": 333, "{": 480, "}": 480,
    "_": 500, "A": 722, "B": 667, "C": 667, "D": 722, "E": 611, "F": 556, "G": 722, "H": 722,
    "I": 333, "J": 389, "K": 722, "L": 611, "M": 889, "N": 722, "O": 722, "P": 556, "Q": 722,
    "R": 667, "S": 556, "T": 611, "U": 722, "V": 722, "W": 944, "X": 722, "Y": 722, "Z": 611,
    "a": 444, "b": 500, "c": 444, "d": 500, "e": 444, "f": 333, "g": 500, "h": 500, "i": 278,
    "j": 278, "k": 500, "l": 278, "m": 778, "n": 500, "o": 500, "p": 500, "q": 500, "r": 333,
    "s": 389, "t": 278, "u": 500, "v": 500, "w": 722, "x": 500, "y": 500, "z": 444,
}
FONTS = {"R": "Times-Roman", "B": "Times-Bold", "I": "Times-Italic", "C": "Courier"}
LIG = {"fi": "\x01", "fl": "\x02"}  # codes the font's /Differences map to /fi and /fl


def text_width(s, font, size):
    if font == "C":
        return 0.6 * size * len(s)
    w = sum(_TIMES.get(c, 500) for c in s) * size / 1000.0
    return w * 1.05 if font == "B" else w


def _pdf_string(s, ligatures):
    if ligatures:
        for k, v in LIG.items():
            s = s.replace(k, v)
    raw = s.encode("cp1252", errors="replace")
    out = bytearray(b"(")
    for b in raw:
        if b in (0x28, 0x29, 0x5C):
            out += b"\\" + bytes([b])
        elif b < 32 or b > 126:
            out += b"\\%03o" % b
        else:
            out.append(b)
    return bytes(out + b")")


class Page:
    def __init__(self):
        self.ops = []

    def text(self, x, y, s, font="R", size=10.0, ligatures=False, rise=0.0):
        self.ops.append(b"BT /F%s %.1f Tf %.2f Ts %.2f %.2f Td %s Tj ET" % (
            font.encode(), size, rise, x, y, _pdf_string(s, ligatures)))

    def rule(self, y, width):
        self.ops.append(b"%.2f w %.2f %.2f m %.2f %.2f l S" % (width, LEFT, y, LEFT + WIDTH, y))

    def runs(self, y, runs, centre=True, x=LEFT):
        """One line of (text, font, size, rise) runs, centred in the column."""
        total = sum(text_width(t, f, s) for t, f, s, _ in runs)
        x = LEFT + (WIDTH - total) / 2 if centre else x
        for t, f, s, rise in runs:
            self.text(x, y, t, f, s, rise=rise)
            x += text_width(t, f, s)


def write_pdf(pages):
    """The bytes of a PDF with these pages (a list of Page)."""
    objs = []  # object bodies; object i+1 is objs[i]

    def add(body):
        objs.append(body)
        return len(objs)

    enc = add(b"<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [1 /fi /fl] >>")
    font_ids = {}
    for key, name in FONTS.items():
        font_ids[key] = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding %d 0 R >>" % (
            name.encode(), enc))
    res = add(b"<< /Font << " + b" ".join(b"/F%s %d 0 R" % (k.encode(), v) for k, v in font_ids.items())
              + b" >> >>")
    pages_id = len(objs) + 1 + 2 * len(pages)  # after every page and its content
    kids = []
    for pg in pages:
        data = zlib.compress(b"\n".join(pg.ops) + b"\n", 6)
        cid = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources %d 0 R "
                        b"/Contents %d 0 R >>" % (pages_id, res, cid)))
    assert add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))) == pages_id
    cat = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    info = add(b"<< /Producer (nipscope mock site) >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, cat, info, xref)
    return bytes(out)


def _wrap(words, font, size, width):
    """Greedy line breaking; a word marked with '\\x00' positions may be
    hyphenated there when that fills the line better."""
    lines, cur = [], []
    space = text_width(" ", font, size)
    used = 0.0
    for w in words:
        plain = w.replace("\x00", "")
        ww = text_width(plain, font, size)
        if cur and used + space + ww > width:
            # Try a hyphenation point of this word on the current line.
            done = False
            if "\x00" in w:
                parts = w.split("\x00")
                for k in range(len(parts) - 1, 0, -1):
                    head = "".join(parts[:k]) + "-"
                    if used + space + text_width(head, font, size) <= width:
                        cur.append(head)
                        lines.append(cur)
                        rest = "".join(parts[k:])
                        cur, used = [rest], text_width(rest, font, size)
                        done = True
                        break
            if not done:
                lines.append(cur)
                cur, used = [plain], ww
        else:
            used += (space if cur else 0) + ww
            cur.append(plain)
    if cur:
        lines.append(cur)
    return [" ".join(x) for x in lines]


def render(plan):
    """Typeset a plan (mockdata.pdf_plan()) into PDF bytes."""
    pages = [Page()]
    pg = pages[0]
    y = TOP

    def newpage():
        nonlocal pg, y
        pg.runs(BOTTOM - 30, [(str(len(pages)), "R", 10, 0)])
        pages.append(Page())
        pg = pages[-1]
        y = TOP

    def need(h):
        if y - h < BOTTOM:
            newpage()

    # Title between a 4 pt and a 1 pt rule.
    pg.rule(y + 12, 4)
    for line in _wrap(plan["title"].split(), "B", 17, WIDTH):
        y -= 20
        pg.runs(y, [(line, "B", 17, 0)])
    y -= 10
    pg.rule(y, 1)
    y -= 24
    # Names with superscript numbers, wrapped as runs.
    line, lw = [], 0.0
    name_lines = []
    for i, (name, nums) in enumerate(plan["names"]):
        sep = ", " if i < len(plan["names"]) - 1 else ""
        runs = [(name, "B", 11, 0)]
        if nums:
            runs.append((",".join(str(n) for n in nums), "R", 7, 4))
        if sep:
            runs.append((sep, "B", 11, 0))
        w = sum(text_width(t, f, s) for t, f, s, _ in runs)
        if line and lw + w > WIDTH:
            name_lines.append(line)
            line, lw = [], 0.0
        line += runs
        lw += w
    if line:
        name_lines.append(line)
    for ln in name_lines:
        pg.runs(y, ln)
        y -= 14
    y -= 2
    for num, aff in plan["affiliations"]:
        pg.runs(y, [(str(num), "R", 6, 3.5), (aff, "R", 9, 0)])
        y -= 11
    for line in _wrap(plan["emails"], "C", 9, WIDTH):
        pg.runs(y, [(line, "C", 9, 0)])
        y -= 11
    y -= 18
    pg.runs(y, [("Abstract", "B", 12, 0)])
    y -= 16
    for line in _wrap(plan["abstract"].split(), "R", 10, WIDTH - 72):
        pg.text(LEFT + 36, y, line, "R", 10, ligatures=True)
        y -= 12
    pg.runs(BOTTOM - 12, [(plan["notice"], "R", 8, 0)], centre=False)

    def section(heading, paras, font_size=10):
        nonlocal y
        need(40)
        y -= 14
        pg.text(LEFT, y, heading, "B", 12)
        y -= 16
        for para in paras:
            for line in _wrap(para, "R", font_size, WIDTH):
                need(12)
                pg.text(LEFT, y, line, "R", font_size, ligatures=True)
                y -= 12
            y -= 6

    for heading, paras in plan["sections"]:
        section(heading, paras)
    # References: one hanging entry each, smaller type.
    need(40)
    y -= 14
    pg.text(LEFT, y, "References", "B", 12)
    y -= 16
    for k, ref in enumerate(plan["references"]):
        first = True
        for line in _wrap(("[%d] " % (k + 1) + ref).split(), "R", 9, WIDTH - 18):
            need(11)
            pg.text(LEFT + (0 if first else 18), y, line, "R", 9, ligatures=True)
            y -= 11
            first = False
        y -= 3
    for heading, paras in plan["appendix"]:
        section(heading, paras)
    pg.runs(BOTTOM - 30, [(str(len(pages)), "R", 10, 0)])
    return write_pdf(pages)


# A fixed paper for the unit tests (tests/unit/test_pdf.c): what it shows is
# written here, so the tests know the truth without the generator.
SAMPLE_PLAN = {
    "title": "A Sample Paper on Efficient Fine-Tuning of Large Models for the Unit Tests of nipscope",
    "names": [("Ann Lee", [1]), ("Bo Li", [1, 2]), ('Chenyue "xdd44" Dai', [2]),
              ("Dan M\u00fcller", []), ("Eve Stone", [3])],
    "affiliations": [(1, "Tsinghua University"), (2, "Stanford University"),
                     (3, "Dept. of CS, Tsinghua Univ., Beijing, China")],
    "emails": ["{ann.lee,bo.li}@tsinghua.edu.cn,", "chenyue.xdd44dai@stanford.edu,",
               "dan.muller@ox.ac.uk"],
    "abstract": "We study fine-tuning with GPT-4 as a judge.",
    "sections": [("1 Introduction", [
        "We fine-tune Llama 2 on the training split for three epochs.".split()
        + ("The first step defines a specific objective for the field of interest. " * 3).split()
        + ["A", "careful", "regular\x00isation", "of", "the", "workflow", "is", "needed."] * 6]),
        ("2 Method", [("Our analysis relies on a standard smoothness assumption. " * 40).split()])],
    "references": ["H. Touvron et al. Llama 2: Open foundation and fine-tuned chat models. 2023.",
                   "D. P. Kingma and J. Ba. Adam: A method for stochastic optimization. In ICLR, 2015."],
    "appendix": [("A Additional Results", [("Outputs are scored by GPT-4 following a fixed rubric. "
                                            * 2).split()])],
    "notice": "38th Conference on Neural Information Processing Systems (NeurIPS 2024).",
}


def main(argv):
    import argparse
    import os
    ap = argparse.ArgumentParser(description="write the unit tests' sample PDFs")
    ap.add_argument("--out", required=True, help="directory for sample.pdf and pages-N.pdf")
    ap.add_argument("--pages", type=int, default=301, help="pages of pages-N.pdf")
    o = ap.parse_args(argv)
    os.makedirs(o.out, exist_ok=True)
    with open(os.path.join(o.out, "sample.pdf"), "wb") as f:
        f.write(render(SAMPLE_PLAN))
    many = []
    for k in range(o.pages):
        pg = Page()
        pg.text(LEFT, TOP, "Page %d of a long document." % (k + 1))
        many.append(pg)
    with open(os.path.join(o.out, "pages-%d.pdf" % o.pages), "wb") as f:
        f.write(write_pdf(many))
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
