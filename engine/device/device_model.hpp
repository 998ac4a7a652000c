// One memristor device model for every cell of a crossbar, shared by the CPU loop and the
// CUDA kernels: a trivially copyable struct (kind + every model's parameters) and free
// HOST_DEVICE functions that switch on the kind. No virtual calls, no containers.
//
// Each cell keeps one float of state; what it means depends on the model:
//   kIdeal, kNeuroSim, kTable: normalised conductance w in [0, 1], G = G_min + w (G_max - G_min)
//   kDiscrete: level index k (an integer held in a float), G = levels[k]
//   kChenGap:  tunnelling gap g in nm, [0.1, 1.7]
//   kVteam:    state variable x in nm, [x_on, x_off]
// device_read_weight / device_state_for_weight convert to and from the network's weight
// w = (G - G_min) / (G_max - G_min), whatever the state.
//
// Pulses: `voltage_V` is the voltage across the cell. For every model but VTEAM V > 0
// potentiates and V < 0 depresses; VTEAM uses its physical thresholds (v < v_on < 0
// potentiates). device_nominal_pulse(model, +1/-1) gives each model's programming pulse, so
// callers need not know the sign convention. Models without a time scale (ideal, NeuroSim,
// discrete) ignore |V| and the width.
//
// A DeviceModel is built and its derived constants filled by the host code in
// device_build.hpp (finalize_device_model); table data is owned by a DeviceSpec
// (device_spec.hpp).
#pragma once

#include <cstdint>

#include "core/host_device.hpp"
#include "device/chen_gap_device.hpp"
#include "device/discrete_device.hpp"
#include "device/ideal_device.hpp"
#include "device/neurosim_device.hpp"
#include "device/table_device.hpp"
#include "device/vteam_device.hpp"

namespace memsnn {

enum class DeviceModelKind : int32_t { kIdeal = 0, kNeuroSim = 1, kDiscrete = 2, kChenGap = 3, kTable = 4, kVteam = 5 };

// A programming pulse train: `count` identical pulses of `voltage_V` lasting `width_s` each.
struct Pulse {
  double voltage_V = 0.0;
  double width_s = 0.0;
  uint32_t count = 1;
};

struct DeviceModel {
  DeviceModelKind kind = DeviceModelKind::kIdeal;
  IdealParams ideal;
  NeuroSimParams neurosim;
  DiscreteParams discrete;
  ChenGapParams chen;
  TableParams table;
  VteamParams vteam;
  // The model's programming pulses (potentiation, depression).
  Pulse pot_pulse{1.0, 1e-8, 1};
  Pulse dep_pulse{-1.0, 1e-8, 1};
  // Derived by finalize_device_model (host):
  double g_min_S = 0.0;        // read conductance at the low end of the state range
  double g_max_S = 0.0;        // ... at the high end
  float nominal_dw_pot = 0.0f;  // ~ weight change of one nominal potentiation pulse (> 0)
  float nominal_dw_dep = 0.0f;  // ~ weight change of one nominal depression pulse (> 0, a magnitude)
};

MEMSNN_HOST_DEVICE inline double device_read_conductance(const DeviceModel& m, float state) {
  switch (m.kind) {
    case DeviceModelKind::kIdeal: return ideal_read_conductance(m.ideal, state);
    case DeviceModelKind::kNeuroSim: return neurosim_read_conductance(m.neurosim, state);
    case DeviceModelKind::kDiscrete: return discrete_read_conductance(m.discrete, state);
    case DeviceModelKind::kChenGap: return chen_read_conductance(m.chen, state);
    case DeviceModelKind::kTable: return table_read_conductance(m.table, state);
    case DeviceModelKind::kVteam: return vteam_read_conductance(m.vteam, state);
  }
  return 0.0;
}

// `count` pulses of one voltage and width. Pulse-count models take the count at once; the
// physical models integrate pulse after pulse (their response depends on the state).
MEMSNN_HOST_DEVICE inline float device_apply_pulses(const DeviceModel& m, float state, const Pulse& pulse) {
  switch (m.kind) {
    case DeviceModelKind::kIdeal: return ideal_apply_pulses(m.ideal, state, pulse.voltage_V, pulse.count);
    case DeviceModelKind::kNeuroSim: return neurosim_apply_pulses(m.neurosim, state, pulse.voltage_V, pulse.count);
    case DeviceModelKind::kDiscrete: return discrete_apply_pulses(m.discrete, state, pulse.voltage_V, pulse.count);
    case DeviceModelKind::kChenGap:
      for (uint32_t i = 0; i < pulse.count; ++i) state = chen_apply_pulse(m.chen, state, pulse.voltage_V, pulse.width_s);
      return state;
    case DeviceModelKind::kTable:
      for (uint32_t i = 0; i < pulse.count; ++i) state = table_apply_pulse(m.table, state, pulse.voltage_V, pulse.width_s);
      return state;
    case DeviceModelKind::kVteam:
      for (uint32_t i = 0; i < pulse.count; ++i) state = vteam_apply_pulse(m.vteam, state, pulse.voltage_V, pulse.width_s);
      return state;
  }
  return state;
}

MEMSNN_HOST_DEVICE inline float device_apply_pulse(const DeviceModel& m, float state, double voltage_V,
                                                   double width_s) {
  Pulse p;
  p.voltage_V = voltage_V;
  p.width_s = width_s;
  p.count = 1;
  return device_apply_pulses(m, state, p);
}

// The reachable state whose read conductance is nearest g_S (clipped to the range).
MEMSNN_HOST_DEVICE inline float device_state_for_conductance(const DeviceModel& m, double g_S) {
  switch (m.kind) {
    case DeviceModelKind::kIdeal: return ideal_state_for_conductance(m.ideal, g_S);
    case DeviceModelKind::kNeuroSim: return neurosim_state_for_conductance(m.neurosim, g_S);
    case DeviceModelKind::kDiscrete: return discrete_state_for_conductance(m.discrete, g_S);
    case DeviceModelKind::kChenGap: return chen_state_for_conductance(m.chen, g_S);
    case DeviceModelKind::kTable: return table_state_for_conductance(m.table, g_S);
    case DeviceModelKind::kVteam: return vteam_state_for_conductance(m.vteam, g_S);
  }
  return 0.0f;
}

MEMSNN_HOST_DEVICE inline double device_g_min(const DeviceModel& m) { return m.g_min_S; }
MEMSNN_HOST_DEVICE inline double device_g_max(const DeviceModel& m) { return m.g_max_S; }

// Weight w = (G - G_min) / (G_max - G_min) of a state, and the state nearest a weight.
MEMSNN_HOST_DEVICE inline double device_read_weight(const DeviceModel& m, float state) {
  return (device_read_conductance(m, state) - m.g_min_S) / (m.g_max_S - m.g_min_S);
}
MEMSNN_HOST_DEVICE inline float device_state_for_weight(const DeviceModel& m, double w) {
  return device_state_for_conductance(m, m.g_min_S + w * (m.g_max_S - m.g_min_S));
}

// The model's programming pulse for potentiation (polarity > 0) or depression (< 0).
MEMSNN_HOST_DEVICE inline Pulse device_nominal_pulse(const DeviceModel& m, int polarity) {
  return polarity > 0 ? m.pot_pulse : m.dep_pulse;
}

// About how much one nominal pulse changes the weight (a magnitude): 1/P_max for NeuroSim,
// 1/(levels-1) for discrete, the step for ideal, and for the physical models the change one
// nominal pulse makes from mid range (w = 0.5). Used to turn an STDP dw into a pulse count.
MEMSNN_HOST_DEVICE inline float device_nominal_pulse_weight(const DeviceModel& m, int polarity = +1) {
  return polarity > 0 ? m.nominal_dw_pot : m.nominal_dw_dep;
}

}  // namespace memsnn
