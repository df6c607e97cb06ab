# nh_add_test_files(SUITE PATTERN TIMEOUT seconds RUNNER cmd... [ARGS arg...]
#                   [PROPERTIES prop value...]): one ctest entry SUITE.NAME per file of the
# current source folder matching PATTERN (test_NAME.lua, test_NAME.sh), run as
# `RUNNER file ARGS...`, labelled SUITE. A test is added by creating its file.
function(nh_add_test_files suite pattern)
  cmake_parse_arguments(A "" "TIMEOUT" "RUNNER;ARGS;PROPERTIES" ${ARGN})
  file(GLOB files CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/${pattern}")
  foreach(file IN LISTS files)
    get_filename_component(name "${file}" NAME_WE)
    string(REGEX REPLACE "^test_" "" name "${name}")
    add_test(NAME ${suite}.${name} COMMAND ${A_RUNNER} "${file}" ${A_ARGS})
    set_tests_properties(${suite}.${name} PROPERTIES TIMEOUT ${A_TIMEOUT} LABELS ${suite}
                                                     ${A_PROPERTIES})
  endforeach()
endfunction()
