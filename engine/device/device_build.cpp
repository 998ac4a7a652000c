// Makers and derived constants for DeviceModel (see device_build.hpp).
#include "device/device_build.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.hpp"

namespace memsnn {
namespace {

[[noreturn]] void bad(const std::string& what) { throw ConfigError("device: " + what); }

std::string num(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

void require(bool ok, const std::string& what) {
  if (!ok) bad(what);
}

bool positive(double x) { return std::isfinite(x) && x > 0.0; }

// Boltzmann constant and elementary charge as Spikelearn's cell_Paiyu_chen_15 uses them.
constexpr double kBoltzmann = 1.3806503e-23;  // J/K
constexpr double kCharge = 1.60217663e-19;    // C

void finalize_chen(ChenGapParams& p) {
  require(positive(p.g0_nm) && positive(p.i0_A) && positive(p.v0_V) && positive(p.v_read_V), "chen_gap: g0, I0, V0, V_read must be > 0");
  require(positive(p.temperature_K) && positive(p.l_nm) && positive(p.a0_nm) && positive(p.nu0_m_per_s) && positive(p.g1_nm),
          "chen_gap: T, L, a0, nu0, g1 must be > 0");
  require(p.gap_min_nm > 0.0f && p.gap_min_nm < p.gap_max_nm, "chen_gap: need 0 < gap_min < gap_max");
  require(p.substeps >= 1, "chen_gap: substeps must be >= 1");
  const double kt_over_q = kBoltzmann * p.temperature_K / kCharge;  // V
  p.read_scale_S = p.i0_A * std::sinh(p.v_read_V / p.v0_V) / p.v_read_V;
  p.rate_set_nm_s = p.nu0_m_per_s * 1e9 * std::exp(-p.ea_g_eV / kt_over_q);
  p.rate_reset_nm_s = p.nu0_m_per_s * 1e9 * std::exp(-p.ea_r_eV / kt_over_q);
  p.field_per_V = (p.a0_nm / p.l_nm) / kt_over_q;
}

// Signed dw of one nominal pulse applied at w = 0.5.
double mid_range_change(const DeviceModel& m, int polarity) {
  const float s0 = device_state_for_weight(m, 0.5);
  const float s1 = device_apply_pulses(m, s0, device_nominal_pulse(m, polarity));
  return device_read_weight(m, s1) - device_read_weight(m, s0);
}

std::string pulse_name(int polarity) { return polarity > 0 ? "pot_pulse" : "dep_pulse"; }

// A nominal pulse inside the device's threshold moves nothing: STDP would then program 0
// pulses per image without a word. Checked where the model's threshold is explicit.
void check_pulse_threshold(const DeviceModel& m, int polarity) {
  const double v = device_nominal_pulse(m, polarity).voltage_V;
  const std::string pulse = pulse_name(polarity) + " voltage " + num(v) + " V";
  if (m.kind == DeviceModelKind::kVteam) {
    const VteamParams& p = m.vteam;
    // Potentiation drives x towards x_on (G up): below v_on; depression above v_off.
    if (polarity > 0 && !(v < p.v_on_V)) {
      bad("vteam: " + pulse + " does not pass the threshold v_on_V = " + num(p.v_on_V) +
          " V (potentiation needs a voltage below it), so a nominal pulse would not change the device");
    }
    if (polarity < 0 && !(v > p.v_off_V)) {
      bad("vteam: " + pulse + " does not pass the threshold v_off_V = " + num(p.v_off_V) +
          " V (depression needs a voltage above it), so a nominal pulse would not change the device");
    }
  }
  if (m.kind == DeviceModelKind::kTable) {
    // Potentiation reads the pot table with V > 0, depression the dep table with V < 0; |V|
    // below a table's lowest voltage changes nothing (table_device.hpp).
    const TableGrid& t = polarity > 0 ? m.table.pot : m.table.dep;
    const bool right_sign = polarity > 0 ? v > 0.0 : v < 0.0;
    if (!right_sign) {
      bad("table: " + pulse + " must be " + (polarity > 0 ? "positive (the pot table)" : "negative (the dep table)"));
    }
    if (std::fabs(v) < t.v_grid[0]) {
      bad("table: " + pulse + " lies below the threshold of its table, the lowest voltage " + num(t.v_grid[0]) +
          " V, so a nominal pulse would not change the device");
    }
  }
}

// |dw| of one nominal pulse at w = 0.5; zero or the wrong direction is an error naming the
// pulse (a table flat at mid range, a pulse of the wrong polarity).
float mid_range_step(const DeviceModel& m, int polarity) {
  check_pulse_threshold(m, polarity);
  const double dw = mid_range_change(m, polarity);
  const Pulse pulse = device_nominal_pulse(m, polarity);
  const std::string what = std::string(device_kind_name(m.kind)) + ": " + pulse_name(polarity) + " (" +
                           num(pulse.voltage_V) + " V, " + num(pulse.width_s) + " s)";
  if (dw == 0.0) bad(what + " changes nothing at mid range (w = 0.5): a nominal pulse must move the device");
  if ((dw > 0.0) != (polarity > 0)) {
    bad(what + (polarity > 0 ? " lowers" : " raises") + " the weight at mid range (w = 0.5): check its sign");
  }
  return static_cast<float>(std::fabs(dw));
}

}  // namespace

double neurosim_a_over_pmax(double nl) {
  // (NL, P_max/A) anchors: the manual's NL -> A/P_max table, inverted, with (0, 0) = linear.
  static const double kNl[] = {0.0, 0.5, 1.0, 2.0, 2.4, 3.0, 4.88, 6.0};
  static const double kAOverP[] = {0.0, 2.520, 1.252, 0.609, 0.499, 0.387, 0.200, 0.136};
  constexpr int n = 8;
  const double x = std::fabs(nl);
  require(std::isfinite(nl) && x <= 10.0, "NeuroSim nonlinearity " + num(nl) + " is out of range [-10, 10]");
  if (x == 0.0) return 0.0;
  auto r = [&](int i) { return kAOverP[i] == 0.0 ? 0.0 : 1.0 / kAOverP[i]; };
  int i = 0;
  while (i < n - 2 && x > kNl[i + 1]) ++i;  // segment [i, i+1]; the last one extrapolates
  const double t = (x - kNl[i]) / (kNl[i + 1] - kNl[i]);
  const double p_over_a = r(i) + t * (r(i + 1) - r(i));
  return (nl < 0.0 ? -1.0 : 1.0) / p_over_a;
}

const char* device_kind_name(DeviceModelKind kind) {
  switch (kind) {
    case DeviceModelKind::kIdeal: return "ideal";
    case DeviceModelKind::kNeuroSim: return "neurosim";
    case DeviceModelKind::kDiscrete: return "discrete";
    case DeviceModelKind::kChenGap: return "chen_gap";
    case DeviceModelKind::kTable: return "table";
    case DeviceModelKind::kVteam: return "vteam";
  }
  return "?";
}

void finalize_device_model(DeviceModel& m) {
  auto check_range = [](double lo, double hi, const char* model) {
    require(positive(lo) && positive(hi) && lo < hi,
            std::string(model) + ": need 0 < G_min < G_max, got " + num(lo) + ", " + num(hi) + " S");
  };
  switch (m.kind) {
    case DeviceModelKind::kIdeal:
      check_range(m.ideal.g_min_S, m.ideal.g_max_S, "ideal");
      require(m.ideal.step > 0.0f && m.ideal.step <= 1.0f, "ideal: step must be in (0, 1]");
      m.g_min_S = m.ideal.g_min_S;
      m.g_max_S = m.ideal.g_max_S;
      m.nominal_dw_pot = m.nominal_dw_dep = m.ideal.step;
      break;
    case DeviceModelKind::kNeuroSim: {
      NeuroSimParams& p = m.neurosim;
      check_range(p.g_min_S, p.g_max_S, "neurosim");
      require(p.p_max_ltp >= 1.0f && p.p_max_ltd >= 1.0f, "neurosim: the number of states must be >= 1");
      p.a_ltp = neurosim_a_over_pmax(p.nl_ltp) * p.p_max_ltp;
      p.a_ltd = neurosim_a_over_pmax(p.nl_ltd) * p.p_max_ltd;
      m.g_min_S = p.g_min_S;
      m.g_max_S = p.g_max_S;
      // NeuroSim turns a weight change into pulses as dw * P_max.
      m.nominal_dw_pot = 1.0f / p.p_max_ltp;
      m.nominal_dw_dep = 1.0f / p.p_max_ltd;
      break;
    }
    case DeviceModelKind::kDiscrete: {
      const DiscreteParams& p = m.discrete;
      require(p.count >= 2 && p.count <= kMaxDiscreteLevels,
              "discrete: need 2 .. " + std::to_string(kMaxDiscreteLevels) + " levels, got " + std::to_string(p.count));
      for (int k = 0; k < p.count; ++k) {
        require(positive(p.levels_S[k]), "discrete: level " + std::to_string(k) + " must be a conductance > 0");
        if (k > 0) require(p.levels_S[k] > p.levels_S[k - 1], "discrete: levels must be strictly increasing");
      }
      m.g_min_S = p.levels_S[0];
      m.g_max_S = p.levels_S[p.count - 1];
      m.nominal_dw_pot = m.nominal_dw_dep = 1.0f / static_cast<float>(p.count - 1);
      break;
    }
    case DeviceModelKind::kChenGap:
      finalize_chen(m.chen);
      m.g_min_S = chen_read_conductance(m.chen, m.chen.gap_max_nm);
      m.g_max_S = chen_read_conductance(m.chen, m.chen.gap_min_nm);
      break;
    case DeviceModelKind::kTable: {
      const TableParams& p = m.table;
      check_range(p.g_min_S, p.g_max_S, "table");
      require(p.pot.values && p.dep.values, "table: no table data attached (load it with device_table.hpp)");
      require(positive(p.pot.width_s) && positive(p.dep.width_s), "table: pulse widths must be > 0");
      m.g_min_S = p.g_min_S;
      m.g_max_S = p.g_max_S;
      break;
    }
    case DeviceModelKind::kVteam: {
      const VteamParams& p = m.vteam;
      require(positive(p.r_on_ohm) && p.r_off_ohm > p.r_on_ohm && std::isfinite(p.r_off_ohm), "vteam: need 0 < R_on < R_off");
      require(p.x_on_nm < p.x_off_nm, "vteam: need x_on < x_off");
      require(p.v_on_V < 0.0 && p.v_off_V > 0.0, "vteam: need v_on < 0 < v_off");
      require(p.k_on_m_per_s < 0.0 && p.k_off_m_per_s > 0.0, "vteam: need k_on < 0 < k_off");
      require(positive(p.alpha_on) && positive(p.alpha_off), "vteam: alpha_on, alpha_off must be > 0");
      require(p.substeps >= 1, "vteam: substeps must be >= 1");
      m.g_min_S = vteam_read_conductance(p, p.x_off_nm);
      m.g_max_S = vteam_read_conductance(p, p.x_on_nm);
      break;
    }
  }
  require(m.pot_pulse.count >= 1 && m.dep_pulse.count >= 1, "nominal pulses need count >= 1");
  require(std::isfinite(m.pot_pulse.voltage_V) && std::isfinite(m.dep_pulse.voltage_V) && positive(m.pot_pulse.width_s) &&
              positive(m.dep_pulse.width_s),
          "nominal pulses need finite voltages and widths > 0");
  if (m.kind == DeviceModelKind::kChenGap || m.kind == DeviceModelKind::kTable || m.kind == DeviceModelKind::kVteam) {
    m.nominal_dw_pot = mid_range_step(m, +1);
    m.nominal_dw_dep = mid_range_step(m, -1);
  }
}

DeviceModel make_ideal_device(double g_min_S, double g_max_S, float step) {
  DeviceModel m;
  m.kind = DeviceModelKind::kIdeal;
  m.ideal.g_min_S = g_min_S;
  m.ideal.g_max_S = g_max_S;
  m.ideal.step = step;
  finalize_device_model(m);
  return m;
}

DeviceModel make_neurosim_device(int states, double nl_ltp, double nl_ltd, double r_on_ohm, double on_off,
                                 double sigma_c2c) {
  require(positive(r_on_ohm) && std::isfinite(on_off) && on_off > 1.0, "neurosim: need R_on > 0 and on/off > 1");
  DeviceModel m;
  m.kind = DeviceModelKind::kNeuroSim;
  NeuroSimParams& p = m.neurosim;
  p.g_max_S = 1.0 / r_on_ohm;
  p.g_min_S = p.g_max_S / on_off;
  p.p_max_ltp = p.p_max_ltd = static_cast<float>(states);
  p.nl_ltp = static_cast<float>(nl_ltp);
  p.nl_ltd = static_cast<float>(nl_ltd);
  p.sigma_c2c = static_cast<float>(sigma_c2c);
  finalize_device_model(m);
  return m;
}

DeviceModel make_discrete_device(const std::vector<double>& levels_S) {
  require(levels_S.size() >= 2 && levels_S.size() <= static_cast<size_t>(kMaxDiscreteLevels),
          "discrete: need 2 .. " + std::to_string(kMaxDiscreteLevels) + " levels, got " + std::to_string(levels_S.size()));
  DeviceModel m;
  m.kind = DeviceModelKind::kDiscrete;
  m.discrete.count = static_cast<int32_t>(levels_S.size());
  std::copy(levels_S.begin(), levels_S.end(), m.discrete.levels_S);
  finalize_device_model(m);
  return m;
}

std::vector<double> linear_levels(int count, double g_min_S, double g_max_S) {
  require(count >= 2, "discrete: need at least 2 levels");
  std::vector<double> v(static_cast<size_t>(count));
  for (int k = 0; k < count; ++k) v[static_cast<size_t>(k)] = g_min_S + (g_max_S - g_min_S) * k / (count - 1);
  return v;
}

std::vector<double> geometric_levels(int count, double g_min_S, double g_max_S) {
  require(count >= 2 && positive(g_min_S) && g_max_S > g_min_S, "discrete: geometric levels need count >= 2, 0 < G_min < G_max");
  std::vector<double> v(static_cast<size_t>(count));
  for (int k = 0; k < count; ++k) v[static_cast<size_t>(k)] = g_min_S * std::pow(g_max_S / g_min_S, static_cast<double>(k) / (count - 1));
  v.back() = g_max_S;  // exact end points
  return v;
}

std::vector<double> levels_from_resistances(const std::vector<double>& r_ohm) {
  std::vector<double> g;
  for (double r : r_ohm) {
    require(positive(r), "discrete: resistances must be > 0");
    g.push_back(1.0 / r);
  }
  std::sort(g.begin(), g.end());
  return g;
}

DeviceModel make_chen_gap_device(const ChenGapParams& p) {
  DeviceModel m;
  m.kind = DeviceModelKind::kChenGap;
  m.chen = p;
  // Pulses (ours; widths as Spikelearn's STDP example): about 1 % of the range from mid range.
  m.pot_pulse = Pulse{1.37, 10e-9, 1};
  m.dep_pulse = Pulse{-1.45, 1e-9, 1};
  finalize_device_model(m);
  return m;
}

DeviceModel make_vteam_device(const VteamParams& p) {
  DeviceModel m;
  m.kind = DeviceModelKind::kVteam;
  m.vteam = p;
  // Pulses (ours): each moves x by about 2 % of [x_on, x_off] with MemTorch's defaults.
  m.pot_pulse = Pulse{-0.25, 0.4e-9, 1};
  m.dep_pulse = Pulse{0.1, 30e-9, 1};
  finalize_device_model(m);
  return m;
}

}  // namespace memsnn
