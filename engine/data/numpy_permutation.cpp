// numpy's legacy permutation (data/numpy_permutation.hpp): MT19937 and numpy's bounded draw.
#include "data/numpy_permutation.hpp"

#include <numeric>
#include <utility>

namespace memsnn {
namespace {

// MT19937 (Matsumoto & Nishimura 1998, ACM TOMACS 8(1):3-30), 32-bit output with tempering.
class Mt19937 {
 public:
  explicit Mt19937(uint32_t seed) {
    m_state[0] = seed;
    for (uint32_t i = 1; i < kN; ++i) m_state[i] = 1812433253u * (m_state[i - 1] ^ (m_state[i - 1] >> 30)) + i;
    m_index = kN;
  }

  uint32_t next() {
    if (m_index >= kN) twist();
    uint32_t y = m_state[m_index++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
  }

 private:
  static constexpr uint32_t kN = 624, kM = 397;

  void twist() {
    for (uint32_t i = 0; i < kN; ++i) {
      const uint32_t y = (m_state[i] & 0x80000000u) | (m_state[(i + 1) % kN] & 0x7fffffffu);
      m_state[i] = m_state[(i + kM) % kN] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    m_index = 0;
  }

  uint32_t m_state[kN];
  uint32_t m_index;
};

// numpy's random_interval for max < 2^32: masked rejection.
uint32_t random_interval(Mt19937& mt, uint32_t max) {
  if (max == 0) return 0;
  uint32_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  uint32_t value = 0;
  while ((value = mt.next() & mask) > max) {
  }
  return value;
}

}  // namespace

std::vector<uint32_t> numpy_legacy_permutation(uint32_t n, uint32_t seed) {
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  Mt19937 mt(seed);
  for (uint32_t i = n; i-- > 1;) std::swap(perm[i], perm[random_interval(mt, i)]);
  return perm;
}

}  // namespace memsnn
