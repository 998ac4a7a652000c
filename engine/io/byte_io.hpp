// Little-endian binary files: a writer and a reader of fixed-width values (the same bytes
// whatever the host's byte order), zlib's CRC-32 over any length, and reading a whole file
// with errors that name it. Used by the checkpoint formats.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace memsnn {

// zlib's crc32 takes a 32-bit length; feed large buffers in pieces.
inline uint32_t crc_of(const char* data, size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  constexpr size_t kChunk = size_t{1} << 30;
  while (n > 0) {
    const size_t step = std::min(n, kChunk);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(step));
    data += step;
    n -= step;
  }
  return static_cast<uint32_t>(crc);
}

// Appends fixed-width values little-endian byte by byte, so the file is the same whatever
// the host byte order.
class ByteWriter {
 public:
  void reserve(size_t n) { out_.reserve(n); }
  void raw(std::string_view s) { out_.append(s); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void i32(int32_t v) { put(static_cast<uint32_t>(v), 4); }
  void f32(float v) { put(std::bit_cast<uint32_t>(v), 4); }
  void f64(double v) { put(std::bit_cast<uint64_t>(v), 8); }
  std::string& bytes() { return out_; }

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>(static_cast<uint8_t>(v >> (8 * i))));
  }
  std::string out_;
};

// Reads little-endian values; callers check remaining() before each section so that the
// error can say which section is short.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  size_t pos() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  std::string_view raw(size_t n) {
    std::string_view s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  uint32_t u32() { return static_cast<uint32_t>(get(4)); }
  uint64_t u64() { return get(8); }
  int32_t i32() { return static_cast<int32_t>(static_cast<uint32_t>(get(4))); }
  float f32() { return std::bit_cast<float>(static_cast<uint32_t>(get(4))); }
  double f64() { return std::bit_cast<double>(get(8)); }

 private:
  uint64_t get(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t{static_cast<uint8_t>(bytes_[pos_ + i])} << (8 * i);
    pos_ += static_cast<size_t>(n);
    return v;
  }
  std::string_view bytes_;
  size_t pos_ = 0;
};

// The whole of a file; DataError "<path>: cannot open <what>: <reason>" (or read).
inline std::string read_binary_file(const std::string& path, const std::string& what) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw DataError(path + ": cannot open " + what + ": " + std::strerror(errno));
  std::string bytes;
  char buf[1 << 16];
  size_t got = 0;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.append(buf, got);
  const bool bad = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (bad) throw DataError(path + ": cannot read " + what + ": " + std::strerror(err));
  return bytes;
}

}  // namespace memsnn
