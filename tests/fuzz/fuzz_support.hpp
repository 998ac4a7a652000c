// What every fuzz target shares: a private temp folder for readers that take file paths
// (made once per process, files rewritten per input), and the rule for exceptions.
//
// The rule: a parser may reject any input, but only with the project's own documented
// errors (core/error.hpp), which the apps turn into one clear line. Anything else that
// escapes (std::bad_alloc, nlohmann::json's type_error, std::out_of_range, ...) is a bug:
// it is printed and the process aborts, so libFuzzer records the input as a crash. Crashes
// and sanitizer reports fail on their own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <typeinfo>

#include <cxxabi.h>

#include "core/error.hpp"

namespace memsnn::fuzz {

// A folder under $TMPDIR (else /tmp), one per process, so parallel fuzz jobs never share
// files. Removed at a normal exit; libFuzzer ends with _Exit, so tools/sanitize.sh points
// TMPDIR into the build folder.
inline const std::filesystem::path& temp_dir() {
  static const std::filesystem::path dir = [] {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/memsnn_fuzz_XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("fuzz: mkdtemp");
      std::abort();
    }
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(temp_dir(), ec);
    });
    return std::filesystem::path(pattern);
  }();
  return dir;
}

// Writes bytes to temp_dir()/name (replacing it) and returns the path.
inline std::string write_temp(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = (temp_dir() / name).string();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || (size > 0 && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
    std::perror(("fuzz: cannot write " + path).c_str());
    std::abort();
  }
  return path;
}

inline std::string write_temp(const std::string& name, const std::string& text) {
  return write_temp(name, reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

// Runs one parse: memsnn's documented errors are fine, any other exception aborts.
template <typename F>
void expect_documented_errors(F&& parse) {
  try {
    parse();
  } catch (const ConfigError&) {
  } catch (const DataError&) {
  } catch (const BackendError&) {
  } catch (const std::exception& e) {
    int status = 0;
    char* type = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
    std::fprintf(stderr, "fuzz: undocumented exception %s escaped: %s\n", status == 0 ? type : typeid(e).name(), e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "fuzz: a non-std exception escaped\n");
    std::abort();
  }
}

}  // namespace memsnn::fuzz
