// Learning through devices on the CPU reference (device/device_programming.hpp): the ideal
// device through the pulse path is the plain STDP run; discrete devices hold only their
// states; stuck cells never move; no model leaves its range; the same seed gives the same
// devices, another seed other ones; pulses and energy are counted; bad device keys fail in
// one line naming the key.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/cpu_backend.hpp"
#include "config/network_config.hpp"
#include "core/error.hpp"
#include "device/device_build.hpp"
#include "device/device_drift.hpp"
#include "fixtures.hpp"

using namespace memsnn;
using nlohmann::json;

namespace {

constexpr size_t kImages = 6;

Network small_network(const json& device, uint64_t seed = 3, const json& patch = json::object()) {
  json doc = preset_json("diehl_cook_2015");
  doc["seed"] = seed;
  doc["populations"]["exc"]["size"] = 20;
  doc["populations"]["inh"]["size"] = 20;
  doc["protocol"]["presentation_ms"] = 100.0;
  doc["protocol"]["rest_ms"] = 20.0;
  if (!device.is_null()) doc["device"] = device;
  doc.merge_patch(patch);
  return build_network(config_from_json(doc), 28, 28);
}

NetworkState train(const Network& net, std::vector<PresentationResult>* results = nullptr) {
  CpuBackend backend(net, 1);
  backend.set_state(initial_state(net));
  const auto images = fixtures::synthetic_images(kImages, net.n_inputs);
  auto r = fixtures::train_images(backend, images, kImages);
  if (results) *results = r;
  return backend.state();
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(DeviceNetwork, PlainIdealDeviceTakesTheExactStdpPath) {
  EXPECT_FALSE(small_network(json()).device_path);
  EXPECT_TRUE(small_network({{"preset", "anddudkin_20"}}).device_path);
  EXPECT_TRUE(small_network({{"type", "ideal"}, {"nonideal", {{"read_sigma", 0.01}}}}).device_path);
}

TEST(DeviceNetwork, IdealDeviceThroughThePulsePathEqualsPlainStdp) {
  const Network plain = small_network(json());
  Network through = plain;
  through.device_path = true;  // same ideal device, every write through program_cell
  std::vector<PresentationResult> a, b;
  const NetworkState sa = train(plain, &a);
  const NetworkState sb = train(through, &b);
  EXPECT_TRUE(same_bits(sa.g, sb.g));
  EXPECT_EQ(sa.theta, sb.theta);
  for (size_t s = 0; s < kImages; ++s) EXPECT_EQ(a[s].counts, b[s].counts) << "image " << s;
  EXPECT_GT(b[0].device.pot_pulses + b[0].device.dep_pulses, 0u);  // one pulse per write
}

TEST(DeviceNetwork, DiscreteDevicesHoldOnlyTheirStates) {
  const Network net = small_network({{"preset", "anddudkin_20"}});
  const DeviceModel& m = net.device.model;
  std::set<float> allowed;
  for (int k = 0; k < 20; ++k) {
    allowed.insert(static_cast<float>((device_read_conductance(m, static_cast<float>(k)) - m.g_min_S) /
                                      (m.g_max_S - m.g_min_S)));
  }
  const NetworkState initial = initial_state(net);
  for (float w : initial.g) EXPECT_TRUE(allowed.count(w)) << w;
  std::vector<PresentationResult> r;
  const NetworkState s = train(net, &r);
  for (float w : s.g) ASSERT_TRUE(allowed.count(w)) << w;
  EXPECT_FALSE(same_bits(initial.g, s.g));  // it learned something
  uint64_t pulses = 0;
  double energy = 0.0, read = 0.0;
  for (const auto& x : r) {
    pulses += x.device.pot_pulses + x.device.dep_pulses;
    energy += x.device.program_energy_J;
    read += x.device.read_energy_J;
  }
  EXPECT_GT(pulses, 0u);
  EXPECT_GT(energy, 0.0);
  EXPECT_GT(read, 0.0);
}

TEST(DeviceNetwork, StuckCellsNeverMove) {
  const json device = {{"preset", "neurosim_epiram"}, {"nonideal", {{"stuck_at_min", 0.05}, {"stuck_at_max", 0.05}}}};
  const Network net = small_network(device);
  const NetworkState initial = initial_state(net);
  const NetworkState s = train(net);
  size_t stuck = 0;
  for (uint32_t c = 0; c < initial.g.size(); ++c) {
    const CellFault f = cell_fault(net.config.seed, net.device.projection, c, net.device.nonideal);
    if (f == CellFault::kNone) continue;
    ++stuck;
    EXPECT_EQ(initial.g[c], f == CellFault::kStuckAtMax ? 1.0f : 0.0f);
    EXPECT_EQ(s.g[c], initial.g[c]) << "cell " << c;
  }
  // 15,680 cells, 10 % stuck: 1568 +- 3.29 sigma (sigma = 37.6).
  EXPECT_NEAR(static_cast<double>(stuck), 1568.0, 3.29 * 37.6);
}

TEST(DeviceNetwork, EveryModelStaysInItsRangeWhileLearning) {
  for (const json& device :
       {json{{"preset", "neurosim_ag_a_si"}, {"nonideal", {{"c2c_sigma", 0.035}, {"d2d_sigma", 0.1}}}},
        json{{"preset", "neurosim_epiram"}, {"rounding", "deterministic"}},
        json{{"preset", "chen2015"}, {"mapping", "trace_voltage"}},
        json{{"preset", "vteam_memtorch"}},
        json{{"type", "discrete"}, {"count", 16}, {"spacing", "linear"}, {"g_min_S", 1e-6}, {"g_max_S", 1e-4}}}) {
    const Network net = small_network(device);
    const NetworkState s = train(net);
    const double lo_w = net.device.nonideal.d2d_sigma > 0 ? -kD2dCut * net.device.nonideal.d2d_sigma * 2 : 0.0;
    const double hi_w = net.device.nonideal.d2d_sigma > 0 ? 1.0 + kD2dCut * net.device.nonideal.d2d_sigma * 2 : 1.0;
    for (float w : s.g) {
      ASSERT_TRUE(std::isfinite(w)) << device.dump();
      ASSERT_GE(w, lo_w - 1e-6) << device.dump();
      ASSERT_LE(w, hi_w + 1e-6) << device.dump();
    }
  }
}

TEST(DeviceNetwork, TheSeedDecidesTheNoise) {
  const json device = {{"preset", "neurosim_epiram"},
                       {"nonideal", {{"c2c_sigma", 0.02}, {"d2d_sigma", 0.05}, {"read_sigma", 0.02}}}};
  const NetworkState a = train(small_network(device, 5));
  const NetworkState b = train(small_network(device, 5));
  const NetworkState c = train(small_network(device, 6));
  EXPECT_TRUE(same_bits(a.g, b.g));
  EXPECT_FALSE(same_bits(a.g, c.g));
}

TEST(DeviceNetwork, NormalisationOffLeavesTheWeightsToThePulses) {
  const Network net = small_network({{"preset", "anddudkin_20"}, {"normalization", "off"}});
  EXPECT_EQ(net.config.learning.normalize_sum, 0.0);
  EXPECT_GT(small_network({{"preset", "anddudkin_20"}}).config.learning.normalize_sum, 0.0);
}

TEST(DeviceNetwork, DriftLowersWhatInferenceReads) {
  const json device = {{"preset", "neurosim_epiram"}, {"nonideal", {{"drift_nu", 0.1}, {"drift_time_s", 1e4}}}};
  const json one_attempt = {{"encoder", {{"max_retries", 0}}}};  // spikes of one presentation each
  const Network drifting = small_network(device, 3, one_attempt);
  json fresh_device = device;
  fresh_device["nonideal"]["drift_time_s"] = 0.0;
  const Network fresh = small_network(fresh_device, 3, one_attempt);
  const NetworkState trained = train(fresh);
  const auto images = fixtures::synthetic_images(kImages, fresh.n_inputs);
  uint64_t spikes[2] = {0, 0};
  const Network* nets[2] = {&fresh, &drifting};
  for (int k = 0; k < 2; ++k) {
    CpuBackend b(*nets[k], 1);
    b.set_state(trained);
    for (const auto& r : fixtures::infer_all(b, images, kImages)) spikes[k] += r.layer_spikes;
    EXPECT_EQ(b.state().g, trained.g);  // the stored weights stay as programmed
  }
  // G falls to 10^-0.4 = 40 % after 1e4 t0: the layer must fire less.
  EXPECT_LT(spikes[1], spikes[0]);
  std::vector<float> g = {0.0f, 0.5f, 1.0f};
  const auto d = drifted_weights(g, drifting.conductance, drifting.device.nonideal);
  const double f = std::pow(1e4, -0.1);
  for (size_t c = 0; c < g.size(); ++c) {
    const double g0 = drifting.conductance.to_conductance(g[c]);
    EXPECT_NEAR(d[c], drifting.conductance.to_weight(g0 * f), 1e-6);
  }
}

void expect_config_error(const json& device, const std::string& key) {
  try {
    small_network(device);
    FAIL() << "no error for " << device.dump();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
  }
}

TEST(DeviceNetwork, BadDeviceKeysNameTheKey) {
  expect_config_error({{"preset", "anddudkin_20"}, {"nonideal", {{"c2c", 0.1}}}}, "device.nonideal.c2c");
  expect_config_error({{"preset", "anddudkin_20"}, {"nonideal", {{"d2d_sigma", 0.9}}}}, "device.nonideal.d2d_sigma");
  expect_config_error({{"preset", "anddudkin_20"}, {"nonideal", {{"stuck_at_min", 0.7}, {"stuck_at_max", 0.7}}}},
                      "device.nonideal.stuck_at_max");
  expect_config_error({{"preset", "anddudkin_20"}, {"mapping", "voltage"}}, "device.mapping");
  expect_config_error({{"preset", "no_such_device"}}, "no_such_device");
  expect_config_error(json(3), "device");
}

TEST(DeviceNetwork, ResolvedConfigRoundTrips) {
  const Network net = small_network({{"preset", "neurosim_epiram"}, {"nonideal", {{"c2c_sigma", 0.02}}}});
  const NetworkConfig again = config_from_json(config_to_json(net.config));
  EXPECT_EQ(again.device.model_json, net.config.device.model_json);
  EXPECT_EQ(again.device.nonideal.c2c_sigma, 0.02);
  EXPECT_EQ(again.device.type, "neurosim");
}

}  // namespace
