# The crawler's parsers and site profiles: HTML eras, abstract pages, the
# profile YAML, Metadata.json, the virtual feed and the join (no network).
nsc_unit_test(test_parse SOURCES unit/test_parse.c LIBS nsc_crawler)
nsc_unit_test(test_parse_json SOURCES unit/test_parse_json.c LIBS nsc_crawler)
nsc_fuzzer(fuzz_year_index fuzz_year_index.c LIBS nsc_crawler SEEDS fixtures/html)
nsc_fuzzer(fuzz_abstract fuzz_abstract.c LIBS nsc_crawler SEEDS fixtures/html)
nsc_fuzzer(fuzz_feed fuzz_feed.c LIBS nsc_crawler SEEDS fixtures/json)
nsc_fuzzer(fuzz_metadata fuzz_metadata.c LIBS nsc_crawler SEEDS fixtures/json)
nsc_fuzzer(fuzz_profile fuzz_profile.c LIBS nsc_crawler
  SEEDS fixtures/sites ${PROJECT_SOURCE_DIR}/rules/sites)
# Against the project's mock site (tests/mock/mocksite.py, needs python3): its
# pages for 2019-2025 written to files and crawled offline; compared with its truth.
nsc_unit_test(test_parse_mock SOURCES unit/test_parse_mock.c LIBS nsc_crawler)
pkg_check_modules(JANSSON_T REQUIRED IMPORTED_TARGET jansson)
target_link_libraries(test_parse_mock PRIVATE PkgConfig::JANSSON_T)
# PDFs: extraction (MuPDF) on PDFs the mock's writer makes, caps, corrupt and
# truncated files, the body/references split and the author-block parser.
nsc_unit_test(test_pdf SOURCES unit/test_pdf.c LIBS nsc_crawler)
nsc_fuzzer(fuzz_pdf_affil fuzz_pdf_affil.c LIBS nsc_crawler)
nsc_fuzzer(fuzz_pdf_text fuzz_pdf_text.c LIBS nsc_crawler)
# The parser worker (issue 6): results equal the in-process parsers', a
# crash, hang or garbage reply costs one page, restarts are bounded.
nsc_unit_test(test_sandbox SOURCES unit/test_sandbox.c LIBS nsc_crawler)
