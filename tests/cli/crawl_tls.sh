# crawl_tls.sh - https and HTTP/2: a throwaway CA and a server certificate for
# 127.0.0.1 and localhost (openssl), a small mock year dumped to files
# (mocksite.py --dump-dir) and served by nghttpd (HTTP/2 over TLS only).
# nipscope trusts the CA through --ca-file / ca_file and must then crawl the
# whole year over HTTP/2; without the CA it must fail on the certificate,
# naming the URL.  Exit 77 (skipped, not passed) without nghttpd or openssl.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"

for tool in nghttpd openssl; do
    if ! command -v "$tool" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$tool" ]; then
        echo "# skip: no $tool (Debian: nghttp2-server, openssl)"
        exit 77
    fi
done
NGHTTPD=$(command -v nghttpd || echo /usr/sbin/nghttpd)
NG_PID=
trap '[ -n "$NG_PID" ] && kill "$NG_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
RULES=${NSC_RULES_DIR:-$NSC_SOURCE_DIR/rules}

# The CA and a server certificate it signs (EC keys: quick to make).
cd "$TMP" || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key \
    -out ca.pem -days 2 -subj "/CN=nipscope test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>openssl.err || { cat openssl.err; exit 1; }
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout srv.key -out srv.csr \
    -subj "/CN=127.0.0.1" 2>>openssl.err || { cat openssl.err; exit 1; }
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    >ext.cnf
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 \
    -extfile ext.cnf 2>>openssl.err || { cat openssl.err; exit 1; }
# A second CA that signed nothing here: trusting it must not help.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout other.key \
    -out other.pem -days 2 -subj "/CN=another CA" 2>>openssl.err || { cat openssl.err; exit 1; }

python3 "$NSC_SOURCE_DIR/tests/mock/mocksite.py" --years 2024 --papers 12 --dump-dir site \
    --truth-dir truth || exit 1

# nghttpd on a free port; it is ready when it accepts a TLS handshake.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$NGHTTPD" -v -d site --address=127.0.0.1 "$port" srv.key srv.pem >nghttpd.log 2>&1 &
NG_PID=$!
i=0
until python3 - "$port" <<'PY' 2>/dev/null
import socket, ssl, sys
ctx = ssl.create_default_context(cafile="ca.pem")
ctx.set_alpn_protocols(["h2"])
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
    with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
        sys.exit(0 if t.selected_alpn_protocol() == "h2" else 1)
PY
do
    i=$((i + 1))
    if [ "$i" -gt 100 ] || ! kill -0 "$NG_PID" 2>/dev/null; then
        echo "not ok - nghttpd did not start: $(cat nghttpd.log)"
        exit 1
    fi
    sleep 0.1
done
URL="https://127.0.0.1:$port"

crawl() {
    "$NIPSCOPE" -v crawl --year 2024 --rules "$RULES" --proceedings-url "$URL" \
        --virtual-url "$URL" --rate 0 --no-progress "$@"
}

crawl --out out --ca-file ca.pem >report.txt 2>crawl.err
rc=$?
check "with --ca-file the https crawl exits 0" 0 "$rc"
[ "$rc" -eq 0 ] || sed 's/^/# /' crawl.err | tail -5
got=$(python3 - truth/truth-2024.jsonl out/neurips-2024.jsonl <<'PY'
import json, sys
truth = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[1], encoding="utf-8")}
recs = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[2], encoding="utf-8")}
bad = sum(1 for k, t in truth.items() if k not in recs or
          [a["institution"] or None for a in t["authors"]] != [a["affiliation"] for a in recs[k]["authors"]])
print(len(truth), len(recs), bad)
PY
)
check "every paper of the truth is recorded, with the truth's affiliations" "12 12 0" "$got"
# The engine logs its totals; every answer, robots.txt and the index's
# redirect to its directory included, came over HTTP/2.
line=$(grep 'crawl: [0-9]* requests, [0-9]* answered over HTTP/2' crawl.err)
req=$(printf '%s\n' "$line" | sed 's/.*crawl: \([0-9]*\) requests.*/\1/')
h2=$(printf '%s\n' "$line" | sed 's/.* requests, \([0-9]*\) answered over HTTP\/2.*/\1/')
check "requests were made (robots.txt, index, feed, 12 pages)" yes \
    "$([ "${req:-0}" -ge 15 ] && echo yes || echo no)"
check "every one was answered over HTTP/2" "$req" "$h2"
check "nghttpd saw the requests as HTTP/2 streams" yes \
    "$(grep -q 'recv (stream_id=[0-9]*) :path: /paper_files/paper/2024' nghttpd.log && echo yes || echo no)"
check_contains "nipscope asked for compressed responses (Accept-Encoding)" \
    "accept-encoding: deflate, gzip" "$(cat nghttpd.log)"

printf 'ca_file: %s/ca.pem\n' "$TMP" >tls.yaml
crawl --out out-cfg --config tls.yaml >/dev/null 2>crawl.err
check "ca_file in the config file does the same" 0 $?

crawl --out out-none >/dev/null 2>crawl.err
rc=$?
check "without the CA the crawl fails" yes "$([ "$rc" -ne 0 ] && echo yes || echo no)"
check_contains "with a certificate error naming the URL" \
    "robots.txt '$URL/robots.txt' unreachable after 1 attempts: SSL certificate problem" \
    "$(cat crawl.err)"
check "and writes no records" no "$([ -s out-none/neurips-2024.jsonl ] && echo yes || echo no)"

crawl --out out-other --ca-file other.pem >/dev/null 2>crawl.err
check "trusting an unrelated CA fails too" yes "$([ $? -ne 0 ] && echo yes || echo no)"
check_contains "on the certificate" "SSL certificate problem" "$(cat crawl.err)"

crawl --out out-missing --ca-file "$TMP/nonexistent.pem" >/dev/null 2>crawl.err
check "a missing --ca-file is refused (exit 66)" 66 $?
check_contains "naming the file" "CA file '$TMP/nonexistent.pem'" "$(cat crawl.err)"

"$NIPSCOPE" crawl --help | grep -i -e insecure -e no-verify -e verify >/dev/null
check "there is no option to turn verification off" 1 $?

finish
