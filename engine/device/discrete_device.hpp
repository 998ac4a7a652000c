// Measured discrete states: a sorted list of conductances, one state up or down per pulse.
//
// State: the index k of the current level (a float holding an integer, 0 .. n-1), read
// conductance G = G_k [S]. Levels ascend: G_0 = G_min, G_{n-1} = G_max. A pulse train of n
// pulses moves k by +n (V > 0) or -n (V < 0), clipped to [0, n-1]; |V| and width are ignored.
// A conductance maps to the nearest level (snapping, as anddudkin_mem_project does after each
// update and when a weight is mapped for inference).
// Presets (device_presets.cpp): anddudkin_mem_project's 20 measured states (G = 1/R),
// linear(n, G_min, G_max), geometric(n, G_min, G_max), or a user list.
#pragma once

#include <cstdint>

#include "core/host_device.hpp"

namespace memsnn {

constexpr int kMaxDiscreteLevels = 64;

struct DiscreteParams {
  int32_t count = 0;                        // number of levels, 2 .. kMaxDiscreteLevels
  double levels_S[kMaxDiscreteLevels] = {};  // ascending conductances, S
};

MEMSNN_HOST_DEVICE inline int32_t discrete_index(const DiscreteParams& p, float state) {
  // Round to nearest: the state always holds an integer, rounding only guards a caller's float.
  int32_t k = static_cast<int32_t>(state + 0.5f);
  return k < 0 ? 0 : (k > p.count - 1 ? p.count - 1 : k);
}

MEMSNN_HOST_DEVICE inline double discrete_read_conductance(const DiscreteParams& p, float state) {
  return p.levels_S[discrete_index(p, state)];
}

MEMSNN_HOST_DEVICE inline float discrete_apply_pulses(const DiscreteParams& p, float state, double voltage_V,
                                                      uint32_t count) {
  const int64_t k = discrete_index(p, state);
  if (voltage_V == 0.0 || count == 0) return static_cast<float>(k);
  int64_t next = voltage_V > 0.0 ? k + static_cast<int64_t>(count) : k - static_cast<int64_t>(count);
  next = next < 0 ? 0 : (next > p.count - 1 ? p.count - 1 : next);
  return static_cast<float>(next);
}

// Nearest level (ties go to the lower one), by bisection of the ascending levels: every
// write and every reprogrammed cell asks this, so it must not scan 64 levels.
MEMSNN_HOST_DEVICE inline float discrete_state_for_conductance(const DiscreteParams& p, double g_S) {
  int32_t lo = 0, hi = p.count - 1;  // levels[lo] <= g < levels[hi] once inside
  if (!(g_S > p.levels_S[0])) return 0.0f;
  if (g_S >= p.levels_S[hi]) return static_cast<float>(hi);
  while (hi - lo > 1) {
    const int32_t mid = (lo + hi) / 2;
    if (p.levels_S[mid] <= g_S) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return static_cast<float>(g_S - p.levels_S[lo] <= p.levels_S[hi] - g_S ? lo : hi);
}

}  // namespace memsnn
