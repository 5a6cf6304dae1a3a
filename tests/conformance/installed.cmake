# ctest script (tests/conformance/CMakeLists.txt): installs the build tree
# into a fresh prefix, compiles the installed conformance suite's protocols
# with the installed carepath, and runs the suite with the installed Python
# binding, which must find the installed libcarepath.so by itself.
file(REMOVE_RECURSE ${WORK_DIR})
set(PREFIX ${WORK_DIR}/prefix)
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX} RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
set(SUITE ${PREFIX}/share/carepath/conformance)
file(MAKE_DIRECTORY ${WORK_DIR}/tables)
foreach(f README.md conformance.py crosscheck.py cases/policies.json protocols/policies.care)
  if(NOT EXISTS ${SUITE}/${f})
    message(FATAL_ERROR "not installed: share/carepath/conformance/${f}")
  endif()
endforeach()
foreach(p policies dosing errors choices course joint)
  set(force)
  if(p STREQUAL "errors")
    set(force --force)
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=CAREPATH_STDLIB
                          ${PREFIX}/bin/carepath compile ${force} ${SUITE}/protocols/${p}.care -o ${WORK_DIR}/tables/${p}.table.json
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "installed carepath compile ${p}.care failed (${rc}):\n${err}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=CAREPATH_LIBRARY --unset=LD_LIBRARY_PATH PYTHONDONTWRITEBYTECODE=1
                        PYTHONPATH=${PREFIX}/lib/python3/dist-packages
                        ${PYTHON} ${SUITE}/conformance.py check ${WORK_DIR}/tables
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "[1-9][0-9]* passed, 0 failed")
  message(FATAL_ERROR "the installed suite with the installed Python binding (${rc}):\n${out}\n${err}")
endif()
message(STATUS "${out}")
