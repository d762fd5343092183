# The VM size catalog's test. Included from tests/engine/CMakeLists.txt:
#   include(${CMAKE_CURRENT_SOURCE_DIR}/vm_sizes.cmake)
# It links the catalog from emu::vmsizes where emulator/engine/vm_sizes.cmake was included, else from
# emu::engine (which lists vm_size_catalog.cpp itself).
if(TARGET emu::vmsizes)
  set(_emu_vm_size_catalog_lib emu::vmsizes)
else()
  set(_emu_vm_size_catalog_lib emu::engine)
endif()
emu_add_test(vm_size_catalog_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/vm_size_catalog_test.cpp
  DEPS ${_emu_vm_size_catalog_lib}
  LABELS unit)
target_compile_definitions(vm_size_catalog_test PRIVATE EMU_SHARED_DIR="${EMU_SHARED_DIR}")
