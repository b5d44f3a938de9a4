# Tests of the shipped rule data (rules/*.yaml) and of its tools (tools/).
# rules_shipped: `nipscope rules check` and tools/check_rules.py accept the
#   shipped rules, and hand-checked affiliations get their known country.
# rules_shipped_generated: tools/gen_institutions.py and tools/gen_errata.py
#   reproduce the committed files exactly (needs ../shared/data).
# rules_shipped_top: the top 1000 dev institutions get their label's country,
#   but for the reviewed exceptions of tools/top-exceptions.tsv (needs data).
# eval_targets: the accuracy targets on the dev data (needs ../shared/data;
#   fails, never skips, where it is absent).
nsc_cli_test(rules_shipped rules_shipped.sh)
nsc_cli_test(rules_shipped_generated rules_shipped_generated.sh)
nsc_cli_test(eval_targets eval.sh)
set_tests_properties(eval_targets PROPERTIES TIMEOUT 300)
nsc_cli_test(rules_shipped_top rules_shipped_top.sh)
