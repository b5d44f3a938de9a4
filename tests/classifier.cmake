# Tests of the classifier (classifier/, cli/cmd_classify.c, cli/cmd_rules.c).
nsc_unit_test(test_classify SOURCES unit/test_classify.c LIBS nsc_classify)
nsc_cli_test(cli_rules_check rules_check.sh)
nsc_cli_test(cli_classify classify.sh)
nsc_fuzzer(fuzz_classify fuzz_classify.c LIBS nsc_classify)
nsc_fuzzer(fuzz_rules fuzz_rules.c LIBS nsc_classify)
