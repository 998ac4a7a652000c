// JSON <-> DeviceSpec with strict checking (see device_json.hpp and docs/devices.md).
#include "device/device_json.hpp"

#include <cmath>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/json_fields.hpp"
#include "device/device_build.hpp"
#include "device/device_presets.hpp"

namespace memsnn {
namespace {

using nlohmann::json;

constexpr double kMaxG = 1.0;         // S: no cell conducts a siemens
constexpr double kMaxR = 1e12;        // ohm
constexpr double kMaxWidth = 1.0;     // s
constexpr double kMaxVoltage = 1e3;   // V
constexpr int64_t kMaxSubsteps = 1000000;

const std::vector<std::string>& type_names() {
  static const std::vector<std::string> names = {"ideal", "neurosim", "discrete", "chen_gap", "table", "vteam"};
  return names;
}

DeviceModelKind kind_of(const std::string& type) {
  for (int k = 0; k < 6; ++k) {
    if (type == device_kind_name(static_cast<DeviceModelKind>(k))) return static_cast<DeviceModelKind>(k);
  }
  return DeviceModelKind::kIdeal;
}

// Defaults of a type given without a preset.
DeviceModel default_model(DeviceModelKind kind) {
  switch (kind) {
    case DeviceModelKind::kChenGap: return make_chen_gap_device();
    case DeviceModelKind::kVteam: return make_vteam_device();
    default: {
      DeviceModel m;
      m.kind = kind;
      if (kind == DeviceModelKind::kTable) {  // the 1T1R table's pulses (device_spec.hpp)
        m.pot_pulse = Pulse{0.42, 10e-9, 1};
        m.dep_pulse = Pulse{-1.42, 1e-9, 1};
      }
      return m;
    }
  }
}

void read_pulse(JsonFields& r, const char* key, Pulse& pulse) {
  const json* j = r.object(key);
  if (!j) return;
  JsonFields p(*j, r.path(key));
  p.number("voltage_V", pulse.voltage_V, -kMaxVoltage, kMaxVoltage, "V");
  p.number("width_s", pulse.width_s, 0.0, kMaxWidth, "s", true);
  p.finish();
}

void read_ideal(JsonFields& r, IdealParams& p) {
  r.number("g_min_S", p.g_min_S, 0.0, kMaxG, "S", true);
  r.number("g_max_S", p.g_max_S, 0.0, kMaxG, "S", true);
  r.number("step", p.step, 0.0, 1.0, "(fraction of the range)", true);
  if (p.g_min_S >= p.g_max_S) JsonFields::fail(r.path("g_max_S"), "must be greater than " + r.path("g_min_S"));
}

void read_neurosim(JsonFields& r, NeuroSimParams& p) {
  int32_t states = 0;
  if (r.integer("states", states, 1, 1000000)) p.p_max_ltp = p.p_max_ltd = static_cast<float>(states);
  r.number("nl_ltp", p.nl_ltp, -10.0, 10.0);
  r.number("nl_ltd", p.nl_ltd, -10.0, 10.0);
  r.number("sigma_c2c", p.sigma_c2c, 0.0, 1.0, "(fraction of G_max - G_min)");
  const bool by_r = r.has("r_on_ohm") || r.has("on_off");
  const bool by_g = r.has("g_min_S") || r.has("g_max_S");
  if (by_r && by_g) {
    JsonFields::fail(r.path(r.has("g_min_S") ? "g_min_S" : "g_max_S"),
                     "give the range either as r_on_ohm/on_off or as g_min_S/g_max_S, not both");
  }
  double r_on = 1.0 / p.g_max_S, on_off = p.g_max_S / p.g_min_S;
  // Both keys are read (and range-checked) before either decides.
  const bool r_on_given = r.number("r_on_ohm", r_on, 0.0, kMaxR, "ohm", true);
  const bool on_off_given = r.number("on_off", on_off, 1.0, 1e9, "", true);
  if (r_on_given || on_off_given) {
    p.g_max_S = 1.0 / r_on;
    p.g_min_S = p.g_max_S / on_off;
  }
  r.number("g_min_S", p.g_min_S, 0.0, kMaxG, "S", true);
  r.number("g_max_S", p.g_max_S, 0.0, kMaxG, "S", true);
}

void set_levels(DiscreteParams& p, const std::vector<double>& levels) {
  p.count = static_cast<int32_t>(levels.size());
  for (size_t k = 0; k < levels.size(); ++k) p.levels_S[k] = levels[k];
}

void read_discrete(JsonFields& r, DiscreteParams& p) {
  const char* forms[] = {"conductances_S", "resistances_ohm", "spacing"};
  int given = 0;
  for (const char* f : forms) given += r.has(f) ? 1 : 0;
  if (given > 1) JsonFields::fail(r.path("conductances_S"), "give one of conductances_S, resistances_ohm or spacing");
  const size_t max_n = kMaxDiscreteLevels;
  std::vector<double> list;
  if (r.number_list("conductances_S", list, 0.0, kMaxG, 2, max_n, "S")) {
    for (size_t k = 1; k < list.size(); ++k) {
      if (!(list[k] > list[k - 1])) JsonFields::fail(r.path("conductances_S"), "must be strictly increasing");
    }
    set_levels(p, list);
  }
  if (r.number_list("resistances_ohm", list, 0.0, kMaxR, 2, max_n, "ohm")) {
    const std::vector<double> g = levels_from_resistances(list);
    for (size_t k = 1; k < g.size(); ++k) {
      if (!(g[k] > g[k - 1])) JsonFields::fail(r.path("resistances_ohm"), "lists a resistance twice");
    }
    set_levels(p, g);
  }
  std::string spacing;
  const bool spaced = r.choice("spacing", spacing, {"linear", "geometric"});
  int32_t count = 0;
  double g_min = 0.0, g_max = 0.0;
  const bool has_count = r.integer("count", count, 2, kMaxDiscreteLevels);
  const bool has_min = r.number("g_min_S", g_min, 0.0, kMaxG, "S", true);
  const bool has_max = r.number("g_max_S", g_max, 0.0, kMaxG, "S", true);
  if (spaced) {
    if (!has_count || !has_min || !has_max) {
      JsonFields::fail(r.path(!has_count ? "count" : (!has_min ? "g_min_S" : "g_max_S")), "is required with \"spacing\"");
    }
    if (!(g_max > g_min)) JsonFields::fail(r.path("g_max_S"), "must exceed g_min_S");
    set_levels(p, spacing == "linear" ? linear_levels(count, g_min, g_max) : geometric_levels(count, g_min, g_max));
  } else if (has_count || has_min || has_max) {
    JsonFields::fail(r.path(has_count ? "count" : (has_min ? "g_min_S" : "g_max_S")), "is only used with \"spacing\"");
  }
  if (p.count == 0) {
    JsonFields::fail(r.path("conductances_S"), "a discrete device needs conductances_S, resistances_ohm or spacing");
  }
}

void read_chen(JsonFields& r, ChenGapParams& p) {
  r.number("g0_nm", p.g0_nm, 0.0, 100.0, "nm", true);
  r.number("i0_A", p.i0_A, 0.0, 1.0, "A", true);
  r.number("v0_V", p.v0_V, 0.0, 100.0, "V", true);
  r.number("v_read_V", p.v_read_V, 0.0, 100.0, "V", true);
  r.number("gamma0", p.gamma0, 0.0, 1000.0);
  r.number("beta", p.beta, 0.0, 1000.0);
  r.number("g1_nm", p.g1_nm, 0.0, 100.0, "nm", true);
  r.number("nu0_m_per_s", p.nu0_m_per_s, 0.0, 1e12, "m/s", true);
  r.number("ea_g_eV", p.ea_g_eV, 0.0, 100.0, "eV", true);
  r.number("ea_r_eV", p.ea_r_eV, 0.0, 100.0, "eV", true);
  r.number("temperature_K", p.temperature_K, 0.0, 2000.0, "K", true);
  r.number("a0_nm", p.a0_nm, 0.0, 100.0, "nm", true);
  r.number("l_nm", p.l_nm, 0.0, 1e4, "nm", true);
  r.number("gap_min_nm", p.gap_min_nm, 0.0, 100.0, "nm", true);
  r.number("gap_max_nm", p.gap_max_nm, 0.0, 100.0, "nm", true);
  r.integer("substeps", p.substeps, 1, kMaxSubsteps);
  if (!(p.gap_max_nm > p.gap_min_nm)) JsonFields::fail(r.path("gap_max_nm"), "must exceed gap_min_nm");
}

void read_vteam(JsonFields& r, VteamParams& p) {
  r.number("r_on_ohm", p.r_on_ohm, 0.0, kMaxR, "ohm", true);
  r.number("r_off_ohm", p.r_off_ohm, 0.0, kMaxR, "ohm", true);
  r.number("x_on_nm", p.x_on_nm, -1e3, 1e3, "nm");
  r.number("x_off_nm", p.x_off_nm, -1e3, 1e3, "nm");
  r.number("k_on_m_per_s", p.k_on_m_per_s, -1e12, 0.0, "m/s (negative)");
  r.number("k_off_m_per_s", p.k_off_m_per_s, 0.0, 1e12, "m/s", true);
  r.number("alpha_on", p.alpha_on, 0.0, 100.0, "", true);
  r.number("alpha_off", p.alpha_off, 0.0, 100.0, "", true);
  r.number("v_on_V", p.v_on_V, -kMaxVoltage, 0.0, "V (negative)");
  r.number("v_off_V", p.v_off_V, 0.0, kMaxVoltage, "V", true);
  std::string law;
  if (r.choice("law", law, {"linear", "exponential"})) p.law = law == "linear" ? VteamLaw::kLinear : VteamLaw::kExponential;
  r.integer("substeps", p.substeps, 1, kMaxSubsteps);
  if (!(p.r_off_ohm > p.r_on_ohm)) JsonFields::fail(r.path("r_off_ohm"), "must exceed r_on_ohm");
  if (!(p.x_off_nm > p.x_on_nm)) JsonFields::fail(r.path("x_off_nm"), "must exceed x_on_nm");
  if (p.k_on_m_per_s == 0.0) JsonFields::fail(r.path("k_on_m_per_s"), "must be < 0");
  if (p.v_on_V == 0.0) JsonFields::fail(r.path("v_on_V"), "must be < 0");
}

void read_table(JsonFields& r, DeviceSpec& spec) {
  std::string meta, pot, dep;
  TableMeta m;
  const bool has_meta = r.string("meta_json", meta);
  const bool has_pot = r.string("pot_csv", pot);
  const bool has_dep = r.string("dep_csv", dep);
  if (has_pot != has_dep) JsonFields::fail(r.path(has_pot ? "dep_csv" : "pot_csv"), "is required with the other CSV file");
  if (!has_meta && !has_pot) JsonFields::fail(r.path("meta_json"), "a table device needs meta_json and/or pot_csv + dep_csv");
  try {
    if (has_meta) m = read_table_meta(meta);
    if (has_meta && !has_pot) {  // the set named by its meta file
      const std::string stem = meta.size() > 10 ? meta.substr(0, meta.size() - 10) : meta;
      pot = stem + "_pot_dG.csv";
      dep = stem + "_dep_dG.csv";
      if (meta.size() <= 10 || meta.compare(meta.size() - 10, 10, "_meta.json") != 0) {
        JsonFields::fail(r.path("meta_json"), "without pot_csv/dep_csv it must be named X_meta.json (beside X_pot_dG.csv, X_dep_dG.csv)");
      }
    }
    const bool all_given = r.has("pot_width_s") && r.has("dep_width_s") && r.has("g_min_S") && r.has("g_max_S");
    if (!has_meta && !all_given) {
      JsonFields::fail(r.path("meta_json"), "without it, pot_width_s, dep_width_s, g_min_S and g_max_S are all required");
    }
    r.number("pot_width_s", m.pot_width_s, 0.0, kMaxWidth, "s", true);
    r.number("dep_width_s", m.dep_width_s, 0.0, kMaxWidth, "s", true);
    r.number("g_min_S", m.g_min_S, 0.0, kMaxG, "S", true);
    r.number("g_max_S", m.g_max_S, 0.0, kMaxG, "S", true);
    if (!(m.g_max_S > m.g_min_S)) JsonFields::fail(r.path("g_max_S"), "must exceed g_min_S");
    auto table = load_device_table(pot, dep, m.pot_width_s, m.dep_width_s, m.g_min_S, m.g_max_S);
    if (has_meta) {
      DeviceTable copy = *table;
      copy.meta_file = meta;
      table = std::make_shared<const DeviceTable>(std::move(copy));
    }
    spec.model.table = table->view();
    spec.table = std::move(table);
  } catch (const DataError& e) {
    throw DataError("config key '" + r.path(has_pot ? "pot_csv" : "meta_json") + "': " + e.what());
  }
}

}  // namespace

DeviceSpec device_from_json(const json& j, const std::string& key_path) {
  if (j.is_string()) {
    try {
      return device_preset(j.get<std::string>());
    } catch (const ConfigError& e) {
      JsonFields::fail(key_path, e.what());
    }
  }
  if (!j.is_object()) JsonFields::fail(key_path, "must be a device preset name or a JSON object");
  JsonFields r(j, key_path);
  DeviceSpec spec;
  std::string preset, type;
  if (r.string("preset", preset)) {
    try {
      spec = device_preset(preset);
    } catch (const ConfigError& e) {
      JsonFields::fail(r.path("preset"), e.what());
    }
  }
  if (r.choice("type", type, type_names())) {
    if (!preset.empty() && kind_of(type) != spec.model.kind) {
      JsonFields::fail(r.path("type"), "\"" + type + "\" does not match preset \"" + preset + "\" (a " +
                                           device_kind_name(spec.model.kind) + " device)");
    }
  } else if (preset.empty()) {
    JsonFields::fail(r.path("type"), "missing; valid: " + JsonFields::join(type_names()) + " (or give \"preset\")");
  }
  if (preset.empty()) spec.model = default_model(kind_of(type));
  DeviceModel& m = spec.model;
  switch (m.kind) {
    case DeviceModelKind::kIdeal: read_ideal(r, m.ideal); break;
    case DeviceModelKind::kNeuroSim: read_neurosim(r, m.neurosim); break;
    case DeviceModelKind::kDiscrete: read_discrete(r, m.discrete); break;
    case DeviceModelKind::kChenGap: read_chen(r, m.chen); break;
    case DeviceModelKind::kTable: read_table(r, spec); break;
    case DeviceModelKind::kVteam: read_vteam(r, m.vteam); break;
  }
  read_pulse(r, "pot_pulse", m.pot_pulse);
  read_pulse(r, "dep_pulse", m.dep_pulse);
  r.finish();
  try {
    finalize_device_model(m);
  } catch (const ConfigError& e) {
    JsonFields::fail(key_path, e.what());
  }
  return spec;
}

json device_to_json(const DeviceSpec& spec) {
  const DeviceModel& m = spec.model;
  json j;
  j["type"] = device_kind_name(m.kind);
  if (!spec.preset.empty()) j["preset"] = spec.preset;
  switch (m.kind) {
    case DeviceModelKind::kIdeal:
      j["g_min_S"] = m.ideal.g_min_S;
      j["g_max_S"] = m.ideal.g_max_S;
      j["step"] = m.ideal.step;
      break;
    case DeviceModelKind::kNeuroSim:
      j["states"] = static_cast<int>(m.neurosim.p_max_ltp);
      j["nl_ltp"] = m.neurosim.nl_ltp;
      j["nl_ltd"] = m.neurosim.nl_ltd;
      j["sigma_c2c"] = m.neurosim.sigma_c2c;
      j["g_min_S"] = m.neurosim.g_min_S;
      j["g_max_S"] = m.neurosim.g_max_S;
      break;
    case DeviceModelKind::kDiscrete:
      j["conductances_S"] = std::vector<double>(m.discrete.levels_S, m.discrete.levels_S + m.discrete.count);
      break;
    case DeviceModelKind::kChenGap: {
      const ChenGapParams& p = m.chen;
      j["g0_nm"] = p.g0_nm;
      j["i0_A"] = p.i0_A;
      j["v0_V"] = p.v0_V;
      j["v_read_V"] = p.v_read_V;
      j["gamma0"] = p.gamma0;
      j["beta"] = p.beta;
      j["g1_nm"] = p.g1_nm;
      j["nu0_m_per_s"] = p.nu0_m_per_s;
      j["ea_g_eV"] = p.ea_g_eV;
      j["ea_r_eV"] = p.ea_r_eV;
      j["temperature_K"] = p.temperature_K;
      j["a0_nm"] = p.a0_nm;
      j["l_nm"] = p.l_nm;
      j["gap_min_nm"] = p.gap_min_nm;
      j["gap_max_nm"] = p.gap_max_nm;
      j["substeps"] = p.substeps;
      break;
    }
    case DeviceModelKind::kTable:
      if (spec.table) {
        j["pot_csv"] = spec.table->pot.file;
        j["dep_csv"] = spec.table->dep.file;
        if (!spec.table->meta_file.empty()) j["meta_json"] = spec.table->meta_file;
      }
      j["pot_width_s"] = m.table.pot.width_s;
      j["dep_width_s"] = m.table.dep.width_s;
      j["g_min_S"] = m.table.g_min_S;
      j["g_max_S"] = m.table.g_max_S;
      break;
    case DeviceModelKind::kVteam: {
      const VteamParams& p = m.vteam;
      j["r_on_ohm"] = p.r_on_ohm;
      j["r_off_ohm"] = p.r_off_ohm;
      j["x_on_nm"] = p.x_on_nm;
      j["x_off_nm"] = p.x_off_nm;
      j["k_on_m_per_s"] = p.k_on_m_per_s;
      j["k_off_m_per_s"] = p.k_off_m_per_s;
      j["alpha_on"] = p.alpha_on;
      j["alpha_off"] = p.alpha_off;
      j["v_on_V"] = p.v_on_V;
      j["v_off_V"] = p.v_off_V;
      j["law"] = p.law == VteamLaw::kLinear ? "linear" : "exponential";
      j["substeps"] = p.substeps;
      break;
    }
  }
  j["pot_pulse"] = {{"voltage_V", m.pot_pulse.voltage_V}, {"width_s", m.pot_pulse.width_s}};
  j["dep_pulse"] = {{"voltage_V", m.dep_pulse.voltage_V}, {"width_s", m.dep_pulse.width_s}};
  return j;
}

}  // namespace memsnn
