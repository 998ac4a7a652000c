// Device presets (see device_presets.hpp); each figure's source is named where it is defined
// and in docs/devices.md.
#include "device/device_presets.hpp"

#include "core/error.hpp"
#include "device/device_build.hpp"

namespace memsnn {

const std::vector<NeuroSimDeviceRow>& neurosim_device_table() {
  // MLP+NeuroSim V3.0 manual (P.-Y. Chen, X. Peng, S. Yu, IEEE TCAD 37(12), 2018), device
  // table: states, NL LTP/LTD, R_on, on/off ratio, cycle-to-cycle sigma.
  static const std::vector<NeuroSimDeviceRow> rows = {
      {"neurosim_ag_a_si", "Ag:a-Si", 97, 2.4, -4.88, 26e6, 12.5, 0.035},
      {"neurosim_taox_hfox", "TaOx/HfOx", 128, 0.04, -0.63, 100e3, 10.0, 0.037},
      {"neurosim_pcmo", "PCMO", 50, 3.68, -6.76, 23e6, 6.84, 0.01},         // C2C "<1 %"
      {"neurosim_alox_hfo2", "AlOx/HfO2", 40, 1.94, -0.61, 16.9e3, 4.43, 0.05},
      {"neurosim_epiram", "EpiRAM", 64, 0.5, -0.5, 81e3, 50.2, 0.02},
      {"neurosim_hzo_fefet", "HZO FeFET", 32, 1.75, 1.46, 559e3, 45.0, 0.005},  // C2C "<0.5 %"
  };
  return rows;
}

const std::vector<double>& anddudkin_resistances_ohm() {
  // Measured states of anddudkin_mem_project (now SNN_memristor_based), Memristor/*.pkl.
  static const std::vector<double> r = {11177, 9352, 8041, 7053, 6282, 5663, 5155, 4731, 4371, 4063,
                                        3795,  3560, 3352, 3168, 3002, 2853, 2719, 2596, 2484, 2381};
  return r;
}

std::vector<std::string> device_preset_names() {
  std::vector<std::string> names = {"ideal"};
  for (const auto& row : neurosim_device_table()) names.emplace_back(row.preset);
  names.insert(names.end(), {"anddudkin_20", "chen2015", "vteam_memtorch"});
  return names;
}

DeviceSpec device_preset(const std::string& name) {
  DeviceSpec spec;
  spec.preset = name;
  if (name == "ideal") {
    spec.model = make_ideal_device(1e-6, 1e-4);  // the default ConductanceRange of model/device.hpp
    return spec;
  }
  for (const auto& row : neurosim_device_table()) {
    if (name == row.preset) {
      spec.model = make_neurosim_device(row.states, row.nl_ltp, row.nl_ltd, row.r_on_ohm, row.on_off, row.sigma_c2c);
      return spec;
    }
  }
  if (name == "anddudkin_20") {
    spec.model = make_discrete_device(levels_from_resistances(anddudkin_resistances_ohm()));
    return spec;
  }
  if (name == "chen2015") {
    spec.model = make_chen_gap_device();  // ChenGapParams' defaults: Chen & Yu 2015 as Spikelearn sets them
    return spec;
  }
  if (name == "vteam_memtorch") {
    spec.model = make_vteam_device();  // VteamParams' defaults are MemTorch's
    return spec;
  }
  std::string list;
  for (const auto& n : device_preset_names()) list += (list.empty() ? "" : ", ") + n;
  throw ConfigError("unknown device preset \"" + name + "\"; valid: " + list);
}

}  // namespace memsnn
