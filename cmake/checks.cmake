# Checks of what msikit ships, beyond the unit and scenario tests (run by
# `make check` with every other CTest test):
#   install/tree     scripts/check-install.sh: install into a temporary prefix
#                    and with DESTDIR, build examples/ against it with
#                    pkg-config (shared and static) and run them; make install
#                    PREFIX=/DESTDIR=; no installed file cites an unshipped document
#   docs/snippets    every ```c block of README.md and docs/*.md compiles
#                    (-Wall -Wextra -Werror); those marked as programs run
#   docs/readme      the README's sample outputs are what the commands print now
#   docs/man         the man pages format without warnings (groff -man -ww), if groff is there
#   docs/lua-api     every Lua key and method of the bindings is documented
#   docs/citations   no header, doc or command source cites an unshipped document
# Sanitizer and fuzz builds skip the first two (their library needs the
# sanitizer runtime the examples would not link).
if(MSK_SANITIZE STREQUAL "" AND NOT MSK_FUZZ)
  add_test(NAME install/tree
    COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/check-install.sh ${CMAKE_SOURCE_DIR}
            ${CMAKE_BINARY_DIR} ${CMAKE_C_COMPILER} ${CMAKE_BINARY_DIR}/check-install)
  set_tests_properties(install/tree PROPERTIES LABELS "install" TIMEOUT 600 RUN_SERIAL TRUE)
endif()
if(MSK_SANITIZE STREQUAL "" AND NOT MSK_FUZZ)
  add_test(NAME docs/snippets
    COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR} -DOUT=${CMAKE_BINARY_DIR}/snippets
            -DCC=${CMAKE_C_COMPILER} -DLIB=$<TARGET_FILE:msikit>
            "-DLIBS=${URCU_LINK_LIBRARIES};${CJSON_LINK_LIBRARIES}"
            -P ${CMAKE_SOURCE_DIR}/cmake/check_snippets.cmake)
  set_tests_properties(docs/snippets PROPERTIES LABELS "docs" TIMEOUT 300)
endif()
if(TARGET msikit_cmd)
  add_test(NAME docs/readme
    COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR} -DBIN=$<TARGET_FILE_DIR:msikit_cmd>
            -P ${CMAKE_SOURCE_DIR}/cmake/check_readme.cmake)
  set_tests_properties(docs/readme PROPERTIES LABELS "docs" TIMEOUT 600
    SKIP_REGULAR_EXPRESSION "platform drivers are not built yet")
endif()
add_test(NAME docs/lua-api COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR}
         -P ${CMAKE_SOURCE_DIR}/cmake/check_lua_api.cmake)
set_tests_properties(docs/lua-api PROPERTIES LABELS "docs")
find_program(MSK_GROFF groff)
if(MSK_GROFF)
  add_test(NAME docs/man COMMAND sh -c
    "set -e; for p in \"$0\"/docs/msikit.1 \"$0\"/docs/man3/*.3; do w=$(\"$1\" -man -ww -z \"$p\" 2>&1); [ -z \"$w\" ] || { echo \"$p: $w\"; exit 1; }; echo \"$p: clean\"; done"
    ${CMAKE_SOURCE_DIR} ${MSK_GROFF})
  set_tests_properties(docs/man PROPERTIES LABELS "docs")
else()
  message(STATUS "groff not found: docs/man (man page lint) skipped")
endif()
# docs/citations: the headers, docs, the command's sources and the scenarios
# cite no document msikit does not ship (the design's INTERFACES, ARCHITECTURE,
# ... and the reference sheets); the shipped one is docs/interfaces.md.
add_test(NAME docs/citations COMMAND sh -c
  "cd \"$0\" && ! grep -rnE '\\b(INTERFACES|ARCHITECTURE|SEED-STORIES)\\b|STYLE\\.md|linux-msi\\.md|linux-decisions\\.md|hw-facts\\.md' include docs tools/msikit scenarios examples README.md"
  ${CMAKE_SOURCE_DIR})
set_tests_properties(docs/citations PROPERTIES LABELS "docs")
