# locus_add_test(NAME name SOURCES a.cc... LIBS lib... LABELS unit|integration|e2e|port)
# One GoogleTest binary registered with CTest; tests that need reference
# data read LOCUS_TEST_DATA and skip when it is absent.
function(locus_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  target_include_directories(${T_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS "${T_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()
