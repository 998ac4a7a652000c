// image_truncation: the pixel bytes a BMP or PNM header promises, and the end marker of a JPEG.
#include "io/image_complete.hpp"

#include <cctype>
#include <cstdint>
#include <cstdlib>

namespace memsnn {
namespace {

uint32_t u16_le(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) | static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 8;
}
uint32_t u32_le(std::string_view b, size_t at) { return u16_le(b, at) | u16_le(b, at + 2) << 16; }

std::string short_by(const char* format, uint64_t have, uint64_t need) {
  return std::string("truncated ") + format + ": " + std::to_string(have) + " of the " + std::to_string(need) +
         " bytes its header promises";
}

// Uncompressed (BI_RGB) and bit-field BMPs, the kinds stb_image reads: rows padded to 4 bytes
// from the pixel offset on.
std::string bmp_truncation(std::string_view b) {
  if (b.size() < 26) return "truncated BMP header";
  const uint64_t offset = u32_le(b, 10);
  const uint32_t header = u32_le(b, 14);
  uint64_t width = 0, height = 0, bits = 0;
  if (header == 12) {
    width = u16_le(b, 18);
    height = u16_le(b, 20);
    bits = u16_le(b, 24);
  } else {
    if (b.size() < 34) return "truncated BMP header";
    const uint32_t compression = u32_le(b, 30);
    if (compression != 0 && compression != 3) return "";  // stb_image refuses these itself
    width = static_cast<uint64_t>(std::llabs(static_cast<int32_t>(u32_le(b, 18))));
    height = static_cast<uint64_t>(std::llabs(static_cast<int32_t>(u32_le(b, 22))));
    bits = u16_le(b, 28);
  }
  const uint64_t need = offset + (width * bits + 31) / 32 * 4 * height;
  return b.size() < need ? short_by("BMP", b.size(), need) : "";
}

// Binary PGM (P5) and PPM (P6): "P5", width, height, maxval separated by white space and
// '#' comments, one white-space byte, then the samples (two bytes each when maxval > 255).
std::string pnm_truncation(std::string_view b) {
  size_t at = 2;
  uint64_t fields[3] = {0, 0, 0};
  for (uint64_t& field : fields) {
    while (at < b.size() && (std::isspace(static_cast<unsigned char>(b[at])) || b[at] == '#')) {
      if (b[at] == '#') {
        while (at < b.size() && b[at] != '\n' && b[at] != '\r') ++at;
      } else {
        ++at;
      }
    }
    if (at >= b.size() || !std::isdigit(static_cast<unsigned char>(b[at]))) return "";  // stb_image reports it
    while (at < b.size() && std::isdigit(static_cast<unsigned char>(b[at])) && field < (uint64_t{1} << 32)) {
      field = field * 10 + static_cast<uint64_t>(b[at++] - '0');
    }
  }
  const uint64_t channels = b[1] == '6' ? 3 : 1;
  const uint64_t need = at + 1 + fields[0] * fields[1] * channels * (fields[2] > 255 ? 2 : 1);
  return b.size() < need ? short_by(b[1] == '6' ? "PPM" : "PGM", b.size(), need) : "";
}

// Every JPEG ends with the EOI marker FF D9; in the compressed data a literal FF is always
// followed by 00, so finding FF D9 near the end means the data ran to its end.
std::string jpeg_truncation(std::string_view b) {
  constexpr size_t kTail = 1024;  // room for padding some writers add after EOI
  const size_t from = b.size() > kTail ? b.size() - kTail : 2;
  const std::string_view tail = b.substr(from);
  return tail.find("\xFF\xD9") == std::string_view::npos ? "truncated JPEG: no end-of-image marker" : "";
}

}  // namespace

std::string image_truncation(std::string_view bytes) {
  if (bytes.size() >= 2 && bytes[0] == 'B' && bytes[1] == 'M') return bmp_truncation(bytes);
  if (bytes.size() >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '6')) return pnm_truncation(bytes);
  if (bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0xFF && static_cast<uint8_t>(bytes[1]) == 0xD8) {
    return jpeg_truncation(bytes);
  }
  return "";
}

}  // namespace memsnn
