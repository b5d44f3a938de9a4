#!/bin/sh
# e2e.sh - nipscope.service under a real systemd: boots the host's own
# systemd as PID 1 of a systemd-nspawn container (--volatile=yes: a tmpfs
# root with the host's /usr read-only), with the source tree and the built
# binary bound in, and runs tests/systemd/e2e_inside.sh there as a oneshot
# unit that powers the container off.  Needs root and systemd-nspawn
# (Debian: systemd-container); exit 77 (skipped) without them.
src=${NSC_SOURCE_DIR:?}
bin=${NIPSCOPE:?}
if [ "$(id -u)" != 0 ] || ! command -v systemd-nspawn >/dev/null 2>&1; then
    echo "# skipped: needs root and systemd-nspawn (package systemd-container)"
    exit 77
fi
tmp=$(mktemp -d /tmp/nsc-e2e.XXXXXX)
mkdir -p "$tmp/out"
cat >"$tmp/nsc-e2e.service" <<UNIT
[Unit]
Description=nipscope end-to-end test
AllowIsolate=yes
[Service]
Type=oneshot
ExecStart=/bin/sh /opt/src/tests/systemd/e2e_inside.sh
StandardOutput=journal
SuccessAction=poweroff-force
FailureAction=poweroff-force
UNIT
# --register=no --keep-unit: the host's PID 1 is not systemd, so there is no
# machined and no manager to ask for a scope.
start=$(date +%s)
timeout 180 systemd-nspawn -D / --volatile=yes --boot --register=no --keep-unit --console=pipe \
    -M "nsc-e2e-$$" --bind-ro="$src:/opt/src" --bind-ro="$bin:/opt/bin/nipscope" \
    --bind-ro="$tmp/nsc-e2e.service:/etc/systemd/system/nsc-e2e.service" --bind="$tmp/out:/opt/out" \
    systemd.unit=nsc-e2e.service </dev/null >"$tmp/nspawn.log" 2>&1
rc=$?
echo "# the container ran for $(($(date +%s) - start)) s (nspawn exit $rc)"
cat "$tmp/out/results" 2>/dev/null || echo "not ok - no results (nspawn exit $rc): $(tail -5 "$tmp/nspawn.log")"
sed 's/^/# /' "$tmp/out/log" 2>/dev/null
if [ -s "$tmp/out/results" ] && ! grep -q "^not ok" "$tmp/out/results" && grep -q "^1\.\." "$tmp/out/results"; then
    rm -rf "$tmp"
    exit 0
fi
tail -20 "$tmp/nspawn.log" | sed 's/^/# nspawn: /'
echo "# kept $tmp"
exit 1
