// Leaky integrate-and-fire neuron of the layer networks, discrete time, dimensionless
// membrane (snnTorch's Leaky, Eshraghian et al. 2023, Proc. IEEE 111(9):1016-1054, eq. 4):
//   reset by subtraction:  U[t] = beta U[t-1] + I[t] - S[t-1] U_thr
//   reset to zero:         U[t] = (beta U[t-1] + I[t]) (1 - S[t-1])
//   S[t] = H(U[t] - U_thr),   U[0-1] = 0, S[0-1] = 0
// beta = exp(-dt / tau_m) in [0, 1]; I[t] is the layer's input current (weights times the
// previous layer's spikes, plus the bias). The reset uses the previous step's spike as a
// constant: no gradient flows through it (snnTorch's default, reset detached).
//
// Backpropagation through time, for the loss L, with g_U[t] = dL/dU[t] over all later steps:
//   g_U[t] = dL/dU[t]|direct + dL/dS[t] h'(U[t] - U_thr) + g_U[t+1] dU[t+1]/dU[t]
//   dU[t+1]/dU[t] = beta (subtract) or beta (1 - S[t]) (zero)
//   dL/dI[t] = g_U[t] (subtract) or g_U[t] (1 - S[t-1]) (zero)
// with h' the surrogate derivative (model/surrogate.hpp). For a learnable beta and threshold:
//   dL/dbeta  = sum_t g_U[t] U[t-1] (subtract) or g_U[t] U[t-1] (1 - S[t-1]) (zero)
//   dL/dU_thr = -sum_t dL/dS[t] h'(U[t] - U_thr) - sum_t g_U[t] S[t-1] (subtract only)
// Per-element functions shared by the CPU and CUDA executors.
#pragma once

#include <cstdint>

#include "core/host_device.hpp"
#include "model/surrogate.hpp"

namespace memsnn {

enum class ResetKind : int32_t { kSubtract = 0, kZero = 1 };

struct LeakyParams {
  float beta = 0.95f;
  float threshold = 1.0f;
  ResetKind reset = ResetKind::kSubtract;
};

// One step of one neuron: u is U[t-1] on entry and U[t] on return; s_prev is S[t-1].
// Returns S[t].
MEMSNN_HOST_DEVICE inline float leaky_step(const LeakyParams& p, float& u, float current, float s_prev) {
  if (p.reset == ResetKind::kSubtract) {
    u = p.beta * u + current - s_prev * p.threshold;
  } else {
    u = (p.beta * u + current) * (1.0f - s_prev);
  }
  return spike_of(u - p.threshold);
}

// dU[t+1]/dU[t]: beta (subtract) or beta (1 - S[t]) (zero), s_t = S[t].
MEMSNN_HOST_DEVICE inline float leaky_carry(const LeakyParams& p, float s_t) {
  return p.reset == ResetKind::kSubtract ? p.beta : p.beta * (1.0f - s_t);
}

// The gradient of one neuron at step t, going backwards. On entry g_u_next is g_U[t+1]
// (0 after the last step) and s_t is S[t]; g_u_direct and g_s are the loss's (or the next
// layer's) dL/dU[t] and dL/dS[t]. Returns g_U[t].
MEMSNN_HOST_DEVICE inline float leaky_grad_u(const LeakyParams& p, const Surrogate& sg, float u_t, float s_t,
                                             float g_s, float g_u_direct, float g_u_next) {
  return g_u_direct + g_s * surrogate_derivative(sg, u_t - p.threshold) + leaky_carry(p, s_t) * g_u_next;
}

// dL/dI[t] from g_U[t] and S[t-1].
MEMSNN_HOST_DEVICE inline float leaky_grad_current(const LeakyParams& p, float g_u, float s_prev) {
  return p.reset == ResetKind::kSubtract ? g_u : g_u * (1.0f - s_prev);
}

}  // namespace memsnn
