# The configuration file (cli/config.c): unit tests of the loader, and CLI
# tests of `nipscope crawl --config` (precedence, --check, a crawl of the mock
# site through the file's site URLs).
pkg_check_modules(YAML REQUIRED IMPORTED_TARGET yaml-0.1)
nsc_unit_test(test_config SOURCES unit/test_config.c ${PROJECT_SOURCE_DIR}/cli/config.c
  LIBS nsc_classify PkgConfig::YAML)
target_include_directories(test_config PRIVATE ${PROJECT_SOURCE_DIR}/cli)
nsc_cli_test(cli_config config.sh)
set_tests_properties(cli_config PROPERTIES LABELS "cli;crawl" TIMEOUT 120)
nsc_cli_test(cli_systemd_units systemd_units.sh)
nsc_cli_test(cli_systemd_install systemd_install.sh)
# The configuration file as fuzz input (config_load_text()).
nsc_fuzzer(fuzz_config fuzz_config.c LIBS nsc_classify PkgConfig::YAML)
if(TARGET fuzz_config)
  target_sources(fuzz_config PRIVATE ${PROJECT_SOURCE_DIR}/cli/config.c)
  target_include_directories(fuzz_config PRIVATE ${PROJECT_SOURCE_DIR}/cli)
endif()
