// Memristor devices: the map between a synaptic weight and a cell's conductance, and the
// realisation of a requested weight change.
//
// A weight w in [0, 1] is a conductance G = G_min + w (G_max - G_min)  [S]. The crossbar
// stores each cell's normalised conductance g = (G - G_min) / (G_max - G_min) and is read
// differentially against a reference column held at G_min, so the current a column adds
// for an input at V_read is V_read (G_max - G_min) sum_i g_ij  [A]: with an ideal device
// and an ideal crossbar the network sees exactly the software weights.
#pragma once

#include "core/host_device.hpp"

namespace memsnn {

struct ConductanceRange {
  double g_min = 1e-6;  // S
  double g_max = 1e-4;  // S

  // Shared by the CPU and the CUDA kernels (kernels/crossbar_relax.cu): one expression, so
  // a weight maps to the same double on both.
  MEMSNN_HOST_DEVICE double to_conductance(double w) const { return g_min + w * (g_max - g_min); }
  MEMSNN_HOST_DEVICE double to_weight(double g) const { return (g - g_min) / (g_max - g_min); }
};

// Ideal bounded device: any conductance in range, updates applied exactly, then clipped.
MEMSNN_HOST_DEVICE inline float ideal_device_update(float g, float dw, float lo, float hi) {
  const float next = g + dw;
  return next < lo ? lo : (next > hi ? hi : next);
}

}  // namespace memsnn
