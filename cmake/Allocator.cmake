# The allocator of the nethost and nethost-sim processes.
#
# mimalloc (Debian's libmimalloc, linked as a shared library) takes over malloc for the
# whole process by symbol interposition: Lua's heap, libcurl's and libssh2's buffers and
# OpenSSL's objects all come from it. A run allocates and frees many small blocks of mixed
# sizes per host (packets, strings, tables); glibc's malloc spent a quarter of the HTTP
# client's cycles in _int_malloc, malloc_consolidate and unlink_chunk. Measured side by side
# (tests/bench/http, tests/bench/ssh; docs/architecture.md#the-allocator): mimalloc 10-20 %
# less CPU per HTTP request at the same peak RSS; jemalloc saved as much CPU but held 7 MB
# more. The sanitizer builds keep the system allocator: ASan brings its own.
set(NETHOST_ALLOCATOR "mimalloc" CACHE STRING "malloc of nethost and nethost-sim: mimalloc or system")
set_property(CACHE NETHOST_ALLOCATOR PROPERTY STRINGS mimalloc system)
if(NETHOST_SANITIZE OR NETHOST_FUZZ)
  set(NH_ALLOCATOR system)
else()
  set(NH_ALLOCATOR "${NETHOST_ALLOCATOR}")
endif()
if(NH_ALLOCATOR STREQUAL "mimalloc")
  find_package(mimalloc CONFIG QUIET)
  if(NOT mimalloc_FOUND)
    message(FATAL_ERROR "NETHOST_ALLOCATOR=mimalloc needs mimalloc: apt-get install "
                        "libmimalloc-dev (or configure with -DNETHOST_ALLOCATOR=system)")
  endif()
  message(STATUS "Allocator: mimalloc ${mimalloc_VERSION}")
elseif(NOT NH_ALLOCATOR STREQUAL "system")
  message(FATAL_ERROR "NETHOST_ALLOCATOR is mimalloc or system, not '${NH_ALLOCATOR}'")
endif()

# nh_use_allocator(target): target's process gets the chosen allocator. The library is
# linked even though the target calls none of its functions (that is the point), so the
# linker must not drop it as unneeded.
function(nh_use_allocator target)
  if(NH_ALLOCATOR STREQUAL "mimalloc")
    target_link_libraries(${target} PRIVATE -Wl,--push-state,--no-as-needed mimalloc
                                            -Wl,--pop-state)
    target_compile_definitions(${target} PRIVATE NH_HAVE_MIMALLOC=1)
  endif()
endfunction()
