// Named device presets, compiled in (the figures are few and each is cited where defined):
//   ideal                        G in [1 uS, 100 uS], 1 % per pulse (ours)
//   neurosim_ag_a_si, neurosim_taox_hfox, neurosim_pcmo, neurosim_alox_hfo2, neurosim_epiram,
//   neurosim_hzo_fefet           NeuroSim's device table (MLP+NeuroSim V3.0 manual)
//   anddudkin_20                 anddudkin_mem_project's 20 measured resistance states
//   chen2015                     Pai-Yu Chen & Shimeng Yu 2015 gap model (Spikelearn's constants)
//   vteam_memtorch               VTEAM with MemTorch's default parameters
// A table device has no preset: its data come from files (device_table.hpp).
#pragma once

#include <string>
#include <vector>

#include "device/device_spec.hpp"

namespace memsnn {

// One row of NeuroSim's device table.
struct NeuroSimDeviceRow {
  const char* preset;    // preset name
  const char* material;  // as NeuroSim names it
  int states;            // P_max
  double nl_ltp;
  double nl_ltd;
  double r_on_ohm;
  double on_off;
  double sigma_c2c;      // fraction of (G_max - G_min); "<1 %" rows use the bound
};
const std::vector<NeuroSimDeviceRow>& neurosim_device_table();

// anddudkin_mem_project's 20 resistance states (ohm), highest resistance first.
const std::vector<double>& anddudkin_resistances_ohm();

std::vector<std::string> device_preset_names();
// Throws ConfigError listing the valid names when `name` is unknown.
DeviceSpec device_preset(const std::string& name);

}  // namespace memsnn
