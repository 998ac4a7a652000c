// Ideal bounded device: any conductance in [G_min, G_max], a pulse moves it by a fixed step.
//
// State: the normalised conductance w in [0, 1], G = G_min + w (G_max - G_min)  [S] (the
// same w the crossbar stores, see model/device.hpp), so an ideal device's state is the
// software weight itself.
// Pulse: V > 0 adds `step` per pulse, V < 0 subtracts it, V = 0 does nothing; width ignored.
// The result is clipped to [0, 1]. `step` is ours (default 1/100 of the range).
#pragma once

#include <cstdint>

#include "core/host_device.hpp"

namespace memsnn {

struct IdealParams {
  double g_min_S = 1e-6;  // S
  double g_max_S = 1e-4;  // S
  float step = 0.01f;     // normalised weight change per pulse
};

MEMSNN_HOST_DEVICE inline float clamp_unit(float w) { return w < 0.0f ? 0.0f : (w > 1.0f ? 1.0f : w); }

MEMSNN_HOST_DEVICE inline double ideal_read_conductance(const IdealParams& p, float w) {
  return p.g_min_S + static_cast<double>(w) * (p.g_max_S - p.g_min_S);
}

MEMSNN_HOST_DEVICE inline float ideal_apply_pulses(const IdealParams& p, float w, double voltage_V,
                                                   uint32_t count) {
  if (voltage_V == 0.0 || count == 0) return w;
  const float sign = voltage_V > 0.0 ? 1.0f : -1.0f;
  return clamp_unit(w + sign * static_cast<float>(count) * p.step);
}

MEMSNN_HOST_DEVICE inline float ideal_state_for_conductance(const IdealParams& p, double g_S) {
  return clamp_unit(static_cast<float>((g_S - p.g_min_S) / (p.g_max_S - p.g_min_S)));
}

}  // namespace memsnn
