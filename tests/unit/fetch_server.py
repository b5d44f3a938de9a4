#!/usr/bin/env python3
"""fetch_server.py - a tiny HTTP server on 127.0.0.1 for test_fetch.c.

Fixed routes, each for one rule of the fetch engine:
  /robots.txt                 --robots-body TEXT ('\\n' escapes), --robots-status N
  /page/<name>                200 "page <name>", ETag "<name>-1", a fixed
                              Last-Modified; 304 when either validator matches
  /status/<code>?retry_after=V  that status, with Retry-After: V when given
  /flaky/<id>?fail=K&code=C&retry_after=V&retry_after_date=S
                              the first K requests for <id> answer C (default
                              503, Retry-After V, or an HTTP-date S seconds
                              ahead, when given), then 200
  /redirect?to=URL            302 to URL (relative or absolute)
  /loop/<n>                   302 to /loop/<n+1>, for ever
  /huge?n=N                   N bytes with a Content-Length
  /huge-nolength?n=N          N bytes, no length, connection closed at the end
  /reset                      the connection is closed without an answer
  /slow?ms=M                  200 after M ms

--port-file F gets the port once listening; --log F gets one JSON line per
request (the same fields as tests/mock/mocksite.py): t (monotonic seconds at
receipt), method, path, status, if_none_match, if_modified_since, user_agent.
"""
import argparse
import email.utils
import http.server
import json
import os
import threading
import time
import urllib.parse

LAST_MODIFIED = "Sun, 06 Nov 1994 08:49:37 GMT"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, status):
        srv = self.server
        line = json.dumps({
            "t": self.t0,
            "method": self.command,
            "path": self.path,
            "status": status,
            "if_none_match": self.headers.get("If-None-Match"),
            "if_modified_since": self.headers.get("If-Modified-Since"),
            "user_agent": self.headers.get("User-Agent"),
        })
        if srv.log:
            with srv.lock:
                srv.log.write(line + "\n")
                srv.log.flush()

    def send(self, status, body=b"", headers=None, log=True):
        if log:
            self.record(status)
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        self.t0 = time.monotonic()
        srv = self.server
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        path = u.path

        def arg(name, default=None):
            return q[name][0] if name in q else default

        if path == "/robots.txt":
            if srv.robots_status != 200:
                return self.send(srv.robots_status, b"robots unavailable\n")
            return self.send(200, srv.robots_body.encode(), {"Content-Type": "text/plain"})
        if path.startswith("/page/"):
            name = path[len("/page/"):]
            etag = '"%s-1"' % name
            if self.headers.get("If-None-Match") == etag or \
                    self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                return self.send(304, b"", {"ETag": etag, "Last-Modified": LAST_MODIFIED})
            return self.send(200, ("page %s\n" % name).encode(), {
                "ETag": etag, "Last-Modified": LAST_MODIFIED,
                "Content-Type": "text/html; charset=utf-8"})
        if path.startswith("/status/"):
            code = int(path[len("/status/"):])
            h = {}
            if arg("retry_after") is not None:
                h["Retry-After"] = arg("retry_after")
            return self.send(code, b"status\n", h)
        if path.startswith("/flaky/"):
            key = path[len("/flaky/"):]
            with srv.lock:
                n = srv.counts.get(key, 0)
                srv.counts[key] = n + 1
            if n < int(arg("fail", "1")):
                h = {}
                if arg("retry_after") is not None:
                    h["Retry-After"] = arg("retry_after")
                if arg("retry_after_date") is not None:
                    h["Retry-After"] = email.utils.formatdate(
                        time.time() + int(arg("retry_after_date")), usegmt=True)
                return self.send(int(arg("code", "503")), b"busy\n", h)
            return self.send(200, b"recovered\n")
        if path == "/redirect":
            return self.send(302, b"", {"Location": arg("to", "/")})
        if path.startswith("/loop/"):
            n = int(path[len("/loop/"):])
            return self.send(302, b"", {"Location": "/loop/%d" % (n + 1)})
        if path == "/huge":
            return self.send(200, b"x" * int(arg("n", "1000000")))
        if path == "/huge-nolength":
            self.record(200)
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"x" * int(arg("n", "1000000")))
            self.close_connection = True
            return
        if path == "/reset":
            self.record(0)
            self.close_connection = True
            return
        if path == "/slow":
            self.record(200)  # at receipt: the client may give up first
            time.sleep(int(arg("ms", "1000")) / 1000.0)
            return self.send(200, b"slow\n", log=False)
        return self.send(404, b"not found\n")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The engine aborting a transfer (the size cap) resets the connection.
        import sys
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--robots-body", default="User-agent: *\\nDisallow: /private\\n")
    ap.add_argument("--robots-status", type=int, default=200)
    a = ap.parse_args()

    srv = Server(("127.0.0.1", 0), Handler)
    srv.lock = threading.Lock()
    srv.counts = {}
    srv.robots_body = a.robots_body.replace("\\n", "\n")
    srv.robots_status = a.robots_status
    srv.log = open(a.log, "a") if a.log else None
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    # Exit when the test that started us is gone, even if it crashed.
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
