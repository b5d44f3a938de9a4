#!/bin/sh
# e2e_inside.sh - run by a real systemd (PID 1 of a systemd-nspawn container,
# tests/systemd/e2e.sh) as the oneshot nsc-e2e.service.  Installs the
# repository's nipscope.service, nipscope-crawl@.service and .timer unchanged
# but for the binary's path (and a short WatchdogSec), starts them against the
# mock site and writes TAP lines to /opt/out/results.  The daemon and the
# crawl@ template share StateDirectory=nipscope: a crawl@ run while the daemon
# crawls is refused by the store's lock (exit 75), one while it is idle writes
# into the same store as the same user.  The container powers off when this
# exits.
SRC=/opt/src
BIN=/opt/bin/nipscope
OUT=/opt/out
R=$OUT/results
: >"$R"
n=0
res() { # res OK|FAIL what [detail]
    n=$((n + 1))
    if [ "$1" = OK ]; then echo "ok $n - $2" >>"$R"; else echo "not ok $n - $2${3:+: $3}" >>"$R"; fi
}
prop() { systemctl show -p "$1" --value nipscope.service; }
cprop() { systemctl show -p "$2" --value "nipscope-crawl@$1.service"; }

# 250 ms a response: 60 papers' pages and Metadata.json at 2 connections take
# about 16 s, several of the daemon's 1 s STATUS periods, so the progress line
# is seen however late this script polls (at 30 ms the year could finish
# before the first progress STATUS was due), and a crawl@ started at the first
# progress line meets the daemon's lock (it reaches the store in 0.2 s here,
# more under ASan or on a slower machine: 120 ms a response left too thin a
# margin).
# 2020 is for nipscope-crawl@2020.service and the reload.
python3 "$SRC/tests/mock/mocksite.py" --port 0 --port-file /run/mock.port --years 2019,2020 --papers 60 \
    --truth-dir /run/truth --log /run/requests.log --delay-ms 250 >/run/mock.out 2>&1 &
mock=$!
i=0
while [ ! -s /run/mock.port ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
URL="http://127.0.0.1:$(cat /run/mock.port)"

mkdir -p /etc/nipscope /run/systemd/system/nipscope.service.d
cat >/etc/nipscope/nipscope.yaml <<YAML
years: [2019]
out: /var/lib/nipscope
rules: $SRC/rules
interval: 1h
politeness: {rate: 0, concurrency: 2}
sites: {proceedings: "$URL", virtual: "$URL"}
YAML
sed "s|/usr/local/bin/nipscope|$BIN|" "$SRC/systemd/nipscope.service" >/run/systemd/system/nipscope.service
# LeakSanitizer (an ASan build of the binary) stops the world through ptrace,
# which the unit's SystemCallFilter forbids: it would fail the exit.  The
# daemon's leaks are checked by tests/daemon/harness.py in the same ASan run.
printf '[Service]\nWatchdogSec=3s\nEnvironment=ASAN_OPTIONS=detect_leaks=0\n' \
    >/run/systemd/system/nipscope.service.d/test.conf
sed "s|/usr/local/bin/nipscope|$BIN|" "$SRC/systemd/nipscope-crawl@.service" \
    >/run/systemd/system/nipscope-crawl@.service
cp "$SRC/systemd/nipscope-crawl@.timer" /run/systemd/system/nipscope-crawl@.timer
mkdir -p /run/systemd/system/nipscope-crawl@.service.d
printf '[Service]\nEnvironment=ASAN_OPTIONS=detect_leaks=0\n' \
    >/run/systemd/system/nipscope-crawl@.service.d/test.conf
systemctl daemon-reload

t0=$(date +%s%N)
systemctl start nipscope.service
rc=$?
t1=$(date +%s%N)
echo "start took $(((t1 - t0) / 1000000)) ms" >>"$OUT/log"
[ $rc -eq 0 ] && [ "$(prop ActiveState)" = active ] && res OK "systemctl start returns after READY=1: active" ||
    res FAIL "systemctl start" "rc $rc, $(prop ActiveState)/$(prop SubState) $(prop Result)"
[ "$(prop WatchdogUSec)" = 3s ] && res OK "WatchdogSec=3s in force" || res FAIL "watchdog" "$(prop WatchdogUSec)"

# STATUS= reaches systemd: progress, then idle.  At the first progress line
# the daemon holds the store's lock: nipscope-crawl@2019 is refused (75).
seen_progress=no
locked=
i=0
while [ $i -lt 600 ]; do
    st=$(prop StatusText)
    case "$st" in
    2019:*papers*next\ run*)
        seen_progress=yes
        if [ -z "$locked" ]; then
            systemctl start nipscope-crawl@2019.service
            locked="rc $? $(cprop 2019 Result) $(cprop 2019 ExecMainStatus) during '$st'"
        fi
        ;;
    idle*) break ;;
    esac
    sleep 0.1
    i=$((i + 1))
done
echo "last StatusText: $st" >>"$OUT/log"
[ $seen_progress = yes ] && res OK "StatusText showed live progress" || res FAIL "StatusText progress" "$st"
case "$st" in idle*) res OK "StatusText idle after the crawl ($st)" ;; *) res FAIL "StatusText idle" "$st" ;; esac
want=$(wc -l </run/truth/truth-2019.jsonl)
got=$(wc -l </var/lib/nipscope/neurips-2019.jsonl 2>/dev/null)
[ "$got" = "$want" ] && res OK "the DynamicUser service wrote $want records to its StateDirectory" ||
    res FAIL "records" "got '$got', want $want"
owner=$(stat -c %U /var/lib/private/nipscope/neurips-2019.jsonl 2>/dev/null)
echo "records owned by '$owner'" >>"$OUT/log"
echo "crawl@2019 during the daemon's crawl: $locked" >>"$OUT/log"
journalctl -u nipscope-crawl@2019.service --no-pager -o cat >"$OUT/journal-crawl2019.txt" 2>&1
case "$locked" in
"rc "[1-9]*" exit-code 75 "*)
    grep -q "'/var/lib/nipscope' is in use by another nipscope" "$OUT/journal-crawl2019.txt" &&
        res OK "crawl@2019 while the daemon crawls: refused by the store's lock, exit 75, clear message" ||
        res FAIL "crawl@ lock message" "$(tail -3 "$OUT/journal-crawl2019.txt")"
    ;;
*) res FAIL "crawl@2019 while the daemon crawls is refused with exit 75" "$locked" ;;
esac
systemctl reset-failed nipscope-crawl@2019.service 2>/dev/null

# The timer-driven alternative: a oneshot crawl of 2020 into the same
# StateDirectory, while the daemon idles.  It runs to completion and its
# records belong to the daemon's user (a different dynamic user would make
# systemd chown the shared directory away from the running daemon).
systemctl start nipscope-crawl@2020.service
rc=$?
[ $rc -eq 0 ] && [ "$(cprop 2020 Result)" = success ] && [ "$(cprop 2020 ExecMainStatus)" = 0 ] &&
    res OK "nipscope-crawl@2020.service ran to completion: exit 0" ||
    res FAIL "crawl@2020" "rc $rc, $(cprop 2020 Result) $(cprop 2020 ExecMainStatus): $(journalctl -u nipscope-crawl@2020.service --no-pager -o cat | tail -3)"
want20=$(wc -l </run/truth/truth-2020.jsonl)
got20=$(wc -l </var/lib/nipscope/neurips-2020.jsonl 2>/dev/null)
[ "$got20" = "$want20" ] && res OK "crawl@2020 wrote the year's $want20 records" ||
    res FAIL "crawl@2020 records" "got '$got20', want $want20"
uid=$(prop UID)
o19=$(stat -c %u /var/lib/private/nipscope/neurips-2019.jsonl 2>/dev/null)
o20=$(stat -c %u /var/lib/private/nipscope/neurips-2020.jsonl 2>/dev/null)
odir=$(stat -c %u /var/lib/private/nipscope 2>/dev/null)
echo "daemon uid $uid; 2019 records $o19, 2020 records $o20, directory $odir" >>"$OUT/log"
[ -n "$uid" ] && [ "$o19" = "$uid" ] && [ "$o20" = "$uid" ] && [ "$odir" = "$uid" ] &&
    res OK "the daemon and crawl@ run as the same user: the shared store stays the daemon's" ||
    res FAIL "one user for the shared StateDirectory" "daemon $uid, 2019 $o19, 2020 $o20, dir $odir"

# Watchdog: 3 s WatchdogSec, idle for 8 s: still the same process, no restart.
pid=$(prop MainPID)
sleep 8
[ "$(prop MainPID)" = "$pid" ] && [ "$(prop ActiveState)" = active ] && [ "$(prop NRestarts)" = 0 ] &&
    res OK "alive after 8 s with WatchdogSec=3s (pings arrive)" ||
    res FAIL "watchdog kept it alive" "pid $pid -> $(prop MainPID), $(prop ActiveState), $(prop Result)"

# Reload: ExecReload sends SIGHUP; the daemon answers RELOADING=1 ... READY=1.
# ActiveState is "active" again whether or not the daemon reloaded at all, so
# the proof is the changed file in force: the journal's "reloaded ...: years
# 2019, 2020" (only the new file has 2020) and the new year crawled after it.
sed -i 's/^interval: 1h/interval: 2h/; s/^years: \[2019\]/years: [2019, 2020]/' /etc/nipscope/nipscope.yaml
# systemctl returns once ExecReload's kill has; the daemon's RELOADING=1 may
# reach systemd after that ("reloading" until its READY=1), so wait for it.
systemctl reload nipscope.service
rc=$?
i=0
while [ "$(prop ActiveState)" != active ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ $rc -eq 0 ] && [ "$(prop ActiveState)" = active ] && [ "$(prop MainPID)" = "$pid" ] &&
    res OK "systemctl reload: active again, same pid" || res FAIL "reload" "rc $rc, $(prop ActiveState)"
i=0
until journalctl -u nipscope.service --no-pager -o cat |
    grep -q "daemon: reloaded '/etc/nipscope/nipscope.yaml': years 2019, 2020$" || [ $i -ge 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
[ $i -lt 100 ] && res OK "the reload put the changed file in force (journal: reloaded ...: years 2019, 2020)" ||
    res FAIL "reload in force" "$(journalctl -u nipscope.service --no-pager -o cat | tail -3)"
# The new year is due at once: the daemon re-crawls 2020 (crawl@ wrote it)
# in the shared store.
i=0
until journalctl -u nipscope.service --no-pager -o cat | grep -q "daemon: 2020 is up to date" ||
    [ $i -ge 600 ]; do
    sleep 0.1
    i=$((i + 1))
done
[ $i -lt 600 ] && res OK "after the reload the daemon crawls the new year 2020 in the shared store" ||
    res FAIL "2020 after reload" "$(prop StatusText); $(journalctl -u nipscope.service --no-pager -o cat | tail -3)"
got20=$(wc -l </var/lib/nipscope/neurips-2020.jsonl 2>/dev/null)
[ "$got20" = "$want20" ] || res FAIL "2020 records after the daemon's re-crawl" "got '$got20', want $want20"
sleep 1
journalctl -u nipscope.service --no-pager -o short-monotonic >"$OUT/journal.txt" 2>&1
grep -q "every 3600s" "$OUT/journal.txt" && grep -q "daemon: reloaded" "$OUT/journal.txt" &&
    res OK "the journal has the daemon's lines and the reload" || res FAIL "journal" "$(tail -3 "$OUT/journal.txt")"
journalctl -u nipscope.service --no-pager -o json -p notice >"$OUT/journal.json" 2>&1
grep -q '"PRIORITY":"5"' "$OUT/journal.json" && res OK "journald got priority 5 (notice) from the <5> prefix" ||
    res FAIL "journal priorities"

"$BIN" status --out /var/lib/nipscope >"$OUT/status.txt" 2>&1
grep -q "^daemon: idle (pid $pid" "$OUT/status.txt" && res OK "nipscope status sees the service" ||
    res FAIL "status" "$(cat "$OUT/status.txt")"

# The timer loads and is scheduled (started here, not waited for: daily).
systemctl start nipscope-crawl@2019.timer
rc=$?
next=$(systemctl show -p NextElapseUSecRealtime --value nipscope-crawl@2019.timer)
trig=$(systemctl show -p Triggers --value nipscope-crawl@2019.timer)
echo "timer: next elapse '$next', triggers '$trig'" >>"$OUT/log"
[ $rc -eq 0 ] && [ "$(systemctl show -p LoadState --value nipscope-crawl@2019.timer)" = loaded ] &&
    [ "$(systemctl show -p SubState --value nipscope-crawl@2019.timer)" = waiting ] && [ -n "$next" ] &&
    [ "$trig" = nipscope-crawl@2019.service ] &&
    res OK "nipscope-crawl@2019.timer loads and waits for $next" ||
    res FAIL "timer" "rc $rc, $(systemctl show -p LoadState,ActiveState,SubState nipscope-crawl@2019.timer | tr '\n' ' ') next '$next' triggers '$trig'"
systemctl stop nipscope-crawl@2019.timer

t0=$(date +%s%N)
systemctl stop nipscope.service
t1=$(date +%s%N)
echo "stop took $(((t1 - t0) / 1000000)) ms" >>"$OUT/log"
[ "$(prop Result)" = success ] && [ "$(prop ExecMainStatus)" = 0 ] &&
    res OK "systemctl stop: Result=success, exit 0" || res FAIL "stop" "$(prop Result) $(prop ExecMainStatus)"
journalctl -u nipscope.service --no-pager -o short-monotonic >"$OUT/journal.txt" 2>&1
systemd-analyze security nipscope.service --no-pager 2>&1 | tail -1 >>"$OUT/log"
echo "1..$n" >>"$R"
kill "$mock"
wait "$mock"
# SuccessAction= alone did not end the container after the daemon-reload above.
systemctl --no-block poweroff
