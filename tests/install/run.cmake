# ctest script (tests/runtime/CMakeLists.txt): installs the build tree into a
# fresh prefix; compiles the ANEC table with the installed carepath; builds
# three consumers against the prefix alone (C with cc and pkg-config, C++17
# on the C API and C++20 on the C++ API through find_package), runs each on
# the table and a patient and checks the dose it prints.
file(REMOVE_RECURSE ${WORK_DIR})
set(PREFIX ${WORK_DIR}/prefix)
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX} RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
foreach(f bin/carepath include/carepath/Table.h include/carepath/carepath.h include/carepath/Rational.h
          include/carepath/Rules.h include/carepath/CxxApi.h
          share/carepath/stdlib/units.care share/carepath/schema/carepath-table.schema.json)
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
if(NOT rc EQUAL 1 OR NOT err MATCHES "(^|\n)stdlib/drugs.care:[0-9]+:9: error: .30 mg/h. is a rate")
  message(FATAL_ERROR "installed carepath did not read its own stdlib (${rc}):\n${err}")
endif()
file(WRITE ${drugs} "${text}")

# The shared library: its SONAME from the project version, the C API and
# nothing else exported, every dependency of its own recorded.
file(GLOB libs ${PREFIX}/lib*/libcarepath.so)
list(LENGTH libs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one libcarepath.so in ${PREFIX}, found: ${libs}")
endif()
get_filename_component(LIBDIR ${libs} DIRECTORY)
execute_process(COMMAND ${PREFIX}/bin/carepath --version OUTPUT_VARIABLE version_line RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT version_line MATCHES "^carepath ([0-9]+)\\.([0-9]+)\\.([0-9]+)")
  message(FATAL_ERROR "carepath --version: ${version_line}")
endif()
set(version ${CMAKE_MATCH_1}.${CMAKE_MATCH_2}.${CMAKE_MATCH_3})
if(CMAKE_MATCH_1 EQUAL 0)
  set(soname libcarepath.so.0.${CMAKE_MATCH_2})
else()
  set(soname libcarepath.so.${CMAKE_MATCH_1})
endif()
execute_process(COMMAND readelf -d ${libs} OUTPUT_VARIABLE dynamic RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT dynamic MATCHES "Library soname: \\[${soname}\\]" OR NOT dynamic MATCHES "NEEDED.*libstdc\\+\\+")
  message(FATAL_ERROR "libcarepath.so: expected SONAME ${soname} and libstdc++ needed:\n${dynamic}")
endif()
# Signed tables: libcrypto is the library's own dependency (docs/runtime.md, "Linking").
if(NOT dynamic MATCHES "NEEDED[^\n]*libcrypto\\.so")
  message(FATAL_ERROR "libcarepath.so: libcrypto not recorded as needed:\n${dynamic}")
endif()
if(NOT EXISTS ${LIBDIR}/${soname})
  message(FATAL_ERROR "not installed: ${LIBDIR}/${soname}")
endif()
execute_process(COMMAND nm -D --defined-only ${libs} OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
string(REGEX MATCHALL "[^\n]+" symbols "${symbols}")
set(exported 0)
foreach(line IN LISTS symbols)
  if(line MATCHES " T carepath_")
    math(EXPR exported "${exported} + 1")
  elseif(NOT line MATCHES " A ")  # the version node (local: *) is an absolute symbol
    message(FATAL_ERROR "libcarepath.so exports more than the C API: ${line}")
  endif()
endforeach()
if(exported LESS 30)
  message(FATAL_ERROR "libcarepath.so exports ${exported} C API functions only")
endif()

# A sanitizer build installs an instrumented library: its consumers must
# link the sanitizer runtimes too.
set(flags "")
set(cflags "")
if(SANITIZE)
  set(flags -DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined)
  set(cflags -fsanitize=address,undefined)
endif()

# The table, compiled by the installed carepath.
set(TABLE ${WORK_DIR}/anec.table.json)
execute_process(COMMAND ${carepath} compile ${SOURCE_DIR}/protocols/anec.care -o ${TABLE}
                WORKING_DIRECTORY ${WORK_DIR} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "installed carepath compile failed (${rc}):\n${err}")
endif()

# Runs a consumer on the table and the patient; it must print the dose.
function(expect_dose what)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${LIBDIR} ${ARGN} ${TABLE} ${PATIENT}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}): ${err}")
  endif()
  if(NOT out MATCHES "(^|\n)methylprednisolone 420 mg per day")
    message(FATAL_ERROR "unexpected ${what} output:\n${out}")
  endif()
  message(STATUS "${what} output:\n${out}")
  set(out "${out}" PARENT_SCOPE)
endfunction()

# (a) C: the compiler driver and pkg-config, nothing else; no C++ linker.
execute_process(COMMAND ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${LIBDIR}/pkgconfig pkg-config --modversion carepath
                OUTPUT_VARIABLE pcversion OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT pcversion STREQUAL version)
  message(FATAL_ERROR "pkg-config --modversion carepath: '${pcversion}', carepath --version: ${version}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${LIBDIR}/pkgconfig
                        sh -c "cc -std=c99 -Wall -Wextra -pedantic -Werror ${cflags} '${SOURCE_DIR}/tests/install/consumer.c' -o consumer $(pkg-config --cflags --libs carepath)"
                WORKING_DIRECTORY ${WORK_DIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cc with pkg-config failed:\n${out}")
endif()
expect_dose("C consumer" ${WORK_DIR}/consumer)
if(NOT out MATCHES "^runtime ${version}, protocol anec, ")
  message(FATAL_ERROR "C consumer: the runtime's version is not ${version}:\n${out}")
endif()

# (b), (c) C++17 on the C API and C++20 on the C++ API, through find_package.
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
expect_dose("C++17 consumer" ${WORK_DIR}/build/downstream_cxx17)
expect_dose("C++20 consumer" ${WORK_DIR}/build/downstream_cxx20)

# (d) JavaScript: the installed npm package folder under Node, nothing else
# (built when em++ is found: JS_PACKAGE is then ON).
if(JS_PACKAGE)
  if(NOT EXISTS ${PREFIX}/share/carepath/js/package.json OR NOT EXISTS ${PREFIX}/share/carepath/js/carepath-wasm.mjs)
    message(FATAL_ERROR "not installed: the JavaScript package (share/carepath/js)")
  endif()
  expect_dose("JavaScript consumer" ${NODE} ${SOURCE_DIR}/tests/install/consumer.mjs ${PREFIX}/share/carepath/js)
endif()

# The C++ API from C++17, without CMake: a clear error, not a page of them.
file(WRITE ${WORK_DIR}/cxx17.cpp "#include <carepath/Table.h>\n")
execute_process(COMMAND c++ -std=c++17 -fsyntax-only -I${PREFIX}/include ${WORK_DIR}/cxx17.cpp
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0 OR NOT out MATCHES "carepath's C\\+\\+ API \\(carepath/Table.h\\) needs C\\+\\+20; from C or an older C\\+\\+ use the C API")
  message(FATAL_ERROR "the C++ API under C++17 did not say it needs C++20 (${rc}):\n${out}")
endif()
