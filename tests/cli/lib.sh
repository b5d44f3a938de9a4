# lib.sh - helpers for the CLI tests, in the spirit of git's t/test-lib.sh.
# Each test script sources this, calls check ... and ends with 'finish'.
# A failing check prints what was expected and what came, and the script
# exits non-zero at 'finish'.

: "${NIPSCOPE:?NIPSCOPE must name the binary under test}"
: "${NSC_SOURCE_DIR:?}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nsc-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
tests_run=0
tests_failed=0

# check NAME EXPECTED ACTUAL
check() {
    tests_run=$((tests_run + 1))
    if [ "$2" = "$3" ]; then
        echo "ok $tests_run - $1"
    else
        tests_failed=$((tests_failed + 1))
        echo "not ok $tests_run - $1"
        printf '  expected: %s\n  actual:   %s\n' "$2" "$3"
    fi
}

# check_contains NAME NEEDLE HAYSTACK
check_contains() {
    tests_run=$((tests_run + 1))
    case "$3" in
    *"$2"*) echo "ok $tests_run - $1" ;;
    *)
        tests_failed=$((tests_failed + 1))
        echo "not ok $tests_run - $1"
        printf '  expected to contain: %s\n  actual: %s\n' "$2" "$3"
        ;;
    esac
}

finish() {
    echo "# $tests_run run, $tests_failed failed"
    [ "$tests_run" -gt 0 ] || { echo "no checks ran"; exit 1; }
    [ "$tests_failed" -eq 0 ]
}
