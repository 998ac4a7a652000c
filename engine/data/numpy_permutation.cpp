// numpy's legacy permutation (data/numpy_permutation.hpp): std::mt19937 and numpy's bounded draw.
#include "data/numpy_permutation.hpp"

#include <numeric>
#include <random>
#include <utility>

namespace memsnn {
namespace {

// numpy's random_interval for max < 2^32: masked rejection.
uint32_t random_interval(std::mt19937& mt, uint32_t max) {
  if (max == 0) return 0;
  uint32_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  uint32_t value = 0;
  while ((value = static_cast<uint32_t>(mt()) & mask) > max) {
  }
  return value;
}

}  // namespace

std::vector<uint32_t> numpy_legacy_permutation(uint32_t n, uint32_t seed) {
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  // std::mt19937 seeded with one value is MT19937's init_genrand, numpy's path for an integer seed.
  std::mt19937 mt(seed);
  for (uint32_t i = n; i-- > 1;) std::swap(perm[i], perm[random_interval(mt, i)]);
  return perm;
}

}  // namespace memsnn
