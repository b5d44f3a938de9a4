# The store's unit tests.  The test reads the state DB directly (to check the
# durability order before any reconcile), so it links sqlite3 too.
pkg_check_modules(NSC_TEST_SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
nsc_unit_test(test_store SOURCES unit/test_store.c LIBS nsc_store PkgConfig::NSC_TEST_SQLITE3)
set_tests_properties(test_store PROPERTIES TIMEOUT 60)
