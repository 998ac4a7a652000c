// image_truncation: the pixel bytes a BMP or PNM header promises, and the end marker and the
// Huffman tables of a JPEG.
#include "io/image_complete.hpp"

#include <cctype>
#include <cstdint>
#include <cstdlib>

#include "core/printable.hpp"

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
    // stb_image reads these numbers into an int without an overflow check (found by
    // fuzz_image); Netpbm's own limit for maxval is 65535, and no side we accept is larger.
    if (field > 65535) {
      return std::string("corrupt ") + (b[1] == '6' ? "PPM" : "PGM") + " header: a number larger than 65535";
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

// The Huffman tables (DHT segments, before and between scans) and the scans' choice of them
// (SOS), as stb_image's JPEG decoder (2.27, as Debian ships it) would use them:
// - it writes a table's code lengths into a 257-entry array without checking that the 16
//   counts sum to at most 256, so a damaged table writes past it (found by fuzz_image). A
//   JPEG table holds at most 256 codes (ITU-T T.81, B.2.4.2); more is a corrupt file.
// - it decodes a scan with whichever table the scan names, defined or not, and its tables
//   are uninitialised memory until a DHT fills them: a scan naming a table that no DHT before
//   it defined reads garbage and indexes past the symbol arrays (found by fuzz_image).
//   T.81 (B.2.3) requires the tables to be defined before the scan that uses them.
// The walk follows the decoder: segments are skipped by their length, and bytes that are not
// a marker (scan data, junk) are passed over up to the next marker.
std::string jpeg_table_defect(std::string_view b) {
  const auto byte = [&b](size_t at) { return static_cast<uint32_t>(static_cast<uint8_t>(b[at])); };
  const auto byte_or_0 = [&](size_t k) { return k < b.size() ? byte(k) : 0u; };
  bool defined[2][4] = {};  // [DC 0, AC 1][table 0..3]
  size_t at = 2;  // after SOI
  while (at + 1 < b.size()) {
    const uint32_t marker = byte(at + 1);
    if (byte(at) != 0xFF || marker == 0xFF) {  // not a marker yet, or a fill byte
      ++at;
      continue;
    }
    // A stuffed FF in scan data, a restart marker, TEM or SOI: no segment follows.
    if (marker == 0x00 || marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
      at += 2;
      continue;
    }
    if (marker == 0xD9 || at + 4 > b.size()) return "";  // the end
    const size_t length = byte(at + 2) << 8 | byte(at + 3);
    if (length < 2) return "";  // stb_image reports it
    const size_t end = at + 2 + length;
    if (marker == 0xC4) {
      // As the decoder reads it: tables while the segment's length lasts, even when the last
      // one runs past the segment; bytes past the file read as 0.
      for (size_t t = at + 4, left = length - 2; left > 0 && t < b.size();) {
        uint32_t codes = 0;
        for (size_t i = 1; i <= 16; ++i) codes += byte_or_0(t + i);
        if (codes > 256) {
          return "corrupt JPEG: a Huffman table defines " + std::to_string(codes) + " codes, at most 256";
        }
        const uint32_t kind = byte(t) >> 4, slot = byte(t) & 15;
        if (kind <= 1 && slot <= 3) defined[kind][slot] = true;  // the decoder refuses other headers
        if (left <= 17 + codes) break;
        left -= 17 + codes;
        t += 17 + codes;
      }
    }
    if (marker == 0xDA && at + 5 <= b.size()) {
      // Ns components, each (id, DC table << 4 | AC table), then Ss, Se, Ah << 4 | Al. A DC
      // scan (Ss = 0) decodes with the DC tables, a scan with Se > 0 with the AC tables.
      const size_t n = byte(at + 4);
      const size_t spectral = at + 5 + 2 * n;
      if (spectral + 1 < b.size()) {
        const bool dc = byte(spectral) == 0, ac = byte(spectral + 1) > 0;
        for (size_t c = 0; c < n; ++c) {
          const uint32_t tables = byte(at + 6 + 2 * c);
          if (dc && (tables >> 4) <= 3 && !defined[0][tables >> 4]) {
            return "corrupt JPEG: a scan uses DC Huffman table " + std::to_string(tables >> 4) + ", which no table before it defines";
          }
          if (ac && (tables & 15) <= 3 && !defined[1][tables & 15]) {
            return "corrupt JPEG: a scan uses AC Huffman table " + std::to_string(tables & 15) + ", which no table before it defines";
          }
        }
      }
    }
    at = end;
  }
  return "";
}

constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);

bool is_png(std::string_view b) { return b.substr(0, kPngSignature.size()) == kPngSignature; }

// One chunk of a PNG: 4-byte big-endian length, 4-byte type, the data, 4-byte CRC.
struct PngChunk {
  size_t at = 0;        // where its length field starts
  uint64_t length = 0;  // of its data
  std::string_view type;
  bool complete = false;  // whether the file holds all of it; the walk ends after one that is not
};

// Calls f for each chunk after the signature whose length and type are in the file, up to
// IEND (decoders ignore what follows it).
template <class F>
void for_each_png_chunk(std::string_view b, F&& f) {
  for (size_t at = kPngSignature.size(); at + 8 <= b.size();) {
    PngChunk c;
    c.at = at;
    for (size_t i = 0; i < 4; ++i) c.length = c.length << 8 | static_cast<uint8_t>(b[at + i]);
    c.type = b.substr(at + 4, 4);
    c.complete = 12 + c.length <= b.size() - at;
    f(c);
    if (!c.complete || c.type == "IEND") return;
    at += 12 + c.length;
  }
}

// A chunk longer than the rest of the file: stb_image (2.27) grows its data buffer to the
// claimed length before reading, so a 100-byte file can make it allocate 2 GB (found by
// fuzz_image). Such a file is damaged or cut short whatever its header says.
std::string png_chunk_defect(std::string_view b) {
  std::string why;
  for_each_png_chunk(b, [&](const PngChunk& c) {
    if (c.complete) return;
    const uint64_t left = b.size() - c.at - 8;
    why = "corrupt or truncated PNG: its '" + printable(c.type) + "' chunk at byte " + std::to_string(c.at) +
          " claims " + std::to_string(c.length) + " data bytes, and " + std::to_string(left) + " remain";
  });
  return why;
}

}  // namespace

std::string image_truncation(std::string_view bytes) {
  if (is_png(bytes)) return png_chunk_defect(bytes);
  if (bytes.size() >= 2 && bytes[0] == 'B' && bytes[1] == 'M') return bmp_truncation(bytes);
  if (bytes.size() >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '6')) return pnm_truncation(bytes);
  // A JPEG starts with SOI, FF D8, which stb_image also takes after extra FF fill bytes.
  const size_t soi = bytes.find_first_not_of('\xFF');
  if (soi >= 1 && soi != std::string_view::npos && static_cast<uint8_t>(bytes[soi]) == 0xD8) {
    const std::string table = jpeg_table_defect(bytes.substr(soi - 1));
    return table.empty() ? jpeg_truncation(bytes) : table;
  }
  return "";
}

std::string image_decoder_hazard(std::string_view bytes) {
  std::string why = image_truncation(bytes);
  return why.rfind("corrupt ", 0) == 0 ? why : std::string();
}

std::string png_without_empty_data_chunks(std::string_view bytes) {
  if (!is_png(bytes)) return "";
  std::string kept(bytes.substr(0, kPngSignature.size()));
  bool dropped = false;
  size_t rest = kPngSignature.size();  // the first byte not yet kept or dropped
  for_each_png_chunk(bytes, [&](const PngChunk& c) {
    if (!c.complete) return;  // a damaged tail is passed on as it is, for the decoder to report
    if (c.length == 0 && c.type == "IDAT") {
      dropped = true;
    } else {
      kept.append(bytes.substr(c.at, 12 + c.length));
    }
    rest = c.at + 12 + c.length;
  });
  if (!dropped) return "";
  kept.append(bytes.substr(rest));
  return kept;
}

}  // namespace memsnn
