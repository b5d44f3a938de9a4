# The mock NeurIPS site (tests/mock/): its own unit tests.  Python 3, standard
# library only; the mock binds 127.0.0.1 and never contacts a real host.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(NSC_PYTHON3 ${Python3_EXECUTABLE})
else()
  set(NSC_PYTHON3 python3)
endif()

add_test(NAME mock_site
  COMMAND ${NSC_PYTHON3} -W error::ResourceWarning ${CMAKE_CURRENT_SOURCE_DIR}/mock/test_mocksite.py -v)
set_tests_properties(mock_site PROPERTIES
  LABELS mock
  TIMEOUT 120
  ENVIRONMENT "${NSC_TEST_ENV}")

# The POSIX sh helpers other components' CLI tests use (tests/mock/mock.sh).
add_test(NAME mock_site_sh COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/mock/test_mock_sh.sh)
set_tests_properties(mock_site_sh PROPERTIES
  LABELS mock
  TIMEOUT 60
  ENVIRONMENT "${NSC_TEST_ENV}")
