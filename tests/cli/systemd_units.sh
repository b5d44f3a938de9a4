# systemd_units.sh - the units in systemd/, as the build configured them for
# installation ($NSC_BUILD_DIR/systemd): `systemd-analyze verify` accepts
# them without a single warning, and `systemd-analyze security --offline=yes`
# rates both services "OK" or better.  Fails (never skips) when
# systemd-analyze is missing: .ci/install-deps installs the systemd package.
#
# verify checks that ExecStart's binary exists and is executable.  The units
# name the installed path (CMAKE_INSTALL_FULL_BINDIR), which a test cannot
# write to, and `verify --root=DIR` would need a whole systemd tree under DIR
# (sysinit.target, ...).  So the test verifies copies in which the installed
# binary's path is replaced by the binary under test, $NIPSCOPE; every other
# line is verified as installed.  verify only checks that the binary is
# executable; the daemon itself is run by tests/daemon/harness.py and, under
# a real systemd, by tests/systemd/e2e.sh.
#
# Thresholds (systemd src/analyze/analyze-security.c, badness_table, v252):
# an exposure is given the first level whose bound it reaches, on a 0-100
# scale printed divided by 10: >= 10.0 DANGEROUS, >= 9.0 UNSAFE,
# >= 7.5 EXPOSED, >= 5.0 MEDIUM, >= 1.0 OK, >= 0.1 SAFE, else PERFECT.
# "OK or better" is therefore an exposure below 5.0.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"

if ! command -v systemd-analyze >/dev/null 2>&1; then
    check "systemd-analyze is installed (Debian package systemd, .ci/install-deps)" yes no
    finish
    exit 1
fi

units="$NSC_BUILD_DIR/systemd"
bindir=$(sed -n 's|^ExecStart=\([^ ]*\)/nipscope daemon .*|\1|p' "$units/nipscope.service")
check_contains "nipscope.service runs the installed binary's daemon" "/bin" "$bindir"
mkdir "$TMP/u"
for f in nipscope.service nipscope-crawl@.service nipscope-crawl@.timer; do
    sed "s|$bindir/nipscope|$NIPSCOPE|g" "$units/$f" >"$TMP/u/$f"
done
# verify wants instances of the templates.
cp "$TMP/u/nipscope-crawl@.service" "$TMP/u/nipscope-crawl@2024.service"
cp "$TMP/u/nipscope-crawl@.timer" "$TMP/u/nipscope-crawl@2024.timer"

cd "$TMP/u" || exit 1
# --man=no: the man page is checked by the install test, not installed here.
systemd-analyze verify --man=no nipscope.service nipscope-crawl@2024.service \
    nipscope-crawl@2024.timer >"$TMP/verify.out" 2>&1
check "systemd-analyze verify exits 0" 0 $?
check "and prints nothing (no unknown key, no bad value)" "" "$(cat "$TMP/verify.out")"

for svc in nipscope.service nipscope-crawl@2024.service; do
    systemd-analyze security --offline=yes --no-pager "$PWD/$svc" >"$TMP/sec.out" 2>&1
    check "systemd-analyze security $svc exits 0" 0 $?
    line=$(grep "Overall exposure level" "$TMP/sec.out")
    echo "# $line"
    score=$(echo "$line" | sed -n 's/.*: \([0-9.]*\) \([A-Z]*\).*/\1/p')
    level=$(echo "$line" | sed -n 's/.*: \([0-9.]*\) \([A-Z]*\).*/\2/p')
    check "$svc is rated OK or better (got $score $level)" yes \
        "$(case "$level" in OK | SAFE | PERFECT) echo yes ;; *) echo no ;; esac)"
    check "$svc exposure is below 5.0" yes \
        "$(awk -v s="$score" 'BEGIN { print (s != "" && s < 5.0) ? "yes" : "no" }')"
done

# The hardening the brief asks for is there, word for word.
svc=$(cat "$units/nipscope.service")
for want in Type=notify WatchdogSec= 'ExecReload=/bin/kill -HUP $MAINPID' Restart=on-failure \
    DynamicUser=yes StateDirectory=nipscope CacheDirectory=nipscope \
    ConfigurationDirectory=nipscope ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
    NoNewPrivileges=yes 'CapabilityBoundingSet=
' SystemCallFilter=@system-service \
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
    'daemon --config /etc/nipscope/nipscope.yaml'; do
    check_contains "nipscope.service has $want" "$want" "$svc"
done
check_contains "the crawl template crawls year %i with the config" \
    "crawl --year %i --config /etc/nipscope/nipscope.yaml" "$(cat "$units/nipscope-crawl@.service")"
check_contains "the crawl template is a oneshot" "Type=oneshot" "$(cat "$units/nipscope-crawl@.service")"

finish
