// PNG encoding of an 8-bit image in memory: the one place stb_image_write is compiled.
#pragma once

#include <cstdint>
#include <string>

namespace memsnn {

// `channels` 1 (grey) or 3 (RGB), rows top to bottom without padding. Returns the PNG
// bytes, or an empty string if the encoder fails.
std::string encode_png(const uint8_t* pixels, int width, int height, int channels);

}  // namespace memsnn
