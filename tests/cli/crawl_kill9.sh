# crawl_kill9.sh - kill -9 at random points, repeated: the same crawl command
# is started and killed with SIGKILL 24 times on one output directory, half
# of the kills at a random time after the start (start-up, robots.txt, the
# index, the feed, the join), half after a random number of new records (in
# the middle of fetching and writing), then run to the end.  After every kill:
# every whole line of the records file is a record, a torn line can only be
# the last, no paper is there twice, and no record seen after an earlier
# kill is gone.  Papers recorded before a kill are never fetched again.  At
# the end the year is the truth's, each paper once.  The seed is printed, and
# NSC_KILL9_SEED=N repeats a run.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

crawl_mock --years 2024 --papers 300 --delay-ms 15
seed=${NSC_KILL9_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "# seed $seed"
python3 - "$seed" "$TMP" "$NIPSCOPE" "$CRAWL_RULES" "$MOCK_URL" >"$TMP/kill9.txt" <<'PY'
import json, os, random, signal, subprocess, sys, time

seed, tmp, nipscope, rules, url = sys.argv[1:6]
rng = random.Random(int(seed))
log = os.path.join(tmp, "requests.log")
truth = {json.loads(l)["id"] for l in open(os.path.join(tmp, "truth", "truth-2024.jsonl"))}
problems = []


def cmd(out):
    return [nipscope, "crawl", "--rules", rules, "--proceedings-url", url, "--virtual-url", url,
            "--rate", "0", "--concurrency", "4", "--year", "2024", "--out", out, "--no-progress"]


def read_records(out):
    """(ids of the whole lines in order, 1 if the file ends in a torn line)."""
    try:
        data = open(os.path.join(out, "neurips-2024.jsonl"), "rb").read()
    except FileNotFoundError:
        return [], 0
    lines = data.split(b"\n")
    torn = lines.pop()  # after the last "\n": empty unless a line is torn
    ids = []
    for i, line in enumerate(lines):
        try:
            ids.append(json.loads(line)["id"])
        except (ValueError, KeyError):
            problems.append("line %d of %d is not a record: %r" % (i + 1, len(lines), line[:80]))
    return ids, int(bool(torn))


def log_lines():
    try:
        return open(log, encoding="utf-8").read().splitlines()
    except FileNotFoundError:
        return []


def finished_dir(out, rc, finished_at):
    """Checks of a directory whose crawl ran to its end; returns records seen before the end."""
    ids, torn = read_records(out)
    if rc != 0 or torn or len(ids) != len(set(ids)) or set(ids) != truth:
        problems.append("%s: exit %d, %d records (%d unique), torn %d" % (
            out, rc, len(ids), len(set(ids)), torn))
    lines = log_lines()
    for n, done in finished_at:  # requests after each kill, to the end of this directory
        for line in lines[n:]:
            path = json.loads(line)["path"]
            refetched.update(i for i in done if "/%s-Abstract" % i in path)


kills, torn_seen, by_time, by_records, dirs = 0, 0, 0, 0, 1
refetched = set()
out = os.path.join(tmp, "out1")
seen = set()        # ids of whole lines after some kill: must never go away
finished_at = []    # (log length at the kill, ids recorded by then)
while kills < 24:
    before = len(read_records(out)[0])
    p = subprocess.Popen(cmd(out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    by_time_kill = kills % 2 == 0
    if by_time_kill:  # at a random time after the start
        deadline = time.monotonic() + rng.uniform(0.0, 0.8)
        while time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.002)
    else:  # after a random number of new records, plus up to 20 ms
        want = before + rng.randint(1, 25)
        deadline = time.monotonic() + 30
        while len(read_records(out)[0]) < want and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.02))
    if p.poll() is not None:
        # It finished first: check this directory, go on in a new one.
        finished_dir(out, p.returncode, finished_at)
        dirs += 1
        out = os.path.join(tmp, "out%d" % dirs)
        seen, finished_at = set(), []
        continue
    p.send_signal(signal.SIGKILL)
    p.wait()
    kills += 1
    # counted only once the kill is made: a start that finished first is no kill
    if by_time_kill:
        by_time += 1
    else:
        by_records += 1
    ids, torn = read_records(out)
    torn_seen += torn
    if len(ids) != len(set(ids)):
        problems.append("kill %d: a paper recorded twice" % kills)
    lost = seen - set(ids)
    if lost:
        problems.append("kill %d: %d records lost, e.g. %s" % (kills, len(lost), sorted(lost)[0]))
    seen |= set(ids)
    finished_at.append((len(log_lines()), set(ids)))
# Run the last directory to its end.
rc = subprocess.run(cmd(out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
before_last = len(seen)
ids, torn = read_records(out)
lost = len(seen - set(ids))
finished_dir(out, rc, finished_at)
with open(os.path.join(tmp, "last_out"), "w") as f:
    f.write(out)
print("kills=%d" % kills)
print("kills_by_time=%d" % by_time)
print("kills_by_records=%d" % by_records)
print("directories=%d" % dirs)
print("torn_tails_seen=%d" % torn_seen)
print("records_before_last_run=%d" % before_last)
print("final_exit=%d" % rc)
print("final_records=%d" % len(ids))
print("final_unique=%d" % len(set(ids)))
print("final_torn=%d" % torn)
print("lost=%d" % lost)
print("refetched=%d" % len(refetched))
print("problems=%d" % len(problems))
for p in problems[:5]:
    print("# " + p)
PY
sed 's/^/# /' "$TMP/kill9.txt"
v() { sed -n "s/^$1=//p" "$TMP/kill9.txt"; }
check "24 kills at random points" 24 "$(v kills)"
check "half of the starts killed at a random time, half after random progress" yes \
    "$([ $(($(v kills_by_time) - $(v kills_by_records))) -le 1 ] &&
        [ $(($(v kills_by_records) - $(v kills_by_time))) -le 1 ] && echo yes || echo no)"
check "after every kill, whole lines are records, none twice, none lost; every finished directory is the truth's" \
    0 "$(v problems)"
check "the last run exits 0" 0 "$(v final_exit)"
check "300 records, each paper once, no torn line" "300 300 0" \
    "$(v final_records) $(v final_unique) $(v final_torn)"
check "no record seen after a kill is lost" 0 "$(v lost)"
check "no paper recorded before a kill is fetched again" 0 "$(v refetched)"
cmp=$(crawl_compare 2024 "$(cat "$TMP/last_out")")
check "the same paper ids as the truth" yes "$(crawl_value ids_same "$cmp")"
check "every author name as the truth" 0 "$(crawl_value name_mismatches "$cmp")"
check "every affiliation as the truth" 0 "$(crawl_value affiliation_mismatches "$cmp")"
check "every paper's model families as the truth" 0 "$(crawl_value mention_mismatches "$cmp")"
check "US-CN papers as the truth" same "$(crawl_value us_cn_default_papers "$cmp")"
check "a complete summary" 0 "$(grep -c '"incomplete"' "$(cat "$TMP/last_out")/neurips-2024.summary.json")"

finish
