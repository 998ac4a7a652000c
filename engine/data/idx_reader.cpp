// IDX reader for MNIST-style data sets (MNIST, Fashion-MNIST), raw or gzip-compressed.
// Every failure is a DataError of one line that names the file and what is wrong with it.
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "data/dataset.hpp"

namespace memsnn {
namespace {

constexpr uint32_t kImagesMagic = 0x00000803;  // unsigned byte data, 3 dimensions
constexpr uint32_t kLabelsMagic = 0x00000801;  // unsigned byte data, 1 dimension
constexpr size_t kImagesHeaderBytes = 16;      // magic, n, rows, cols
constexpr size_t kLabelsHeaderBytes = 8;       // magic, n
// Largest image side accepted: far beyond any IDX data set (MNIST 28, ImageNet-sized 4096),
// small enough that rows x cols x n fits 64 bits for every 32-bit n.
constexpr uint32_t kMaxImageSide = 16384;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw DataError(path + ": " + what);
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

uint32_t big_endian_u32(const std::vector<uint8_t>& bytes, size_t offset) {
  return (uint32_t{bytes[offset]} << 24) | (uint32_t{bytes[offset + 1]} << 16) |
         (uint32_t{bytes[offset + 2]} << 8) | uint32_t{bytes[offset + 3]};
}

// zlib's error text, without the "<path>: " prefix zlib puts in front (we add our own).
std::string gz_message(gzFile gz, const std::string& path, int* code) {
  std::string msg = gzerror(gz, code);
  const std::string prefix = path + ": ";
  if (msg.compare(0, prefix.size(), prefix) == 0) msg.erase(0, prefix.size());
  return msg;
}

// Whole file, decompressed. zlib's gzread passes non-gzip files through unchanged, so the
// format is decided by the content (gzip magic 1f 8b), never by the file name.
std::vector<uint8_t> read_all(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(path, "file not found");
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a folder, expected a file");

  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) fail(path, std::string("cannot open: ") + std::strerror(errno));
  gzbuffer(gz, 1u << 18);

  std::vector<uint8_t> bytes;
  constexpr size_t kChunk = size_t{1} << 20;
  for (;;) {
    const size_t old = bytes.size();
    bytes.resize(old + kChunk);
    const int got = gzread(gz, bytes.data() + old, static_cast<unsigned>(kChunk));
    if (got < 0) {
      int code = 0;
      const std::string msg = gz_message(gz, path, &code);
      gzclose(gz);
      fail(path, "corrupt or truncated gzip data: " + msg);
    }
    bytes.resize(old + static_cast<size_t>(got));
    if (got == 0) break;
  }
  // A gzip stream cut short reads as a short file plus an error flag; report it as such.
  int code = 0;
  const std::string msg = gz_message(gz, path, &code);
  gzclose(gz);
  if (code != Z_OK && code != Z_STREAM_END) fail(path, "corrupt or truncated gzip data: " + msg);
  return bytes;
}

// Checks the magic first (so a swapped images/labels file is reported as such, not as a
// short header), then the rest of the header.
void check_header(const std::string& path, const std::vector<uint8_t>& bytes, uint32_t magic,
                  size_t header_bytes, const char* kind) {
  if (bytes.size() < 4) {
    fail(path, "truncated header: expected " + std::to_string(header_bytes) + " bytes, got " +
                   std::to_string(bytes.size()));
  }
  const uint32_t found = big_endian_u32(bytes, 0);
  if (found != magic) {
    fail(path, "wrong magic: expected " + hex32(magic) + " (IDX " + kind + "), found " +
                   hex32(found));
  }
  if (bytes.size() < header_bytes) {
    fail(path, "truncated header: expected " + std::to_string(header_bytes) + " bytes, got " +
                   std::to_string(bytes.size()));
  }
}

// The payload must be exactly `expected` bytes: short means truncated, long means the
// header and data disagree (wrong file or a bad concatenation), both worth refusing.
void check_payload(const std::string& path, uint64_t expected, uint64_t got, const char* unit) {
  if (got < expected) {
    fail(path, "truncated: expected " + std::to_string(expected) + " " + unit + " bytes, got " +
                   std::to_string(got));
  }
  if (got > expected) {
    fail(path, "trailing bytes: expected " + std::to_string(expected) + " " + unit +
                   " bytes, found " + std::to_string(got) + " (" +
                   std::to_string(got - expected) + " extra)");
  }
}

// "<folder>/<name>" if present, else "<folder>/<name>.gz"; the error names both tries.
std::string find_in_folder(const std::string& folder, const std::string& name) {
  const std::filesystem::path dir(folder);
  std::error_code ec;
  for (const std::string& candidate : {name, name + ".gz"}) {
    const std::filesystem::path p = dir / candidate;
    if (std::filesystem::is_regular_file(p, ec)) return p.string();
  }
  throw DataError(folder + ": missing " + name + "[.gz]");
}

}  // namespace

Dataset read_idx(const std::string& images_path, const std::string& labels_path) {
  Dataset data;
  data.source = images_path;

  {
    const std::vector<uint8_t> bytes = read_all(images_path);
    check_header(images_path, bytes, kImagesMagic, kImagesHeaderBytes, "images");
    const uint32_t n = big_endian_u32(bytes, 4);
    data.rows = big_endian_u32(bytes, 8);
    data.cols = big_endian_u32(bytes, 12);
    if (data.rows == 0 || data.cols == 0) {
      fail(images_path, "zero image size: " + std::to_string(data.rows) + " rows x " +
                            std::to_string(data.cols) + " cols");
    }
    // A corrupt header must not wrap around to a plausible size (65536 images of 2^24 x 2^24
    // is 2^64 pixels, 0 in 64 bits): limit the sides, then multiply with an overflow check.
    const std::string sizes = std::to_string(n) + " images of " + std::to_string(data.rows) + " x " +
                              std::to_string(data.cols) + " pixels";
    if (data.rows > kMaxImageSide || data.cols > kMaxImageSide) {
      fail(images_path, "header says " + sizes + "; rows and cols must be at most " + std::to_string(kMaxImageSide));
    }
    uint64_t expected = 0;
    if (__builtin_mul_overflow(uint64_t{data.rows} * data.cols, uint64_t{n}, &expected)) {
      fail(images_path, "header says " + sizes + ", more than 2^64 bytes");
    }
    check_payload(images_path, expected, bytes.size() - kImagesHeaderBytes, "pixel");
    data.pixels.assign(bytes.begin() + kImagesHeaderBytes, bytes.end());
  }

  const std::vector<uint8_t> bytes = read_all(labels_path);
  check_header(labels_path, bytes, kLabelsMagic, kLabelsHeaderBytes, "labels");
  const uint32_t n_labels = big_endian_u32(bytes, 4);
  check_payload(labels_path, n_labels, bytes.size() - kLabelsHeaderBytes, "label");
  const size_t n_images = data.pixels.size() / data.pixels_per_image();
  if (n_labels != n_images) {
    throw DataError(images_path + ": holds " + std::to_string(n_images) + " images but " +
                    labels_path + " holds " + std::to_string(n_labels) + " labels");
  }
  data.labels.assign(bytes.begin() + kLabelsHeaderBytes, bytes.end());
  for (size_t i = 0; i < data.labels.size(); ++i) {
    if (data.labels[i] > 9) {
      fail(labels_path, "label " + std::to_string(data.labels[i]) + " at index " +
                            std::to_string(i) + " is outside 0..9");
    }
  }
  return data;
}

DataSplit read_idx_folder(const std::string& folder) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) throw DataError(folder + ": folder not found");
  // Locate all four files before reading any, so a missing one fails fast.
  const std::string train_images = find_in_folder(folder, "train-images-idx3-ubyte");
  const std::string train_labels = find_in_folder(folder, "train-labels-idx1-ubyte");
  const std::string test_images = find_in_folder(folder, "t10k-images-idx3-ubyte");
  const std::string test_labels = find_in_folder(folder, "t10k-labels-idx1-ubyte");

  DataSplit split;
  split.train = read_idx(train_images, train_labels);
  split.test = read_idx(test_images, test_labels);
  if (split.train.rows != split.test.rows || split.train.cols != split.test.cols) {
    throw DataError(folder + ": train images are " + std::to_string(split.train.rows) + "x" +
                    std::to_string(split.train.cols) + " but t10k images are " +
                    std::to_string(split.test.rows) + "x" + std::to_string(split.test.cols));
  }
  return split;
}

}  // namespace memsnn
