// The synaptic current of the Synaptic neuron of the layer networks, a second-order leaky
// integrate-and-fire neuron (snnTorch's Synaptic; Eshraghian et al. 2023, Proc. IEEE
// 111(9):1016-1054, sec. IV):
//   syn[t] = alpha syn[t-1] + I[t],   syn[0-1] = 0
// and the membrane of model/leaky.hpp driven by syn[t] in place of I[t]. alpha =
// exp(-dt / tau_syn) in [0, 1].
// Backwards: g_syn[t] = dL/dI[t] = g_U[t] dU[t]/dsyn[t] + alpha g_syn[t+1], with dU/dsyn from
// leaky_grad_current; for a learnable alpha, dL/dalpha = sum_t g_syn[t] syn[t-1].
#pragma once

#include "core/host_device.hpp"

namespace memsnn {

MEMSNN_HOST_DEVICE inline float synaptic_current(float alpha, float syn_prev, float current) {
  return alpha * syn_prev + current;
}

// g_syn[t] from the membrane's share (leaky_grad_current of g_U[t]) and g_syn[t+1].
MEMSNN_HOST_DEVICE inline float synaptic_grad(float alpha, float from_membrane, float g_syn_next) {
  return from_membrane + alpha * g_syn_next;
}

}  // namespace memsnn
