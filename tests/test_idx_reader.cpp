// Tests for the IDX reader: the real Fashion-MNIST files when installed, hand-made raw and
// gzip round trips, and one clear DataError (file name + problem) per kind of damage.
#include <gtest/gtest.h>
#include <zlib.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "fixtures.hpp"

namespace fs = std::filesystem;
using memsnn::DataError;
using memsnn::Dataset;
using Bytes = std::vector<uint8_t>;

namespace {

const char* const kFashionDir = "/usr/share/datasets/fashion-mnist";

using memsnn::fixtures::TempDir;

void put_u32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

Bytes idx_images(uint32_t n, uint32_t rows, uint32_t cols, const Bytes& pixels,
                 uint32_t magic = 0x00000803) {
  Bytes out;
  put_u32(out, magic);
  put_u32(out, n);
  put_u32(out, rows);
  put_u32(out, cols);
  out.insert(out.end(), pixels.begin(), pixels.end());
  return out;
}

Bytes idx_labels(const Bytes& labels, uint32_t magic = 0x00000801) {
  Bytes out;
  put_u32(out, magic);
  put_u32(out, static_cast<uint32_t>(labels.size()));
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

void write_raw(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

void write_gz(const std::string& path, const Bytes& bytes) {
  gzFile gz = gzopen(path.c_str(), "wb1");
  ASSERT_NE(gz, nullptr) << path;
  if (!bytes.empty()) {
    ASSERT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
  }
  ASSERT_EQ(gzclose(gz), Z_OK);
}

Bytes read_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Bytes read_gz(const std::string& path) {
  Bytes out;
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return out;
  std::array<uint8_t, 1 << 16> buf{};
  int got = 0;
  while ((got = gzread(gz, buf.data(), static_cast<unsigned>(buf.size()))) > 0) {
    out.insert(out.end(), buf.begin(), buf.begin() + got);
  }
  gzclose(gz);
  return out;
}

// Runs `call`, requires a DataError, and requires every fragment in its message.
void expect_data_error(const std::function<void()>& call, const std::vector<std::string>& fragments) {
  try {
    call();
    ADD_FAILURE() << "expected DataError, nothing was thrown";
  } catch (const DataError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "message is not one line: " << msg;
    for (const std::string& f : fragments) {
      EXPECT_NE(msg.find(f), std::string::npos) << "message lacks \"" << f << "\": " << msg;
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected DataError, got another exception: " << e.what();
  }
}

bool have_fashion() { return fs::exists(fs::path(kFashionDir) / "t10k-labels-idx1-ubyte.gz"); }

// A valid, uncompressed image/label pair to damage: the real t10k set when installed (so the
// messages show realistic sizes), else a small hand-made one.
struct BasePair {
  Bytes images;
  Bytes labels;
  uint32_t n = 0;
  uint64_t pixel_bytes = 0;
};

BasePair base_pair() {
  BasePair b;
  if (have_fashion()) {
    b.images = read_gz(std::string(kFashionDir) + "/t10k-images-idx3-ubyte.gz");
    b.labels = read_gz(std::string(kFashionDir) + "/t10k-labels-idx1-ubyte.gz");
    b.n = 10000;
  } else {
    b.n = 20;
    Bytes pixels(size_t{b.n} * 28 * 28);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 7);
    Bytes labels(b.n);
    for (uint32_t i = 0; i < b.n; ++i) labels[i] = static_cast<uint8_t>(i % 10);
    b.images = idx_images(b.n, 28, 28, pixels);
    b.labels = idx_labels(labels);
  }
  b.pixel_bytes = uint64_t{b.n} * 28 * 28;
  return b;
}

}  // namespace

TEST(IdxReader, RealFashionMnist) {
  if (!fs::is_directory(kFashionDir)) {
    GTEST_SKIP() << "Fashion-MNIST not installed at " << kFashionDir;
  }
  const memsnn::DataSplit split = memsnn::read_idx_folder(kFashionDir);
  struct Expect {
    const Dataset* data;
    size_t n;
  };
  for (const Expect& e : {Expect{&split.train, 60000}, Expect{&split.test, 10000}}) {
    const Dataset& d = *e.data;
    SCOPED_TRACE(d.source);
    ASSERT_EQ(d.size(), e.n);
    EXPECT_EQ(d.rows, 28u);
    EXPECT_EQ(d.cols, 28u);
    EXPECT_EQ(d.pixels_per_image(), 784u);
    EXPECT_EQ(d.pixels.size(), e.n * 784);
    std::array<size_t, 10> histogram{};
    for (uint8_t label : d.labels) {
      ASSERT_LE(label, 9);
      ++histogram[label];
    }
    size_t total = 0;
    for (size_t count : histogram) {
      EXPECT_EQ(count, e.n / 10);  // Fashion-MNIST is balanced: 6000 / 1000 per class
      total += count;
    }
    EXPECT_EQ(total, e.n);
  }
  // Spot checks against values computed independently (Python gzip module).
  const std::vector<uint8_t> first_labels(split.train.labels.begin(), split.train.labels.begin() + 10);
  EXPECT_EQ(first_labels, (std::vector<uint8_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}));
  uint64_t first_sum = 0;
  for (uint8_t p : split.train.image(0)) first_sum += p;
  EXPECT_EQ(first_sum, 76247u);
  uint64_t test_sum = 0;
  for (uint8_t p : split.test.pixels) test_sum += p;
  EXPECT_EQ(test_sum, 573469082u);
}

TEST(IdxReader, RawRoundTrip) {
  TempDir dir;
  const Bytes pixels = {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255, 9, 8, 7, 6, 5, 4};
  const Bytes labels = {3, 9, 0};
  write_raw(dir.file("img"), idx_images(3, 2, 3, pixels));
  write_raw(dir.file("lab"), idx_labels(labels));
  const Dataset d = memsnn::read_idx(dir.file("img"), dir.file("lab"));
  EXPECT_EQ(d.source, dir.file("img"));
  EXPECT_EQ(d.rows, 2u);
  EXPECT_EQ(d.cols, 3u);
  EXPECT_EQ(d.pixels, pixels);
  EXPECT_EQ(d.labels, labels);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.image(1)[0], 250);
  EXPECT_EQ(d.image(2)[5], 4);
}

TEST(IdxReader, GzipRoundTrip) {
  TempDir dir;
  Bytes pixels(4 * 5 * 7);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 13 + 1);
  const Bytes labels = {1, 2, 3, 4};
  write_gz(dir.file("img.gz"), idx_images(4, 5, 7, pixels));
  write_gz(dir.file("lab.gz"), idx_labels(labels));
  const Dataset d = memsnn::read_idx(dir.file("img.gz"), dir.file("lab.gz"));
  EXPECT_EQ(d.rows, 5u);
  EXPECT_EQ(d.cols, 7u);
  EXPECT_EQ(d.pixels, pixels);
  EXPECT_EQ(d.labels, labels);

  // The format comes from the content: a gzip file without .gz and a raw file with .gz.
  fs::copy_file(dir.file("img.gz"), dir.file("img_no_suffix"));
  write_raw(dir.file("raw_labels.gz"), idx_labels(labels));
  const Dataset swapped = memsnn::read_idx(dir.file("img_no_suffix"), dir.file("raw_labels.gz"));
  EXPECT_EQ(swapped.pixels, pixels);
  EXPECT_EQ(swapped.labels, labels);
}

TEST(IdxReader, FolderMixesRawAndGzip) {
  TempDir dir;
  const Bytes train_px = {10, 20, 30, 40, 50, 60, 70, 80};
  const Bytes test_px = {1, 2, 3, 4};
  write_gz(dir.file("train-images-idx3-ubyte.gz"), idx_images(2, 2, 2, train_px));
  write_raw(dir.file("train-labels-idx1-ubyte"), idx_labels({7, 8}));
  write_raw(dir.file("t10k-images-idx3-ubyte"), idx_images(1, 2, 2, test_px));
  write_gz(dir.file("t10k-labels-idx1-ubyte.gz"), idx_labels({6}));
  const memsnn::DataSplit s = memsnn::read_idx_folder(dir.str());
  EXPECT_EQ(s.train.pixels, train_px);
  EXPECT_EQ(s.train.labels, (Bytes{7, 8}));
  EXPECT_EQ(s.test.pixels, test_px);
  EXPECT_EQ(s.test.labels, (Bytes{6}));

  // Different image sizes between train and test are refused.
  fs::remove(dir.file("t10k-images-idx3-ubyte"));
  write_raw(dir.file("t10k-images-idx3-ubyte"), idx_images(1, 1, 4, test_px));
  expect_data_error([&] { memsnn::read_idx_folder(dir.str()); }, {dir.str(), "2x2", "1x4"});
}

TEST(IdxReader, MissingFile) {
  TempDir dir;
  write_raw(dir.file("lab"), idx_labels({1}));
  expect_data_error([&] { memsnn::read_idx(dir.file("nope-images"), dir.file("lab")); },
                    {"nope-images", "not found"});
  write_raw(dir.file("img"), idx_images(1, 1, 1, {5}));
  expect_data_error([&] { memsnn::read_idx(dir.file("img"), dir.file("nope-labels")); },
                    {"nope-labels", "not found"});

  // A folder with three of the four files: the error names the folder and the missing one.
  write_raw(dir.file("train-images-idx3-ubyte"), idx_images(1, 1, 1, {5}));
  write_raw(dir.file("train-labels-idx1-ubyte"), idx_labels({1}));
  write_raw(dir.file("t10k-images-idx3-ubyte"), idx_images(1, 1, 1, {5}));
  expect_data_error([&] { memsnn::read_idx_folder(dir.str()); },
                    {dir.str(), "t10k-labels-idx1-ubyte"});
  expect_data_error([&] { memsnn::read_idx_folder(dir.file("no_such_folder")); },
                    {"no_such_folder", "not found"});
}

TEST(IdxReader, WrongMagic) {
  TempDir dir;
  const BasePair b = base_pair();
  // Images and labels swapped: each file's magic is the other's.
  write_raw(dir.file("t10k-labels-idx1-ubyte"), b.labels);
  write_raw(dir.file("t10k-images-idx3-ubyte"), b.images);
  expect_data_error(
      [&] { memsnn::read_idx(dir.file("t10k-labels-idx1-ubyte"), dir.file("t10k-images-idx3-ubyte")); },
      {"t10k-labels-idx1-ubyte", "wrong magic", "expected 0x00000803", "found 0x00000801"});

  Bytes bad_labels = b.labels;
  bad_labels[2] = 0x09;
  write_raw(dir.file("bad-labels"), bad_labels);
  expect_data_error([&] { memsnn::read_idx(dir.file("t10k-images-idx3-ubyte"), dir.file("bad-labels")); },
                    {"bad-labels", "wrong magic", "expected 0x00000801", "found 0x00000901"});
}

TEST(IdxReader, TruncatedHeader) {
  TempDir dir;
  const BasePair b = base_pair();
  write_gz(dir.file("t10k-labels-idx1-ubyte.gz"), b.labels);
  // Magic intact, dimensions cut: 10 of the 16 header bytes.
  write_gz(dir.file("t10k-images-idx3-ubyte.gz"), Bytes(b.images.begin(), b.images.begin() + 10));
  expect_data_error([&] {
    memsnn::read_idx(dir.file("t10k-images-idx3-ubyte.gz"), dir.file("t10k-labels-idx1-ubyte.gz"));
  }, {"t10k-images-idx3-ubyte.gz", "truncated header", "expected 16 bytes, got 10"});
  // Not even a whole magic number.
  write_raw(dir.file("tiny"), {0, 0});
  expect_data_error([&] { memsnn::read_idx(dir.file("tiny"), dir.file("t10k-labels-idx1-ubyte.gz")); },
                    {"tiny", "truncated header", "got 2"});
  // An empty label file.
  write_raw(dir.file("t10k-images-idx3-ubyte"), b.images);
  write_raw(dir.file("empty-labels"), {});
  expect_data_error([&] { memsnn::read_idx(dir.file("t10k-images-idx3-ubyte"), dir.file("empty-labels")); },
                    {"empty-labels", "truncated header", "expected 8 bytes, got 0"});
}

TEST(IdxReader, TruncatedPayload) {
  TempDir dir;
  const BasePair b = base_pair();
  write_gz(dir.file("t10k-labels-idx1-ubyte.gz"), b.labels);
  write_gz(dir.file("t10k-images-idx3-ubyte.gz"), Bytes(b.images.begin(), b.images.end() - 1000));
  expect_data_error([&] {
    memsnn::read_idx(dir.file("t10k-images-idx3-ubyte.gz"), dir.file("t10k-labels-idx1-ubyte.gz"));
  }, {"t10k-images-idx3-ubyte.gz",
      "truncated: expected " + std::to_string(b.pixel_bytes) + " pixel bytes, got " +
          std::to_string(b.pixel_bytes - 1000)});

  write_raw(dir.file("t10k-images-idx3-ubyte"), b.images);
  write_raw(dir.file("short-labels"), Bytes(b.labels.begin(), b.labels.end() - 3));
  expect_data_error([&] { memsnn::read_idx(dir.file("t10k-images-idx3-ubyte"), dir.file("short-labels")); },
                    {"short-labels", "truncated: expected " + std::to_string(b.n) + " label bytes"});

  // A gzip stream cut in the middle (a half-finished download).
  TempDir gzdir;
  write_gz(gzdir.file("full.gz"), b.images);
  const Bytes compressed = read_raw(gzdir.file("full.gz"));
  write_raw(dir.file("cut-images.gz"), Bytes(compressed.begin(), compressed.begin() + compressed.size() / 2));
  expect_data_error([&] { memsnn::read_idx(dir.file("cut-images.gz"), dir.file("t10k-labels-idx1-ubyte.gz")); },
                    {"cut-images.gz", "gzip"});
}

TEST(IdxReader, TrailingBytes) {
  TempDir dir;
  const BasePair b = base_pair();
  Bytes images = b.images;
  images.insert(images.end(), {1, 2, 3, 4, 5});
  write_gz(dir.file("t10k-images-idx3-ubyte.gz"), images);
  write_gz(dir.file("t10k-labels-idx1-ubyte.gz"), b.labels);
  expect_data_error([&] {
    memsnn::read_idx(dir.file("t10k-images-idx3-ubyte.gz"), dir.file("t10k-labels-idx1-ubyte.gz"));
  }, {"t10k-images-idx3-ubyte.gz", "trailing bytes", "5 extra"});

  Bytes labels = b.labels;
  labels.push_back(0);
  write_raw(dir.file("t10k-images-idx3-ubyte"), b.images);
  write_raw(dir.file("long-labels"), labels);
  expect_data_error([&] { memsnn::read_idx(dir.file("t10k-images-idx3-ubyte"), dir.file("long-labels")); },
                    {"long-labels", "trailing bytes", "1 extra"});
}

TEST(IdxReader, CountMismatch) {
  TempDir dir;
  const BasePair b = base_pair();
  write_gz(dir.file("t10k-images-idx3-ubyte.gz"), b.images);
  Bytes fewer(b.labels.begin() + 8, b.labels.end() - 1);
  write_gz(dir.file("t10k-labels-idx1-ubyte.gz"), idx_labels(fewer));
  expect_data_error([&] {
    memsnn::read_idx(dir.file("t10k-images-idx3-ubyte.gz"), dir.file("t10k-labels-idx1-ubyte.gz"));
  }, {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", std::to_string(b.n) + " images",
      std::to_string(b.n - 1) + " labels"});
}

TEST(IdxReader, LabelOutOfRange) {
  TempDir dir;
  const BasePair b = base_pair();
  Bytes labels = b.labels;
  labels[8 + 7] = 10;  // the eighth label
  write_gz(dir.file("t10k-images-idx3-ubyte.gz"), b.images);
  write_gz(dir.file("t10k-labels-idx1-ubyte.gz"), labels);
  expect_data_error([&] {
    memsnn::read_idx(dir.file("t10k-images-idx3-ubyte.gz"), dir.file("t10k-labels-idx1-ubyte.gz"));
  }, {"t10k-labels-idx1-ubyte.gz", "label 10 at index 7", "0..9"});
}

TEST(IdxReader, ZeroRowsOrCols) {
  TempDir dir;
  write_raw(dir.file("lab"), idx_labels({1, 2}));
  write_raw(dir.file("zero-rows"), idx_images(2, 0, 28, {}));
  expect_data_error([&] { memsnn::read_idx(dir.file("zero-rows"), dir.file("lab")); },
                    {"zero-rows", "zero image size", "0 rows"});
  write_raw(dir.file("zero-cols"), idx_images(2, 28, 0, {}));
  expect_data_error([&] { memsnn::read_idx(dir.file("zero-cols"), dir.file("lab")); },
                    {"zero-cols", "zero image size", "0 cols"});
}

// Issue 17: the three header numbers multiplied in 64 bits wrap to 0 for 65536 images of
// 16777216 x 16777216 (2^64), so an empty file passed as 0 images and the run failed later
// with a misleading count. The sizes are checked (overflow and limits) and named.
TEST(IdxReader, HeaderSizesThatWrapOrExceedTheLimitsAreRefused) {
  TempDir dir;
  write_raw(dir.file("lab"), idx_labels({1}));
  write_raw(dir.file("wrapping"), idx_images(0x00010000, 0x01000000, 0x01000000, {}));
  expect_data_error([&] { memsnn::read_idx(dir.file("wrapping"), dir.file("lab")); },
                    {"wrapping", "65536 images", "16777216 x 16777216"});
  // No wrap, but an image side far beyond any data set: refused before any size arithmetic.
  write_raw(dir.file("huge-side"), idx_images(1, 100000, 1, {}));
  expect_data_error([&] { memsnn::read_idx(dir.file("huge-side"), dir.file("lab")); },
                    {"huge-side", "100000 x 1", "at most"});
  // At the limits a real (small) file still reads: 1 image of 1 x 4096.
  Bytes wide(4096, 7);
  write_raw(dir.file("wide"), idx_images(1, 1, 4096, wide));
  EXPECT_EQ(memsnn::read_idx(dir.file("wide"), dir.file("lab")).cols, 4096u);
}
