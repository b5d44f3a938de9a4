# report_screenshot.sh - the HTML report rendered by headless Chromium, offline:
# the page draws its charts with no network, at the size the SVG says.
# Always registered (tests/report.cmake); without Chromium it fails.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
if [ -z "${CHROMIUM:-}" ] || [ ! -x "$CHROMIUM" ]; then
    echo "FAIL: no Chromium (configure found none): apt-get install chromium, then reconfigure" >&2
    exit 1
fi
S="$NSC_SOURCE_DIR/tests/fixtures/report/store"

"$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR" --format html >"$TMP/r.html"
check "report exit 0" 0 $?
# Every host resolves to nothing and the proxy is a closed port: a page that
# needs the network renders without it or not at all.
timeout 120 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$TMP/profile" --host-resolver-rules="MAP * ~NOTFOUND" \
    --proxy-server="127.0.0.1:9" --force-device-scale-factor=1 \
    --window-size=1000,3000 --screenshot="$TMP/shot.png" "file://$TMP/r.html" \
    >"$TMP/chromium.log" 2>&1
check "chromium exit 0" 0 $?

# Count pixels of each chart colour in the PNG (8-bit RGB/RGBA, any filter).
counts=$(python3 - "$TMP/shot.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw, stride = zlib.decompress(idat), w * bpp
prev, rows, i = bytearray(stride), [], 0
for _ in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
blue = red = 0
for line in rows:
    for x in range(0, stride, bpp):
        px = tuple(line[x:x + 3])
        blue += px == (0x3b, 0x6e, 0xa5)
        red += px == (0xc0, 0x50, 0x4d)
print(w, h, blue, red)
PY
)
set -- $counts
check "screenshot size" "1000 3000" "$1 $2"
# Blue (#3b6ea5), by hand: share bars 177x150 (2023) + 177x74 (2024) = 39648,
# legend 10x10 = 100, "us" mention bars Llama 200x9 + Qwen 400x9 + GPT 200x9
# = 7200; 46948 in all.  Integer coordinates draw no blended edges.
check "blue pixels (share bars, legend, us bars)" 46948 "${3:-none}"
# Red (#c0504d): legend 100 + "cn" bars Llama 400x9 + Qwen 400x9 = 7300.
check "red pixels (legend, cn bars)" 7300 "${4:-none}"
finish
