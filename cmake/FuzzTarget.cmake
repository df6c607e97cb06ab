# nh_add_fuzz_target(NAME SOURCES src... LIBS lib... [TIMEOUT seconds]): a libFuzzer target
# fuzz_NAME built with ASan and UBSan, and the ctest entry fuzz.NAME that runs it for
# NETHOST_FUZZ_SECONDS on a copy of the folder's corpus/ (libFuzzer adds what it finds to the
# copy, never to the committed seeds). Run build/bin/fuzz_NAME longer by hand, e.g.
# -max_total_time=600 corpus/.
function(nh_add_fuzz_target name)
  cmake_parse_arguments(A "" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 120)
  endif()
  set(target fuzz_${name})
  add_executable(${target} ${A_SOURCES})
  target_compile_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${target} PRIVATE ${A_LIBS})
  set(corpus "${CMAKE_CURRENT_BINARY_DIR}/corpus")
  add_test(NAME fuzz.${name}
           COMMAND sh -c "mkdir -p '${corpus}' && cp -n '${CMAKE_CURRENT_SOURCE_DIR}'/corpus/* '${corpus}'/ && exec \"$0\" -max_total_time=${NETHOST_FUZZ_SECONDS} -timeout=10 -rss_limit_mb=1024 '${corpus}'"
                   $<TARGET_FILE:${target}>)
  set_tests_properties(fuzz.${name} PROPERTIES TIMEOUT ${A_TIMEOUT} LABELS fuzz)
endfunction()
