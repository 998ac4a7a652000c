// Reading one picture file (PNG, JPEG, BMP, PGM/PPM) as 8-bit grey levels: the one place
// stb_image is compiled. Colour becomes luminance and transparency is laid over white, so a
// drawing on a transparent background reads as it looks in a viewer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace memsnn {

// Larger pictures are refused before decoding: a digit needs far less, and the limit keeps a
// hostile header from asking for gigabytes.
constexpr int kMaxImageSide = 8192;

struct GreyImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // row-major, top row first, 0 black .. 255 white
  uint8_t at(int x, int y) const { return pixels[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)]; }
};

// Decodes the bytes of a file; `name` only labels errors. Throws DataError "<name>: ..." for
// an unknown format, a corrupt or truncated file, or a side above kMaxImageSide.
GreyImage decode_grey_image(std::string_view bytes, const std::string& name);

// Reads and decodes `path`; a missing or unreadable file is a DataError naming it.
GreyImage read_grey_image(const std::string& path);

// Luminance of an sRGB pixel as JPEG and PIL's convert("L") take it (ITU-R BT.601 weights,
// on the stored values), rounded.
uint8_t luminance(uint8_t r, uint8_t g, uint8_t b);

}  // namespace memsnn
