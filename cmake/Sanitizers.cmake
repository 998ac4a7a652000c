# Sanitizer and fuzzing builds (docs/testing.md; tools/sanitize.sh drives both at once).
# - MEMSNN_SANITIZE: every target with AddressSanitizer and UndefinedBehaviorSanitizer; the
#   first report aborts (-fno-sanitize-recover=all), so a test or fuzz run cannot pass over it.
#   float-cast-overflow (a double too large for its integer type) is part of clang's
#   `undefined` but not of g++'s, so it is named.
# - MEMSNN_FUZZ: libFuzzer targets in tests/fuzz/, clang only. The libraries they fuzz get
#   coverage instrumentation (fuzzer-no-link, set on memsnn_engine and memsnn in the top
#   CMakeLists.txt; tests and apps go without, it only slows their build); only the fuzz
#   targets link libFuzzer's main, so the same libraries serve the tests and the fuzzers.
option(MEMSNN_SANITIZE "Build everything with -fsanitize=address,undefined" OFF)
option(MEMSNN_FUZZ "Build the libFuzzer targets in tests/fuzz (clang only)" OFF)

if(MEMSNN_SANITIZE)
  set(_memsnn_san -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all)
  add_compile_options("$<$<COMPILE_LANGUAGE:CXX>:${_memsnn_san};-fno-omit-frame-pointer>")
  # libstdc++ marks a vector's spare capacity for ASan: a read past size() but inside the
  # allocation (a reader's buffer grown in chunks) is then a container-overflow report.
  add_compile_definitions($<$<COMPILE_LANGUAGE:CXX>:_GLIBCXX_SANITIZE_VECTOR>)
  add_link_options("$<$<LINK_LANGUAGE:CXX>:${_memsnn_san}>")
  message(STATUS "memsnn: sanitizers ON (address, undefined, float-cast-overflow)")
endif()

set(MEMSNN_FUZZ_ACTIVE OFF)
if(MEMSNN_FUZZ)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    set(MEMSNN_FUZZ_ACTIVE ON)
    message(STATUS "memsnn: libFuzzer targets ON (tests/fuzz)")
  else()
    message(WARNING "memsnn: MEMSNN_FUZZ needs clang (libFuzzer); fuzz targets skipped with ${CMAKE_CXX_COMPILER_ID}")
  endif()
endif()
