# Every dependency is found with pkg-config. A missing one stops the configure step with
# the name of the Debian package that provides it.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config")
endif()

function(nh_require name module debian_package)
  pkg_check_modules(${name} QUIET IMPORTED_TARGET ${module})
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "nethost needs ${module} (pkg-config module not found): "
                        "apt-get install ${debian_package}")
  endif()
  message(STATUS "Found ${module} ${${name}_VERSION}")
endfunction()

nh_require(LUA lua5.4 liblua5.4-dev)
nh_require(UV libuv libuv1-dev)
nh_require(SSH2 libssh2 libssh2-1-dev)
nh_require(CURL libcurl libcurl4-openssl-dev)
nh_require(LIBSSH libssh libssh-dev) # the simulated lab's SSH server
nh_require(YAML yaml-0.1 libyaml-dev)
nh_require(PCRE2 libpcre2-8 libpcre2-dev)
nh_require(CRYPTO libcrypto libssl-dev)
nh_require(SSL libssl libssl-dev) # the simulated lab's HTTPS
nh_require(XML2 libxml-2.0 libxml2-dev) # NETCONF replies and the xml module
if(NETHOST_TESTS)
  nh_require(CMOCKA cmocka libcmocka-dev)
endif()
