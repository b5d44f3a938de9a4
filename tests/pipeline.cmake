# `nipscope crawl` (cli/pipeline.c): CLI tests against the mock NeurIPS site
# (tests/mock/), which they start on 127.0.0.1 and stop themselves.  Needs
# python3 (the mock, and the comparison with the mock's truth files).
foreach(year 2019 2021 2023 2024 2025)
  add_test(NAME cli_crawl_${year}
    COMMAND sh ${PROJECT_SOURCE_DIR}/tests/cli/crawl_years.sh ${year})
  set_tests_properties(cli_crawl_${year} PROPERTIES ENVIRONMENT "${NSC_TEST_ENV}"
    LABELS "cli;crawl" TIMEOUT 120)
endforeach()
# The newest layout at its real size (5,887 papers), where the mock's ambiguous
# "Northeastern University" authors move the US-CN count.
add_test(NAME cli_crawl_2025_full
  COMMAND sh ${PROJECT_SOURCE_DIR}/tests/cli/crawl_years.sh 2025 full)
set_tests_properties(cli_crawl_2025_full PROPERTIES ENVIRONMENT "${NSC_TEST_ENV}"
  LABELS "cli;crawl" TIMEOUT 900)
foreach(t crawl_template crawl_rerun crawl_resume crawl_faults crawl_args crawl_rules reclassify
    crawl_limits crawl_hostile crawl_feed crawl_feed_fields crawl_5xx crawl_kill9 crawl_faults_full
    crawl_worker)
  nsc_cli_test(cli_${t} ${t}.sh)
  set_tests_properties(cli_${t} PROPERTIES LABELS "cli;crawl" TIMEOUT 120)
endforeach()
# https + HTTP/2 against nghttpd with a throwaway CA (exit 77 = skipped when
# nghttpd or openssl is missing: .ci/install-deps installs both).
nsc_cli_test(cli_crawl_tls crawl_tls.sh)
set_tests_properties(cli_crawl_tls PROPERTIES LABELS "cli;crawl" TIMEOUT 120 SKIP_RETURN_CODE 77)
# crawl --fulltext against the mock's PDFs: mentions in body and references,
# PDF-derived affiliations, --keep-pdf, resume, malformed PDFs.
nsc_cli_test(cli_crawl_fulltext crawl_fulltext.sh)
