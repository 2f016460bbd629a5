# The layering check on made-up trees: it accepts a tree that follows the
# order and names each kind of violation in one that does not.
#   cmake -DCHECK=scripts/check_layers.cmake -DWORK=<scratch dir> -P selftest.cmake
cmake_minimum_required(VERSION 3.20)

function(make_tree dir)
  file(REMOVE_RECURSE "${dir}")
  file(WRITE "${dir}/src/base/error.c" "#include <stdio.h>\n#include <msikit/error.h>\n")
  file(WRITE "${dir}/src/platform/x86.c"
       "#include \"irqchip/x86_internal.h\"\n#include <msikit/pci.h>\n#include \"x86.h\"\n")
  file(WRITE "${dir}/src/irqchip/x86_internal.h" "#include <msikit/hw_x86.h>\n#include \"base/rcu.h\"\n")
  file(WRITE "${dir}/tools/msikit/main.c" "#include <msikit.h>\n#include \"cli.h\"\n")
  file(WRITE "${dir}/include/msikit/platform.h" "#include <msikit/pci.h>\n")
endfunction()

function(run_check dir out_rc out_text)
  execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${dir} -P ${CHECK}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE e)
  set(${out_rc} "${rc}" PARENT_SCOPE)
  set(${out_text} "${o}${e}" PARENT_SCOPE)
endfunction()

set(good "${WORK}/good")
make_tree("${good}")
run_check("${good}" rc text)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "a tree in order was refused:\n${text}")
endif()

set(bad "${WORK}/bad")
make_tree("${bad}")
file(WRITE "${bad}/src/irqchip/its.c" "#include \"irqchip/its.h\"\n#include <msikit/platform.h>\n")
file(WRITE "${bad}/src/irqchip/x86_ir.c" "#include \"sim/machine_internal.h\"\n")
file(WRITE "${bad}/src/bus/msi.c" "#include \"hw/ram.h\"\n")
file(WRITE "${bad}/src/vmm/a.c" "#include \"base/error.h\"\n")
file(WRITE "${bad}/include/msikit/vmm.h" "#include <stdint.h>\n")
file(WRITE "${bad}/include/msikit/pci.h" "#include <msikit/machine.h>\n")
file(WRITE "${bad}/src/core/x.c" "#include <msikit.h>\n")
run_check("${bad}" rc text)
if(rc EQUAL 0)
  message(FATAL_ERROR "a tree out of order was accepted:\n${text}")
endif()
foreach(want
    "src/irqchip/its.c:2: irqchip includes <msikit/platform.h> (platform), but irqchip may include only: irqchip bus core hw base"
    "src/irqchip/x86_ir.c:1: irqchip includes \"sim/machine_internal.h\" (sim)"
    "src/bus/msi.c:1: bus includes \"hw/ram.h\", an internal header of the models"
    "src/vmm/: a folder with no place in the dependency order"
    "include/msikit/vmm.h: a public header with no owning layer"
    "include/msikit/pci.h:1: bus includes <msikit/machine.h> (sim)"
    "src/core/x.c:1: core includes <msikit.h> (tools)"
    "7 problem(s) with the dependency order")
  string(FIND "${text}" "${want}" at)
  if(at LESS 0)
    message(FATAL_ERROR "missing from the report: ${want}\nreport:\n${text}")
  endif()
endforeach()
string(FIND "${text}" "src/platform/x86.c" at)
if(NOT at LESS 0)
  message(FATAL_ERROR "an include in order was reported:\n${text}")
endif()
message(STATUS "layers selftest: 1 tree accepted, 7 violations named")
