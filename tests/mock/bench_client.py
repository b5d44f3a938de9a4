#!/usr/bin/env python3
"""Measure the mock site's throughput: C keep-alive connections, each sending
GETs for abstract pages of one year for S seconds (bounded).

    python3 tests/mock/bench_client.py --port P [--year 2024] [--conns 4] [--seconds 5] [--gzip]

Prints requests/s.  Standard library only.
"""

import argparse
import http.client
import re
import sys
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--conns", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--gzip", action="store_true")
    o = ap.parse_args()
    c = http.client.HTTPConnection("127.0.0.1", o.port, timeout=30)
    c.request("GET", "/paper_files/paper/%d" % o.year)
    idx = c.getresponse().read().decode()
    urls = re.findall(r'href="(/paper_files/paper/%d/hash/[^"]+)"' % o.year, idx)
    if not urls:
        print("no abstract links found", file=sys.stderr)
        return 1
    hdrs = {"Accept-Encoding": "gzip"} if o.gzip else {}
    # Warm the server's page cache so the figure is about serving, not rendering.
    for u in urls:
        c.request("GET", u, headers=hdrs)
        c.getresponse().read()
    counts, errors = [0] * o.conns, [0] * o.conns
    deadline = time.monotonic() + o.seconds

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", o.port, timeout=30)
        k = i
        while time.monotonic() < deadline:
            conn.request("GET", urls[k % len(urls)], headers=hdrs)
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                errors[i] += 1
            counts[i] += 1
            k += o.conns
        conn.close()

    t0 = time.monotonic()
    ths = [threading.Thread(target=worker, args=(i,)) for i in range(o.conns)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    dt = time.monotonic() - t0
    n = sum(counts)
    print("%d requests in %.2f s over %d connections: %.0f requests/s (%d non-200)"
          % (n, dt, o.conns, n / dt, sum(errors)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
