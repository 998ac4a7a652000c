// Fuzz target: snn_crossbar's input file (rows, cols, wire resistances, G, inputs; see
// docs/crossbar.md), through the app's own reader read_problem().
//
// The reader lives in apps/snn_crossbar.cpp's anonymous namespace, so the app's source is
// compiled into this file with its main() renamed; nothing in the app changes. The headers
// it includes come first, so the rename touches only the app's own main().
// TODO: when the reader moves into the engine as a library function, call that instead.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include "apps/app_main.hpp"
#include "backend/cuda_probe.hpp"
#include "crossbar/crossbar_solve.hpp"
#include "crossbar/spice_netlist.hpp"
#include "io/atomic_file.hpp"
#include "fuzz_support.hpp"

#define main snn_crossbar_main
#include "apps/snn_crossbar.cpp"
#undef main

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = memsnn::fuzz::write_temp("crossbar.json", data, size);
  memsnn::fuzz::expect_documented_errors([&] { read_problem(path); });
  return 0;
}
