#!/bin/sh
# The shell helpers start the mock, it answers, and it stops with status 0.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$NSC_SOURCE_DIR/tests/mock/mock.sh"
mock_start "$tmp" --years 2024 --papers 50 --log "$tmp/req.log" || { echo "FAIL: start"; exit 1; }
body=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + "/robots.txt", timeout=10).read().decode(), end="")' "$MOCK_URL")
[ "$body" = "$(printf 'User-agent: *\nAllow: /')" ] || { echo "FAIL: robots body: $body"; mock_stop; exit 1; }
grep -q '"path": "/robots.txt"' "$tmp/req.log" || { echo "FAIL: no log line"; mock_stop; exit 1; }
mock_stop
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: mock exit status $rc"; exit 1; }
echo "ok: mock.sh start/stop on $MOCK_URL"
