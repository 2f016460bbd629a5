# A copy of sysfs or /proc/irq (or the file itself) where a regular file is
# something else: a FIFO, a directory, a symlink loop, a missing tree; and
# the pipes msikit import must keep reading. Built fresh in WORK for each
# test (FIFOs and loops are not kept in git), then
#   EXE import --proc-interrupts ... -o WORK/out.lua
# must exit EXPECT_EXIT within 60 s (a FIFO must not block it) with stderr
# matching "^msikit: <the path>: WHAT" (exit 2) or empty (exit 0).
#   -DEXE= -DKIND= -DWORK= -DGOOD=tests/scenario/import/bad/good.txt
cmake_minimum_required(VERSION 3.20)
file(REMOVE_RECURSE "${WORK}")
set(SYS "${WORK}/sysfs")
set(FN "${SYS}/0000:00:01.0")
set(IRQ "${WORK}/procirq")
file(MAKE_DIRECTORY "${FN}/msi_irqs" "${IRQ}/28")
file(WRITE "${FN}/vendor" "0x1af4\n")
file(WRITE "${FN}/device" "0x1041\n")
file(WRITE "${FN}/msi_irqs/28" "msix\n")
file(WRITE "${IRQ}/28/smp_affinity_list" "0-1\n")
file(WRITE "${IRQ}/28/effective_affinity_list" "1\n")

function(fifo path)
  file(REMOVE "${path}")
  execute_process(COMMAND mkfifo "${path}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "mkfifo ${path}: ${rc}")
  endif()
endfunction()
function(loop path) # a symlink to itself: ELOOP
  file(REMOVE_RECURSE "${path}")
  get_filename_component(name "${path}" NAME)
  execute_process(COMMAND ln -s "${name}" "${path}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ln -s ${name} ${path}: ${rc}")
  endif()
endfunction()
function(as_dir path)
  file(REMOVE "${path}")
  file(MAKE_DIRECTORY "${path}")
endfunction()

# KIND|what to make (fifo, dir, loop or -)|where, under WORK|given as (tree, proc or sysfs)|message
set(CASES
  "fifo-vendor|fifo|sysfs/0000:00:01.0/vendor|tree|cannot open: a FIFO, not a regular file: .*\\(ESPIPE\\)"
  "fifo-msi-irq|fifo|sysfs/0000:00:01.0/msi_irqs/28|tree|cannot open: a FIFO, not a regular file"
  "fifo-affinity|fifo|procirq/28/smp_affinity_list|tree|cannot open: a FIFO, not a regular file"
  "fifo-config|fifo|sysfs/0000:00:01.0/config|tree|cannot open: a FIFO, not a regular file"
  "dir-affinity|dir|procirq/28/effective_affinity_list|tree|cannot open: a directory, not a file: .*\\(EISDIR\\)"
  "dir-msi-irq|dir|sysfs/0000:00:01.0/msi_irqs/28|tree|cannot open: a directory, not a file"
  "dir-proc|-|procirq|proc|cannot open: a directory, not a file"
  "loop-config|loop|sysfs/0000:00:01.0/config|tree|cannot open: a symlink loop: .*\\(ELOOP\\)"
  "loop-vendor|loop|sysfs/0000:00:01.0/vendor|tree|cannot open: a symlink loop"
  "loop-msi-irqs|loop|sysfs/0000:00:01.0/msi_irqs|tree|cannot list: a symlink loop"
  "loop-affinity|loop|procirq/28/smp_affinity_list|tree|cannot open: a symlink loop"
  "loop-proc|loop|interrupts|proc|cannot open: a symlink loop"
  "missing-sysfs|-|nonexistent|sysfs|cannot open: No such file or directory \\(ENOENT\\)"
  "missing-proc|-|nonexistent|proc|cannot open: No such file or directory \\(ENOENT\\)")

set(PROC "${GOOD}")
set(ARGS --sysfs "${SYS}" --proc-irq "${IRQ}")
set(EXPECT_EXIT 2)
set(PIPE "")
if(KIND STREQUAL "pipe-stdin") # cat good.txt | msikit import --proc-interrupts -
  set(PIPE "${GOOD}")
  set(PROC "-")
  set(EXPECT_EXIT 0)
elseif(KIND STREQUAL "pipe-dev-stdin") # a pipe named by a path, as <(...) is
  set(PIPE "${GOOD}")
  set(PROC "/dev/stdin")
  set(EXPECT_EXIT 0)
else()
  set(found "")
  foreach(c ${CASES})
    string(REPLACE "|" ";" c "${c}")
    list(GET c 0 kind)
    if(kind STREQUAL KIND)
      set(found "${c}")
    endif()
  endforeach()
  if(NOT found)
    message(FATAL_ERROR "unknown KIND ${KIND}")
  endif()
  list(GET found 1 make)
  list(GET found 2 where)
  list(GET found 3 as)
  list(GET found 4 WHAT)
  set(WHERE "${WORK}/${where}")
  if(make STREQUAL "fifo")
    fifo("${WHERE}")
  elseif(make STREQUAL "dir")
    as_dir("${WHERE}")
  elseif(make STREQUAL "loop")
    loop("${WHERE}")
  endif()
  if(as STREQUAL "proc")
    set(PROC "${WHERE}")
  elseif(as STREQUAL "sysfs")
    set(ARGS --sysfs "${WHERE}")
  endif()
endif()

set(cmd ${EXE} import --proc-interrupts "${PROC}" ${ARGS} -o "${WORK}/out.lua")
if(PIPE)
  execute_process(COMMAND cat "${PIPE}" COMMAND ${cmd} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
else()
  execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  TIMEOUT 60)
endif()
if(NOT rc STREQUAL "${EXPECT_EXIT}")
  message(FATAL_ERROR "${KIND}: exit '${rc}', wanted ${EXPECT_EXIT}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(EXPECT_EXIT EQUAL 0)
  if(NOT err STREQUAL "" OR NOT EXISTS "${WORK}/out.lua")
    message(FATAL_ERROR "${KIND}: no scenario written, or stderr:\n${err}")
  endif()
else()
  string(REGEX REPLACE "([][+.*()^$?|\\\\])" "\\\\\\1" where_re "${WHERE}")
  if(NOT err MATCHES "^msikit: ${where_re}: ${WHAT}[^\n]*\n$")
    message(FATAL_ERROR "${KIND}: stderr does not match \"msikit: ${WHERE}: ${WHAT}\":\n${err}")
  endif()
  if(EXISTS "${WORK}/out.lua")
    message(FATAL_ERROR "${KIND}: a scenario was written")
  endif()
endif()
message("${KIND}: exit ${rc}: ${err}")
file(REMOVE_RECURSE "${WORK}")
