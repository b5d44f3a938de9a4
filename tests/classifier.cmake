# Tests of the classifier (classifier/, cli/cmd_classify.c, cli/cmd_rules.c).
nsc_unit_test(test_classify SOURCES unit/test_classify.c LIBS nsc_classify)
nsc_cli_test(cli_rules_check rules_check.sh)
nsc_cli_test(cli_classify classify.sh)
nsc_fuzzer(fuzz_classify fuzz_classify.c LIBS nsc_classify)
nsc_fuzzer(fuzz_rules fuzz_rules.c LIBS nsc_classify)
# The tokeniser's ASCII fast path against utf8proc on every ASCII dev row.
nsc_unit_test(test_classify_ascii SOURCES unit/test_classify_ascii.c LIBS nsc_classify)
pkg_check_modules(JANSSON_C REQUIRED IMPORTED_TARGET jansson)
target_link_libraries(test_classify_ascii PRIVATE PkgConfig::JANSSON_C)
