// VTEAM memristor model (Kvatinsky, Ramadan, Friedman, Kolodny, IEEE TCAS-II 62(8), 2015).
//
// State: x [nm] in [x_on, x_off].
//   dx/dt = k_off (v/v_off - 1)^alpha_off f_off(x)   for v > v_off > 0   (x grows: towards R_off)
//         = k_on  (v/v_on  - 1)^alpha_on  f_on(x)    for v < v_on  < 0   (k_on < 0: towards R_on)
//         = 0 otherwise                                [k] = m/s, here nm/s
// Windows f_on = f_off = 1 (ours; VTEAM's default when no window is chosen): with them the rate
// does not depend on x, so a pulse is integrated exactly; `substeps` (default 1) is kept for
// clipping at the bounds step by step if windows are added. x is clipped to [x_on, x_off].
// Read: linear R = R_on + (R_off - R_on)(x - x_on)/(x_off - x_on), or exponential
//   R = R_on exp(lambda (x - x_on)/(x_off - x_on)), lambda = ln(R_off/R_on);  G = 1/R  [S].
// pow and log come from core/portable_math.hpp: the same bits on every backend.
// Polarity: the voltage is the physical one, so with these signs a NEGATIVE pulse (v < v_on)
// potentiates (G rises) and a positive one (v > v_off) depresses; device_nominal_pulse gives
// the right sign.
// MemTorch's defaults (Lammie et al., MemTorch, Neurocomputing 485, 2022; VTEAM: Kvatinsky et al.,
// IEEE TCAS-II 62(8), 2015): R_on 50 ohm, R_off 1 kOhm, x_on 0, x_off 3 nm, k_on -10 m/s,
// k_off 5e-4 m/s, alpha_on 3, alpha_off 1, v_on -0.2 V, v_off 0.02 V.
#pragma once

#include <cstdint>

#include "core/host_device.hpp"
#include "core/portable_math.hpp"

namespace memsnn {

enum class VteamLaw : int32_t { kLinear = 0, kExponential = 1 };

struct VteamParams {
  double r_on_ohm = 50.0;
  double r_off_ohm = 1000.0;
  float x_on_nm = 0.0f;
  float x_off_nm = 3.0f;
  double k_on_m_per_s = -10.0;
  double k_off_m_per_s = 5e-4;
  double alpha_on = 3.0;
  double alpha_off = 1.0;
  double v_on_V = -0.2;
  double v_off_V = 0.02;
  VteamLaw law = VteamLaw::kLinear;
  int32_t substeps = 1;
};

MEMSNN_HOST_DEVICE inline float vteam_clamp_x(const VteamParams& p, double x) {
  const float f = static_cast<float>(x);
  return f < p.x_on_nm ? p.x_on_nm : (f > p.x_off_nm ? p.x_off_nm : f);
}

MEMSNN_HOST_DEVICE inline double vteam_resistance(const VteamParams& p, float x_nm) {
  const double frac = (static_cast<double>(x_nm) - p.x_on_nm) / (static_cast<double>(p.x_off_nm) - p.x_on_nm);
  // R_on exp(lambda frac) = R_on (R_off/R_on)^frac; pow carries ln(R_off/R_on) in double-double.
  if (p.law == VteamLaw::kExponential) return p.r_on_ohm * portable_pow(p.r_off_ohm / p.r_on_ohm, frac);
  return p.r_on_ohm + (p.r_off_ohm - p.r_on_ohm) * frac;
}

MEMSNN_HOST_DEVICE inline double vteam_read_conductance(const VteamParams& p, float x_nm) {
  return 1.0 / vteam_resistance(p, x_nm);
}

// dx/dt in nm/s (windows = 1).
MEMSNN_HOST_DEVICE inline double vteam_rate(const VteamParams& p, double voltage_V) {
  if (voltage_V > p.v_off_V) return p.k_off_m_per_s * 1e9 * portable_pow(voltage_V / p.v_off_V - 1.0, p.alpha_off);
  if (voltage_V < p.v_on_V) return p.k_on_m_per_s * 1e9 * portable_pow(voltage_V / p.v_on_V - 1.0, p.alpha_on);
  return 0.0;
}

MEMSNN_HOST_DEVICE inline float vteam_apply_pulse(const VteamParams& p, float x_nm, double voltage_V,
                                                  double width_s) {
  const double rate = vteam_rate(p, voltage_V);
  if (rate == 0.0) return x_nm;
  const double lo = p.x_on_nm, hi = p.x_off_nm;
  const double dt = width_s / p.substeps;
  double x = x_nm;
  for (int32_t i = 0; i < p.substeps; ++i) {
    x += rate * dt;
    x = x < lo ? lo : (x > hi ? hi : x);
  }
  return vteam_clamp_x(p, x);
}

// Inverse of the read law, clipped to [x_on, x_off].
MEMSNN_HOST_DEVICE inline float vteam_state_for_conductance(const VteamParams& p, double g_S) {
  if (!(g_S > 0.0)) return p.x_off_nm;
  const double r = 1.0 / g_S;
  const double span = static_cast<double>(p.x_off_nm) - p.x_on_nm;
  double frac;
  if (p.law == VteamLaw::kExponential) frac = portable_log(r / p.r_on_ohm) / portable_log(p.r_off_ohm / p.r_on_ohm);
  else frac = (r - p.r_on_ohm) / (p.r_off_ohm - p.r_on_ohm);
  return vteam_clamp_x(p, p.x_on_nm + frac * span);
}

}  // namespace memsnn
