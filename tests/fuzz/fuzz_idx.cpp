// Fuzz target: an IDX image file and its label file (data/dataset.hpp read_idx), raw or
// gzip. One input holds both, images first: it is split at the first labels magic
// (00 00 08 01) after the images' own magic, so `cat images labels` is a valid input.
// Without that magic the labels file is empty.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "data/dataset.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr std::array<uint8_t, 4> kLabelsMagic = {0x00, 0x00, 0x08, 0x01};
  const uint8_t* end = data + size;
  const uint8_t* split = size > 4 ? std::search(data + 4, end, kLabelsMagic.begin(), kLabelsMagic.end()) : end;
  const std::string images = memsnn::fuzz::write_temp("images-idx3-ubyte", data, static_cast<size_t>(split - data));
  const std::string labels = memsnn::fuzz::write_temp("labels-idx1-ubyte", split, static_cast<size_t>(end - split));
  memsnn::fuzz::expect_documented_errors([&] { memsnn::read_idx(images, labels); });
  return 0;
}
