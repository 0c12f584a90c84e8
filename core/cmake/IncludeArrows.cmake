# sluice_include_arrows(<out-var> ROOTS <library>=<root>[,<root>...]...)
# The walls between the folders of src/: a file may include a folder, or a third party's
# root, only when its folder's library links the library that provides it, and a header only
# when that link is PUBLIC. Writes those allowed roots per folder, taken from the libraries'
# own links, to include_arrows.cmake (its path in <out-var>), and makes every folder's library
# wait for check_include_arrows.cmake, which fails the build on any other include.
# ROOTS names what each library is included as; a root that is a folder of src/ makes that
# library the folder's own.
function(sluice_include_arrows out_var)
  cmake_parse_arguments(ARG "" "" "ROOTS" ${ARGN})
  set(areas)
  set(area_libraries)
  set(root_libraries)
  set(checked_roots)
  foreach(pair IN LISTS ARG_ROOTS)
    string(REGEX MATCH "^([^=]+)=(.+)$" matched "${pair}")
    string(MAKE_C_IDENTIFIER "${CMAKE_MATCH_1}" key)
    string(REPLACE "," ";" roots_of_${key} "${CMAKE_MATCH_2}")
    foreach(root IN LISTS roots_of_${key})
      list(APPEND root_libraries "${root}=${CMAKE_MATCH_1}")
      list(APPEND checked_roots ${root})
      if(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/src/${root})
        list(APPEND areas ${root})
        list(APPEND area_libraries ${CMAKE_MATCH_1})
      endif()
    endforeach()
  endforeach()

  list(JOIN areas " " joined_areas)
  list(JOIN checked_roots " " joined_roots)
  list(JOIN root_libraries " " joined_root_libraries)
  string(JOIN "\n" arrows
    "# Written by sluice_include_arrows() (IncludeArrows.cmake) from the libraries' links."
    "set(SLUICE_AREAS ${joined_areas})"
    "set(SLUICE_CHECKED_ROOTS ${joined_roots})"
    "set(SLUICE_ROOT_LIBRARIES ${joined_root_libraries})")
  foreach(area library IN ZIP_LISTS areas area_libraries)
    # PRIVATE links appear in INTERFACE_LINK_LIBRARIES only as $<LINK_ONLY:...>.
    get_target_property(links ${library} LINK_LIBRARIES)
    get_target_property(interface ${library} INTERFACE_LINK_LIBRARIES)
    set(public)
    set(private)
    foreach(link IN LISTS links)
      string(MAKE_C_IDENTIFIER "${link}" key)
      if(link IN_LIST interface)
        list(APPEND public ${roots_of_${key}})
      else()
        list(APPEND private ${roots_of_${key}})
      endif()
    endforeach()
    list(JOIN public " " public)
    list(JOIN private " " private)
    string(APPEND arrows "\nset(SLUICE_AREA_${area}_LIBRARY ${library})"
                         "\nset(SLUICE_AREA_${area}_PUBLIC ${public})"
                         "\nset(SLUICE_AREA_${area}_PRIVATE ${private})")
  endforeach()
  set(arrows_file ${CMAKE_CURRENT_BINARY_DIR}/include_arrows.cmake)
  # Rewritten only when it changes, so a new configure does not re-run the check.
  file(CONFIGURE OUTPUT ${arrows_file} CONTENT "${arrows}\n" @ONLY)

  set(check ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/check_include_arrows.cmake)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.hpp ${CMAKE_CURRENT_SOURCE_DIR}/src/*.cpp)
  add_custom_command(OUTPUT include_arrows.checked
    COMMAND ${CMAKE_COMMAND} -DARROWS=${arrows_file} -DSOURCE_DIR=${CMAKE_CURRENT_SOURCE_DIR}/src -P ${check}
    COMMAND ${CMAKE_COMMAND} -E touch include_arrows.checked
    DEPENDS ${check} ${arrows_file} ${files}
    COMMENT "Checking the include arrows between the folders of ${CMAKE_CURRENT_SOURCE_DIR}/src"
    VERBATIM)
  add_custom_target(sluice_include_arrows DEPENDS include_arrows.checked)
  foreach(library IN LISTS area_libraries)
    add_dependencies(${library} sluice_include_arrows)
  endforeach()
  set(${out_var} ${arrows_file} PARENT_SCOPE)
endfunction()
