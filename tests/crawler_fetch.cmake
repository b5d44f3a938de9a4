# The crawler's HTTP engine: robots.txt parser (no network) and the engine
# against a local server on 127.0.0.1 (tests/unit/fetch_server.py).
nsc_unit_test(test_robots SOURCES unit/test_robots.c LIBS nsc_crawler)
nsc_fuzzer(fuzz_robots fuzz_robots.c LIBS nsc_crawler)
nsc_unit_test(test_fetch SOURCES unit/test_fetch.c LIBS nsc_crawler)
