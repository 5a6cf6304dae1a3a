# ctest script (tests/runtime/CMakeLists.txt): installs the build tree into a
# fresh prefix, configures and builds the downstream project against it, runs
# it on the compiled ANEC table and checks the dose it prints.
file(REMOVE_RECURSE ${WORK_DIR})
set(PREFIX ${WORK_DIR}/prefix)
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX} RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
foreach(f bin/carepath include/carepath/Table.h include/carepath/carepath.h include/carepath/Rational.h
          include/carepath/Rules.h
          share/carepath/stdlib/units.care)
  if(NOT EXISTS ${PREFIX}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
# The compiler's share of support/ is not part of the runtime's interface.
foreach(f include/carepath/Sha256.h include/carepath/Suggest.h include/carepath/Utf8.h include/carepath/Quantity.h)
  if(EXISTS ${PREFIX}/${f})
    message(FATAL_ERROR "installed but not for consumers: ${f}")
  endif()
endforeach()
# The installed carepath, run from another folder with no CAREPATH_STDLIB,
# finds the stdlib of its own prefix (<prefix>/share/carepath/stdlib).
set(carepath ${CMAKE_COMMAND} -E env --unset=CAREPATH_STDLIB ${PREFIX}/bin/carepath)
execute_process(COMMAND ${carepath} check ${SOURCE_DIR}/protocols/anec.care
                WORKING_DIRECTORY ${WORK_DIR} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "installed carepath check failed (${rc}):\n${err}")
endif()
# ... that copy and no other: a limit broken in the installed drugs.care is
# reported, under its stdlib/ name.
set(drugs ${PREFIX}/share/carepath/stdlib/drugs.care)
file(READ ${drugs} text)
string(REPLACE "limit 30 mg/kg per day" "limit 30 mg/h per day" broken "${text}")
if(broken STREQUAL text)
  message(FATAL_ERROR "the stdlib's methylprednisolone limit changed: update this test")
endif()
file(WRITE ${drugs} "${broken}")
execute_process(COMMAND ${carepath} check ${SOURCE_DIR}/protocols/anec.care
                WORKING_DIRECTORY ${WORK_DIR} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "(^|\n)stdlib/drugs.care:[0-9]+:9: error: a limit must be an amount")
  message(FATAL_ERROR "installed carepath did not read its own stdlib (${rc}):\n${err}")
endif()
file(WRITE ${drugs} "${text}")

# A sanitizer build installs an instrumented library: its consumer must
# link the sanitizer runtimes too.
set(flags "")
if(SANITIZE)
  set(flags -DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined)
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install -B ${WORK_DIR}/build -G ${GENERATOR}
                        -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_BUILD_TYPE=Release ${flags}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the downstream project failed:\n${out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the downstream project failed:\n${out}")
endif()
execute_process(COMMAND ${WORK_DIR}/build/downstream ${TABLE} ${PATIENT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "downstream failed (${rc}): ${err}")
endif()
if(NOT out MATCHES "methylprednisolone 420 mg per day")
  message(FATAL_ERROR "unexpected downstream output:\n${out}")
endif()
message(STATUS "downstream output:\n${out}")
