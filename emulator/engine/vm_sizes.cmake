# The VM size catalog, built on its own until the engine library lists vm_size_catalog.cpp itself.
# Included from emulator/engine/CMakeLists.txt:  include(${CMAKE_CURRENT_SOURCE_DIR}/vm_sizes.cmake)
emu_add_library(vmsizes
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/vm_size_catalog.cpp)
