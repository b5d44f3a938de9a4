#!/bin/sh
# pdf_extract.sh [PAPERS] [RUNS] - MuPDF against poppler-glib on the mock's
# PDFs (tests/mock/mockpdf.py): PAPERS PDFs of mock 2024 (default 500), each
# library RUNS times (default 3); prints pdf_bench's line and /usr/bin/time's
# wall time and peak RSS per run.  Results: bench/pdf-extract.md.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${NSC_BUILD_DIR:-$here/build}
papers=${1:-500}
runs=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --build "$build" --target pdf_bench >/dev/null
python3 - "$here/tests/mock" "$tmp" "$papers" <<'PY'
import os, sys
sys.path.insert(0, sys.argv[1])
import mocksite
site = mocksite.Site([2024], 1, int(sys.argv[3]))
for i, p in enumerate(site.papers[2024]):
    with open(os.path.join(sys.argv[2], "%05d.pdf" % i), "wb") as f:
        f.write(site.pdf(p))
PY
echo "$(ls "$tmp" | wc -l) PDFs, $(du -sk "$tmp" | cut -f1) KB"
for lib in crawler mupdf mupdf-dehyphenate poppler; do
    for r in $(seq "$runs"); do
        /usr/bin/time -f "$lib run $r: wall %e s, user %U s, peak RSS %M KB" \
            "$build/bench/pdf_bench" "$lib" "$tmp"/*.pdf 2>&1 | grep -v '^Syntax'
    done
done
