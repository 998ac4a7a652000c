// Trace STDP of Diehl & Cook (2015), per-element maths shared by every backend.
//
// Traces are per neuron (all synapses of one neuron share them), dimensionless, and decay
// exactly each step: x(t + dt) = x(t) exp(-dt / tau).
//   tau_pre = 20 ms (input), tau_post1 = 20 ms, tau_post2 = 40 ms (learning layer)
// Pre spike of input i:   pre_i = 1;  dw_ij = -nu_pre * post1_j           for every j
// Post spike of neuron j: dw_ij = +nu_post * pre_i * post2_j (post2 before its reset);
//                         then post1_j = post2_j = 1
// Weights are clipped to [w_min, w_max] by the device that realises them.
#pragma once

#include "core/host_device.hpp"

namespace memsnn {

struct StdpConstants {
  float decay_pre = 0.0f;    // exp(-dt / tau_pre)
  float decay_post1 = 0.0f;  // exp(-dt / tau_post1)
  float decay_post2 = 0.0f;  // exp(-dt / tau_post2)
  float nu_pre = 0.0f;       // depression rate (weight units per unit trace)
  float nu_post = 0.0f;      // potentiation rate
};

MEMSNN_HOST_DEVICE inline float stdp_dw_on_pre(const StdpConstants& c, float post1) {
  return -c.nu_pre * post1;
}

MEMSNN_HOST_DEVICE inline float stdp_dw_on_post(const StdpConstants& c, float pre, float post2) {
  return c.nu_post * pre * post2;
}

// Weight normalisation (D&C): before a training presentation each neuron's input weights
// are scaled to sum to `target`, then clipped to w_max. The column sum is taken in double.
MEMSNN_HOST_DEVICE inline float normalization_factor(double column_sum, double target) {
  return column_sum > 0 ? static_cast<float>(target / column_sum) : 1.0f;
}

MEMSNN_HOST_DEVICE inline float normalized_weight(float w, float factor, float w_max) {
  const float x = w * factor;
  return w_max < x ? w_max : x;
}

}  // namespace memsnn
