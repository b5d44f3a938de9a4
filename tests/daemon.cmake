# `nipscope daemon` under a stand-in for systemd (tests/daemon/harness.py):
# the notify socket, the watchdog, SIGHUP, SIGTERM and kill -9 against the
# mock site.  Python 3, standard library only.
find_package(Python3 COMPONENTS Interpreter)
add_test(NAME daemon_notify
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/daemon/harness.py)
set_tests_properties(daemon_notify PROPERTIES
  LABELS "cli;crawl;daemon"
  TIMEOUT 300
  ENVIRONMENT "${NSC_TEST_ENV}")

# nipscope.service under a real systemd, PID 1 of a systemd-nspawn container
# (tests/systemd/e2e.sh).  Needs root and systemd-nspawn; reported as skipped
# (exit 77), never as passed, without them.
add_test(NAME daemon_systemd_e2e COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/systemd/e2e.sh)
set_tests_properties(daemon_systemd_e2e PROPERTIES
  LABELS "cli;daemon;systemd"
  TIMEOUT 240
  SKIP_RETURN_CODE 77
  ENVIRONMENT "${NSC_TEST_ENV}")
