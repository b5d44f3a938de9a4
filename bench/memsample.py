#!/usr/bin/env python3
"""bench/memsample.py - the memory a whole process tree holds at once, sampled.

    memsample.py [--interval-ms 20] [--skip-root] [--trace FILE] OUT -- CMD [ARG...]

Runs CMD, and every interval reads /proc/PID/smaps_rollup of CMD's process and of
all its descendants (found through /proc/PID/task/TID/children), sums each field
over the processes alive at that instant, and keeps the peak of each sum:

  pss_kb   proportional set size: a page shared by n processes counts 1/n in each,
           so the sum counts every page once (shared libraries, copy-on-write pages
           of a forked child). The fair "memory this program needs" figure.
  rss_kb   resident set size summed: counts a shared page once per process (an
           upper bound, like adding the processes' getrusage peaks, but taken at one
           instant).
  anon_kb  anonymous memory (heap, stacks, private mappings) summed: what the
           program itself allocated, without any file pages.
  uss_kb   private (unshared) pages summed: what would be freed if all exited.

Also written: the per-process split at the Pss peak, each process's own peak Pss
(by pid and command name), the number of samples, CMD's exit status, and the
sampler's own CPU time (user + sys, including the kernel's work of reading smaps),
so that what it costs can be seen; it runs at nice 10 (CMD at the caller's priority). Why a sampler: getrusage's maxrss is one
process's RSS peak; adding two processes' peaks double-counts shared pages and
adds peaks that need not coincide. A sample misses a peak shorter than the
interval. --trace FILE writes every sample (seconds, summed Pss, each pid's Pss).
--skip-root leaves CMD's own process out of the sums (for a wrapper such
as /usr/bin/time, whose own few hundred KB are not the program's).

OUT gets one JSON object. The exit status is CMD's (128 + signal if killed).
"""
import json
import os
import resource
import subprocess
import sys
import time

FIELDS = {"Pss": "pss_kb", "Rss": "rss_kb", "Anonymous": "anon_kb",
          "Private_Clean": "uss_kb", "Private_Dirty": "uss_kb"}


def tree(root):
    """root and every descendant, by the kernel's children lists (no scan of /proc)."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
            except OSError:
                pass
    return out


def rollup(pid):
    """the summed fields of one process, or None once it is gone."""
    got = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                name, _, rest = line.partition(":")
                key = FIELDS.get(name)
                if key:
                    got[key] = got.get(key, 0) + int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return got or None


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def main():
    args = sys.argv[1:]
    interval, skip_root, trace = 0.020, False, None
    while args and args[0].startswith("--") and args[0] != "--":
        if args[0] == "--interval-ms":
            interval = float(args[1]) / 1000
            args = args[2:]
        elif args[0] == "--trace":
            trace = open(args[1], "w")
            args = args[2:]
        elif args[0] == "--skip-root":
            skip_root = True
            args = args[1:]
        else:
            sys.exit(f"memsample.py: unknown option {args[0]}")
    if len(args) < 3 or args[1] != "--":
        sys.exit("usage: memsample.py [--interval-ms MS] [--skip-root] [--trace FILE] OUT -- CMD [ARG...]")
    out, cmd = args[0], args[2:]

    peak = {"pss_kb": 0, "rss_kb": 0, "anon_kb": 0, "uss_kb": 0}
    at_peak, per_proc, names, samples = [], {}, {}, 0
    t0 = time.monotonic()
    child = subprocess.Popen(cmd)
    os.nice(10)  # the sampler yields the CPU to what it measures (CMD keeps its priority)
    while child.poll() is None:
        total = dict.fromkeys(peak, 0)
        procs = []
        for pid in tree(child.pid):
            if skip_root and pid == child.pid:
                continue
            r = rollup(pid)
            if r is None:
                continue
            for k in total:
                total[k] += r.get(k, 0)
            if r.get("pss_kb", 0) > per_proc.get(pid, -1):
                names[pid] = comm(pid)  # again: a forked child execs and changes its name
                per_proc[pid] = r.get("pss_kb", 0)
            procs.append({"pid": pid, "comm": names[pid], **r})
        samples += 1
        if trace:  # one line a sample: seconds, summed Pss, then each process's pid:Pss (KiB)
            trace.write(f"{time.monotonic() - t0:.3f} {total['pss_kb']} "
                        + " ".join(f"{p['pid']}:{p['pss_kb']}" for p in procs) + "\n")
        if total["pss_kb"] > peak["pss_kb"]:
            at_peak = procs
        for k in peak:
            peak[k] = max(peak[k], total[k])
        time.sleep(interval)
    wall = time.monotonic() - t0
    me = resource.getrusage(resource.RUSAGE_SELF)
    rc = child.returncode if child.returncode >= 0 else 128 - child.returncode
    res = {**{"peak_" + k: v for k, v in peak.items()},
           "at_pss_peak": at_peak,
           "proc_peak_pss_kb": [{"pid": p, "comm": names[p], "pss_kb": v} for p, v in sorted(per_proc.items())],
           "samples": samples, "interval_ms": interval * 1000, "wall": round(wall, 3),
           "sampler_cpu": round(me.ru_utime + me.ru_stime, 3), "exit": rc}
    with open(out, "w") as f:
        json.dump(res, f)
        f.write("\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
