// Data-driven device: measured or simulated conductance change per pulse, dG(G, V), read
// from two tables (Memristor-Spikelearn's 1T1R model, model_data/1t1r_Paiyu_15.npz).
//
// State: the normalised conductance w in [0, 1], G = G_min + w (G_max - G_min)  [S].
// Potentiation (V > 0): dG = pot(G, V) from a table over a G grid x a voltage grid (for the
// 1T1R data V is the transistor gate voltage). Depression (V < 0): dG = dep(G, |V|) <= 0 over
// a |V| grid. Each table holds dG for one pulse of its own width t_table; a pulse of width t
// adds dG t / t_table (Spikelearn scales the same way). Bilinear interpolation in (G, V):
//   dG = (1-s)(1-t) d00 + s(1-t) d10 + (1-s) t d01 + s t d11,  s, t the fractions within the cell,
// exact at grid points. G outside the G grid is clamped to it; |V| below the voltage grid makes
// no change (Spikelearn's rule), |V| above it is clamped to the largest grid voltage (ours;
// Spikelearn raises). Then G + dG is clipped to [G_min, G_max].
// The arrays live in a host DeviceTable (device_table.hpp); this view holds raw pointers so a
// CUDA backend can upload the arrays and repoint it.
#pragma once

#include <cstdint>

#include "core/host_device.hpp"
#include "device/ideal_device.hpp"

namespace memsnn {

// One dG table: values[i * n_v + j] = dG at (g_grid[i], v_grid[j]).
struct TableGrid {
  const double* g_grid = nullptr;  // S, strictly increasing
  const double* v_grid = nullptr;  // V, strictly increasing, > 0
  const double* values = nullptr;  // S per pulse of width_s
  int32_t n_g = 0;
  int32_t n_v = 0;
  double width_s = 0.0;            // pulse width the table was measured at
};

struct TableParams {
  double g_min_S = 0.0;
  double g_max_S = 0.0;
  TableGrid pot;
  TableGrid dep;
};

// Index i with grid[i] <= x < grid[i+1] (x already inside [grid[0], grid[n-1]]); the last
// interval also takes x == grid[n-1].
MEMSNN_HOST_DEVICE inline int32_t table_interval(const double* grid, int32_t n, double x) {
  int32_t lo = 0, hi = n - 1;  // invariant: grid[lo] <= x, and x < grid[hi] or hi == n-1
  while (hi - lo > 1) {
    const int32_t mid = (lo + hi) / 2;
    if (grid[mid] <= x) lo = mid; else hi = mid;
  }
  return lo;
}

// Bilinear dG at (g, v); v must be >= v_grid[0].
MEMSNN_HOST_DEVICE inline double table_lookup(const TableGrid& t, double g, double v) {
  g = g < t.g_grid[0] ? t.g_grid[0] : (g > t.g_grid[t.n_g - 1] ? t.g_grid[t.n_g - 1] : g);
  v = v > t.v_grid[t.n_v - 1] ? t.v_grid[t.n_v - 1] : v;
  const int32_t i = table_interval(t.g_grid, t.n_g, g);
  const int32_t j = table_interval(t.v_grid, t.n_v, v);
  const double s = (g - t.g_grid[i]) / (t.g_grid[i + 1] - t.g_grid[i]);
  const double u = (v - t.v_grid[j]) / (t.v_grid[j + 1] - t.v_grid[j]);
  const double* row0 = t.values + static_cast<int64_t>(i) * t.n_v;
  const double* row1 = row0 + t.n_v;
  // (1-u) a + u b form: exact at both ends of the interval.
  const double d0 = (1.0 - u) * row0[j] + u * row0[j + 1];
  const double d1 = (1.0 - u) * row1[j] + u * row1[j + 1];
  return (1.0 - s) * d0 + s * d1;
}

MEMSNN_HOST_DEVICE inline double table_read_conductance(const TableParams& p, float w) {
  return p.g_min_S + static_cast<double>(w) * (p.g_max_S - p.g_min_S);
}

MEMSNN_HOST_DEVICE inline float table_state_for_conductance(const TableParams& p, double g_S) {
  return clamp_unit(static_cast<float>((g_S - p.g_min_S) / (p.g_max_S - p.g_min_S)));
}

MEMSNN_HOST_DEVICE inline float table_apply_pulse(const TableParams& p, float w, double voltage_V,
                                                  double width_s) {
  const TableGrid& t = voltage_V > 0.0 ? p.pot : p.dep;
  const double v = voltage_V > 0.0 ? voltage_V : -voltage_V;
  if (v == 0.0 || !(v >= t.v_grid[0])) return w;
  double g = table_read_conductance(p, w);
  g += table_lookup(t, g, v) * (width_s / t.width_s);
  g = g < p.g_min_S ? p.g_min_S : (g > p.g_max_S ? p.g_max_S : g);
  return table_state_for_conductance(p, g);
}

}  // namespace memsnn
