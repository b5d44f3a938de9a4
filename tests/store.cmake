# The store's unit tests.  The test reads the state DB directly (to check the
# durability order before any reconcile), so it links sqlite3 too.
pkg_check_modules(NSC_TEST_SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
nsc_unit_test(test_store SOURCES unit/test_store.c LIBS nsc_store PkgConfig::NSC_TEST_SQLITE3)
set_tests_properties(test_store PROPERTIES TIMEOUT 60)

# The record schema and the example in docs/schema.md agree (python3-jsonschema).
add_test(NAME store_schema COMMAND sh ${PROJECT_SOURCE_DIR}/tests/unit/store_schema.sh)
set_tests_properties(store_schema PROPERTIES ENVIRONMENT "${NSC_TEST_ENV}" LABELS unit)
