# rules_shipped_top.sh - each of the 1,000 institutions with the largest
# summed count in the dev data, given alone, gets the country most of its
# dev rows are labelled with (HK/MO/TW for rows labelled China), except the
# reviewed exceptions of tools/top-exceptions.tsv.  The expected countries
# come from the dev labels, not from nipscope.  Fails, with a message,
# without the data.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
DATA="${NSC_SHARED_DIR:-$NSC_SOURCE_DIR/../shared}/data"
if [ ! -f "$DATA/affiliations-dev.jsonl" ]; then
    echo "rules_shipped_top: the dev data '$DATA/affiliations-dev.jsonl' is missing" \
         "(not skipped: failing)" >&2
    exit 1
fi
TOP="python3 $NSC_SOURCE_DIR/tools/top_institutions.py --data $DATA --rules $NSC_SOURCE_DIR/rules --check $NIPSCOPE"

out=$($TOP 2>&1)
rc=$?
check "top 1000 dev institutions get their label's country" 0 $rc
[ $rc -eq 0 ] || echo "$out"

# the check can fail: without the reviewed exceptions, Northeastern
# University (shared, so unknown) is reported
printf '# empty\n' >"$TMP/none.tsv"
out=$($TOP --exceptions "$TMP/none.tsv" 2>&1)
check "without the exceptions the check fails" 1 $?
check_contains "and names Northeastern University" "Northeastern University" "$out"

finish
