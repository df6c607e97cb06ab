# nh_add_subdirectories([EXCEPT dir...]): adds every sub-folder of the current source folder
# that has a CMakeLists.txt, in name order, leaving out the folders named after EXCEPT. A
# suite, a fuzzer, a benchmark or a plugin is then added by creating its folder, nothing
# else.
function(nh_add_subdirectories)
  cmake_parse_arguments(A "" "" "EXCEPT" ${ARGN})
  file(GLOB dirs LIST_DIRECTORIES true RELATIVE "${CMAKE_CURRENT_SOURCE_DIR}" CONFIGURE_DEPENDS
       "${CMAKE_CURRENT_SOURCE_DIR}/*")
  list(SORT dirs)
  foreach(dir IN LISTS dirs)
    if(dir IN_LIST A_EXCEPT)
      continue()
    endif()
    if(EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt")
      add_subdirectory(${dir})
    endif()
  endforeach()
endfunction()
