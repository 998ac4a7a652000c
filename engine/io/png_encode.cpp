// stb_image_write behind encode_png, so its implementation is compiled exactly once.
#include "io/png_encode.hpp"

// stb's implementation does not compile clean under the project's warnings. STATIC keeps its
// functions private to this file.
#pragma GCC diagnostic push
#include "io/stb_warnings_off.hpp"
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#pragma GCC diagnostic pop

namespace memsnn {
namespace {

void append_to_string(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
}

}  // namespace

std::string encode_png(const uint8_t* pixels, int width, int height, int channels) {
  std::string png;
  if (stbi_write_png_to_func(append_to_string, &png, width, height, channels, pixels, width * channels) == 0) {
    return {};
  }
  return png;
}

}  // namespace memsnn
