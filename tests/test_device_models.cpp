// Tests for the device models (engine/device/, engine/model/device.hpp): the weight <->
// conductance map and the ideal device, NeuroSim curves against the manual's closed form,
// the Chen gap model against its read-conductance values and substep convergence, discrete
// levels, VTEAM thresholds and laws, bounds under random pulse trains for every preset, and
// the JSON reader's presets and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "device/device_build.hpp"
#include "device/device_json.hpp"
#include "device/device_model.hpp"
#include "device/device_presets.hpp"
#include "model/device.hpp"

namespace {

using namespace memsnn;
using nlohmann::json;

// A state is a float: w in [0, 1] carries 2^-24 ~ 6e-8 absolute rounding per pulse, and each
// NeuroSim pulse re-inverts the curve from that rounded w. 100 pulses stay below 2e-6.
constexpr double kFloatStateTol = 2e-6;
// G = G_min + w (G_max - G_min) in double may round one ulp past G_max at w = 1.
constexpr double kBoundRelTol = 1e-12;
// Halving the Chen substeps (64 -> 32) must move a nominal pulse's step by less than this
// fraction of the step (forward Euler is first order; measured 3.6e-5 at the nominal pulses).
constexpr double kSubstepRelTol = 1e-4;
// A float weight mapped to siemens in double and back loses only double rounding.
constexpr double kRoundTripTol = 1e-15;

// ---------------------------------------------------------------- Conductance map, ideal device

TEST(ConductanceRange, RoundTripAndEnds) {
  const ConductanceRange r{1e-6, 1e-4};
  EXPECT_DOUBLE_EQ(r.to_conductance(0.0), 1e-6);
  EXPECT_DOUBLE_EQ(r.to_conductance(1.0), 1e-4);
  for (double w = 0.0; w <= 1.0; w += 0.01) EXPECT_NEAR(r.to_weight(r.to_conductance(w)), w, kRoundTripTol);
  const ConductanceRange wide{4.4434e-7, 1.4930e-4};  // the 1T1R device's range
  for (double w = 0.0; w <= 1.0; w += 0.125) EXPECT_NEAR(wide.to_weight(wide.to_conductance(w)), w, kRoundTripTol);
}

TEST(IdealDevice, ClipsToRange) {
  EXPECT_EQ(ideal_device_update(0.5f, 0.25f, 0.0f, 1.0f), 0.75f);
  EXPECT_EQ(ideal_device_update(0.9f, 0.5f, 0.0f, 1.0f), 1.0f);
  EXPECT_EQ(ideal_device_update(0.1f, -0.5f, 0.0f, 1.0f), 0.0f);
}

// ---------------------------------------------------------------- NeuroSim

TEST(NeuroSim, NonlinearityTableValues) {
  const double nl[] = {0.5, 1.0, 2.0, 2.4, 3.0, 4.88, 6.0};
  const double a_over_p[] = {2.520, 1.252, 0.609, 0.499, 0.387, 0.200, 0.136};
  for (int i = 0; i < 7; ++i) {
    EXPECT_NEAR(neurosim_a_over_pmax(nl[i]), a_over_p[i], 1e-12) << "NL " << nl[i];
    EXPECT_NEAR(neurosim_a_over_pmax(-nl[i]), -a_over_p[i], 1e-12) << "NL " << -nl[i];
  }
  EXPECT_EQ(neurosim_a_over_pmax(0.0), 0.0);  // linear
  // Between entries P_max/A is linear in NL: NL 2.2 is the mean of 1/0.609 and 1/0.499.
  EXPECT_NEAR(1.0 / neurosim_a_over_pmax(2.2), 0.5 * (1 / 0.609 + 1 / 0.499), 1e-12);
  // Small NL approaches linear (huge A), PCMO's -6.76 extrapolates the last segment.
  EXPECT_GT(neurosim_a_over_pmax(0.04), 30.0);
  EXPECT_NEAR(neurosim_a_over_pmax(-6.76), -1.0 / (1 / 0.136 + 0.76 * (1 / 0.136 - 1 / 0.2) / 1.12), 1e-12);
  EXPECT_THROW(neurosim_a_over_pmax(11.0), ConfigError);
}

// The manual's closed forms, written independently of the implementation's signed A.
struct ManualCurves {
  double g_min, g_max, p_max, a_ltp, a_ltd;  // a_ltd > 0 as in the manual's G_LTD
  double b(double a) const { return (g_max - g_min) / (1 - std::exp(-p_max / a)); }
  double ltp(double p) const { return b(a_ltp) * (1 - std::exp(-p / a_ltp)) + g_min; }
  double ltd(double p) const { return -b(a_ltd) * (1 - std::exp((p - p_max) / a_ltd)) + g_max; }
  double ltp_inverse(double g) const { return -a_ltp * std::log(1 - (g - g_min) / b(a_ltp)); }
  double ltd_inverse(double g) const { return p_max + a_ltd * std::log(1 - (g_max - g) / b(a_ltd)); }
};

TEST(NeuroSim, AgASiMatchesTheManualClosedForm) {
  const DeviceModel m = device_preset("neurosim_ag_a_si").model;  // 97 states, NL 2.4 / -4.88
  const ManualCurves c{m.g_min_S, m.g_max_S, 97, 0.499 * 97, 0.200 * 97};
  EXPECT_DOUBLE_EQ(m.g_max_S, 1 / 26e6);
  EXPECT_DOUBLE_EQ(m.g_min_S, 1 / 26e6 / 12.5);
  const double range = m.g_max_S - m.g_min_S;
  float s = device_state_for_conductance(m, m.g_min_S);
  EXPECT_EQ(s, 0.0f);
  double worst = 0;
  for (int n = 1; n <= 97; ++n) {
    s = device_apply_pulses(m, s, device_nominal_pulse(m, +1));
    worst = std::max(worst, std::fabs(device_read_conductance(m, s) - c.ltp(n)) / range);
  }
  EXPECT_LT(worst, kFloatStateTol);
  EXPECT_NEAR(s, 1.0f, kFloatStateTol);  // P_max pulses reach G_max (up to the float round trips)
  s = 1.0f;
  worst = 0;
  for (int n = 1; n <= 97; ++n) {
    s = device_apply_pulses(m, s, device_nominal_pulse(m, -1));
    worst = std::max(worst, std::fabs(device_read_conductance(m, s) - c.ltd(97 - n)) / range);
  }
  EXPECT_LT(worst, kFloatStateTol);
  EXPECT_NEAR(s, 0.0f, kFloatStateTol);
  // A count-n pulse equals n single pulses.
  const float one_by_one = [&] {
    float t = 0.3f;
    for (int i = 0; i < 7; ++i) t = device_apply_pulse(m, t, 1.0, 1e-8);
    return t;
  }();
  EXPECT_NEAR(device_apply_pulses(m, 0.3f, Pulse{1.0, 1e-8, 7}), one_by_one, 1e-6);
}

TEST(NeuroSim, LtpThenLtdFollowsEachCurveFromTheCurrentConductance) {
  const DeviceModel m = device_preset("neurosim_ag_a_si").model;
  const ManualCurves c{m.g_min_S, m.g_max_S, 97, 0.499 * 97, 0.200 * 97};
  float s = device_apply_pulses(m, 0.0f, Pulse{1.0, 1e-8, 30});
  const double g1 = c.ltp(30);
  EXPECT_NEAR(device_read_conductance(m, s), g1, kFloatStateTol * (m.g_max_S - m.g_min_S));
  s = device_apply_pulses(m, s, Pulse{-1.0, 1e-8, 30});
  const double g2 = c.ltd(c.ltd_inverse(g1) - 30);
  EXPECT_NEAR(device_read_conductance(m, s), g2, kFloatStateTol * (m.g_max_S - m.g_min_S));
  // Asymmetry: 30 up then 30 down does not return to G_min (LTD's early pulses are large here,
  // yet it starts from low on its curve).
  EXPECT_GT(g2, m.g_min_S + 1e-3 * (m.g_max_S - m.g_min_S));
  // Check the inverse used above against the manual's form at the same point.
  EXPECT_NEAR(c.ltp_inverse(g1), 30.0, 1e-9);
}

TEST(NeuroSim, MonotonicAndBoundedForEveryPreset) {
  for (const auto& row : neurosim_device_table()) {
    const DeviceModel m = device_preset(row.preset).model;
    float s = 0.0f;
    for (int n = 0; n < row.states + 5; ++n) {
      const float next = device_apply_pulses(m, s, device_nominal_pulse(m, +1));
      if (n < row.states - 1) {
        EXPECT_GT(next, s) << row.preset << " LTP pulse " << n;
      }
      EXPECT_LE(next, 1.0f);
      s = next;
    }
    EXPECT_EQ(s, 1.0f) << row.preset;
    for (int n = 0; n < row.states + 5; ++n) {
      const float next = device_apply_pulses(m, s, device_nominal_pulse(m, -1));
      if (n < row.states - 1) {
        EXPECT_LT(next, s) << row.preset << " LTD pulse " << n;
      }
      EXPECT_GE(next, 0.0f);
      s = next;
    }
    EXPECT_EQ(s, 0.0f) << row.preset;
    EXPECT_FLOAT_EQ(device_nominal_pulse_weight(m), 1.0f / static_cast<float>(row.states));
  }
}

TEST(NeuroSim, ZeroNonlinearityIsLinear) {
  const DeviceModel m = make_neurosim_device(50, 0.0, 0.0, 1e4, 10.0);
  for (int n = 1; n <= 50; ++n) EXPECT_NEAR(device_apply_pulses(m, 0.0f, Pulse{1.0, 1e-8, static_cast<uint32_t>(n)}), n / 50.0, 1e-6);
  EXPECT_EQ(device_apply_pulse(m, 0.5f, 0.0, 1e-8), 0.5f);  // V = 0: no pulse
}

// ---------------------------------------------------------------- Chen & Yu 2015

TEST(ChenGap, ReadConductanceAtTheModelsGaps) {
  const DeviceModel m = device_preset("chen2015").model;
  const float gaps[] = {0.1f, 0.5f, 1.0f, 1.7f};
  const double w[] = {1.4930067, 0.34871893, 0.05662298, 0.00444341};
  // Half a unit in the last printed digit: the values are given to 8 significant digits.
  const double tol[] = {5e-8, 5e-9, 5e-9, 5e-9};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(device_read_conductance(m, gaps[i]) / 1e-4, w[i], tol[i]) << gaps[i] << " nm";
  EXPECT_NEAR(m.g_max_S, 1.4930067e-4, 5e-12);
  EXPECT_NEAR(m.g_min_S, 4.4434e-7, 5e-12);
  // state_for_conductance inverts the read law.
  EXPECT_NEAR(device_state_for_conductance(m, device_read_conductance(m, 0.77f)), 0.77f, 1e-6);
}

TEST(ChenGap, SetShrinksResetWidensTheGap) {
  const DeviceModel m = device_preset("chen2015").model;
  const float g = 0.8f;
  const float set = device_apply_pulse(m, g, 1.4, 10e-9);
  const float reset = device_apply_pulse(m, g, -1.4, 10e-9);
  EXPECT_LT(set, g);
  EXPECT_GT(reset, g);
  EXPECT_GT(device_read_conductance(m, set), device_read_conductance(m, g));
  // Stronger pulses move further; a huge one stops at the bound.
  EXPECT_LT(device_apply_pulse(m, g, 1.5, 10e-9), set);
  EXPECT_EQ(device_apply_pulse(m, g, 3.0, 1e-6), m.chen.gap_min_nm);
  EXPECT_EQ(device_apply_pulse(m, g, -3.0, 1e-6), m.chen.gap_max_nm);
  // The nominal pulses change the weight by about 1 % from mid range.
  EXPECT_GT(device_nominal_pulse_weight(m, +1), 0.005f);
  EXPECT_LT(device_nominal_pulse_weight(m, +1), 0.02f);
  EXPECT_GT(device_nominal_pulse_weight(m, -1), 0.005f);
  EXPECT_LT(device_nominal_pulse_weight(m, -1), 0.02f);
}

TEST(ChenGap, SubstepsConverge) {
  DeviceModel fine = device_preset("chen2015").model;
  DeviceModel coarse = fine;
  ASSERT_EQ(fine.chen.substeps, 64);
  coarse.chen.substeps = 32;
  for (int polarity : {+1, -1}) {
    const float start = device_state_for_weight(fine, 0.5);
    const Pulse p = device_nominal_pulse(fine, polarity);
    const double step = device_apply_pulses(fine, start, p) - start;
    const double diff = device_apply_pulses(fine, start, p) - device_apply_pulses(coarse, start, p);
    ASSERT_NE(step, 0.0);
    EXPECT_LT(std::fabs(diff / step), kSubstepRelTol) << "polarity " << polarity << " step " << step << " nm";
    std::printf("chen substeps 64 vs 32, polarity %+d: step %.6g nm, change %.3g of the step\n", polarity, step,
                std::fabs(diff / step));
  }
}

// ---------------------------------------------------------------- discrete

TEST(Discrete, AnddudkinStatesSnapAndStepOneLevelPerPulse) {
  const DeviceModel m = device_preset("anddudkin_20").model;
  ASSERT_EQ(m.discrete.count, 20);
  EXPECT_DOUBLE_EQ(m.g_min_S, 1.0 / 11177);
  EXPECT_DOUBLE_EQ(m.g_max_S, 1.0 / 2381);
  EXPECT_DOUBLE_EQ(device_read_conductance(m, 9.0f), 1.0 / 4063);  // 10th state from the top resistance
  // Snapping: just below the midpoint of levels 4 and 5 goes to 4, just above to 5.
  const double mid = 0.5 * (1.0 / 6282 + 1.0 / 5663);
  EXPECT_EQ(device_state_for_conductance(m, mid * (1 - 1e-9)), 4.0f);
  EXPECT_EQ(device_state_for_conductance(m, mid * (1 + 1e-9)), 5.0f);
  EXPECT_EQ(device_state_for_conductance(m, 1.0), 19.0f);
  EXPECT_EQ(device_state_for_conductance(m, 0.0), 0.0f);
  float s = 0.0f;
  for (int k = 1; k < 25; ++k) {
    s = device_apply_pulse(m, s, 1.0, 1e-8);
    EXPECT_EQ(s, static_cast<float>(std::min(k, 19)));
  }
  EXPECT_EQ(device_apply_pulses(m, 3.0f, Pulse{-1.0, 1e-8, 100}), 0.0f);
  EXPECT_EQ(device_apply_pulses(m, 3.0f, Pulse{-1.0, 1e-8, 2}), 1.0f);
  EXPECT_FLOAT_EQ(device_nominal_pulse_weight(m), 1.0f / 19);
}

TEST(Discrete, LinearAndGeometricLevels) {
  const std::vector<double> lin = linear_levels(5, 1e-6, 5e-6);
  const std::vector<double> geo = geometric_levels(5, 1e-6, 16e-6);
  for (int k = 0; k < 5; ++k) {
    EXPECT_NEAR(lin[k], (1 + k) * 1e-6, 1e-18);
    EXPECT_NEAR(geo[k], std::pow(2.0, k) * 1e-6, 1e-18);
  }
  EXPECT_THROW(make_discrete_device({2e-6, 1e-6}), ConfigError);        // not increasing
  EXPECT_THROW(make_discrete_device(std::vector<double>(65, 1e-6)), ConfigError);  // too many
}

// ---------------------------------------------------------------- VTEAM

TEST(Vteam, NoChangeBetweenThresholdsAndDirectionOutside) {
  const DeviceModel m = device_preset("vteam_memtorch").model;
  for (double v : {-0.2, -0.15, -0.01, 0.0, 0.01, 0.02}) EXPECT_EQ(device_apply_pulse(m, 1.5f, v, 1e-6), 1.5f) << v << " V";
  // v > v_off: x grows by k_off (v/v_off - 1)^alpha_off t = 5e-4 m/s * 4 * 30 ns = 0.06 nm.
  EXPECT_NEAR(device_apply_pulse(m, 1.5f, 0.1, 30e-9), 1.5 + 0.06, 1e-6);
  // v < v_on: x shrinks by |k_on| (v/v_on - 1)^3 t = 10 m/s * 0.25^3 * 0.4 ns = 0.0625 nm.
  EXPECT_NEAR(device_apply_pulse(m, 1.5f, -0.25, 0.4e-9), 1.5 - 0.0625, 1e-6);
  EXPECT_GT(device_read_conductance(m, device_apply_pulses(m, 1.5f, device_nominal_pulse(m, +1))),
            device_read_conductance(m, 1.5f));
  EXPECT_LT(device_read_conductance(m, device_apply_pulses(m, 1.5f, device_nominal_pulse(m, -1))),
            device_read_conductance(m, 1.5f));
  // Bounds: x stops at x_on / x_off, G at 1/R_on, 1/R_off.
  EXPECT_EQ(device_apply_pulse(m, 1.5f, -1.0, 1e-6), 0.0f);
  EXPECT_EQ(device_apply_pulse(m, 1.5f, 1.0, 1e-3), 3.0f);
  EXPECT_DOUBLE_EQ(m.g_max_S, 1.0 / 50);
  EXPECT_DOUBLE_EQ(m.g_min_S, 1.0 / 1000);
}

TEST(Vteam, LinearAndExponentialLaws) {
  VteamParams p;
  const DeviceModel lin = make_vteam_device(p);
  p.law = VteamLaw::kExponential;
  const DeviceModel ex = make_vteam_device(p);
  EXPECT_DOUBLE_EQ(1 / device_read_conductance(lin, 1.5f), 525.0);              // halfway: (50 + 1000) / 2
  EXPECT_NEAR(1 / device_read_conductance(ex, 1.5f), std::sqrt(50.0 * 1000), 1e-9);  // halfway: geometric mean
  EXPECT_NEAR(1 / ex.g_min_S, 1000.0, 1e-9);
  EXPECT_NEAR(device_state_for_conductance(ex, 1 / std::sqrt(50.0 * 1000)), 1.5f, 1e-6);
  EXPECT_NEAR(device_state_for_conductance(lin, 1 / 525.0), 1.5f, 1e-6);
}

// ---------------------------------------------------------------- every model

TEST(AllModels, RandomPulseTrainsStayWithinRange) {
  for (const std::string& name : device_preset_names()) {
    const DeviceModel m = device_preset(name).model;
    ASSERT_GT(m.g_max_S, m.g_min_S) << name;
    float s = device_state_for_weight(m, 0.5);
    int moved = 0;
    for (uint32_t i = 0; i < 1500; ++i) {
      const uint32_t bits = random_u32(7, static_cast<uint32_t>(Stream::kDeviceNoise), 99, i, 0);
      const float u1 = u32_to_unit_float(random_u32(7, static_cast<uint32_t>(Stream::kDeviceNoise), 99, i, 1));
      const float u2 = u32_to_unit_float(random_u32(7, static_cast<uint32_t>(Stream::kDeviceNoise), 99, i, 2));
      Pulse p = device_nominal_pulse(m, (bits & 1u) ? +1 : -1);
      p.voltage_V *= 0.9 + 0.2 * u1;  // +-10 % around the nominal voltage
      p.width_s *= 0.2 + 20.0 * u2;   // 0.2x .. 20x the nominal width
      p.count = 1 + ((bits >> 1) % 8u);
      const float next = device_apply_pulses(m, s, p);
      moved += next != s;
      s = next;
      const double g = device_read_conductance(m, s);
      ASSERT_GE(g, m.g_min_S * (1 - kBoundRelTol)) << name << " pulse " << i;
      ASSERT_LE(g, m.g_max_S * (1 + kBoundRelTol)) << name << " pulse " << i;
    }
    EXPECT_GT(moved, 100) << name << ": the train should move the state";
  }
}

// ---------------------------------------------------------------- JSON

std::string error_of(const json& j) {
  try {
    device_from_json(j, "device");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(DeviceJson, PresetsResolveAndRoundTrip) {
  for (const std::string& name : device_preset_names()) {
    const DeviceSpec spec = device_from_json(json(name), "device");
    EXPECT_EQ(spec.preset, name);
    const DeviceSpec again = device_from_json(device_to_json(spec), "device");
    EXPECT_EQ(again.model.kind, spec.model.kind) << name;
    EXPECT_DOUBLE_EQ(again.model.g_min_S, spec.model.g_min_S) << name;
    EXPECT_DOUBLE_EQ(again.model.g_max_S, spec.model.g_max_S) << name;
    const float s = device_state_for_weight(spec.model, 0.4);
    EXPECT_EQ(device_apply_pulses(again.model, s, device_nominal_pulse(again.model, +1)),
              device_apply_pulses(spec.model, s, device_nominal_pulse(spec.model, +1)))
        << name;
  }
}

TEST(DeviceJson, ObjectsAndOverrides) {
  const DeviceSpec a = device_from_json(json::parse(R"({"preset": "neurosim_epiram", "states": 32, "nl_ltd": -2})"), "device");
  EXPECT_EQ(a.model.neurosim.p_max_ltp, 32.0f);
  EXPECT_EQ(a.model.neurosim.nl_ltp, 0.5f);
  EXPECT_EQ(a.model.neurosim.nl_ltd, -2.0f);
  EXPECT_DOUBLE_EQ(a.model.g_max_S, 1 / 81e3);
  const DeviceSpec d = device_from_json(
      json::parse(R"({"type": "discrete", "spacing": "geometric", "count": 3, "g_min_S": 1e-6, "g_max_S": 4e-6})"), "device");
  EXPECT_NEAR(device_read_conductance(d.model, 1.0f), 2e-6, 1e-18);
  const DeviceSpec r = device_from_json(json::parse(R"({"type": "discrete", "resistances_ohm": [1000, 500, 250]})"), "device");
  EXPECT_DOUBLE_EQ(r.model.g_max_S, 1 / 250.0);
  const DeviceSpec v = device_from_json(json::parse(R"({"type": "vteam", "law": "exponential", "pot_pulse": {"voltage_V": -0.3}})"), "device");
  EXPECT_EQ(v.model.vteam.law, VteamLaw::kExponential);
  EXPECT_EQ(v.model.pot_pulse.voltage_V, -0.3);
  EXPECT_EQ(v.model.pot_pulse.width_s, 0.4e-9);  // kept from the default
  const DeviceSpec c = device_from_json(json::parse(R"({"type": "chen_gap", "substeps": 128, "temperature_K": 300})"), "device");
  EXPECT_EQ(c.model.chen.substeps, 128);
  EXPECT_LT(c.model.chen.rate_set_nm_s, device_preset("chen2015").model.chen.rate_set_nm_s);  // colder: slower
}

// Issue 17: a VTEAM nominal pulse inside its threshold moves nothing, so training ran with 0
// pulses per image and no warning. Such a device is an error naming the pulse and threshold.
TEST(DeviceJson, NominalPulsesInsideTheThresholdAreErrors) {
  std::string msg = error_of(json::parse(R"({"type": "vteam", "pot_pulse": {"voltage_V": -0.1, "width_s": 1e-9}})"));
  for (const char* e : {"pot_pulse", "-0.1 V", "v_on_V", "-0.2 V"}) EXPECT_NE(msg.find(e), std::string::npos) << msg;
  msg = error_of(json::parse(R"({"preset": "vteam_memtorch", "dep_pulse": {"voltage_V": 0.015, "width_s": 1e-8}})"));
  for (const char* e : {"dep_pulse", "0.015 V", "v_off_V", "0.02 V"}) EXPECT_NE(msg.find(e), std::string::npos) << msg;
  // A threshold moved past the default pulse (-0.25 V) makes the default pulse do nothing.
  msg = error_of(json::parse(R"({"type": "vteam", "v_on_V": -0.3})"));
  for (const char* e : {"pot_pulse", "-0.25 V", "v_on_V", "-0.3 V"}) EXPECT_NE(msg.find(e), std::string::npos) << msg;
  VteamParams p;
  p.v_off_V = 0.5;  // above the default depression pulse (0.1 V)
  EXPECT_THROW(make_vteam_device(p), ConfigError);
  // The presets and the defaults still build.
  EXPECT_NO_THROW(make_vteam_device());
  EXPECT_EQ(error_of(json::parse(R"({"type": "vteam"})")), "");
}

TEST(DeviceJson, ErrorsNameTheKeyAndTheAllowedValues) {
  struct Case {
    const char* json;
    std::vector<std::string> expect;
  };
  const Case cases[] = {
      {R"("no_such_device")", {"'device'", "unknown device preset", "chen2015"}},
      {R"({"type": "neurosim", "bogus": 1})", {"'device.bogus'", "unknown key", "nl_ltp"}},
      {R"({"type": "neurosim", "nl_ltp": "high"})", {"'device.nl_ltp'", "must be a number"}},
      {R"({"type": "neurosim", "nl_ltp": 12})", {"'device.nl_ltp'", "out of range [-10, 10]"}},
      {R"({"type": "neurosim", "states": 0})", {"'device.states'", "[1, 1000000]"}},
      {R"({"type": "neurosim", "states": 2.5})", {"'device.states'", "integer"}},
      {R"({"type": "neurosim", "r_on_ohm": 1e4, "g_max_S": 1e-4})", {"'device.g_max_S'", "not both"}},
      {R"({"type": "memristor"})", {"'device.type'", "unknown value", "vteam"}},
      {R"({"step": 0.1})", {"'device.type'", "missing"}},
      {R"({"preset": "chen2015", "type": "vteam"})", {"'device.type'", "does not match"}},
      {R"({"preset": "nope"})", {"'device.preset'", "unknown device preset"}},
      {R"({"type": "ideal", "g_min_S": 2e-4, "g_max_S": 1e-4})", {"'device.g_max_S'", "greater than device.g_min_S"}},
      {R"({"type": "ideal", "step": -1})", {"'device.step'", "out of range"}},
      {R"({"type": "discrete"})", {"'device.conductances_S'", "needs"}},
      {R"({"type": "discrete", "conductances_S": [2e-6, 1e-6]})", {"'device.conductances_S'", "increasing"}},
      {R"({"type": "discrete", "spacing": "log", "count": 3})", {"'device.spacing'", "linear, geometric"}},
      {R"({"type": "discrete", "spacing": "linear", "count": 3})", {"'device.g_min_S'", "required"}},
      {R"({"type": "chen_gap", "gap_min_nm": 2})", {"'device.gap_max_nm'", "exceed"}},
      {R"({"type": "chen_gap", "substeps": 0})", {"'device.substeps'", "[1, 1000000]"}},
      {R"({"type": "vteam", "law": "cubic"})", {"'device.law'", "linear, exponential"}},
      {R"({"type": "vteam", "k_on_m_per_s": 5})", {"'device.k_on_m_per_s'", "out of range"}},
      {R"({"type": "vteam", "pot_pulse": {"voltage": 1}})", {"'device.pot_pulse.voltage'", "unknown key", "voltage_V"}},
      {R"({"type": "vteam", "dep_pulse": {"width_s": 0}})", {"'device.dep_pulse.width_s'", "out of range (0, 1]"}},
      {R"({"type": "table"})", {"'device.meta_json'", "needs"}},
      {R"({"type": "table", "pot_csv": "a.csv"})", {"'device.dep_csv'", "required"}},
      {R"(42)", {"'device'", "preset name or a JSON object"}},
  };
  for (const Case& c : cases) {
    const std::string msg = error_of(json::parse(c.json));
    ASSERT_FALSE(msg.empty()) << c.json << " was accepted";
    for (const std::string& e : c.expect) EXPECT_NE(msg.find(e), std::string::npos) << c.json << " -> " << msg;
  }
}

}  // namespace
