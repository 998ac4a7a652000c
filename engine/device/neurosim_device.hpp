// NeuroSim nonlinear pulse device (MLP+NeuroSim V3.0 manual; Chen, Peng, Yu, IEEE TCAD 2018).
//
// After x pulses from G_min along one direction's curve (x in [0, P_max] pulses, A in pulses):
//   G(x) = G_min + B (1 - exp(-x / A)),   B = (G_max - G_min) / (1 - exp(-P_max / A))   [S]
// Depression with A < 0 is the manual's G_LTD(P) = -B' (1 - exp((P - P_max)/|A|)) + G_max
// (the two forms are algebraically equal), so one signed A per direction covers both curves:
// A = sign(NL) * (A/P_max)(|NL|) * P_max. NL = 0 is the linear device G = G_min + x/P_max (G_max - G_min).
//
// The state is the conductance (as NeuroSim's RealDevice keeps it), stored normalised:
// w = (G - G_min) / (G_max - G_min) in [0, 1]. A potentiation pulse train of n pulses finds
// x = G_LTP^-1(w) on the LTP curve and returns G_LTP(min(x + n, P_max_LTP)); depression uses
// the LTD curve: G_LTD(max(x - n, 0)) with x = G_LTD^-1(w). So LTP and LTD follow their own
// curves from wherever the cell is (NeuroSim's asymmetric nonlinearity).
// Pulse: V > 0 potentiates, V < 0 depresses, V = 0 nothing; |V| and width are ignored.
// Cycle-to-cycle noise (sigma_c2c) is kept as a parameter for the noise model, not applied here.
//
// NL -> A/P_max (NeuroSim manual table): 0.5 2.520, 1 1.252, 2 0.609, 2.4 0.499, 3 0.387,
// 4.88 0.200, 6 0.136. Between entries we interpolate r = P_max/A linearly in NL (r is almost
// linear in NL, and NL = 0 gives r = 0, the linear device); above 6 we extrapolate the last
// segment (ours). See neurosim_a_over_pmax() in device_build.cpp.
#pragma once

#include <cstdint>

#include "core/host_device.hpp"
#include "core/portable_math.hpp"
#include "device/ideal_device.hpp"

namespace memsnn {

struct NeuroSimParams {
  double g_min_S = 1e-6;     // S
  double g_max_S = 1e-4;     // S
  float p_max_ltp = 100.0f;  // pulses from G_min to G_max (number of states)
  float p_max_ltd = 100.0f;  // pulses from G_max to G_min
  float nl_ltp = 0.0f;       // NeuroSim's nonlinearity label (signed)
  float nl_ltd = 0.0f;
  float sigma_c2c = 0.0f;    // cycle-to-cycle sigma, fraction of (G_max - G_min); not applied here
  // Derived on the host (finalize_device_model): A in pulses, signed; 0 means linear.
  double a_ltp = 0.0;
  double a_ltd = 0.0;
};

// Normalised curve w(x) = (1 - exp(-x/A)) / (1 - exp(-P/A)); expm1 keeps small x/A exact.
// expm1 and log1p come from core/portable_math.hpp: the same bits on every backend.
MEMSNN_HOST_DEVICE inline double neurosim_curve(double x, double a, double p_max) {
  if (a == 0.0) return x / p_max;
  return portable_expm1(-x / a) / portable_expm1(-p_max / a);
}

// Inverse: x(w) = -A ln(1 - w (1 - exp(-P/A))).
MEMSNN_HOST_DEVICE inline double neurosim_curve_inverse(double w, double a, double p_max) {
  if (a == 0.0) return w * p_max;
  return -a * portable_log1p(w * portable_expm1(-p_max / a));
}

MEMSNN_HOST_DEVICE inline double neurosim_read_conductance(const NeuroSimParams& p, float w) {
  return p.g_min_S + static_cast<double>(w) * (p.g_max_S - p.g_min_S);
}

MEMSNN_HOST_DEVICE inline float neurosim_apply_pulses(const NeuroSimParams& p, float w, double voltage_V,
                                                      uint32_t count) {
  if (voltage_V == 0.0 || count == 0) return w;
  const bool up = voltage_V > 0.0;
  const double a = up ? p.a_ltp : p.a_ltd;
  const double p_max = up ? p.p_max_ltp : p.p_max_ltd;
  double x = neurosim_curve_inverse(static_cast<double>(w), a, p_max);
  x += up ? static_cast<double>(count) : -static_cast<double>(count);
  x = x < 0.0 ? 0.0 : (x > p_max ? p_max : x);
  return clamp_unit(static_cast<float>(neurosim_curve(x, a, p_max)));
}

MEMSNN_HOST_DEVICE inline float neurosim_state_for_conductance(const NeuroSimParams& p, double g_S) {
  return clamp_unit(static_cast<float>((g_S - p.g_min_S) / (p.g_max_S - p.g_min_S)));
}

}  // namespace memsnn
