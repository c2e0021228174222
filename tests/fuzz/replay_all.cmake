# fuzz_replay_test: writes the seed corpus, then runs every target over its seeds and its
# committed regression inputs (regressions/<target>/). Any broken property or sanitizer report
# fails the test. TARGETS is a list of name=binary.
file(REMOVE_RECURSE ${CORPUS})
execute_process(COMMAND ${SEEDS} ${CORPUS} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "fuzz_seeds failed (${rc})")
endif()
# The importer's own test fixture is a real archive excerpt: a good seed as it stands.
file(COPY ${LEGACY_FIXTURE} DESTINATION ${CORPUS}/legacy_record)

foreach(pair IN LISTS TARGETS)
  string(REPLACE "=" ";" parts "${pair}")
  list(GET parts 0 name)
  list(GET parts 1 binary)
  set(inputs ${CORPUS}/${name})
  if(IS_DIRECTORY ${REGRESSIONS}/${name})
    list(APPEND inputs ${REGRESSIONS}/${name})
  endif()
  if(NOT IS_DIRECTORY ${CORPUS}/${name})
    message(FATAL_ERROR "no seeds for fuzz target ${name}")
  endif()
  if(LIBFUZZER)
    # A libFuzzer binary runs each input once with -runs=0 and fuzzes nothing.
    execute_process(COMMAND ${binary} -runs=0 ${inputs} RESULT_VARIABLE rc)
  else()
    execute_process(COMMAND ${binary} ${inputs} RESULT_VARIABLE rc)
  endif()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "fuzz target ${name} failed on its seeds or regressions (${rc})")
  endif()
  message(STATUS "fuzz target ${name}: seeds and regressions replayed")
endforeach()
