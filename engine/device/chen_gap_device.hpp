// Pai-Yu Chen & Shimeng Yu (IEEE TED 62(12), 2015) RRAM gap model, as Memristor-Spikelearn
// (YLab-UChicago, cell_Paiyu_chen_15) implements it.
//
// State: the tunnelling gap g [nm], in [gap_min, gap_max] = [0.1, 1.7] nm.
// Read:  I = I0 exp(-g/g0) sinh(V/V0)  [A];  G = I(V_read) / V_read  [S].
// Write: dg/dt = -nu0 [exp(-q Ea_g/kT) exp(+gamma (a0/L) qV/kT) - exp(-q Ea_r/kT) exp(-gamma (a0/L) qV/kT)],
//        gamma = gamma0 - beta (g/g1)^3,  [nu0] = m/s, here nm/s.
//        V > 0 (SET) shrinks the gap (G rises: potentiation); V < 0 (RESET) widens it.
// A pulse of width t is integrated by forward Euler with `substeps` equal steps; g is clipped
// to [gap_min, gap_max] after every step (Spikelearn clips once per pulse; the two agree
// unless a pulse drives g past a bound, and clipping each step keeps gamma within the
// fitted range). All maths in double, exp and log from core/portable_math.hpp (the same bits on
// every backend). Constants q = 1.60217663e-19 C, k_B = 1.3806503e-23 J/K
// (Spikelearn's). Default substeps 64: halving it moves a nominal pulse's result by < 1e-4 of
// the step it makes (measured in tests/test_device_models.cpp).
// Parameters (Chen & Yu, IEEE TED 62(12), 2015, as Memristor-Spikelearn uses them): g0 0.27505 nm, I0 61.4 uA, V0 0.43 V, V_read 0.7 V, gamma0 16.5,
// beta 1.25, g1 1 nm, nu0 150 m/s, Ea_g 1.501 eV, Ea_r 1.5 eV, T 350 K, a0 0.25 nm, L 5 nm.
#pragma once

#include <cstdint>

#include "core/host_device.hpp"
#include "core/portable_math.hpp"

namespace memsnn {

struct ChenGapParams {
  double g0_nm = 0.27505;
  double i0_A = 61.4e-6;
  double v0_V = 0.43;
  double v_read_V = 0.7;
  double gamma0 = 16.5;
  double beta = 1.25;
  double g1_nm = 1.0;
  double nu0_m_per_s = 150.0;
  double ea_g_eV = 1.501;
  double ea_r_eV = 1.5;
  double temperature_K = 350.0;
  double a0_nm = 0.25;
  double l_nm = 5.0;
  float gap_min_nm = 0.1f;
  float gap_max_nm = 1.7f;
  int32_t substeps = 64;
  // Derived on the host (finalize_device_model):
  double read_scale_S = 0.0;  // I0 sinh(V_read/V0) / V_read
  double rate_set_nm_s = 0.0;    // nu0 exp(-q Ea_g / kT), nm/s
  double rate_reset_nm_s = 0.0;  // nu0 exp(-q Ea_r / kT), nm/s
  double field_per_V = 0.0;      // (a0/L) q/kT, 1/V
};

MEMSNN_HOST_DEVICE inline float chen_clamp_gap(const ChenGapParams& p, double g) {
  const float f = static_cast<float>(g);
  return f < p.gap_min_nm ? p.gap_min_nm : (f > p.gap_max_nm ? p.gap_max_nm : f);
}

MEMSNN_HOST_DEVICE inline double chen_read_conductance(const ChenGapParams& p, float gap_nm) {
  return p.read_scale_S * portable_exp(-static_cast<double>(gap_nm) / p.g0_nm);
}

// dg/dt in nm/s at gap g [nm] and voltage V.
MEMSNN_HOST_DEVICE inline double chen_gap_rate(const ChenGapParams& p, double g, double voltage_V) {
  const double r = g / p.g1_nm;
  const double gamma = p.gamma0 - p.beta * r * r * r;
  const double e = gamma * p.field_per_V * voltage_V;
  return -(p.rate_set_nm_s * portable_exp(e) - p.rate_reset_nm_s * portable_exp(-e));
}

MEMSNN_HOST_DEVICE inline float chen_apply_pulse(const ChenGapParams& p, float gap_nm, double voltage_V,
                                                 double width_s) {
  const double lo = p.gap_min_nm, hi = p.gap_max_nm;
  const double dt = width_s / p.substeps;
  double g = gap_nm;
  for (int32_t i = 0; i < p.substeps; ++i) {
    g += chen_gap_rate(p, g, voltage_V) * dt;
    g = g < lo ? lo : (g > hi ? hi : g);
  }
  return chen_clamp_gap(p, g);
}

// g = -g0 ln(G / read_scale), clipped to the gap range.
MEMSNN_HOST_DEVICE inline float chen_state_for_conductance(const ChenGapParams& p, double g_S) {
  if (!(g_S > 0.0)) return p.gap_max_nm;
  return chen_clamp_gap(p, -p.g0_nm * portable_log(g_S / p.read_scale_S));
}

}  // namespace memsnn
