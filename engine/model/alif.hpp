// Adaptive leaky integrate-and-fire neuron of the layer networks (ALIF; Bellec et al. 2018,
// "Long short-term memory and learning-to-learn in networks of spiking neurons", NeurIPS,
// eq. 1-2, in discrete time with snnTorch's membrane of model/leaky.hpp):
//   b[t] = rho b[t-1] + (1 - rho) S[t-1]            adaptation, b[0-1] = 0
//   A[t] = U_thr + adapt b[t]                        the threshold at step t
//   reset by subtraction:  U[t] = beta U[t-1] + I[t] - S[t-1] A[t-1]
//   reset to zero:         U[t] = (beta U[t-1] + I[t]) (1 - S[t-1])
//   S[t] = H(U[t] - A[t])
// rho = exp(-dt / tau_a) in [0, 1]; adapt >= 0 (dimensionless, like the membrane); adapt = 0
// is the Leaky neuron. Each spike raises the threshold by adapt (1 - rho), decaying with rho.
//
// Backpropagation through time, the reset's spike held constant as for Leaky (its threshold
// A[t-1] is not), going backwards with g_U[t+1] and g_b[t+1] of the next step:
//   g_S[t] = dL/dS[t] + (1 - rho) g_b[t+1]                 (b[t+1] depends on S[t])
//   g_U[t] = dL/dU[t]|direct + g_S[t] h'(U[t] - A[t]) + g_U[t+1] dU[t+1]/dU[t]
//   g_A[t] = -g_S[t] h'(U[t] - A[t]) - S[t] g_U[t+1]        (the second term: subtract only)
//   g_b[t] = adapt g_A[t] + rho g_b[t+1]
//   dL/dI[t] as for Leaky; dL/dU_thr = sum_t g_A[t].
// Per-element functions shared by the CPU and CUDA executors.
#pragma once

#include "core/host_device.hpp"
#include "model/leaky.hpp"
#include "model/surrogate.hpp"

namespace memsnn {

struct AlifParams {
  float rho = 0.9f;
  float adapt = 1.8f;
};

// The adaptation b[t] from b[t-1] and S[t-1].
MEMSNN_HOST_DEVICE inline float alif_adaptation(const AlifParams& a, float b_prev, float s_prev) {
  return a.rho * b_prev + (1.0f - a.rho) * s_prev;
}

// A[t] from b[t].
MEMSNN_HOST_DEVICE inline float alif_threshold(const LeakyParams& p, const AlifParams& a, float b) {
  return p.threshold + a.adapt * b;
}

// One step: u is U[t-1] on entry and U[t] on return, b_prev is b[t-1], b_t is b[t] (from
// alif_adaptation), s_prev is S[t-1]. Returns S[t].
MEMSNN_HOST_DEVICE inline float alif_step(const LeakyParams& p, const AlifParams& a, float& u, float current, float s_prev,
                                          float b_prev, float b_t) {
  if (p.reset == ResetKind::kSubtract) {
    u = p.beta * u + current - s_prev * alif_threshold(p, a, b_prev);
  } else {
    u = (p.beta * u + current) * (1.0f - s_prev);
  }
  return spike_of(u - alif_threshold(p, a, b_t));
}

// The gradients of one neuron at step t, going backwards. On entry g_u_next and g_b_next are
// g_U[t+1] and g_b[t+1] (0 after the last step); u_t, s_t, b_t are U[t], S[t], b[t]; g_s and
// g_u_direct the loss's (or the next layer's) dL/dS[t] and dL/dU[t]. Returns g_U[t]; g_a gets
// g_A[t] and g_b gets g_b[t].
MEMSNN_HOST_DEVICE inline float alif_grad(const LeakyParams& p, const AlifParams& a, const Surrogate& sg, float u_t,
                                          float s_t, float b_t, float g_s, float g_u_direct, float g_u_next, float g_b_next,
                                          float& g_a, float& g_b) {
  const float g_spike = g_s + (1.0f - a.rho) * g_b_next;
  const float h = surrogate_derivative(sg, u_t - alif_threshold(p, a, b_t));
  g_a = -g_spike * h - (p.reset == ResetKind::kSubtract ? s_t * g_u_next : 0.0f);
  g_b = a.adapt * g_a + a.rho * g_b_next;
  return g_u_direct + g_spike * h + leaky_carry(p, s_t) * g_u_next;
}

}  // namespace memsnn
