// Conductance drift at read-out (device_noise.hpp: G(t) = G0 (t / t0)^-nu), applied on the
// host to a copy of frozen weights before inference, so every backend reads the same bits.
#pragma once

#include <vector>

#include "device/device_noise.hpp"
#include "model/device.hpp"

namespace memsnn {

inline bool drift_applies(const DeviceNonIdealities& n) { return n.drift_nu > 0.0 && n.drift_time_s > n.drift_t0_s; }

// Each weight's conductance drifted; a weight may fall below 0 (G below G_min) as the
// device's would.
inline std::vector<float> drifted_weights(const std::vector<float>& g, const ConductanceRange& range,
                                          const DeviceNonIdealities& n) {
  std::vector<float> out(g.size());
  for (size_t c = 0; c < g.size(); ++c) {
    out[c] = static_cast<float>(range.to_weight(drifted_conductance(range.to_conductance(g[c]), n)));
  }
  return out;
}

}  // namespace memsnn
