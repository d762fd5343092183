# The VM size catalog's test, built on its own until the engine tests list it themselves.
# Included from tests/engine/CMakeLists.txt:  include(${CMAKE_CURRENT_SOURCE_DIR}/vm_sizes.cmake)
emu_add_test(vm_size_catalog_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/vm_size_catalog_test.cpp
  DEPS emu::vmsizes
  LABELS unit)
target_compile_definitions(vm_size_catalog_test PRIVATE EMU_SHARED_DIR="${EMU_SHARED_DIR}")
