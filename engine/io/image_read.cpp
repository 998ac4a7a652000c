// stb_image behind decode_grey_image, so its implementation is compiled exactly once, and only
// for the four formats snn_infer documents (less decoder code exposed to untrusted files).
#include "io/image_read.hpp"

#include <fstream>
#include <iterator>
#include <memory>

#include "core/error.hpp"
#include "io/image_complete.hpp"

// stb's implementation does not compile clean under the project's warnings. STATIC keeps its
// functions private to this file.
#pragma GCC diagnostic push
#include "io/stb_warnings_off.hpp"
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_PNM
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_MAX_DIMENSIONS 8192
#include <stb_image.h>
#pragma GCC diagnostic pop

namespace memsnn {

static_assert(kMaxImageSide == STBI_MAX_DIMENSIONS, "the documented limit is the decoder's");

namespace {

struct StbFree {
  void operator()(stbi_uc* p) const { stbi_image_free(p); }
};

// Lays a grey level with opacity `alpha` over white.
uint8_t over_white(uint32_t grey, uint32_t alpha) {
  return static_cast<uint8_t>((grey * alpha + 255u * (255u - alpha) + 127u) / 255u);
}

}  // namespace

uint8_t luminance(uint8_t r, uint8_t g, uint8_t b) {
  return static_cast<uint8_t>((299u * r + 587u * g + 114u * b + 500u) / 1000u);
}

GreyImage decode_grey_image(std::string_view bytes, const std::string& name) {
  if (bytes.empty()) throw DataError(name + ": empty file, not an image");
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) throw DataError(name + ": file too large for an image");
  // Before stb_image reads anything (even its header pass reads JPEG tables).
  const std::string hazard = image_decoder_hazard(bytes);
  if (!hazard.empty()) throw DataError(name + ": " + hazard);
  const std::string png_kept = png_without_empty_data_chunks(bytes);
  if (!png_kept.empty()) bytes = png_kept;
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int length = static_cast<int>(bytes.size());
  int width = 0, height = 0, channels = 0;
  // The header first: refuse a huge picture by its claimed size, before any allocation.
  if (stbi_info_from_memory(data, length, &width, &height, &channels) == 0) {
    throw DataError(name + ": not a PNG, JPEG, BMP or PGM/PPM image, or its header is corrupt (" +
                    stbi_failure_reason() + ")");
  }
  if (width > kMaxImageSide || height > kMaxImageSide || width <= 0 || height <= 0) {
    throw DataError(name + ": image of " + std::to_string(width) + "x" + std::to_string(height) +
                    " pixels is larger than the limit of " + std::to_string(kMaxImageSide) + "x" +
                    std::to_string(kMaxImageSide));
  }
  const std::string short_file = image_truncation(bytes);
  if (!short_file.empty()) throw DataError(name + ": " + short_file);
  std::unique_ptr<stbi_uc, StbFree> decoded(stbi_load_from_memory(data, length, &width, &height, &channels, 0));
  if (!decoded) throw DataError(name + ": corrupt or truncated image (" + stbi_failure_reason() + ")");

  GreyImage image;
  image.width = width;
  image.height = height;
  const size_t n = static_cast<size_t>(width) * static_cast<size_t>(height);
  image.pixels.resize(n);
  const stbi_uc* p = decoded.get();
  for (size_t i = 0; i < n; ++i, p += channels) {
    switch (channels) {
      case 1: image.pixels[i] = p[0]; break;
      case 2: image.pixels[i] = over_white(p[0], p[1]); break;
      case 3: image.pixels[i] = luminance(p[0], p[1], p[2]); break;
      default: image.pixels[i] = over_white(luminance(p[0], p[1], p[2]), p[3]); break;
    }
  }
  return image;
}

GreyImage read_grey_image(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open the image file (missing or unreadable)");
  const std::string bytes{std::istreambuf_iterator<char>(in), {}};
  if (in.bad()) throw DataError(path + ": read error");
  return decode_grey_image(bytes, path);
}

}  // namespace memsnn
