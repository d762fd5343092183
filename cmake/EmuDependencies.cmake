# Every dependency comes from the system (Debian packages); there is no network at build time.
find_package(Boost 1.81 REQUIRED COMPONENTS json url)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(fmt REQUIRED)
find_package(Threads REQUIRED)
if(EMU_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
