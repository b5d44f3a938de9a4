# The benchmark harness (bench/, run on demand: see bench/README.md).  Its
# drivers are EXCLUDE_FROM_ALL; the test runs `bench/run --quick` (tiny sizes,
# one run) with this build tree's binaries and only checks that RESULTS.md
# has every section: nothing is timed or compared in CI.  It never
# reconfigures the tree and never installs the Python peers (without them
# the quick run measures nipscope alone).  The timeout is generous: under
# ASan, on a loaded CI machine, it builds three drivers before it runs.
add_subdirectory(${PROJECT_SOURCE_DIR}/bench ${PROJECT_BINARY_DIR}/bench)
add_test(NAME bench_quick COMMAND sh ${PROJECT_SOURCE_DIR}/bench/quick-check.sh ${PROJECT_BINARY_DIR})
set_tests_properties(bench_quick PROPERTIES LABELS bench TIMEOUT 300 ENVIRONMENT "${NSC_TEST_ENV}")
