# Fails when a file of core/src includes a folder, or a third-party library, that its folder's
# library does not link, or when a header includes what its library links only PRIVATE.
#   cmake -DARROWS=<include_arrows.cmake> -DSOURCE_DIR=<core/src> -P check_include_arrows.cmake
# sluice_include_arrows() (IncludeArrows.cmake) writes include_arrows.cmake from the libraries'
# own links: the links are the one list of allowed arrows. Files at the top of SOURCE_DIR
# (app.cpp, main.cpp) are not checked: they may include every folder.
cmake_minimum_required(VERSION 3.25)

include(${ARROWS})

function(library_of root out)
  foreach(pair IN LISTS SLUICE_ROOT_LIBRARIES)
    if(pair MATCHES "^([^=]+)=(.+)$" AND CMAKE_MATCH_1 STREQUAL root)
      set(${out} ${CMAKE_MATCH_2} PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

set(wrong 0)
foreach(area IN LISTS SLUICE_AREAS)
  set(library ${SLUICE_AREA_${area}_LIBRARY})
  file(GLOB_RECURSE files RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/${area}/*.hpp ${SOURCE_DIR}/${area}/*.cpp)
  list(SORT files)
  foreach(file IN LISTS files)
    set(allowed ${area} ${SLUICE_AREA_${area}_PUBLIC})
    if(file MATCHES "\\.cpp$")
      list(APPEND allowed ${SLUICE_AREA_${area}_PRIVATE})
    endif()
    file(STRINGS ${SOURCE_DIR}/${file} includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"][^>\"]*/")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*([<\"][^>\"]*[>\"]).*$" "\\1" header "${line}")
      string(REGEX REPLACE "^.([^/]*)/.*$" "\\1" root "${header}")
      if(NOT root IN_LIST SLUICE_CHECKED_ROOTS OR root IN_LIST allowed)
        continue()
      endif()
      library_of(${root} owner)
      if(root IN_LIST SLUICE_AREA_${area}_PRIVATE)
        set(why "a header includes only what ${library} links PUBLIC; ${owner} is PRIVATE")
      else()
        set(why "${library} does not link ${owner}")
      endif()
      message(NOTICE "${SOURCE_DIR}/${file} includes ${header}: ${why}")
      math(EXPR wrong "${wrong} + 1")
    endforeach()
  endforeach()
endforeach()

if(wrong GREATER 0)
  message(FATAL_ERROR "${wrong} include(s) cross the walls between core/src's libraries: link the "
                      "library in core/CMakeLists.txt if the arrow is meant, and add it to "
                      "docs/architecture.md")
endif()
