// The CPU reference backend: determinism, thread independence, an exactly known spike
// raster, the retry rule, and ideal-crossbar exactness.
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

#include <nlohmann/json.hpp>

#include "backend/cpu_backend.hpp"
#include "config/network_config.hpp"
#include "core/rng.hpp"

using namespace memsnn;
using nlohmann::json;

namespace {

Network dc_network(uint32_t neurons, const json& patch = json::object()) {
  json doc = preset_json("diehl_cook_2015");
  doc["populations"]["exc"]["size"] = neurons;
  doc["populations"]["inh"]["size"] = neurons;
  doc["protocol"]["presentation_ms"] = 100.0;  // short presentations keep the test fast
  doc["protocol"]["rest_ms"] = 20.0;
  doc.merge_patch(patch);
  return build_network(config_from_json(doc), 28, 28);
}

// Digit-like synthetic images: a bright random blob per image, the rest dark.
std::vector<uint8_t> synthetic_images(size_t n, uint32_t pixels) {
  std::vector<uint8_t> images(n * pixels, 0);
  for (size_t s = 0; s < n; ++s) {
    for (uint32_t p = 0; p < pixels; ++p) {
      const uint32_t r = random_u32(5, 77, static_cast<uint32_t>(s), 0, p);
      if (r % 5 == 0) images[s * pixels + p] = static_cast<uint8_t>(128 + r % 128);
    }
  }
  return images;
}

std::vector<PresentationResult> train_some(CpuBackend& backend, const std::vector<uint8_t>& images, size_t n) {
  std::vector<PresentationResult> results(n);
  for (size_t s = 0; s < n; ++s) {
    backend.train({images.data() + s * backend.network().n_inputs, static_cast<uint32_t>(s), Phase::kTrain},
                  results[s]);
  }
  return results;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST(CpuBackend, TrainingIsDeterministic) {
  const Network net = dc_network(20);
  const auto images = synthetic_images(6, net.n_inputs);
  CpuBackend a(net, 1), b(net, 2);
  const auto ra = train_some(a, images, 6);
  const auto rb = train_some(b, images, 6);
  for (size_t s = 0; s < ra.size(); ++s) {
    EXPECT_EQ(ra[s].counts, rb[s].counts);
    EXPECT_EQ(ra[s].input_spikes, rb[s].input_spikes);
  }
  EXPECT_TRUE(same_bits(a.state().g, b.state().g));
  EXPECT_EQ(a.state().theta, b.state().theta);
}

TEST(CpuBackend, LearningChangesWeightsWithinBoundsAndRaisesTheta) {
  // No theta decay and no rest (whose spikes are not counted): theta must gain exactly
  // theta_plus per counted spike.
  const Network net = dc_network(20, {{"populations", {{"exc", {{"adaptive_threshold", {{"tau_theta_ms", 1e300}}}}}}},
                                      {"protocol", {{"rest_ms", 0.0}}}});
  const auto images = synthetic_images(6, net.n_inputs);
  CpuBackend backend(net, 1);
  const NetworkState before = backend.state();
  const auto results = train_some(backend, images, 6);
  const NetworkState after = backend.state();
  EXPECT_FALSE(same_bits(before.g, after.g));
  for (const float w : after.g) {
    ASSERT_GE(w, 0.0f);
    ASSERT_LE(w, 1.0f);
  }
  uint64_t spikes = 0;
  for (const auto& r : results) spikes += r.layer_spikes;
  const double theta_gain = std::accumulate(after.theta.begin(), after.theta.end(), 0.0) -
                            std::accumulate(before.theta.begin(), before.theta.end(), 0.0);
  EXPECT_GT(spikes, 0u);
  EXPECT_NEAR(theta_gain, 0.05 * static_cast<double>(spikes), 1e-9);  // double sums of ~20 mV values
}

TEST(CpuBackend, InferenceDoesNotDependOnThreadCountAndFreezesState) {
  const Network net = dc_network(30);
  const auto images = synthetic_images(12, net.n_inputs);
  CpuBackend one(net, 1), two(net, 2);
  std::vector<PresentationRequest> requests;
  for (uint32_t s = 0; s < 12; ++s) requests.push_back({images.data() + s * net.n_inputs, s, Phase::kTest});
  std::vector<PresentationResult> r1(12), r2(12);
  const NetworkState before = one.state();
  one.infer(requests, r1);
  two.infer(requests, r2);
  for (size_t s = 0; s < 12; ++s) {
    EXPECT_EQ(r1[s].counts, r2[s].counts) << "image " << s;
    EXPECT_EQ(r1[s].attempts, r2[s].attempts);
  }
  EXPECT_TRUE(same_bits(before.g, one.state().g));
  EXPECT_EQ(before.theta, one.state().theta);
}

// Tier (b): a network whose raster is known exactly. Four inputs that spike every step
// (p = 1) through weights 0.25 drive one IF neuron by exactly 1 per step; input delivered
// at step t acts at t + 1, so v = 0,1,2,3 -> spike at step 3 (threshold 2.5), reset to 0,
// and again every 3 steps: steps 3, 6, ..., 27 in 30 steps = 9 spikes.
TEST(CpuBackend, KnownRasterOfAnIntegrateAndFireNeuron) {
  const json doc = json::parse(R"({
    "name": "raster", "dt_ms": 1.0,
    "populations": {"input": {"type": "poisson", "size": 4},
                    "out": {"type": "if", "size": 1, "v_rest_mV": 0, "v_reset_mV": 0, "v_thresh_mV": 2.5,
                            "refractory_ms": 0, "tau_ge_ms": 0, "tau_gi_ms": 0}},
    "projections": {"x": {"type": "dense_crossbar", "from": "input", "to": "out", "plastic": false}},
    "learning": {"type": "none", "normalize_sum": 0},
    "encoder": {"max_rate_hz": 1000, "min_spikes": 0, "max_retries": 0},
    "protocol": {"presentation_ms": 30, "rest_ms": 0}})");
  const Network net = build_network(config_from_json(doc), 2, 2);
  CpuBackend backend(net, 1);
  NetworkState s = backend.state();
  s.g.assign(4, 0.25f);
  backend.set_state(s);
  const std::vector<uint8_t> image(4, 255);
  std::vector<PresentationRequest> req = {{image.data(), 0, Phase::kTest}};
  std::vector<PresentationResult> res(1);
  backend.infer(req, res);
  EXPECT_EQ(res[0].counts[0], 9u);
  EXPECT_EQ(res[0].input_spikes, 4u * 30u) << "p = 1: every input spikes every step";
}

TEST(CpuBackend, RetriesRaiseTheRateAndGiveUpAfterMaxRetries) {
  // Threshold out of reach: every attempt fails.
  const Network net = dc_network(10, {{"populations", {{"exc", {{"v_thresh_mV", 500.0}}}}},
                                      {"encoder", {{"max_retries", 3}, {"retry_rate_step_hz", 200.0}}}});
  const auto images = synthetic_images(1, net.n_inputs);
  CpuBackend backend(net, 1);
  PresentationResult r;
  backend.train({images.data(), 0, Phase::kTrain}, r);
  EXPECT_EQ(r.attempts, 4u);
  EXPECT_TRUE(r.gave_up);
  EXPECT_EQ(r.layer_spikes, 0u);
  // Expected input spikes: sum over attempts of sum_i p_i(rate) * steps; a raised rate
  // must show up as far more spikes than four attempts at the base rate.
  const double base_rate = net.config.encoder.max_rate_hz;
  double mean_pixel = 0;
  for (uint32_t i = 0; i < net.n_inputs; ++i) mean_pixel += images[i] / 255.0;
  const double per_attempt_base = mean_pixel * base_rate * net.dt_s * net.presentation_steps;
  EXPECT_GT(static_cast<double>(r.input_spikes), 4 * per_attempt_base * 2.0);
}

// An ideal device read through an ideal crossbar is the software network exactly: the
// physical range (G_min, G_max, V_read) must not change a single spike or weight bit.
TEST(CpuBackend, IdealCrossbarAndDeviceReproduceTheSoftwareNetworkExactly) {
  const Network a = dc_network(16);
  const Network b = dc_network(16, {{"device", {{"g_min_S", 4.4434e-7}, {"g_max_S", 1.4930e-4}}},
                                    {"crossbar", {{"v_read_V", 0.7}}}});
  const auto images = synthetic_images(5, a.n_inputs);
  CpuBackend ba(a, 1), bb(b, 1);
  const auto ra = train_some(ba, images, 5);
  const auto rb = train_some(bb, images, 5);
  for (size_t s = 0; s < ra.size(); ++s) EXPECT_EQ(ra[s].counts, rb[s].counts);
  EXPECT_TRUE(same_bits(ba.state().g, bb.state().g));
}

TEST(CpuBackend, RejectsStateOfTheWrongShape) {
  const Network net = dc_network(10);
  CpuBackend backend(net, 1);
  NetworkState s = backend.state();
  s.g.pop_back();
  EXPECT_ANY_THROW(backend.set_state(s));
  EXPECT_ANY_THROW(backend.set_labels(std::vector<int32_t>(3, 0)));
}
