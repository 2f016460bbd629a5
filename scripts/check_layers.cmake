# The layering of the tree, enforced (docs/architecture.md, "Dependency order").
#
#   cmake -DSOURCE_DIR=<tree> -P scripts/check_layers.cmake
#
# Every file under src/<layer>/, tools/ and include/ is read, and each of
# its #include lines is placed in a layer:
#   "<folder>/x.h"     the folder's layer (an internal header);
#   "x.h"              the including file's own layer;
#   <msikit/x.h>       the layer that implements that public header (the
#                      table below; a public header missing from it fails);
#   <msikit.h>         the umbrella header: the top (tools) only;
#   any other <...>    a system header, ignored.
# An include of a layer the file's layer may not use fails the check, and
# so does a folder under src/ that has no place in the order: a new layer
# is added here and in docs/architecture.md together. Internal headers of
# src/hw/ are for src/hw/ alone: everyone else reaches the models through
# the public hw*.h interfaces (what real hardware offers).
#
# Exit status: 0 clean; non-zero with every violation listed as
# "FILE:LINE: <layer> includes <what> (<layer>), but <layer> may include only: ...".

cmake_minimum_required(VERSION 3.20)

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "check_layers: pass -DSOURCE_DIR=<the source tree>")
endif()

# What each layer may include (itself and everything below it that it uses).
# tools -> sim -> platform -> {irqchip, bus, compat} -> core -> base; hw
# beside core (models know nothing of the core); report beside platform.
set(MAY_base     base)
set(MAY_hw       hw base)
set(MAY_core     core base)
set(MAY_bus      bus core hw base)
set(MAY_compat   compat bus core base)
set(MAY_irqchip  irqchip bus core hw base)
set(MAY_report   report core base)
set(MAY_platform platform irqchip bus compat core hw base)
set(MAY_sim      sim platform report compat bus core hw base)
set(MAY_tools    tools sim platform report compat bus core hw base)

# The layer that implements each public header.
set(OWNER_cpumask base)
set(OWNER_error base)
set(OWNER_fault base)
set(OWNER_ledger base)
set(OWNER_version base)
set(OWNER_affinity core)
set(OWNER_cpuhotplug core)
set(OWNER_domain core)
set(OWNER_irq core)
set(OWNER_matrix core)
set(OWNER_msi core)
set(OWNER_hw hw)
set(OWNER_hw_gic hw)
set(OWNER_hw_pci hw)
set(OWNER_hw_x86 hw)
set(OWNER_hw_xive hw)
set(OWNER_pci bus)
set(OWNER_platform platform)
set(OWNER_platform_ppc64 platform)
set(OWNER_irqchip_x86 platform)
set(OWNER_report report)
set(OWNER_machine sim)
set(OWNER_sim sim)

set(problems "")

# check_file(<path relative to SOURCE_DIR> <layer>)
function(check_file rel layer)
  file(STRINGS "${SOURCE_DIR}/${rel}" lines)
  set(n 0)
  set(found "")
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*([\"<])([^\">]+)[\">]")
      continue()
    endif()
    set(kind "${CMAKE_MATCH_1}")
    set(what "${CMAKE_MATCH_2}")
    set(target "")
    if(kind STREQUAL "\"")
      if(what MATCHES "^([a-z_0-9]+)/")
        set(target "${CMAKE_MATCH_1}")
        if(target STREQUAL "hw" AND NOT layer STREQUAL "hw")
          list(APPEND found "${rel}:${n}: ${layer} includes \"${what}\", an internal header of the models (use the public hw*.h interfaces)")
          continue()
        endif()
        if(NOT DEFINED MAY_${target})
          list(APPEND found "${rel}:${n}: includes \"${what}\": no layer \"${target}\"")
          continue()
        endif()
      else()
        set(target "${layer}")
      endif()
    elseif(what STREQUAL "msikit.h")
      set(target tools)
    elseif(what MATCHES "^msikit/([a-z_0-9]+)\\.h$")
      set(h "${CMAKE_MATCH_1}")
      if(NOT DEFINED OWNER_${h})
        list(APPEND found "${rel}:${n}: <${what}> has no owning layer in scripts/check_layers.cmake")
        continue()
      endif()
      set(target "${OWNER_${h}}")
    else()
      continue() # a system or third-party header
    endif()
    list(FIND MAY_${layer} "${target}" at)
    if(at LESS 0)
      string(REPLACE ";" " " may "${MAY_${layer}}")
      if(kind STREQUAL "<")
        set(shown "<${what}>")
      else()
        set(shown "\"${what}\"")
      endif()
      list(APPEND found "${rel}:${n}: ${layer} includes ${shown} (${target}), but ${layer} may include only: ${may}")
    endif()
  endforeach()
  set(problems "${problems};${found}" PARENT_SCOPE)
endfunction()

# src/<layer>/...
file(GLOB layer_dirs LIST_DIRECTORIES true RELATIVE "${SOURCE_DIR}/src" "${SOURCE_DIR}/src/*")
foreach(layer IN LISTS layer_dirs)
  if(NOT IS_DIRECTORY "${SOURCE_DIR}/src/${layer}")
    list(APPEND problems "src/${layer}: a file directly under src/ (files live in a layer's folder)")
    continue()
  endif()
  if(NOT DEFINED MAY_${layer} OR layer STREQUAL "tools")
    list(APPEND problems "src/${layer}/: a folder with no place in the dependency order (scripts/check_layers.cmake)")
    continue()
  endif()
  file(GLOB_RECURSE files RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/src/${layer}/*.c"
       "${SOURCE_DIR}/src/${layer}/*.h")
  foreach(f IN LISTS files)
    check_file("${f}" "${layer}")
  endforeach()
endforeach()

# tools/: the top.
file(GLOB_RECURSE files RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/tools/*.c" "${SOURCE_DIR}/tools/*.h")
foreach(f IN LISTS files)
  check_file("${f}" tools)
endforeach()

# include/msikit/<name>.h: in its owner's layer; include/msikit.h: the top.
file(GLOB files RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/include/msikit/*.h")
foreach(f IN LISTS files)
  get_filename_component(h "${f}" NAME_WE)
  if(NOT DEFINED OWNER_${h})
    list(APPEND problems "${f}: a public header with no owning layer in scripts/check_layers.cmake")
    continue()
  endif()
  check_file("${f}" "${OWNER_${h}}")
endforeach()

list(REMOVE_ITEM problems "")
list(LENGTH problems count)
if(count GREATER 0)
  string(REPLACE ";" "\n  " text "${problems}")
  message(FATAL_ERROR "check_layers: ${count} problem(s) with the dependency order:\n  ${text}")
endif()
message(STATUS "check_layers: every include follows the dependency order")
