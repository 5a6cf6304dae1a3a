# cmake -DOUT=FILE -DDIR=docs/diagnostics -P EmbedExplanations.cmake
# Writes the diagnostics reference (docs/diagnostics/CODE.md, one entry per
# code) as a C++ initializer list {"CODE", R"(...)"} for Explanations.cpp, so
# `carepath explain` and the SARIF rules carry the same text as the docs.
file(GLOB ENTRIES ${DIR}/*.md)
list(FILTER ENTRIES EXCLUDE REGEX "/README\\.md$")
list(SORT ENTRIES)
set(body "")
foreach(entry IN LISTS ENTRIES)
  get_filename_component(code ${entry} NAME_WE)
  file(READ ${entry} text)
  string(FIND "${text}" ")cpx\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${entry} contains the raw-string terminator )cpx\"")
  endif()
  string(APPEND body "{\"${code}\", R\"cpx(${text})cpx\"},\n")
endforeach()
set(new "// Generated from docs/diagnostics/*.md by EmbedExplanations.cmake; do not edit.\n${body}")
# Rewrite only on change, so an unrelated reconfigure rebuilds nothing.
if(EXISTS ${OUT})
  file(READ ${OUT} old)
  if(old STREQUAL new)
    return()
  endif()
endif()
file(WRITE ${OUT} "${new}")
