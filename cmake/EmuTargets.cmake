# Helpers that give every target of the project the same warnings and sanitizer flags.

set(EMU_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
# GCC 12 warns -Wrestrict on `"literal" + std::string(...)` once it inlines std::string at -O2 (GCC bug
# 105329, fixed in GCC 13): a false positive on idiomatic code, which -Werror Release builds would fail.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND EMU_WARNINGS -Wno-restrict)
endif()

function(emu_apply_flags target)
  target_compile_options(${target} PRIVATE ${EMU_WARNINGS})
  if(EMU_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(EMU_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${EMU_SANITIZE} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
    if(EMU_SANITIZE MATCHES "thread")
      target_compile_options(${target} PRIVATE -Wno-tsan)
    endif()
    target_link_options(${target} PRIVATE -fsanitize=${EMU_SANITIZE})
  endif()
endfunction()

# emu_add_library(engine SOURCES a.cpp b.cpp DEPS emu::core) makes target emu_engine aliased emu::engine.
function(emu_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(emu_${name} STATIC ${ARG_SOURCES})
  add_library(emu::${name} ALIAS emu_${name})
  target_include_directories(emu_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(emu_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  emu_apply_flags(emu_${name})
endfunction()

# emu_add_test(model_codec_test SOURCES codec_test.cpp DEPS emu::model [LABELS unit] [SERIAL])
# SERIAL: ctest runs each of its tests with no other test beside it (for tests that change state the
# whole host shares, such as its cgroup hierarchies).
function(emu_add_test name)
  cmake_parse_arguments(ARG "SERIAL" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  emu_apply_flags(${name})
  set(serial)
  if(ARG_SERIAL)
    set(serial RUN_SERIAL TRUE)
  endif()
  include(GoogleTest)
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" ${serial} DISCOVERY_TIMEOUT 60)
endfunction()
