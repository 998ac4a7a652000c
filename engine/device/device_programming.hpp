// Learning through devices: one crossbar cell written by programming pulses, shared by the
// CPU loop (backend/cpu_simulation.cpp) and the CUDA kernels.
//
// The crossbar stores each cell's weight w = (G - G_min) / (G_max - G_min) (model/device.hpp)
// over the device model's range. A write:
//   1. a stuck cell (device_noise.hpp) keeps its conductance: nothing happens;
//   2. the cell's own conductance range (device-to-device spread of G_min and G_max, an
//      affine map of the model's curve) gives its model conductance, hence the model state;
//   3. the learning rule's request becomes pulses:
//        pulse count:    n = round(dw / dw_pulse) (deterministic or stochastic rounding) of
//                        the model's nominal pulse (device_model.hpp)
//        trace voltage:  one pulse whose amplitude follows the STDP trace (Spikelearn):
//                        V = max(V_max + 0.073 log10(trace), 0)
//      and the model's physics applies them; an ideal device with the pulse-count mapping
//      takes dw exactly in one pulse (the plain STDP update);
//   4. cycle-to-cycle noise sigma_c2c (G_max - G_min) sqrt(|n|) z is added, the conductance
//      snapped back onto a reachable state, and the realised conductance is what the
//      network keeps.
// Energy of a pulse train: E = n V^2 G t (G before the pulses)  [J]; of a read of a spiking
// row: V_read^2 t_read sum_j G_ij  [J] (Memristor-Spikelearn's accounting).
#pragma once

#include <cstdint>

#include "core/host_device.hpp"
#include "device/device_model.hpp"
#include "device/device_noise.hpp"
#include "device/pulse_mapping.hpp"

namespace memsnn {

enum class PulseMappingKind : int32_t { kPulseCount = 0, kTraceVoltage = 1 };

// Everything a backend needs to program and read cells; trivially copyable.
struct DeviceProgramming {
  DeviceModel model;
  DeviceNonIdealities nonideal;
  PulseMappingKind mapping = PulseMappingKind::kPulseCount;
  PulseRounding rounding = PulseRounding::kStochastic;
  double trace_v_max_pot_V = 0.0;  // trace mapping: pulse amplitude at trace 1
  double trace_v_max_dep_V = 0.0;
  double v_read_V = 0.2;           // read energy
  double read_width_s = 1e-8;
  uint32_t projection = 0;         // keys the noise of this crossbar
};

// Pulses and energy, summed over cells and steps.
struct DeviceTally {
  uint64_t pot_pulses = 0;
  uint64_t dep_pulses = 0;
  double program_energy_J = 0.0;
  double read_energy_J = 0.0;

  MEMSNN_HOST_DEVICE void add(const DeviceTally& o) {
    pot_pulses += o.pot_pulses;
    dep_pulses += o.dep_pulses;
    program_energy_J += o.program_energy_J;
    read_energy_J += o.read_energy_J;
  }
};

// Whether a write needs its random draws (stochastic rounding, write noise): the caller
// skips the Philox call otherwise.
MEMSNN_HOST_DEVICE inline bool write_needs_draw(const DeviceProgramming& p) {
  const bool stochastic = p.mapping == PulseMappingKind::kPulseCount && p.rounding == PulseRounding::kStochastic &&
                          p.model.kind != DeviceModelKind::kIdeal;
  return stochastic || p.nonideal.c2c_sigma > 0.0;
}

// A cell's conductance range after device-to-device spread (parameters 1 and 2 of the
// cell's variation draws); the model's own range without spread.
struct CellRange {
  double g_lo_S = 0.0;
  double g_hi_S = 0.0;
};

MEMSNN_HOST_DEVICE inline CellRange cell_range(const DeviceProgramming& p, uint64_t seed, uint32_t cell) {
  CellRange r{p.model.g_min_S, p.model.g_max_S};
  if (p.nonideal.d2d_sigma == 0.0) return r;
  r.g_lo_S *= d2d_factor(seed, p.projection, 1, cell, p.nonideal.d2d_sigma);
  r.g_hi_S *= d2d_factor(seed, p.projection, 2, cell, p.nonideal.d2d_sigma);
  if (r.g_hi_S <= r.g_lo_S) r.g_hi_S = r.g_lo_S * (1.0 + 1e-6);  // keep the map invertible
  return r;
}

// Cell conductance <-> the model's conductance (the affine map of the spread).
MEMSNN_HOST_DEVICE inline double cell_to_model_conductance(const DeviceModel& m, const CellRange& r, double g_S) {
  return m.g_min_S + (g_S - r.g_lo_S) * (m.g_max_S - m.g_min_S) / (r.g_hi_S - r.g_lo_S);
}
MEMSNN_HOST_DEVICE inline double model_to_cell_conductance(const DeviceModel& m, const CellRange& r, double g_S) {
  return r.g_lo_S + (g_S - m.g_min_S) * (r.g_hi_S - r.g_lo_S) / (m.g_max_S - m.g_min_S);
}

// The weight a stuck cell reads (its fault is decided once per cell, device_noise.hpp).
MEMSNN_HOST_DEVICE inline float stuck_weight(const DeviceProgramming& p, const CellRange& r, CellFault f) {
  const double g = f == CellFault::kStuckAtMax ? r.g_hi_S : r.g_lo_S;
  return static_cast<float>((g - p.model.g_min_S) / (p.model.g_max_S - p.model.g_min_S));
}

// What one write asks for: a weight change (pulse-count mapping) and the STDP trace that
// drove it (trace mapping); polarity +1 potentiates, -1 depresses.
struct WriteRequest {
  float dw = 0.0f;
  float trace = 0.0f;
  int32_t polarity = 0;
};

// One write of one cell; returns the new weight and adds its pulses and energy to *tally.
MEMSNN_HOST_DEVICE inline float program_cell(const DeviceProgramming& p, uint64_t seed, uint32_t cell, float w,
                                             const WriteRequest& req, const WriteDraw& draw, DeviceTally* tally) {
  if (req.polarity == 0) return w;
  if (p.nonideal.any_fault() && cell_fault(seed, p.projection, cell, p.nonideal) != CellFault::kNone) return w;
  const DeviceModel& m = p.model;
  const double range = m.g_max_S - m.g_min_S;
  const CellRange r = cell_range(p, seed, cell);
  const double g_cell = m.g_min_S + static_cast<double>(w) * range;
  const double g_model = cell_to_model_conductance(m, r, g_cell);
  float state = device_state_for_conductance(m, g_model);
  const double g_before = device_read_conductance(m, state);

  Pulse pulse = device_nominal_pulse(m, req.polarity);
  if (p.mapping == PulseMappingKind::kPulseCount) {
    if (m.kind == DeviceModelKind::kIdeal) {  // any conductance: the request exactly, in one pulse
      pulse.count = 1;
      state = clamp_unit(state + req.dw);
    } else {
      const int32_t n = pulses_for_weight_change(req.dw, device_nominal_pulse_weight(m, req.polarity), p.rounding,
                                                 draw.uniform);
      if (n == 0) return w;
      pulse.count = static_cast<uint32_t>(n < 0 ? -n : n);
      state = device_apply_pulses(m, state, pulse);
    }
  } else {
    const double v_max = req.polarity > 0 ? p.trace_v_max_pot_V : p.trace_v_max_dep_V;
    const double v = trace_pulse_voltage(static_cast<double>(req.trace), v_max);
    if (v == 0.0) return w;
    pulse.voltage_V = pulse.voltage_V < 0.0 ? -v : v;
    pulse.count = 1;
    state = device_apply_pulses(m, state, pulse);
  }
  double g_after = device_read_conductance(m, state);
  if (p.nonideal.c2c_sigma > 0.0 && pulse.count > 0) {
    g_after += c2c_write_noise(p.nonideal.c2c_sigma, range, static_cast<int32_t>(pulse.count), draw.normal);
    g_after = device_read_conductance(m, device_state_for_conductance(m, g_after));
  }
  if (tally != nullptr) {
    if (req.polarity > 0) {
      tally->pot_pulses += pulse.count;
    } else {
      tally->dep_pulses += pulse.count;
    }
    tally->program_energy_J +=
        static_cast<double>(pulse.count) * pulse.voltage_V * pulse.voltage_V * g_before * pulse.width_s;
  }
  return static_cast<float>((model_to_cell_conductance(m, r, g_after) - m.g_min_S) / range);
}

// One learning-rule write of one cell, as both backends do it: the request from dw (its sign
// is the polarity; the trace drives the trace mapping), its random draws keyed by (seed,
// projection, phase, device clock, cell) only when needed, then program_cell.
MEMSNN_HOST_DEVICE inline float write_cell(const DeviceProgramming& p, uint64_t seed, uint32_t clock, uint32_t cell,
                                           float w, float dw, float trace, WritePhase phase, DeviceTally* tally) {
  const WriteRequest req{dw, trace, dw > 0.0f ? 1 : (dw < 0.0f ? -1 : 0)};
  if (req.polarity == 0) return w;
  const WriteDraw draw = write_needs_draw(p) ? write_draw(seed, p.projection, phase, clock, cell) : WriteDraw{};
  return program_cell(p, seed, cell, w, req, draw, tally);
}

// G_min in weight units: the differential read's reference column at G_min cancels G_min's
// mean current, not its noise.
MEMSNN_HOST_DEVICE inline float reference_weight(const DeviceProgramming& p) {
  return static_cast<float>(p.model.g_min_S / (p.model.g_max_S - p.model.g_min_S));
}

// What a read cell of weight w adds with read-noise factor f = 1 + sigma z on I = V G.
MEMSNN_HOST_DEVICE inline float noisy_cell_read(float w, float f, float reference_w) {
  return w + (f - 1.0f) * (w + reference_w);
}

// Where a cell starts: the weight w asked for, snapped onto the device's states (and a stuck
// cell at its stuck conductance).
MEMSNN_HOST_DEVICE inline float program_initial_weight(const DeviceProgramming& p, uint64_t seed, uint32_t cell,
                                                       float w) {
  const DeviceModel& m = p.model;
  const CellRange r = cell_range(p, seed, cell);
  if (p.nonideal.any_fault()) {
    const CellFault f = cell_fault(seed, p.projection, cell, p.nonideal);
    if (f != CellFault::kNone) return stuck_weight(p, r, f);
  }
  // Models whose state is w itself hold any weight in [0, 1]: nothing to snap (and no curve to
  // invert for every cell of every normalisation).
  const bool state_is_weight = m.kind == DeviceModelKind::kIdeal || m.kind == DeviceModelKind::kNeuroSim ||
                               m.kind == DeviceModelKind::kTable;
  if (state_is_weight && p.nonideal.d2d_sigma == 0.0) return clamp_unit(w);
  const double range = m.g_max_S - m.g_min_S;
  const double g_model = cell_to_model_conductance(m, r, m.g_min_S + static_cast<double>(w) * range);
  const double g = device_read_conductance(m, device_state_for_conductance(m, g_model));
  return static_cast<float>((model_to_cell_conductance(m, r, g) - m.g_min_S) / range);
}

// Energy of reading one spiking row whose weights sum to `weight_sum` over `cols` cells.
MEMSNN_HOST_DEVICE inline double row_read_energy(const DeviceProgramming& p, double weight_sum, uint32_t cols) {
  const double g_sum = cols * p.model.g_min_S + weight_sum * (p.model.g_max_S - p.model.g_min_S);
  return p.v_read_V * p.v_read_V * p.read_width_s * g_sum;
}

}  // namespace memsnn
