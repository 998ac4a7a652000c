// The CPU reference backend: determinism, thread independence, an exactly known spike
// raster, the retry rule, and ideal-crossbar exactness; then the anddudkin_mem features:
// winner-take-all rasters worked by hand, the test presentation length, normally
// distributed initial weights, and the preset's determinism.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <initializer_list>
#include <numeric>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/cpu_backend.hpp"
#include "config/network_config.hpp"
#include "core/rng.hpp"
#include "fixtures.hpp"
#include "sim/scheduler.hpp"

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

using fixtures::synthetic_images;
using fixtures::train_images;

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST(CpuBackend, TrainingIsDeterministic) {
  const Network net = dc_network(20);
  const auto images = synthetic_images(6, net.n_inputs);
  CpuBackend a(net, 1), b(net, 2);
  const auto ra = train_images(a, images, 6);
  const auto rb = train_images(b, images, 6);
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
  const auto results = train_images(backend, images, 6);
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

// Tier (b): a network whose raster is known exactly (tests/fixtures.hpp derives it).
TEST(CpuBackend, KnownRasterOfAnIntegrateAndFireNeuron) {
  const Network net = fixtures::if_raster_network();
  CpuBackend backend(net, 1);
  const PresentationResult r = fixtures::run_if_raster(backend);
  EXPECT_EQ(r.counts[0], 9u);
  EXPECT_EQ(r.input_spikes, 4u * 30u) << "p = 1: every input spikes every step";
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
  const auto ra = train_images(ba, images, 5);
  const auto rb = train_images(bb, images, 5);
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

// Winner-take-all, test presentation length, normal initial weights, the anddudkin_mem preset.

namespace {

// The raster network of KnownRasterOfAnIntegrateAndFireNeuron widened to `neurons` identical
// IF neurons (no leak, delta synapses, floor 0 mV) and a winner-take-all projection onto
// them: the losers drop by `drop` mV and are held for `hold_ms` (dt = 1 ms: that many steps).
json wta_doc(uint32_t neurons, double thresh, double drop, double hold_ms) {
  json doc = json::parse(R"({
    "name": "wta", "dt_ms": 1.0,
    "populations": {"input": {"type": "poisson", "size": 4},
                    "out": {"type": "if", "v_rest_mV": 0, "v_reset_mV": 0, "v_floor_mV": 0,
                            "refractory_ms": 0, "tau_ge_ms": 0, "tau_gi_ms": 0}},
    "projections": {"x": {"type": "dense_crossbar", "from": "input", "to": "out", "plastic": false},
                    "lateral": {"type": "winner_take_all", "from": "out", "to": "out"}},
    "learning": {"type": "none", "normalize_sum": 0},
    "encoder": {"max_rate_hz": 1000, "min_spikes": 0, "max_retries": 0},
    "protocol": {"presentation_ms": 30, "rest_ms": 0}})");
  doc["populations"]["out"]["size"] = neurons;
  doc["populations"]["out"]["v_thresh_mV"] = thresh;
  doc["projections"]["lateral"]["weight"] = drop;
  doc["projections"]["lateral"]["refractory_ms"] = hold_ms;
  return doc;
}

// Every weight 0.25 and every pixel 255 (p = 1): each neuron gains exactly 1 mV per step,
// delivered at step t and integrated at t + 1. Returns the spike counts of one test image.
std::vector<uint32_t> counts_with_unit_drive(const json& doc, Phase phase = Phase::kTest,
                                             PresentationResult* out = nullptr) {
  const Network net = build_network(config_from_json(doc), 2, 2);
  CpuBackend backend(net, 1);
  NetworkState s = backend.state();
  s.g.assign(s.g.size(), 0.25f);
  backend.set_state(s);
  const std::vector<uint8_t> image(4, 255);
  PresentationResult r;
  if (phase == Phase::kTrain) {
    backend.train({image.data(), 0, phase}, r);
  } else {
    std::vector<PresentationRequest> req = {{image.data(), 0, phase}};
    std::vector<PresentationResult> res(1);
    backend.infer(req, res);
    r = res[0];
  }
  if (out) *out = r;
  return r.counts;
}

// Mean and standard deviation of N(mean, std) clipped to [0, 1] (the mass beyond a bound
// sits on it), with a = -mean / std, b = (1 - mean) / std, X = mean + std Z:
//   E[Y]   = P(X > 1) + mean (Phi(b) - Phi(a)) + std (phi(a) - phi(b))
//   E[Y^2] = P(X > 1) + mean^2 (Phi(b) - Phi(a)) + 2 mean std (phi(a) - phi(b))
//            + std^2 (Phi(b) - Phi(a) + a phi(a) - b phi(b))
std::pair<double, double> clipped_normal_moments(double mean, double std) {
  auto Phi = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  auto phi = [](double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * M_PI); };
  const double a = -mean / std, b = (1.0 - mean) / std;
  const double inside = Phi(b) - Phi(a), above = 1.0 - Phi(b);
  const double m1 = above + mean * inside + std * (phi(a) - phi(b));
  const double m2 = above + mean * mean * inside + 2.0 * mean * std * (phi(a) - phi(b)) +
                    std * std * (inside + a * phi(a) - b * phi(b));
  return {m1, std::sqrt(m2 - m1 * m1)};
}

// Checks the initial conductances of `net` against N(mean, std) clipped to [0, 1].
// Bound: 5 standard errors (a 5-sigma miss has probability ~6e-7 for a fixed seed's draw):
// mean: sd / sqrt(n); sd: sqrt((m4 - s^4) / n) / (2 s) from the sample's fourth moment
// (sd / sqrt(2n) for a normal); the mass clipped onto each bound: binomial sqrt(p (1-p) / n).
void expect_normal_initial_weights(const Network& net, double mean, double std) {
  const NetworkState s = initial_state(net);
  const double n = static_cast<double>(s.g.size());
  ASSERT_EQ(s.g.size(), 196u * 50u);
  double sum = 0.0;
  size_t at_zero = 0, at_one = 0;
  for (const float w : s.g) {
    ASSERT_GE(w, 0.0f);
    ASSERT_LE(w, 1.0f);
    sum += w;
    at_zero += w == 0.0f ? 1 : 0;
    at_one += w == 1.0f ? 1 : 0;
  }
  const double m = sum / n;
  double m2 = 0.0, m4 = 0.0, lag1 = 0.0;
  for (size_t k = 0; k < s.g.size(); ++k) {
    const double d = s.g[k] - m;
    m2 += d * d;
    m4 += d * d * d * d;
    if (k + 1 < s.g.size()) lag1 += d * (s.g[k + 1] - m);
  }
  m2 /= n;
  m4 /= n;
  const double sd = std::sqrt(m2);
  const auto [exp_mean, exp_sd] = clipped_normal_moments(mean, std);
  ::testing::Test::RecordProperty("mean_of_N(" + std::to_string(mean) + ")", std::to_string(m));
  ::testing::Test::RecordProperty("sd_of_N(" + std::to_string(mean) + ")", std::to_string(sd));
  EXPECT_NEAR(m, exp_mean, 5.0 * exp_sd / std::sqrt(n));
  EXPECT_NEAR(sd, exp_sd, 5.0 * std::sqrt((m4 - m2 * m2) / n) / (2.0 * sd));
  const double p_one = 0.5 * std::erfc((1.0 - mean) / std / std::sqrt(2.0));  // P(X > 1)
  const double p_zero = 0.5 * std::erfc(mean / std / std::sqrt(2.0));         // P(X < 0)
  EXPECT_NEAR(static_cast<double>(at_one) / n, p_one, 5.0 * std::sqrt(p_one * (1.0 - p_one) / n) + 1.0 / n);
  EXPECT_NEAR(static_cast<double>(at_zero) / n, p_zero, 5.0 * std::sqrt(p_zero * (1.0 - p_zero) / n) + 1.0 / n);
  // Neighbouring cells are independent draws: correlation within 5 / sqrt(n).
  EXPECT_NEAR(lag1 / (n - 1) / m2, 0.0, 5.0 / std::sqrt(n));
}

}  // namespace

TEST(CpuBackend, WinnerTakeAllLowestIndexWinsATie) {
  // Three identical neurons reach 3 mV > 2.5 together at step 3 (as in the raster test).
  // Neuron 0 wins the tie; the losers drop by 100 mV to the 0 mV floor, the winner resets to
  // 0 mV: all three are level again, and neuron 0 wins every 3 steps: 9 spikes, 0, 0.
  const json doc = wta_doc(3, 2.5, 100.0, 0.0);
  EXPECT_EQ(counts_with_unit_drive(doc), (std::vector<uint32_t>{9, 0, 0}));
  // Without the winner-take-all projection each fires on its own: 9 each.
  json alone = doc;
  alone["projections"].erase("lateral");
  EXPECT_EQ(counts_with_unit_drive(alone), (std::vector<uint32_t>{9, 9, 9}));
}

TEST(CpuBackend, WinnerTakeAllAllowsAtMostOneSpikePerStep) {
  // Threshold 0.5 mV: alone, every neuron fires at every step from step 1 (29 each in 30
  // steps). With winner-take-all (no drop, no hold) one neuron spikes per step: at step 1 all
  // sit at 1 mV and neuron 0 wins; the others keep their v and go on integrating, so at step 2
  // v = (1, 2, 2) -> neuron 1 (lowest of the tie); step 3 v = (2, 1, 3) -> 2; step 4
  // (3, 2, 1) -> 0, and round: neuron 0 at steps 1, 4, ..., 28 (10), neuron 1 at 2, ..., 29
  // (10), neuron 2 at 3, ..., 27 (9): 29 spikes, one per step.
  const json doc = wta_doc(3, 0.5, 0.0, 0.0);
  PresentationResult r;
  EXPECT_EQ(counts_with_unit_drive(doc, Phase::kTest, &r), (std::vector<uint32_t>{10, 10, 9}));
  EXPECT_EQ(r.layer_spikes, 29u);
  EXPECT_LE(r.layer_spikes, 30u);  // at most one per step
  json alone = doc;
  alone["projections"].erase("lateral");
  EXPECT_EQ(counts_with_unit_drive(alone), (std::vector<uint32_t>{29, 29, 29}));
  // Training takes the same path: 8 neurons, still one spike per step at most.
  const std::vector<uint32_t> train = counts_with_unit_drive(wta_doc(8, 0.5, 0.0, 0.0), Phase::kTrain, &r);
  EXPECT_EQ(std::accumulate(train.begin(), train.end(), 0u), 29u);
  EXPECT_EQ(r.layer_spikes, 29u);
}

TEST(CpuBackend, WinnerTakeAllHoldsTheLosersForHoldSteps) {
  const Network net = build_network(config_from_json(wta_doc(3, 2.5, 0.0, 3.0)), 2, 2);
  ASSERT_EQ(net.wta_population, static_cast<int32_t>(net.learning_layer));
  EXPECT_EQ(net.wta.hold_steps, 3);  // 3 ms at dt = 1 ms
  EXPECT_TRUE(net.fixed_projections.empty());
  // Hold 3 steps, no drop: all three reach 3 mV at step 3; neuron 0 wins, resets, and needs
  // 3 steps (4, 5, 6) to reach 3 mV again; the losers, held at 3 mV through steps 4, 5, 6
  // (their input thrown away), cannot spike at step 6 and are held again by neuron 0's spike.
  // Neuron 0 fires at 3, 6, ..., 27; the others never.
  EXPECT_EQ(counts_with_unit_drive(wta_doc(3, 2.5, 0.0, 3.0)), (std::vector<uint32_t>{9, 0, 0}));
  // Hold 2 steps: the losers are free again at step 6 and integrate to 4 mV, beating neuron
  // 0's 3 mV: v at steps 6, 9, 12 = (3, 4, 4), (4, 3, 5), (5, 4, 3), a held loser keeping its
  // v. Winners 1, 2, 0 in turn: steps 3, 12, 21 -> 0; 6, 15, 24 -> 1; 9, 18, 27 -> 2.
  EXPECT_EQ(counts_with_unit_drive(wta_doc(3, 2.5, 0.0, 2.0)), (std::vector<uint32_t>{3, 3, 3}));
}

TEST(CpuBackend, TestPresentationLengthAppliesToInferenceOnly) {
  // The raster network: one IF neuron gaining 1 mV per step, threshold 2.5 mV, fires at steps
  // 3, 6, 9, ...: floor((steps - 1) / 3) spikes. Training presents 30 steps (9 spikes), testing
  // and labelling 60 (19 spikes); the inputs spike 4 per step.
  json doc = wta_doc(1, 2.5, 0.0, 0.0);
  doc["projections"].erase("lateral");
  doc["protocol"]["test_presentation_ms"] = 60;
  const Network net = build_network(config_from_json(doc), 2, 2);
  EXPECT_EQ(net.presentation_steps, 30u);
  EXPECT_EQ(net.test_presentation_steps, 60u);
  for (const Phase phase : {Phase::kTest, Phase::kLabel}) {
    PresentationResult r;
    EXPECT_EQ(counts_with_unit_drive(doc, phase, &r), (std::vector<uint32_t>{19}));
    EXPECT_EQ(r.input_spikes, 4u * 60u);
  }
  PresentationResult t;
  EXPECT_EQ(counts_with_unit_drive(doc, Phase::kTrain, &t), (std::vector<uint32_t>{9}));
  EXPECT_EQ(t.input_spikes, 4u * 30u);
  // Shorter than training: 12 steps -> spikes at 3, 6, 9.
  doc["protocol"]["test_presentation_ms"] = 12;
  PresentationResult s;
  EXPECT_EQ(counts_with_unit_drive(doc, Phase::kTest, &s), (std::vector<uint32_t>{3}));
  EXPECT_EQ(s.input_spikes, 4u * 12u);
  // 0 (the default) means presentation_ms.
  doc["protocol"]["test_presentation_ms"] = 0;
  EXPECT_EQ(build_network(config_from_json(doc), 2, 2).test_presentation_steps, 30u);
  EXPECT_EQ(counts_with_unit_drive(doc, Phase::kTest), (std::vector<uint32_t>{9}));
}

TEST(CpuBackend, NormalInitialWeightsHaveTheConfiguredMoments) {
  // The preset's N(0.7, 0.2) clipped to [0, 1]: 6.7 % of the cells sit at 1, 0.02 % at 0;
  // mean 0.69415 and sd 0.18846 (not 0.7 and 0.2: the sd differs by ~8 standard errors).
  json doc = preset_json("anddudkin_mem");
  const Network preset = build_network(config_from_json(doc), 28, 28);
  {
    SCOPED_TRACE("N(0.7, 0.2)");
    const auto [m, sd] = clipped_normal_moments(0.7, 0.2);
    EXPECT_NEAR(m, 0.69415, 1e-5);
    EXPECT_NEAR(sd, 0.18846, 1e-5);
    expect_normal_initial_weights(preset, 0.7, 0.2);
  }
  // N(0.5, 0.05): ten sigma from either bound, so effectively unclipped.
  doc["projections"]["input_exc"]["init_mean"] = 0.5;
  doc["projections"]["input_exc"]["init_std"] = 0.05;
  {
    SCOPED_TRACE("N(0.5, 0.05)");
    expect_normal_initial_weights(build_network(config_from_json(doc), 28, 28), 0.5, 0.05);
  }
  // Another seed draws other weights.
  json reseeded = doc;
  reseeded["seed"] = 1;
  EXPECT_NE(initial_state(build_network(config_from_json(reseeded), 28, 28)).g,
            initial_state(build_network(config_from_json(doc), 28, 28)).g);
}

TEST(CpuBackend, AnddudkinPresetBuildsAndTrainsDeterministically) {
  const Network net = build_network(config_from_json(preset_json("anddudkin_mem")), 28, 28);
  ASSERT_EQ(net.n_inputs, 196u);  // 28x28 nearest-downsampled by 2
  ASSERT_EQ(net.n_neurons(), 50u);
  EXPECT_EQ(net.wta_population, static_cast<int32_t>(net.learning_layer));
  EXPECT_EQ(net.wta.weight, 5.0f);
  EXPECT_EQ(net.wta.hold_steps, 6);
  EXPECT_EQ(net.rule, LearningRule::kWindowStdp);
  EXPECT_EQ(net.presentation_steps, 350u);
  EXPECT_EQ(net.test_presentation_steps, 200u);
  const auto images = synthetic_images(4, net.n_inputs);
  CpuBackend a(net, 1), b(net, 2);
  const NetworkState before = a.state();
  const auto ra = train_images(a, images, 4);
  const auto rb = train_images(b, images, 4);
  uint64_t spikes = 0;
  for (size_t s = 0; s < ra.size(); ++s) {
    EXPECT_EQ(ra[s].counts, rb[s].counts) << "image " << s;
    EXPECT_EQ(ra[s].input_spikes, rb[s].input_spikes) << "image " << s;
    EXPECT_LE(ra[s].layer_spikes, 350u) << "winner-take-all: at most one spike per step";
    spikes += ra[s].layer_spikes;
  }
  EXPECT_GT(spikes, 0u);
  EXPECT_TRUE(same_bits(a.state().g, b.state().g));
  EXPECT_EQ(a.state().theta, b.state().theta);
  EXPECT_FALSE(same_bits(before.g, a.state().g));
  for (const float w : a.state().g) {
    ASSERT_GE(w, 0.0f);
    ASSERT_LE(w, 1.0f);
  }
  for (const double th : a.state().theta) {  // clamped to [theta_min, theta_max]
    ASSERT_GE(th, 20.0);
    ASSERT_LE(th, 24.0);
  }
  // Inference on the trained network: 200 steps per image, so at most 200 spikes.
  std::vector<PresentationRequest> req;
  for (uint32_t s = 0; s < 4; ++s) req.push_back({images.data() + s * net.n_inputs, s, Phase::kTest});
  std::vector<PresentationResult> r1(4), r2(4);
  a.infer(req, r1);
  b.infer(req, r2);
  for (size_t s = 0; s < 4; ++s) {
    EXPECT_EQ(r1[s].counts, r2[s].counts) << "image " << s;
    EXPECT_LE(r1[s].layer_spikes, 200u) << "image " << s;
  }
}

// protocol.classes keeps the images of the listed classes, in data order, before the
// sample limit applies.
TEST(Scheduler, EncodeDatasetKeepsTheListedClassesThenLimits) {
  Dataset data;
  data.rows = 28;
  data.cols = 28;
  data.labels = {3, 0, 7, 3, 1, 3, 0};
  data.pixels.resize(data.labels.size() * 784);
  for (size_t s = 0; s < data.labels.size(); ++s) data.pixels[s * 784] = static_cast<uint8_t>(10 * s);
  const Network all = dc_network(5);
  EXPECT_EQ(encode_dataset(all, data, 0).size(), 7u);
  const Network some = dc_network(5, {{"protocol", {{"classes", json::parse("[0, 3]")}}}});
  const EncodedSet kept = encode_dataset(some, data, 0);
  EXPECT_EQ(kept.labels, (std::vector<uint8_t>{3, 0, 3, 3, 0}));
  EXPECT_EQ(kept.image(1)[0], 10);  // the second kept image is data image 1
  EXPECT_EQ(kept.image(4)[0], 60);  // the last is data image 6
  const EncodedSet limited = encode_dataset(some, data, 2);
  EXPECT_EQ(limited.labels, (std::vector<uint8_t>{3, 0}));
}
