// Deterministic spike encoders of the layer networks' input, per pixel, x = pixel / 255 in
// [0, 1] (after Eshraghian et al. 2023, Proc. IEEE 111(9), sec. III; snnTorch's spikegen).
// One spike at most per input and image:
//   latency, linear:       t = round((T - 1)(1 - x))          for x >= theta, else none
//   latency, logarithmic:  t = round(tau ln(x / (x - theta)))  for x > theta and t <= T - 1,
//                          else none (an RC circuit charged by x reaching theta; tau in steps)
//   delta (a still image): t = 0 for x > theta, else none (the input changes once, when the
//                          image appears; no change afterwards)
// Bright pixels fire early. The rate code (Bernoulli per step) is model/poisson.hpp's draw.
// Shared by the CPU and CUDA executors; computed in double, so both agree on every step.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/host_device.hpp"

namespace memsnn {

enum class LatencyKind : int32_t { kLinear = 0, kLog = 1 };

// The step of the pixel's spike, or -1 for none.
MEMSNN_HOST_DEVICE inline int32_t latency_spike_step(double x, uint32_t steps, LatencyKind kind, double theta,
                                                     double tau) {
  const double last = static_cast<double>(steps) - 1.0;
  if (kind == LatencyKind::kLinear) {
    if (!(x >= theta)) return -1;
    return static_cast<int32_t>(std::floor(last * (1.0 - x) + 0.5));
  }
  if (!(x > theta)) return -1;
  const double t = std::floor(tau * std::log(x / (x - theta)) + 0.5);
  return t <= last ? static_cast<int32_t>(t) : -1;
}

MEMSNN_HOST_DEVICE inline int32_t delta_spike_step(double x, double theta) { return x > theta ? 0 : -1; }

}  // namespace memsnn
