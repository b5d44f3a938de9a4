# rules_shipped_generated.sh - the generated files in the repository are what
# the generators make from ../shared/data today (deterministic output, and
# nobody edited them by hand).  Fails, with a message, without the data.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
DATA="${NSC_SHARED_DIR:-$NSC_SOURCE_DIR/../shared}/data"
if [ ! -f "$DATA/affiliations-dev.jsonl" ] || [ ! -f "$DATA/world_universities_and_domains.json" ]; then
    echo "rules_shipped_generated: the shared data is missing from '$DATA';" \
         "it is needed to check the generated rules (not skipped: failing)" >&2
    exit 1
fi

python3 "$NSC_SOURCE_DIR/tools/gen_institutions.py" --data "$DATA" \
    --rules "$NSC_SOURCE_DIR/rules" --out "$TMP/gen.yaml" 2>/dev/null
check "gen_institutions.py runs" 0 $?
cmp -s "$TMP/gen.yaml" "$NSC_SOURCE_DIR/rules/institutions-generated.yaml"
check "rules/institutions-generated.yaml is up to date (run tools/gen_institutions.py)" 0 $?

python3 "$NSC_SOURCE_DIR/tools/gen_institutions.py" --data "$DATA" \
    --rules "$NSC_SOURCE_DIR/rules" --out "$TMP/gen2.yaml" 2>/dev/null
cmp -s "$TMP/gen.yaml" "$TMP/gen2.yaml"
check "two runs give the same bytes" 0 $?

cp "$NSC_SOURCE_DIR/tools/dev-errata.tsv" "$TMP/errata.tsv"
python3 "$NSC_SOURCE_DIR/tools/gen_errata.py" --data "$DATA" \
    --rules "$NSC_SOURCE_DIR/rules" --errata "$TMP/errata.tsv" 2>/dev/null
check "gen_errata.py runs" 0 $?
cmp -s "$TMP/errata.tsv" "$NSC_SOURCE_DIR/tools/dev-errata.tsv"
check "tools/dev-errata.tsv is up to date (run tools/gen_errata.py)" 0 $?

finish
