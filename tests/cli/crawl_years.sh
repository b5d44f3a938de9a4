# crawl_years.sh YEAR [PAPERS] - crawl one mock year (300 papers, or PAPERS;
# "full" for the year's real size) and compare every paper, author name and
# affiliation string, and the US-CN papers under every policy (strict: no
# unlocated multinational placed), with the mock's ground truth.
. "$NSC_SOURCE_DIR/tests/cli/crawl_lib.sh"

year=${1:?usage: crawl_years.sh YEAR [PAPERS|full]}
papers=${2:-300}
if [ "$papers" = full ]; then
    crawl_mock --years "$year" --warm
    papers=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["papers"])' \
        "$TMP/truth/truth-$year.summary.json")
else
    crawl_mock --years "$year" --papers "$papers"
fi

out=$(crawl_run --year "$year" --out "$TMP/out" 2>"$TMP/crawl.err")
rc=$?
check "crawl $year exits 0" 0 "$rc"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$TMP/crawl.err"

cmp=$(crawl_compare "$year" "$TMP/out")
check "$year: the same paper ids as the truth" yes "$(crawl_value ids_same "$cmp")"
check "$year: every title, track, year, abstract and PDF URL as the truth" 0 \
    "$(crawl_value paper_mismatches "$cmp")"
unjoined=$(crawl_value unjoined_truth "$cmp")
check "$year: the summary counts the papers not joined to the feed as the truth" "$unjoined" \
    "$(crawl_value unjoined_summary "$cmp")"
if [ "$unjoined" != none ]; then
    check_contains "$year: the report says how many papers were not joined" \
        "feed: $unjoined papers not joined to the virtual-site feed" "$out"
fi
check "$year: every author name as the truth" 0 "$(crawl_value name_mismatches "$cmp")"
check "$year: every affiliation string as the truth (null when none)" 0 \
    "$(crawl_value affiliation_mismatches "$cmp")"
check "$year: the truth has model mentions (so the next check can fail)" yes \
    "$([ "$(crawl_value mention_papers_truth "$cmp")" -gt 0 ] && echo yes || echo no)"
check "$year: every paper's model families as the truth's mentions" 0 \
    "$(crawl_value mention_mismatches "$cmp")"
check "$year: summary mentions per family and bloc as worked out from the truth" same \
    "$(crawl_value summary_mentions "$cmp")"
for pol in default greater_china greater_china_tw strict; do
    want=$(crawl_value "us_cn_${pol}_truth" "$cmp")
    check "$year: papers with US and CN authors ($pol) are the truth's" same \
        "$(crawl_value "us_cn_${pol}_papers" "$cmp")"
    check "$year: summary counts $want US-CN papers ($pol)" "$want" \
        "$(crawl_value "us_cn_${pol}_summary" "$cmp")"
    check "$year: summary's undecided US-CN papers ($pol) as worked out from the truth" \
        "$(crawl_value "us_cn_${pol}_truth_undecided" "$cmp")" \
        "$(crawl_value "us_cn_${pol}_summary_undecided" "$cmp")"
done
check "$year: no author with an ambiguous affiliation is placed in another country" 0 \
    "$(crawl_value ambiguous_misplaced "$cmp")"
check "$year: summary counts $papers papers" "$papers" "$(crawl_value summary_papers "$cmp")"
if [ "$year" = 2021 ]; then
    # The D&B host (SOURCES.md 1.1) is a second mock port: every one of its
    # papers is found there, and joined to the feed when the truth has it in.
    n=$(crawl_value dnb_truth "$cmp")
    check "2021: the truth has D&B papers (so the next checks can fail)" yes \
        "$([ "$n" -gt 0 ] && echo yes || echo no)"
    check "2021: every D&B paper is recorded, with its D&B abstract URL" "$n" \
        "$(crawl_value dnb_records "$cmp")"
    check "2021: every D&B paper in the feed is joined to it" \
        "$(crawl_value dnb_in_feed_truth "$cmp")" "$(crawl_value dnb_joined "$cmp")"
    check "2021: the D&B pages were fetched from the D&B host" "$n" \
        "$(grep -c '"path": "/paper/2021/hash/[0-9a-f]*-Abstract-round[12].html", "status": 200.*"site": "datasets"' \
            "$TMP/requests.log")"
fi
check "$year: records satisfy docs/paper.schema.json" valid "$(crawl_value records_schema "$cmp")"
check "$year: the summary satisfies docs/paper.schema.json" valid \
    "$(crawl_value summary_schema "$cmp")"
want=$(crawl_value us_cn_default_truth "$cmp")
check_contains "$year: the report gives the headline" "US-CN: $want of $papers papers (policy default)" "$out"
und=$(crawl_value us_cn_default_truth_undecided "$cmp")
if [ "$und" -gt 0 ]; then
    check_contains "$year: the report says how many papers are undecided" \
        "undecided: $und more papers would count" "$out"
fi
check_contains "$year: the report spells out the definition" \
    "papers with at least one author in us (US) and at least one in cn (CN)" "$out"
check_contains "$year: the report lists the strict policy" "strict" "$out"

finish
