# Tests of the mention scanner (classifier/mention.c) and `nipscope report`.
nsc_unit_test(test_mention SOURCES unit/test_mention.c LIBS nsc_classify)
nsc_fuzzer(fuzz_mention fuzz_mention.c LIBS nsc_classify)
nsc_cli_test(cli_report_text report_text.sh)
nsc_cli_test(cli_report_json report_json.sh)
nsc_cli_test(cli_report_csv report_csv.sh)
nsc_cli_test(cli_report_html report_html.sh)
nsc_cli_test(cli_report_explain report_explain.sh)
nsc_cli_test(cli_report_policy report_policy.sh)
nsc_cli_test(cli_report_years report_years.sh)
nsc_cli_test(cli_report_bad report_bad.sh)
nsc_cli_test(cli_report_incomplete report_incomplete.sh)

# report_load.c is part of the executable, so the unit test compiles it in.
pkg_check_modules(NSC_REPORT_JANSSON REQUIRED IMPORTED_TARGET jansson)
nsc_unit_test(test_report SOURCES unit/test_report.c ${PROJECT_SOURCE_DIR}/cli/report_load.c
  LIBS nsc_classify PkgConfig::NSC_REPORT_JANSSON)
target_include_directories(test_report PRIVATE ${PROJECT_SOURCE_DIR}/cli)

# The HTML report rendered offline by headless Chromium (Debian: chromium,
# in .ci/install-deps).  Always registered: without a browser the test
# fails and says so, so a machine that lacks one cannot drop it unseen.
find_program(NSC_CHROMIUM NAMES chromium chromium-browser)
if(NOT NSC_CHROMIUM)
  message(WARNING "chromium not found: cli_report_screenshot will fail (apt-get install chromium)")
  set(NSC_CHROMIUM "")
endif()
nsc_cli_test(cli_report_screenshot report_screenshot.sh)
set_property(TEST cli_report_screenshot APPEND PROPERTY ENVIRONMENT "CHROMIUM=${NSC_CHROMIUM}")
set_tests_properties(cli_report_screenshot PROPERTIES TIMEOUT 180)
