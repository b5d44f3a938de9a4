# systemd_install.sh - `cmake --install` into a temporary DESTDIR: the binary,
# the units (lib/systemd/system, ExecStart naming the installed binary), the
# default rules with rules/sites, the example configuration, docs/config.md
# and nipscope(1), which names every subcommand of `nipscope --help`.  Then
# the installed binary, run from another directory with no NIPSCOPE_RULES
# and no ./rules, finds the installed rules by itself (`rules check` with no
# argument): the test changes the installed rules' version and expects it.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"

prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$NSC_BUILD_DIR/CMakeCache.txt")
check_contains "the build has an install prefix" "/" "$prefix"
R="$TMP/root"
DESTDIR="$R" cmake --install "$NSC_BUILD_DIR" >"$TMP/install.log" 2>&1
check "cmake --install into DESTDIR exits 0" 0 $?
P="$R$prefix"

exists() { [ -e "$1" ] && echo yes || echo no; }
check "bin/nipscope is installed and executable" yes "$([ -x "$P/bin/nipscope" ] && echo yes || echo no)"
for u in nipscope.service nipscope-crawl@.service nipscope-crawl@.timer; do
    check "lib/systemd/system/$u is installed" yes "$(exists "$P/lib/systemd/system/$u")"
done
check "the installed nipscope.service runs the installed binary" \
    "ExecStart=$prefix/bin/nipscope daemon --config /etc/nipscope/nipscope.yaml" \
    "$(grep '^ExecStart=' "$P/lib/systemd/system/nipscope.service")"
check "the installed crawl template runs the installed binary" yes \
    "$(grep -q "^ExecStart=$prefix/bin/nipscope crawl --year %i" \
        "$P/lib/systemd/system/nipscope-crawl@.service" && echo yes || echo no)"
for f in policies.yaml countries.yaml institutions.yaml institutions-generated.yaml models.yaml \
    sites/neurips.yaml; do
    check "share/nipscope/rules/$f is installed" yes "$(exists "$P/share/nipscope/rules/$f")"
done
check "the example configuration is installed" yes \
    "$(exists "$P/share/doc/nipscope/nipscope.yaml.example")"
check "docs/config.md is installed" yes "$(exists "$P/share/doc/nipscope/config.md")"
check "nipscope(1) is installed" yes "$(exists "$P/share/man/man1/nipscope.1")"

# The man page documents every subcommand the binary lists.
cmds=$("$P/bin/nipscope" --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
check_contains "nipscope --help lists crawl" "crawl" "$cmds"
for c in $cmds; do
    check "nipscope(1) has a section for '$c'" yes \
        "$(grep -q "^\.SS $c\( \|\$\)" "$P/share/man/man1/nipscope.1" && echo yes || echo no)"
done
if command -v man >/dev/null 2>&1; then
    man -l --warnings "$P/share/man/man1/nipscope.1" >/dev/null 2>"$TMP/man.err"
    check "man renders nipscope(1) without warnings" "" "$(cat "$TMP/man.err")"
fi

# The installed binary finds the installed rules, from anywhere.
sed -i 's/^version: .*/version: "9999.1.0"/' "$P/share/nipscope/rules/policies.yaml"
mkdir "$TMP/elsewhere"
out=$(cd "$TMP/elsewhere" && env -u NIPSCOPE_RULES "$P/bin/nipscope" rules check 2>&1)
check "installed 'rules check' with no argument exits 0" 0 $?
check_contains "and it read the installed rules (their version)" "version 9999.1.0" "$out"
check_contains "and they are whole" "rules: ok:" "$out"

out=$(cd "$TMP/elsewhere" &&
    "$P/bin/nipscope" crawl --config "$P/share/doc/nipscope/nipscope.yaml.example" --check 2>&1)
check "the installed example configuration passes --check" 0 $?
check_contains "and the crawl would use the installed rules" \
    "rules: \"$P/share/nipscope/rules\"" "$out"

finish
