// Post-triggered window STDP (the rule of anddudkin_mem_project, Network/learning.py),
// per-element maths shared by every backend.
//
// Only a post spike changes weights, and only the column of the neuron that spiked. With
// k = steps since input i last spiked (0 = this very step) and dt the step in ms:
//   k dt <= window:  dw_ij = +a_plus exp(-k dt / tau_plus)
//   otherwise:       dw_ij = -a_minus          (also for inputs that never spiked)
// So every post spike draws the neuron's weights toward the inputs active just before it.
// The potentiation for k = 0 .. window_steps is tabulated once on the host, in double.
// Defaults from the source: a_plus 0.005, a_minus 0.003, tau_plus 4 ms, window 10 ms.
#pragma once

#include <cstdint>

#include "core/host_device.hpp"

namespace memsnn {

// Table size bound: windows up to this many steps (checked when the network is built).
constexpr uint32_t kMaxWindowSteps = 1024;

// A simulation's step clock after a reset. Inputs start with last spike step 0, so an
// input that never spiked is 2^62 steps back: outside any window.
constexpr uint64_t kClockAtReset = uint64_t{1} << 62;

struct WindowStdpConstants {
  uint32_t window_steps = 0;  // inputs with k <= window_steps potentiate
  float a_minus = 0.0f;       // depression outside the window
};

// `potentiation` holds window_steps + 1 values: a_plus exp(-k dt / tau_plus).
MEMSNN_HOST_DEVICE inline float window_dw(const WindowStdpConstants& c, const float* potentiation,
                                          uint64_t steps_since_pre) {
  return steps_since_pre <= c.window_steps ? potentiation[steps_since_pre] : -c.a_minus;
}

}  // namespace memsnn
