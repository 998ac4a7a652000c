// The shape every program's main() shares: parse the options, answer --help, reject stray
// arguments, run, and turn an exception into one line on stderr and an exit status
// (1: an error in the input or the run; 2: a usage error, with a pointer to --help).
#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <string>

#include <cxxopts.hpp>

#include "core/printable.hpp"

namespace memsnn {

// The time now, UTC, as 2026-12-07T21:45:00Z: the stamp the programs write into their results.
inline std::string now_text() {
  const std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A bad option value or an unknown name: exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline int app_main(const char* name, cxxopts::Options& options, int argc, char** argv,
                    const std::function<int(const cxxopts::ParseResult&)>& run) {
  cxxopts::ParseResult args;
  try {
    args = options.parse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s (see --help)\n", name, e.what());
    return 2;
  }
  if (args.count("help")) {
    std::cout << options.help() << std::endl;
    return 0;
  }
  if (!args.unmatched().empty()) {
    std::fprintf(stderr, "%s: unexpected argument '%s' (see --help)\n", name, args.unmatched()[0].c_str());
    return 2;
  }
  // Messages may quote file contents: printable() keeps them one line of text.
  try {
    return run(args);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: %s (see --help)\n", name, printable(e.what()).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", name, printable(e.what()).c_str());
    return 1;
  }
}

}  // namespace memsnn
