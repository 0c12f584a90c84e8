# sluice_add_plugin(<target> SOURCES <files...> [OUTPUT_DIRECTORY <dir>])
# Builds a Sluice plugin: a MODULE library that exports exactly one symbol, the entry
# `sluice_plugin_entry` that the SDK's SLUICE_DECLARE_* macros define. Hidden visibility
# keeps the plugin's own code private; a linker version script also keeps private what
# static libraries and default-visibility headers would otherwise export, so two plugins
# never bind to each other's copies of a symbol.
#
# A project that enables C++ gets the C++ layer (sluice::sdk); a project in C alone gets
# sluice/abi.h alone (sluice::abi).
function(sluice_add_plugin target)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  add_library(${target} MODULE ${ARG_SOURCES})
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if(CXX IN_LIST languages)
    target_link_libraries(${target} PRIVATE sluice::sdk)
  else()
    target_link_libraries(${target} PRIVATE sluice::abi)
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(NOT APPLE AND NOT WIN32)
    set(exports ${CMAKE_BINARY_DIR}/sluice-plugin-exports.map)
    file(CONFIGURE OUTPUT ${exports} CONTENT "{ global: sluice_plugin_entry; local: *; };\n")
    target_link_options(${target} PRIVATE -Wl,--no-undefined -Wl,--version-script=${exports})
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${exports})
  endif()
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  elseif(DEFINED SLUICE_PLUGIN_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${SLUICE_PLUGIN_OUTPUT_DIRECTORY})
  endif()
endfunction()
