# Tests of the mention scanner (classifier/mention.c) and `nipscope report`.
nsc_unit_test(test_mention SOURCES unit/test_mention.c LIBS nsc_classify)
nsc_fuzzer(fuzz_mention fuzz_mention.c LIBS nsc_classify)
