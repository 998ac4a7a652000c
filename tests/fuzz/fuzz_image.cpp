// Fuzz target: a picture file for snn_infer (io/image_read.hpp decode_grey_image: PNG, JPEG,
// BMP, PGM/PPM through stb_image, with the project's size limit and truncation checks), and
// when it decodes, the MNIST preprocessing that follows (data/digit_image.hpp mnist_digit).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "data/digit_image.hpp"
#include "fuzz_support.hpp"
#include "io/image_read.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  memsnn::fuzz::expect_documented_errors([&] {
    const memsnn::GreyImage picture = memsnn::decode_grey_image(bytes, "fuzz input");
    (void)memsnn::mnist_digit(picture);
  });
  return 0;
}
