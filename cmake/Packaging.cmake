# The manual pages and shell completion, generated at build time from the help texts
# (cmake/gen_docs.lua), the installed playbooks and documentation, and the Debian package:
# `cpack -G DEB` in a build folder writes nethost_<version>_<arch>.deb with Depends found
# by dpkg-shlibdeps. tests/package checks it.
set(NH_GEN_DIR "${PROJECT_BINARY_DIR}/share/nethost/generated")
set(NH_GEN_FILES "${NH_GEN_DIR}/nethost.1" "${NH_GEN_DIR}/nethost-sim.1"
                 "${NH_GEN_DIR}/nethost-playbook.7" "${NH_GEN_DIR}/nethost.bash")
file(GLOB nh_gen_inputs CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/lua/nethost/*.lua"
     "${PROJECT_SOURCE_DIR}/lua/nethost/cmd/*.lua")
# ASan's leak report at exit must not fail the build: the pages are the point here.
add_custom_command(
  OUTPUT ${NH_GEN_FILES}
  COMMAND ${CMAKE_COMMAND} -E make_directory "${NH_GEN_DIR}"
  COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0 NETHOST_LUA_DIR=${PROJECT_SOURCE_DIR}/lua
          $<TARGET_FILE:nethost> run "${PROJECT_SOURCE_DIR}/cmake/gen_docs.lua" --
          "${NH_GEN_DIR}" $<TARGET_FILE:nethost-sim> "${PROJECT_SOURCE_DIR}"
  DEPENDS nethost nethost-sim "${PROJECT_SOURCE_DIR}/cmake/gen_docs.lua"
          "${PROJECT_SOURCE_DIR}/docs/lua-api.md" ${nh_gen_inputs}
  COMMENT "Generating the manual pages and the bash completion from --help"
  VERBATIM)
add_custom_target(nethost-docs ALL DEPENDS ${NH_GEN_FILES})

install(FILES "${NH_GEN_DIR}/nethost.1" "${NH_GEN_DIR}/nethost-sim.1"
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES "${NH_GEN_DIR}/nethost-playbook.7" DESTINATION ${CMAKE_INSTALL_MANDIR}/man7)
install(FILES "${NH_GEN_DIR}/nethost.bash" DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME nethost)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/playbooks/" DESTINATION ${CMAKE_INSTALL_DATADIR}/nethost/playbooks)
install(FILES "${PROJECT_SOURCE_DIR}/README.md" DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/docs/" DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "nethost")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "nethost maintainers <nethost@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "network automation engine: Lua playbooks over thousands of devices")
set(CPACK_PACKAGE_DESCRIPTION "nethost runs Lua 5.4 playbooks against fleets of network devices on one event loop (libuv, libssh2, libcurl), with C plugins for vendor platforms, a simulated lab (nethost-sim), HTML reports and Prometheus metrics.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # nethost_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON) # Depends: from the binaries' and plugins' libraries
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "bash-completion, openssh-client")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/nethost/nethost")
# The package is built from a tree with the tests compiled in: only what install() names goes
# into it, and the install prefix must be /usr for the FHS paths.
set(CPACK_SET_DESTDIR OFF)
include(CPack)
