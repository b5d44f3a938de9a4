#!/usr/bin/env python3
"""Play systemd's part for `nipscope daemon` (issue 5), standard library only.

Binds a unix datagram NOTIFY_SOCKET, sets WATCHDOG_USEC, runs the daemon
against the mock site (tests/mock/mocksite.py) with a small config, and checks:

  startup    a missing or bad config: exit 66 / 65, FILE:LINE:COL, journald
             "<N>" prefixes only under JOURNAL_STREAM; "years: {last: N}"
  ready      READY=1 arrives after the state DB exists and before the
             first request to the site
  status     STATUS= lines show live progress "Y: D/N papers, next run HH:MM",
             N the mock's truth, D rising
  watchdog   WATCHDOG=1 comes every WATCHDOG_USEC/2, during a crawl too: no
             gap reaches WATCHDOG_USEC
  recrawl    a re-crawl of an unchanged year sends only conditional requests,
             all answered 304, and rewrites nothing (inode, mtime, bytes)
  changed    after one paper's title changes on the mock, the re-crawl
             rewrites that record only, and the summary counts it
  status_cmd `nipscope status` shows the daemon and the years
  reload     SIGHUP with a good config: RELOADING=1 then READY=1, and the new
             year is crawled; with a broken one: the error names
             FILE:LINE:COL, the old config stays
  sigterm    SIGTERM mid-crawl: STOPPING=1, exit 0 within a few seconds, every
             record line whole and valid
  kill9      kill -9 mid-crawl, then a restart: ends with every paper of the
             truth exactly once, pages fetched once (the rest 304)
  slowreload a reload of rules that take longer than WATCHDOG_USEC to load:
             the watchdog pings go on meanwhile
  badrules   SIGHUP after the rules broke: the log names the rules file's
             FILE:LINE:COL and keeps the configuration in force; the daemon
             runs on and exits 0 on SIGTERM

Every expected value comes from the mock's truth files or from the edit this
harness makes, never from nipscope's output.  Prints TAP; exit 1 on a failure.
Environment: NIPSCOPE (the binary), NSC_SOURCE_DIR, NSC_RULES_DIR.
"""

import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

NIPSCOPE = os.environ.get("NIPSCOPE", "build/nipscope")
SRC = os.environ.get("NSC_SOURCE_DIR", ".")
RULES = os.environ.get("NSC_RULES_DIR", os.path.join(SRC, "rules"))
MOCK = os.path.join(SRC, "tests", "mock", "mocksite.py")
WATCHDOG_USEC = 2_000_000
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux <asm-generic/socket.h>
PAPERS = 60
# The slow-reload phase: a generated rule set big enough that loading it
# takes longer than its watchdog (about 1 s for 150,000 institutions in a
# release build, several under ASan).
SLOW_RELOAD_RULES = 150000
SLOW_RELOAD_WATCHDOG_USEC = 600_000
STOP_DELAY_MS = 150  # the SIGTERM / kill -9 phase's mock: 2 x 60 pages at 2 connections, about 9 s
STATUS_RE = re.compile(r"^(\d{4}): ([\d,]+)/([\d,]+) papers, next run (\d\d:\d\d|\d{4}-\d\d-\d\d \d\d:\d\d)$")

failures = 0
count = 0


def ok(cond, what, detail=""):
    global failures, count
    count += 1
    if cond:
        print("ok %d - %s" % (count, what))
    else:
        failures += 1
        print("not ok %d - %s%s" % (count, what, (": " + detail) if detail else ""))
    sys.stdout.flush()
    return cond


def note(msg):
    print("# " + msg)
    sys.stdout.flush()


class Notify:
    """The NOTIFY_SOCKET end: every datagram with its CLOCK_MONOTONIC time."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        # The kernel stamps each datagram when it is queued (CLOCK_REALTIME),
        # so a message's time is when the daemon sent it, not when this
        # thread, late on a loaded machine, got to read it.
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.msgs = []  # (t, key, value): t on time.monotonic()'s clock
        self.lock = threading.Lock()
        self.done = False
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.done:
            try:
                data, anc, _, _ = self.sock.recvmsg(65536, socket.CMSG_SPACE(16))
            except socket.timeout:
                continue
            except OSError:
                return
            t = self.sent_at(anc)
            with self.lock:
                for line in data.decode("utf-8", "replace").split("\n"):
                    if "=" in line:
                        k, _, v = line.partition("=")
                        self.msgs.append((t, k, v))

    @staticmethod
    def sent_at(anc):
        """The datagram's kernel timestamp on time.monotonic()'s clock."""
        now_mono, now_real = time.monotonic(), time.time()
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
                sec, nsec = struct.unpack("@qq", data[:16])
                return now_mono - (now_real - (sec + nsec / 1e9))
        return now_mono

    def snapshot(self):
        with self.lock:
            return list(self.msgs)

    def wait(self, pred, timeout, since=0.0):
        """Wait for a message (t, k, v) with t >= since that pred accepts."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for m in self.snapshot():
                if m[0] >= since and pred(m):
                    return m
            time.sleep(0.05)
        return None

    def close(self):
        self.done = True
        self.thread.join()
        self.sock.close()


def start_mock(tmp, *extra):
    portf = os.path.join(tmp, "mock.port")
    p = subprocess.Popen([sys.executable, MOCK, "--port", "0", "--port-file", portf,
                          "--truth-dir", os.path.join(tmp, "truth"),
                          "--log", os.path.join(tmp, "requests.log")] + list(extra),
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "mock.err"), "w"))
    for _ in range(200):
        if os.path.exists(portf) and open(portf).read().strip():
            return p, "http://127.0.0.1:%s" % open(portf).read().strip()
        if p.poll() is not None:
            raise SystemExit("mock exited: " + open(os.path.join(tmp, "mock.err")).read())
        time.sleep(0.1)
    p.kill()
    raise SystemExit("mock: no port file")


def write_config(path, url, out, years, interval="1h", extra="", rules=RULES):
    with open(path + ".tmp", "w") as f:
        f.write("years: [%s]\nout: %s\nrules: %s\ninterval: %s\n"
                "politeness: {rate: 0, concurrency: 2}\n"
                "sites: {proceedings: \"%s\", virtual: \"%s\"}\n%s"
                % (", ".join(map(str, years)), out, rules, interval, url, url, extra))
    os.rename(path + ".tmp", path)


def start_daemon(tmp, conf, notify_path, tag, watchdog_usec=WATCHDOG_USEC):
    env = dict(os.environ)
    env.pop("JOURNAL_STREAM", None)
    env.update({"NOTIFY_SOCKET": notify_path, "WATCHDOG_USEC": str(watchdog_usec), "TZ": "UTC"})
    err = open(os.path.join(tmp, "daemon-%s.err" % tag), "w")
    t0 = time.monotonic()
    p = subprocess.Popen([NIPSCOPE, "daemon", "--config", conf, "--no-fsync"], env=env,
                         stdout=subprocess.DEVNULL, stderr=err)
    return p, t0


def terminate(p, timeout):
    """SIGTERM, then the exit code, or None when the process has not exited
    within 'timeout' seconds."""
    p.send_signal(signal.SIGTERM)
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        return None


def daemon_log(tmp, tag):
    with open(os.path.join(tmp, "daemon-%s.err" % tag), encoding="utf-8", errors="replace") as f:
        return f.read()


def requests(tmp):
    with open(os.path.join(tmp, "requests.log")) as f:
        return [json.loads(line) for line in f if line.strip()]


def truth(tmp, year):
    with open(os.path.join(tmp, "truth", "truth-%d.jsonl" % year)) as f:
        return [json.loads(line) for line in f]


def file_state(path):
    st = os.stat(path)
    with open(path, "rb") as f:
        return (st.st_ino, st.st_mtime_ns, st.st_size, f.read())


def status_progress(msgs, year):
    out = []
    for t, k, v in msgs:
        m = STATUS_RE.match(v) if k == "STATUS" else None
        if m and int(m.group(1)) == year:
            out.append((t, int(m.group(2).replace(",", "")), int(m.group(3).replace(",", ""))))
    return out


def idle_after(msgs, since):
    return [m for m in msgs if m[0] >= since and m[1] == "STATUS" and m[2].startswith("idle")]


def records_ok(path):
    """(lines, ids, problems) of a records file: every line whole JSON with an id."""
    problems, ids = [], []
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        problems.append("last line has no newline (torn)")
    for i, line in enumerate(data.split(b"\n")[:-1] if data else []):
        try:
            rec = json.loads(line)
            ids.append(rec["id"])
        except (ValueError, KeyError) as e:
            problems.append("line %d: %s" % (i + 1, e))
    return ids, problems


def main():
    tmp = tempfile.mkdtemp(prefix="nsc-daemon-")
    edit = os.path.join(tmp, "edits.json")
    mock, url = start_mock(tmp, "--years", "2019,2020", "--papers", str(PAPERS), "--delay-ms", "60",
                           "--edit-file", edit)
    notify_path = os.path.join(tmp, "notify.sock")
    notify = Notify(notify_path)
    out = os.path.join(tmp, "out")
    conf = os.path.join(tmp, "nipscope.yaml")
    write_config(conf, url, out, [2019], interval="6s")
    truth19 = truth(tmp, 2019)
    daemons = []
    try:
        run_startup(tmp, url, notify, notify_path)
        run_main(tmp, url, notify, notify_path, out, conf, edit, truth19, daemons)
        run_stop(tmp, notify, notify_path, daemons)
        run_slow_reload(tmp, url, notify, notify_path, daemons)
        run_bad_rules(tmp, url, notify, notify_path, daemons)
    finally:
        for p in daemons:
            if p.poll() is None:
                p.kill()
                p.wait()
        notify.close()
        mock.terminate()
        mock.wait()
    print("1..%d" % count)
    if failures:
        note("kept %s for a look" % tmp)
        return 1
    subprocess.run(["rm", "-rf", tmp])
    return 0


def run_startup(tmp, url, notify, notify_path):
    """Bad start-up configs, journald priorities, and "years: {last: N}"."""
    base = {"NOTIFY_SOCKET": notify_path, "TZ": "UTC"}
    env = dict(os.environ, **base)
    env.pop("JOURNAL_STREAM", None)
    missing = os.path.join(tmp, "missing.yaml")
    r = subprocess.run([NIPSCOPE, "daemon", "--config", missing], env=env, capture_output=True, text=True)
    ok(r.returncode == 66 and re.search(r"^\S+Z error: daemon: .*missing\.yaml", r.stderr, re.M),
       "a missing config: exit 66, a plain timestamped error line", "%d %r" % (r.returncode, r.stderr))
    bad = os.path.join(tmp, "bad.yaml")
    with open(bad, "w") as f:
        f.write("years: [2019]\ninterval: soon\n")
    jenv = dict(env, JOURNAL_STREAM="8:12345")
    r = subprocess.run([NIPSCOPE, "daemon", "--config", bad], env=jenv, capture_output=True, text=True)
    ok(r.returncode == 65 and re.match(r"<3>daemon: %s:2:11: " % re.escape(bad), r.stderr),
       "a bad value: exit 65, FILE:LINE:COL, with the journald <3> prefix under JOURNAL_STREAM",
       "%d %r" % (r.returncode, r.stderr))
    run_bad_year(tmp, env)
    run_bad_paths(tmp, env)
    last = os.path.join(tmp, "last.yaml")
    with open(last, "w") as f:
        f.write("years: {last: 2}\nout: %s\nrules: %s\nsites: {proceedings: \"%s\", virtual: \"%s\"}\n"
                % (os.path.join(tmp, "out-last"), RULES, url, url))
    p = subprocess.Popen([NIPSCOPE, "daemon", "--config", last, "--no-fsync"], env=jenv,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=15)
    ok(p.returncode == 0 and re.search(r"^<5>daemon: .*years 2024, 2025,", err, re.M),
       "years: {last: 2} are the two most recent years of the site profile (2024, 2025)", err[-600:])


def run_bad_year(tmp, env):
    """A year the config loader accepts (2013..2100) but the site profile does
    not list is a bad value too: the error names FILE:LINE:COL of that year."""
    path = os.path.join(tmp, "badyear.yaml")
    with open(path, "w") as f:
        f.write("rules: %s\nyears:\n  - 2019\n  - 2099\n" % RULES)
    r = subprocess.run([NIPSCOPE, "daemon", "--config", path], env=env, capture_output=True, text=True)
    ok(r.returncode == 65 and re.search(r"error: daemon: %s:4:5: years: .*2099" % re.escape(path), r.stderr),
       "a year the site profile lacks: exit 65, FILE:LINE:COL of that year", "%d %r" % (r.returncode, r.stderr))


def run_bad_paths(tmp, env):
    """A 'rules' or 'out' path that cannot be opened or created is a bad value:
    the message starts with FILE:LINE:COL of that value and the key, the exit
    status is the one of the failure (66 cannot open, 74 cannot create)."""
    path = os.path.join(tmp, "badrules.yaml")
    norules = os.path.join(tmp, "no-such-rules")
    with open(path, "w") as f:
        f.write("years: [2019]\nrules: %s\n" % norules)  # the value: line 2, column 8
    r = subprocess.run([NIPSCOPE, "daemon", "--config", path], env=env, capture_output=True, text=True)
    ok(r.returncode == 66 and re.search(r"error: daemon: %s:2:8: rules: cannot open '%s/"
                                        % (re.escape(path), re.escape(norules)), r.stderr),
       "rules: a missing directory: exit 66, FILE:LINE:COL of the value", "%d %r" % (r.returncode, r.stderr))
    path = os.path.join(tmp, "badout.yaml")
    with open(path, "w") as f:
        f.write("rules: %s\nyears: [2019]\nout:   /proc/nipscope-no\n" % RULES)  # line 3, column 8
    r = subprocess.run([NIPSCOPE, "daemon", "--config", path], env=env, capture_output=True, text=True)
    ok(r.returncode == 74 and re.search(r"error: daemon: %s:3:8: out: cannot create '/proc/nipscope-no'"
                                        % re.escape(path), r.stderr),
       "out: a directory that cannot be created: exit 74, FILE:LINE:COL of the value",
       "%d %r" % (r.returncode, r.stderr))


def profile_years():
    """The years rules/sites/neurips.yaml lists with proceedings, read here
    with a regex over its 'years:' block, not through nipscope."""
    with open(os.path.join(RULES, "sites", "neurips.yaml"), encoding="utf-8") as f:
        text = f.read()
    block = re.search(r"^years:\n((?:[ \t]+.*\n|\n)+)", text, re.M).group(1)
    return sorted(int(y) for y, srcs in re.findall(r"^\s+(\d{4}):\s*\[([^\]]*)\]", block, re.M)
                  if "proceedings" in srcs)


def run_status_never(tmp, out):
    """`nipscope status --config` lists every configured year, a year never
    crawled as 'never', for an explicit list and for "years: {last: N}" alike
    (N resolved through the site profile, as the daemon does).  The store has
    crawled 2019 only."""
    now = time.gmtime().tm_year
    listed = [y for y in profile_years() if y <= now]
    want = listed[-7:]  # "last: 7": the 7 most recent the profile lists
    forms = [("explicit", "years: [2019, 2020]", [2020]),
             ("last", "years: {last: 7}", [y for y in want if y != 2019])]
    for name, line, never in forms:
        path = os.path.join(tmp, "status-%s.yaml" % name)
        with open(path, "w") as f:
            f.write("%s\nout: %s\nrules: %s\n" % (line, out, RULES))
        st = subprocess.run([NIPSCOPE, "status", "--config", path], capture_output=True, text=True)
        got = sorted(int(y) for y in re.findall(r"^(\d{4}) +never\b", st.stdout, re.M))
        ok(st.returncode == 0 and got == never and never
           and re.search(r"^2019 +\d{4}-\d\d-\d\dT", st.stdout, re.M),
           "status with '%s': 2019 crawled, the years never crawled listed as never %r" % (line, never),
           "%d got %r\n%s%s" % (st.returncode, got, st.stdout, st.stderr))


def run_main(tmp, url, notify, notify_path, out, conf, edit, truth19, daemons):
    n19 = len(truth19)
    p, t0 = start_daemon(tmp, conf, notify_path, "main")
    daemons.append(p)

    # ---- ready ---------------------------------------------------------------
    ready = notify.wait(lambda m: m[1] == "READY" and m[2] == "1", 20, since=t0)
    if not ok(ready is not None, "READY=1 arrives", daemon_log(tmp, "main")[-2000:]):
        return
    note("READY=1 %.0f ms after start" % ((ready[0] - t0) * 1000))
    ok(os.path.exists(os.path.join(out, ".nipscope-state.sqlite")), "the store is open at READY=1")
    # only this daemon's requests: the startup phase's daemon used the same mock
    first_req = [r["t"] for r in requests(tmp) if r["path"] != "/robots.txt" and r["t"] >= t0]
    ok(not first_req or min(first_req) >= ready[0] - 0.05,
       "READY=1 comes before the first page is requested (config and rules loaded first)")

    # ---- first crawl: status and watchdog pace during a crawl ------------------
    idle = notify.wait(lambda m: m[1] == "STATUS" and m[2].startswith("idle"), 120, since=ready[0])
    if not ok(idle is not None, "the first crawl of 2019 ends (STATUS idle)", daemon_log(tmp, "main")[-2000:]):
        return
    msgs = notify.snapshot()
    prog = status_progress(msgs, 2019)
    ok(len(prog) >= 3, "STATUS shows live progress lines 'Y: D/N papers, next run HH:MM'",
       "%d lines: %r" % (len(prog), [m[2] for m in msgs if m[1] == "STATUS"][:8]))
    ok(all(n == n19 for _, _, n in prog), "STATUS counts N = the truth's %d papers" % n19,
       repr(sorted({n for _, _, n in prog})))
    ok(all(a[1] <= b[1] for a, b in zip(prog, prog[1:])), "STATUS progress never goes back")
    crawl_start = prog[0][0] if prog else ready[0]
    pings = [t for t, k, v in msgs if k == "WATCHDOG" and v == "1" and t >= ready[0]]
    in_crawl = [t for t in pings if crawl_start <= t <= idle[0]]
    note("first crawl took %.1f s; %d watchdog pings during it" % (idle[0] - crawl_start, len(in_crawl)))
    # the gaps between the pings around and inside the crawl
    around = [t for t in pings if t < crawl_start][-1:] + in_crawl + [t for t in pings if t > idle[0]][:1]
    cgaps = [b - a for a, b in zip(around, around[1:])]
    ok(len(around) >= 2 and max(cgaps) < WATCHDOG_USEC / 1e6,
       "WATCHDOG=1 keeps coming during a crawl: no gap reaches WATCHDOG_USEC",
       "gaps %r" % ["%.2f" % g for g in cgaps])
    records = os.path.join(out, "neurips-2019.jsonl")
    summary = os.path.join(out, "neurips-2019.summary.json")
    ids, problems = records_ok(records)
    ok(sorted(ids) == sorted(t["id"] for t in truth19) and not problems,
       "the first crawl wrote every truth paper once", "%d ids, %s" % (len(ids), problems[:3]))

    # ---- recrawl of an unchanged year --------------------------------------
    before = (file_state(records), file_state(summary))
    nreq = len(requests(tmp))
    # the re-crawl's own idle line (the one after its "starting")
    idle2 = None
    end = time.monotonic() + 60
    while time.monotonic() < end and idle2 is None:
        ms = notify.snapshot()
        starts = [m for m in ms if m[0] > idle[0] and m[1] == "STATUS" and m[2] == "2019: starting"]
        if starts:
            idle2 = next((m for m in idle_after(ms, starts[0][0])), None)
        time.sleep(0.1)
    if not ok(idle2 is not None, "the re-crawl runs after 'interval' (6 s)"):
        return
    rer = requests(tmp)[nreq:]
    pages = [r for r in rer if r["path"] != "/robots.txt"]
    uncond = [r["path"] for r in pages if not (r["if_none_match"] or r["if_modified_since"])]
    not304 = [(r["path"], r["status"]) for r in pages if r["status"] != 304]
    note("re-crawl of unchanged 2019: %d requests (%d conditional, %d answered 304)"
         % (len(pages), len(pages) - len(uncond), len(pages) - len(not304)))
    ok(not uncond and pages, "the re-crawl sends only conditional requests", repr(uncond[:3]))
    ok(not not304, "every one is answered 304", repr(not304[:3]))
    after = (file_state(records), file_state(summary))
    ok(before[0] == after[0], "records not rewritten: same inode, mtime and bytes")
    ok(before[1] == after[1], "summary not rewritten: same inode, mtime and bytes")

    # ---- a changed page ------------------------------------------------------
    victim = next(t for t in truth19 if not any(m.startswith("model.llama") for m in t["mentions"]))
    new_title = "Llama Meets " + victim["title"]
    with open(edit + ".tmp", "w") as f:
        json.dump({"titles": {"2019/" + victim["id"]: new_title}}, f)
    os.rename(edit + ".tmp", edit)
    old_lines = open(records, "rb").read().split(b"\n")
    old_summary = json.load(open(summary))
    nreq = len(requests(tmp))
    t_edit = time.monotonic()
    idle3 = None
    end = time.monotonic() + 60
    while time.monotonic() < end and idle3 is None:
        ms = notify.snapshot()
        starts = [m for m in ms if m[0] > t_edit and m[1] == "STATUS" and m[2] == "2019: starting"]
        if starts:
            idle3 = next((m for m in idle_after(ms, starts[0][0])), None)
        time.sleep(0.1)
    if not ok(idle3 is not None, "a re-crawl runs after the edit"):
        return
    new_lines = open(records, "rb").read().split(b"\n")
    diff = [(a, b) for a, b in zip(old_lines, new_lines) if a != b]
    ok(len(old_lines) == len(new_lines) and len(diff) == 1,
       "exactly one record line changed", "%d lines differ" % len(diff))
    if diff:
        rec = json.loads(diff[0][1])
        ok(rec["id"] == victim["id"] and rec["title"] == new_title,
           "the changed line is the edited paper, with its new title", rec.get("title", ""))
        ok("model.llama" in rec["mentions"], "its mentions now have model.llama")
    new_summary = json.load(open(summary))
    old_n = old_summary["mentions"].get("model.llama", {}).get("papers", 0)
    new_n = new_summary["mentions"].get("model.llama", {}).get("papers", 0)
    ok(new_n == old_n + 1, "the summary counts one more model.llama paper", "%d -> %d" % (old_n, new_n))
    rer = [r for r in requests(tmp)[nreq:] if r["path"] != "/robots.txt"]
    full = sorted(r["path"] for r in rer if r["status"] == 200)
    note("re-crawl after the edit: %d requests, 200 for %s" % (len(rer), full))
    index = "/paper_files/paper/2019"
    ok(index in full and len(full) >= 2 and all(p == index or victim["id"] in p for p in full),
       "only the index and the edited paper's pages (abstract, Metadata.json) come back 200",
       repr(full))

    # ---- nipscope status -----------------------------------------------------
    st = subprocess.run([NIPSCOPE, "status", "--config", conf], capture_output=True, text=True)
    ok(st.returncode == 0 and re.search(r"^daemon: (idle|crawling) \(pid %d" % p.pid, st.stdout, re.M)
       and re.search(r"^2019 +\d{4}-\d\d-\d\dT", st.stdout, re.M),
       "nipscope status shows the daemon's state and pid and when 2019 was crawled",
       st.stdout + st.stderr)
    run_status_never(tmp, out)

    # ---- SIGHUP: a good config ---------------------------------------------------
    write_config(conf, url, out, [2019, 2020], interval="1h")
    t_hup = time.monotonic()
    p.send_signal(signal.SIGHUP)
    rl = notify.wait(lambda m: m[1] == "RELOADING" and m[2] == "1", 10, since=t_hup)
    rd = notify.wait(lambda m: m[1] == "READY" and m[2] == "1", 10, since=rl[0] if rl else t_hup)
    ok(rl is not None and rd is not None, "SIGHUP: RELOADING=1, then READY=1")
    y20 = notify.wait(lambda m: m[1] == "STATUS" and STATUS_RE.match(m[2]) and m[2].startswith("2020:"),
                      60, since=t_hup)
    ok(y20 is not None, "the reloaded config's new year 2020 is crawled", daemon_log(tmp, "main")[-1500:])
    idle4 = notify.wait(lambda m: m[1] == "STATUS" and m[2].startswith("idle"), 120,
                        since=y20[0] if y20 else t_hup)
    ids20, _ = records_ok(os.path.join(out, "neurips-2020.jsonl")) if idle4 else ([], [])
    ok(sorted(ids20) == sorted(t["id"] for t in truth(tmp, 2020)), "2020 ends with every truth paper once")

    # ---- SIGHUP: a broken config --------------------------------------------------
    write_config(conf, url, out, [2019, 2020, 2021], interval="1h", extra="politeness_typo: 1\n")
    bad_line = 7  # the unknown key's line in write_config's layout
    t_hup = time.monotonic()
    p.send_signal(signal.SIGHUP)
    rl = notify.wait(lambda m: m[1] == "RELOADING", 10, since=t_hup)
    rd = notify.wait(lambda m: m[1] == "READY" and m[2] == "1", 10, since=rl[0] if rl else t_hup)
    ok(rl is not None and rd is not None, "SIGHUP with a broken file: RELOADING=1, then READY=1 all the same")
    time.sleep(1.0)
    log = daemon_log(tmp, "main")
    ok(re.search(r"error: daemon: reload: %s:%d:1: .*configuration in force stays" % (re.escape(conf), bad_line),
                 log) is not None, "the error is logged with FILE:LINE:COL", log[-800:])
    time.sleep(3.0)
    ok(p.poll() is None and not os.path.exists(os.path.join(out, "neurips-2021.jsonl")),
       "the old config stays in force: the daemon runs on and 2021 is not crawled")
    ms = [m for m in notify.snapshot() if m[0] >= t_hup and m[1] == "WATCHDOG"]
    ok(len(ms) >= 3, "watchdog pings go on after the failed reload", "%d pings" % len(ms))

    # ---- watchdog pace over the whole run --------------------------------------
    pings = [t for t, k, v in notify.snapshot() if k == "WATCHDOG" and v == "1" and t >= ready[0]]
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    half = WATCHDOG_USEC / 2e6
    if gaps:
        gaps_sorted = sorted(gaps)
        note("watchdog: %d pings, WATCHDOG_USEC/2 = %.3f s, gaps min %.3f median %.3f max %.3f s"
             % (len(pings), half, gaps_sorted[0], gaps_sorted[len(gaps) // 2], gaps_sorted[-1]))
    ok(gaps and max(gaps) < WATCHDOG_USEC / 1e6, "no watchdog gap reaches WATCHDOG_USEC (%.1f s)"
       % (WATCHDOG_USEC / 1e6), "max %.3f" % (max(gaps) if gaps else -1))
    ok(gaps and sorted(gaps)[len(gaps) // 2] >= half * 0.8, "pings are not much faster than WATCHDOG_USEC/2",
       "median %.3f" % (sorted(gaps)[len(gaps) // 2] if gaps else -1))

    # ---- SIGTERM when idle -----------------------------------------------------
    t_term = time.monotonic()
    rc = terminate(p, 10)
    ok(rc == 0, "SIGTERM when idle: exit 0", "rc %r" % rc)
    ok(notify.wait(lambda m: m[1] == "STOPPING" and m[2] == "1", 1, since=t_term) is not None,
       "STOPPING=1 is sent")


def run_stop(tmp, notify, notify_path, daemons):
    """SIGTERM and kill -9 in the middle of a crawl, on a fresh store.

    This phase has a mock of its own, slower (STOP_DELAY_MS a response), so a
    crawl of the year lasts several STATUS periods (1 s): the signals land in
    the middle of it even when a loaded machine delays this harness by a
    second or more (a 60 ms mock let a whole year finish between the STATUS
    line that triggered the SIGTERM and the signal)."""
    mtmp = os.path.join(tmp, "stop")
    os.mkdir(mtmp)
    mock, url = start_mock(mtmp, "--years", "2020", "--papers", str(PAPERS), "--delay-ms", str(STOP_DELAY_MS))
    try:
        run_stop_on(mtmp, url, notify, notify_path, daemons)
    finally:
        mock.terminate()
        mock.wait()


def run_stop_on(tmp, url, notify, notify_path, daemons):
    out = os.path.join(tmp, "out2")
    conf = os.path.join(tmp, "nipscope2.yaml")
    write_config(conf, url, out, [2020], interval="1h")
    truth20 = truth(tmp, 2020)
    n20 = len(truth20)
    records = os.path.join(out, "neurips-2020.jsonl")

    def mid_crawl(since, at_least):
        # at most a third done, so the rest of the crawl outlasts any lag here
        return notify.wait(lambda m: m[1] == "STATUS" and STATUS_RE.match(m[2]) is not None
                           and m[2].startswith("2020:")
                           and at_least <= int(STATUS_RE.match(m[2]).group(2).replace(",", "")) <= n20 // 3,
                           60, since=since)

    nreq0 = len(requests(tmp))
    p, t0 = start_daemon(tmp, conf, notify_path, "term")
    daemons.append(p)
    m = mid_crawl(t0, 5)
    if not ok(m is not None, "a fresh crawl of 2020 is under way", daemon_log(tmp, "term")[-1500:]):
        return
    t_term = time.monotonic()
    rc = terminate(p, 15)
    took = time.monotonic() - t_term
    note("SIGTERM mid-crawl: exit after %.0f ms" % (took * 1000))
    ok(rc == 0, "SIGTERM mid-crawl: exit 0", "rc %r" % rc)
    ok(took < 5.0, "... within 5 s", "%.1f s" % took)
    ok(notify.wait(lambda m: m[1] == "STOPPING", 1, since=t_term) is not None, "STOPPING=1 mid-crawl")
    ids, problems = records_ok(records)
    truth_ids = {t["id"] for t in truth20}
    ok(not problems and len(ids) == len(set(ids)) and set(ids) <= truth_ids and 0 < len(ids) < n20,
       "the store is intact: whole valid lines, each id once, a part of the year",
       "%d ids, %s" % (len(ids), problems[:3]))
    st = subprocess.run([NIPSCOPE, "status", "--config", conf], capture_output=True, text=True)
    ok(re.search(r"^daemon: stopped", st.stdout, re.M) and re.search(r"^2020 +never +interrupted", st.stdout, re.M),
       "nipscope status: daemon stopped, 2020 interrupted and never finished", st.stdout + st.stderr)

    # kill -9, then a restart: resumes, every paper exactly once.
    p, t1 = start_daemon(tmp, conf, notify_path, "kill")
    daemons.append(p)
    # kill -9 once the restart has written a few more records, before it ends
    grown = False
    end = time.monotonic() + 60
    while time.monotonic() < end and p.poll() is None:
        with open(records, "rb") as f:
            lines = f.read().count(b"\n")
        if len(ids) + 3 <= lines < n20 - 3:
            grown = True
            break
        time.sleep(0.02)
    note("kill -9 with %d of %d records written" % (lines, n20))
    if not ok(grown, "the restarted crawl goes on", daemon_log(tmp, "kill")[-1500:]):
        return
    p.send_signal(signal.SIGKILL)
    p.wait()
    p, t2 = start_daemon(tmp, conf, notify_path, "resume")
    daemons.append(p)
    idle = notify.wait(lambda m: m[1] == "STATUS" and m[2].startswith("idle"), 120, since=t2)
    if not ok(idle is not None, "after kill -9 a restart finishes the year", daemon_log(tmp, "resume")[-1500:]):
        return
    ids, problems = records_ok(records)
    ok(not problems and sorted(ids) == sorted(truth_ids),
       "every truth paper exactly once after kill -9 and restart",
       "%d lines, %d distinct, %d in truth; %s" % (len(ids), len(set(ids)), n20, problems[:3]))
    recs = {json.loads(l)["id"]: json.loads(l) for l in open(records, "rb").read().split(b"\n") if l}
    ok(all(recs[t["id"]]["title"] == t["title"] for t in truth20), "titles match the truth")
    got = [r for r in requests(tmp)[nreq0:] if "/2020/" in r["path"] and r["status"] == 200]
    per = {}
    for r in got:
        per[r["path"]] = per.get(r["path"], 0) + 1
    twice = [k for k, v in per.items() if v > 1]
    note("over SIGTERM, kill -9 and restart: %d 2020 pages answered 200 (the year has %d), %d of them twice"
         % (len(got), 2 * n20, len(twice)))
    ok(len(twice) <= 4 and len(per) == 2 * n20,
       "each page came in full once (at most the few in flight at the kill twice), the rest 304",
       "%d pages, %d fetched twice" % (len(per), len(twice)))
    p.send_signal(signal.SIGTERM)
    ok(p.wait(10) == 0, "and stops with exit 0")


def run_slow_reload(tmp, url, notify, notify_path, daemons):
    """A reload whose rules take longer to load than WATCHDOG_USEC: the
    watchdog pings go on while they load (systemd would otherwise kill the
    service for a reload)."""
    rules = os.path.join(tmp, "bigrules")
    subprocess.run([sys.executable, os.path.join(SRC, "bench", "classify_gen_rules.py"), RULES, rules,
                    str(SLOW_RELOAD_RULES)], check=True, stdout=subprocess.DEVNULL)
    shutil.copytree(os.path.join(RULES, "sites"), os.path.join(rules, "sites"))
    shutil.copy(os.path.join(RULES, "models.yaml"), rules)
    conf = os.path.join(tmp, "nipscope3.yaml")
    write_config(conf, url, os.path.join(tmp, "out3"), [2019], rules=rules)
    p, t0 = start_daemon(tmp, conf, notify_path, "reload", watchdog_usec=SLOW_RELOAD_WATCHDOG_USEC)
    daemons.append(p)
    idle = notify.wait(lambda m: m[1] == "STATUS" and m[2].startswith("idle"), 120, since=t0)
    if not ok(idle is not None, "slow reload: the daemon with %d rules is up and idle" % SLOW_RELOAD_RULES,
              daemon_log(tmp, "reload")[-1500:]):
        return
    t_hup = time.monotonic()
    p.send_signal(signal.SIGHUP)
    rel = notify.wait(lambda m: m[1] == "RELOADING", 10, since=t_hup)
    ready = notify.wait(lambda m: m[1] == "READY", 120, since=t_hup)
    if not ok(rel is not None and ready is not None and ready[0] > rel[0], "slow reload: RELOADING=1 then READY=1",
              daemon_log(tmp, "reload")[-1500:]):
        return
    limit = SLOW_RELOAD_WATCHDOG_USEC / 1e6
    took = ready[0] - rel[0]
    note("slow reload: %d institutions loaded in %.2f s, WATCHDOG_USEC %.1f s" % (SLOW_RELOAD_RULES, took, limit))
    # The premise: without pings during the load this reload would trip the watchdog.
    ok(took > limit, "slow reload: the load outlasts WATCHDOG_USEC (%.2f s > %.1f s)" % (took, limit))
    pings = [m[0] for m in notify.snapshot() if m[1] == "WATCHDOG" and rel[0] - limit <= m[0] <= ready[0] + limit]
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    ok(len(pings) >= 2 and max(gaps) < limit, "slow reload: watchdog pings go on while the rules load",
       "%d pings, gaps %s" % (len(pings), ["%.2f" % g for g in gaps]))
    p.send_signal(signal.SIGTERM)
    ok(p.wait(30) == 0, "slow reload: and stops with exit 0")



def run_bad_rules(tmp, url, notify, notify_path, daemons):
    """SIGHUP after the rules the config names were broken (an unclosed
    "countries: [" appended to countries.yaml of a copy): the reload fails
    with the rules file's FILE:LINE:COL, the configuration in force stays,
    the daemon keeps running and stops with exit 0."""
    rules = os.path.join(tmp, "rules-broken")
    shutil.copytree(RULES, rules)
    conf = os.path.join(tmp, "nipscope4.yaml")
    write_config(conf, url, os.path.join(tmp, "out4"), [2019], rules=rules)
    p, t0 = start_daemon(tmp, conf, notify_path, "badrules")
    daemons.append(p)
    ready = notify.wait(lambda m: m[1] == "READY" and m[2] == "1", 30, since=t0)
    if not ok(ready is not None, "bad rules: the daemon with the intact copy is ready",
              daemon_log(tmp, "badrules")[-1500:]):
        return
    countries = os.path.join(rules, "countries.yaml")
    with open(countries, encoding="utf-8") as f:
        n_lines = f.read().count("\n")
    with open(countries, "a", encoding="utf-8") as f:
        f.write("countries: [\n")  # line n_lines + 1: the error is there or after it
    t_hup = time.monotonic()
    p.send_signal(signal.SIGHUP)
    rd = notify.wait(lambda m: m[1] == "READY" and m[2] == "1", 30, since=t_hup)
    log = daemon_log(tmp, "badrules")
    m = re.search(r"daemon: reload: %s:(\d+):(\d+): .*; the configuration in force stays$" % re.escape(countries),
                  log, re.M)
    ok(rd is not None and m is not None and int(m.group(1)) > n_lines,
       "bad rules: SIGHUP logs countries.yaml:LINE:COL (past its %d intact lines) and "
       "'the configuration in force stays'" % n_lines, log[-1500:])
    time.sleep(1.0)
    ok(p.poll() is None, "bad rules: the daemon keeps running after the failed reload", log[-800:])
    # Rules mended, but the file now names an out: directory that cannot be
    # made (line 2 of write_config's layout): refused at the reload too.
    with open(countries, encoding="utf-8") as f:
        text = f.read()
    with open(countries, "w", encoding="utf-8") as f:
        f.write(text[:text.rindex("countries: [\n")])
    write_config(conf, url, "/proc/nipscope-no", [2019], rules=rules)
    t_hup = time.monotonic()
    p.send_signal(signal.SIGHUP)
    rd = notify.wait(lambda m: m[1] == "READY" and m[2] == "1", 30, since=t_hup)
    log = daemon_log(tmp, "badrules")
    m = re.search(r"daemon: reload: %s:2:\d+: out: .*'/proc/nipscope-no'.*; the configuration in force stays$"
                  % re.escape(conf), log, re.M)
    ok(rd is not None and m is not None and p.poll() is None,
       "bad out: SIGHUP logs FILE:2:COL: out: and 'the configuration in force stays'; still running",
       log[-1500:])
    rc = terminate(p, 30)
    ok(rc == 0, "bad rules: SIGTERM: exit 0", "exit %r" % rc)


if __name__ == "__main__":
    sys.exit(main())
