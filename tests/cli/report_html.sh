# report_html.sh - `nipscope report --format html`: one self-contained page.
. "$NSC_SOURCE_DIR/tests/cli/lib.sh"
S="$NSC_SOURCE_DIR/tests/fixtures/report/store"

"$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR" --format html >"$TMP/r.html"
check "exit 0" 0 $?
"$NIPSCOPE" report "$S" --rules "$NSC_RULES_DIR" --format html >"$TMP/r2.html"
cmp -s "$TMP/r.html" "$TMP/r2.html"
check "byte-identical twice" 0 $?
out=$(cat "$TMP/r.html")
check "no http(s) references" 0 "$(grep -ciE 'https?://' "$TMP/r.html")"
check "no src= or href= (nothing loaded)" 0 "$(grep -ciE '(src|href)=' "$TMP/r.html")"
check "no <link> or <script>" 0 "$(grep -ciE '<(link|script)' "$TMP/r.html")"
check "two inline charts" 2 "$(grep -c '^<svg ' "$TMP/r.html")"
check_contains "headline (both years: 4 of 9)" "<strong>4 of 9 papers (44.4%) have authors in both us and cn</strong>" "$out"
check_contains "share bar label 2023 (2 of 3)" ">66.7%</text>" "$out"
# Axis 0-80% (ticks of 20% above 50%) on 180 px: 667/800*180 = 150, 333/800*180 = 74.
check_contains "2023 bar height" 'height="150" fill="#3b6ea5"' "$out"
check_contains "2024 bar height" 'height="74" fill="#3b6ea5"' "$out"
check_contains "top tick" '>80%</text>' "$out"
check_contains "mentions table uses display names" "<tr><td>Llama family</td><td class=\"n\">2</td>" "$out"
# Each SVG must be well-formed XML, and the page well-formed HTML.
if command -v xmllint >/dev/null 2>&1; then
    awk '/^<svg /{f=1; n++; out=sprintf("'"$TMP"'/chart%d.svg", n)} f{print > out} /^<\/svg>/{f=0}' "$TMP/r.html"
    for svg in "$TMP"/chart1.svg "$TMP"/chart2.svg; do
        xmllint --noout "$svg" 2>"$TMP/xmlerr"
        check "well-formed $(basename "$svg")" "0:" "$?:$(cat "$TMP/xmlerr")"
    done
    # The page is polyglot (XHTML syntax), so the whole of it parses as XML.
    xmllint --noout "$TMP/r.html" 2>"$TMP/htmlerr"
    check "page is well-formed" "" "$(cat "$TMP/htmlerr")"
else
    check "xmllint (libxml2-utils) is installed" "yes" "no"
fi
finish
