// From a learning rule's weight change to programming pulses, as hardware must do it:
// a device cannot take an arbitrary dw, only a whole number of pulses.
//
//   pulse count     x = dw / dw_pulse (dw_pulse: the device's nominal weight change per
//                   pulse); n = round(x) (deterministic, ties away from zero) or
//                   floor(|x|) + Bernoulli(frac(|x|)) with the sign of dw (stochastic:
//                   E[n] = x, so small updates still happen on average, as in
//                   stochastic-rounding analog training).
//   trace voltage   V = max(V_max + 0.073 log10(trace), 0)  [V]   (Memristor-Spikelearn's
//                   mapping of an STDP trace to the amplitude of one pulse)
#pragma once

#include <cstdint>

#include "core/host_device.hpp"
#include "core/portable_math.hpp"

namespace memsnn {

enum class PulseRounding : int { kDeterministic = 0, kStochastic = 1 };

// No single update asks for more than this many pulses (a guard, far above any rule's dw).
constexpr int32_t kMaxPulsesPerUpdate = 1 << 20;

// Signed pulse count for a weight change; u is a uniform in [0, 1) (stochastic only).
MEMSNN_HOST_DEVICE inline int32_t pulses_for_weight_change(float dw, float dw_pulse, PulseRounding rounding,
                                                           float u) {
  if (!(dw_pulse > 0.0f) || dw == 0.0f) return 0;
  const double x = static_cast<double>(dw < 0.0f ? -dw : dw) / static_cast<double>(dw_pulse);
  if (!(x < kMaxPulsesPerUpdate)) return dw < 0.0f ? -kMaxPulsesPerUpdate : kMaxPulsesPerUpdate;
  const int32_t whole = static_cast<int32_t>(x);  // floor: x >= 0
  int32_t n = whole;
  if (rounding == PulseRounding::kDeterministic) {
    if (x - whole >= 0.5) ++n;
  } else if (static_cast<double>(u) < x - whole) {
    ++n;
  }
  return dw < 0.0f ? -n : n;
}

// Spikelearn's trace-to-voltage map; 0 V (no pulse) for a trace too small to reach 0 V.
MEMSNN_HOST_DEVICE inline double trace_pulse_voltage(double trace, double v_max_V) {
  constexpr double kSlope = 0.073;                        // V per decade of trace
  constexpr double kInvLn10 = 0.43429448190325182765;     // 1 / ln 10
  if (!(trace > 0.0)) return 0.0;
  const double v = v_max_V + kSlope * portable_log(trace) * kInvLn10;
  return v > 0.0 ? v : 0.0;
}

}  // namespace memsnn
