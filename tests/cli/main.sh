# main.sh - the dispatcher: version, usage and unknown commands.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"

out=$("$NIPSCOPE" --version)
check "--version prints the version" "nipscope 0.1.0" "$out"

"$NIPSCOPE" >/dev/null 2>&1
check "no command is a usage error" 64 $?

err=$("$NIPSCOPE" frobnicate 2>&1)
rc=$?
check "unknown command exits 64" 64 $rc
check_contains "unknown command is named" "'frobnicate' is not a nipscope command" "$err"

out=$("$NIPSCOPE" --help)
check_contains "help lists classify" "classify" "$out"

finish
