# docs/readme: the README's sample outputs are what the commands print now.
# A sample is a fenced block right after a line
#	<!-- sample: COMMAND -->            or
#	<!-- sample: COMMAND | ignore: REGEX -->
# whose first line is "$ COMMAND" and the rest the expected stdout. COMMAND
# runs with sh in the source tree, the built msikit first on PATH; lines
# matching REGEX (volatile fields: timings) are left out of both sides.
#   cmake -DSRC=<source dir> -DBIN=<dir of the msikit binary> -P check_readme.cmake
cmake_minimum_required(VERSION 3.20)
file(READ ${SRC}/README.md text)
string(REGEX MATCHALL "<!-- sample: [^\n]* -->\n```\n[^`]*```" samples "${text}")
list(LENGTH samples n)
if(n EQUAL 0)
  message(FATAL_ERROR "README.md has no <!-- sample: ... --> block")
endif()

function(drop_lines var re)
  if(re STREQUAL "")
    return()
  endif()
  string(REPLACE "\n" ";" lines "${${var}}")
  set(kept "")
  foreach(l IN LISTS lines)
    if(NOT l MATCHES "${re}")
      string(APPEND kept "${l}\n")
    endif()
  endforeach()
  set(${var} "${kept}" PARENT_SCOPE)
endfunction()

foreach(s IN LISTS samples)
  string(REGEX MATCH "^<!-- sample: ([^\n]*) -->\n```\n\\$ ([^\n]*)\n(.*)```$" m "${s}")
  if(NOT m)
    message(FATAL_ERROR "a sample block must start with \"$ COMMAND\":\n${s}")
  endif()
  set(spec "${CMAKE_MATCH_1}")
  set(shown "${CMAKE_MATCH_2}")
  set(want "${CMAKE_MATCH_3}")
  set(ignore "")
  if(spec MATCHES "^(.*) \\| ignore: (.*)$")
    set(spec "${CMAKE_MATCH_1}")
    set(ignore "${CMAKE_MATCH_2}")
  endif()
  if(NOT shown STREQUAL spec)
    message(FATAL_ERROR "README sample: the marker says \"${spec}\", the block shows \"$ ${shown}\"")
  endif()
  execute_process(COMMAND sh -c "PATH='${BIN}':\"$PATH\"; unset MSIKIT_SCENARIOS; ${spec}"
                  WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE got ERROR_VARIABLE err
                  RESULT_VARIABLE rc TIMEOUT 600)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "README sample \"${spec}\": exit ${rc}\n${err}")
  endif()
  drop_lines(got "${ignore}")
  drop_lines(want "${ignore}")
  if(NOT got STREQUAL want)
    file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/readme-sample.out "${got}")
    message(FATAL_ERROR "README sample \"${spec}\" is stale; the command now prints "
                        "(${CMAKE_CURRENT_BINARY_DIR}/readme-sample.out):\n${got}")
  endif()
  message("README sample \"${spec}\": as shown")
endforeach()
