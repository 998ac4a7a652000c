// Tests for the trace STDP rule (model/stdp.hpp), the ideal device's clipping
// (model/device.hpp) and the CPU backend's column normalisation: hand-built spike pairs
// against closed forms computed in double, the triplet (post2) factor, bounds, and the
// normalisation of each neuron's input weights to a fixed sum. Then the window rule
// (model/window_stdp.hpp): its table, its branches, and weights changed spike by spike.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/cpu_backend.hpp"
#include "backend/cpu_simulation.hpp"
#include "config/network_config.hpp"
#include "model/device.hpp"
#include "model/stdp.hpp"
#include "model/window_stdp.hpp"
#include "network/network.hpp"

namespace {

using memsnn::ideal_device_update;
using memsnn::StdpConstants;
using memsnn::stdp_dw_on_post;
using memsnn::stdp_dw_on_pre;

// Unit roundoff of float: every float rounding adds at most this relative error, so a value
// that went through n roundings is within n * kFloatU of the exact result (first order).
constexpr double kFloatU = 0x1p-24;
// A weight near 0.5 after two float additions: within two ulps (2 x 6e-8).
constexpr double kWeightTol = 2.5e-7;
// Column sums after normalisation: 784 float products each within 6e-8 relative of a value
// below 1: the double sum is within ~5e-6 of the target; 1e-3 leaves room for nothing else.
constexpr double kColumnSumTol = 1e-3;

// Diehl & Cook's learning rule at dt = 0.5 ms.
constexpr double kDt = 0.5;
constexpr double kTauPre = 20.0, kTauPost1 = 20.0, kTauPost2 = 40.0;
constexpr double kNuPre = 1e-4, kNuPost = 1e-2;

StdpConstants dc_constants() {
  StdpConstants c;
  c.decay_pre = static_cast<float>(std::exp(-kDt / kTauPre));
  c.decay_post1 = static_cast<float>(std::exp(-kDt / kTauPost1));
  c.decay_post2 = static_cast<float>(std::exp(-kDt / kTauPost2));
  c.nu_pre = static_cast<float>(kNuPre);
  c.nu_post = static_cast<float>(kNuPost);
  return c;
}

// Bound on the relative error of a trace after `steps` decays: the rounded decay factor
// (one error, raised to the power steps) and one product rounding per step.
double trace_rel_tol(int steps) { return 2.0 * steps * kFloatU; }

memsnn::Network dc_network() {
  return memsnn::build_network(memsnn::config_from_json(memsnn::preset_json("diehl_cook_2015")), 28, 28);
}

// One synapse (input i -> neuron j) and the traces it reads, stepped in the CPU backend's
// order: decay every trace; pre spike (pre = 1, depression by post1); post spike
// (potentiation by pre and post2 before its reset, then post1 = post2 = 1).
struct Synapse {
  explicit Synapse(const StdpConstants& constants) : c(constants) {}

  StdpConstants c;
  float w = 0.5f;
  float lo = 0.0f, hi = 1.0f;
  float pre = 0.0f, post1 = 0.0f, post2 = 0.0f;
  std::vector<float> dw_pre, dw_post;  // every change requested, in order
  float pre_at_post = -1.0f, post2_at_post = -1.0f, post1_at_pre = -1.0f;  // last values read

  void step(bool pre_spike, bool post_spike) {
    pre *= c.decay_pre;
    post1 *= c.decay_post1;
    post2 *= c.decay_post2;
    if (pre_spike) {
      pre = 1.0f;
      post1_at_pre = post1;
      const float dw = stdp_dw_on_pre(c, post1);
      dw_pre.push_back(dw);
      w = ideal_device_update(w, dw, lo, hi);
    }
    if (post_spike) {
      pre_at_post = pre;
      post2_at_post = post2;
      const float dw = stdp_dw_on_post(c, pre, post2);
      dw_post.push_back(dw);
      w = ideal_device_update(w, dw, lo, hi);
      post1 = 1.0f;
      post2 = 1.0f;
    }
  }

  // Steps 0 .. last with spikes at the given steps.
  void run(const std::vector<int>& pre_steps, const std::vector<int>& post_steps, int last) {
    for (int t = 0; t <= last; ++t) {
      bool p = false, q = false;
      for (const int s : pre_steps) p = p || s == t;
      for (const int s : post_steps) q = q || s == t;
      step(p, q);
    }
  }
};

TEST(Stdp, ConstantsMatchNetworkDerivation) {
  const memsnn::Network net = dc_network();
  const StdpConstants mine = dc_constants();
  EXPECT_EQ(net.stdp.decay_pre, mine.decay_pre);
  EXPECT_EQ(net.stdp.decay_post1, mine.decay_post1);
  EXPECT_EQ(net.stdp.decay_post2, mine.decay_post2);
  EXPECT_EQ(net.stdp.nu_pre, mine.nu_pre);
  EXPECT_EQ(net.stdp.nu_post, mine.nu_post);
  EXPECT_EQ(net.w_min, 0.0f);
  EXPECT_EQ(net.w_max, 1.0f);
  EXPECT_EQ(net.config.learning.normalize_sum, 78.0);
}

TEST(Stdp, RuleFormulas) {
  const StdpConstants c = dc_constants();
  EXPECT_EQ(stdp_dw_on_pre(c, 0.0f), 0.0f);
  EXPECT_EQ(stdp_dw_on_pre(c, 1.0f), -c.nu_pre);
  EXPECT_FLOAT_EQ(stdp_dw_on_pre(c, 0.5f), static_cast<float>(-0.5 * kNuPre));
  EXPECT_EQ(stdp_dw_on_post(c, 1.0f, 0.0f), 0.0f);  // no earlier post spike: no potentiation
  EXPECT_EQ(stdp_dw_on_post(c, 0.0f, 1.0f), 0.0f);  // no pre trace: no potentiation
  EXPECT_EQ(stdp_dw_on_post(c, 1.0f, 1.0f), c.nu_post);
  EXPECT_FLOAT_EQ(stdp_dw_on_post(c, 0.5f, 0.25f), static_cast<float>(kNuPost * 0.125));
  EXPECT_LE(stdp_dw_on_pre(c, 0.3f), 0.0f);
  EXPECT_GE(stdp_dw_on_post(c, 0.3f, 0.7f), 0.0f);
}

TEST(Stdp, TracesDecayExponentially) {
  Synapse s{dc_constants()};
  s.run({0}, {0}, 0);  // both traces set at step 0
  ASSERT_EQ(s.pre, 1.0f);
  for (int k = 1; k <= 80; ++k) {
    s.step(false, false);
    const double pre = std::exp(-k * kDt / kTauPre), p1 = std::exp(-k * kDt / kTauPost1),
                 p2 = std::exp(-k * kDt / kTauPost2);
    ASSERT_NEAR(s.pre, pre, trace_rel_tol(k) * pre) << k;
    ASSERT_NEAR(s.post1, p1, trace_rel_tol(k) * p1) << k;
    ASSERT_NEAR(s.post2, p2, trace_rel_tol(k) * p2) << k;
  }
}

TEST(Stdp, PreThenPostWithoutEarlierPostDoesNotPotentiate) {
  // The triplet term: potentiation is nu_post pre post2, and post2 is 0 before the first
  // post spike, so a lone pre-post pair changes nothing.
  Synapse s{dc_constants()};
  s.run({0}, {10}, 10);
  const double pre = std::exp(-10 * kDt / kTauPre);
  EXPECT_NEAR(s.pre_at_post, pre, trace_rel_tol(10) * pre);
  EXPECT_EQ(s.post2_at_post, 0.0f);
  ASSERT_EQ(s.dw_post.size(), 1u);
  EXPECT_EQ(s.dw_post[0], 0.0f);
  ASSERT_EQ(s.dw_pre.size(), 1u);
  EXPECT_EQ(s.dw_pre[0], 0.0f);  // no post trace yet either
  EXPECT_EQ(s.w, 0.5f);
}

TEST(Stdp, PreThenPostPotentiatesByPreTraceTimesPost2) {
  // Post spike at step 0, pre spike at step 20, post spike at step 30.
  const StdpConstants c = dc_constants();
  Synapse s{c};
  s.run({20}, {0, 30}, 30);
  ASSERT_EQ(s.dw_post.size(), 2u);
  EXPECT_EQ(s.dw_post[0], 0.0f);  // first post spike: no pre trace, no post2
  // The pre spike 20 steps after the first post spike: depression by post1 = e^{-10 ms/20 ms}.
  ASSERT_EQ(s.dw_pre.size(), 1u);
  const double dw_pre = -kNuPre * std::exp(-20 * kDt / kTauPost1);
  EXPECT_NEAR(s.dw_pre[0], dw_pre, (trace_rel_tol(20) + 2 * kFloatU) * std::fabs(dw_pre));
  // The second post spike: pre trace 10 steps old, post2 30 steps old (read before reset).
  const double pre = std::exp(-10 * kDt / kTauPre), post2 = std::exp(-30 * kDt / kTauPost2);
  EXPECT_NEAR(s.pre_at_post, pre, trace_rel_tol(10) * pre);
  EXPECT_NEAR(s.post2_at_post, post2, trace_rel_tol(30) * post2);
  const double dw_post = kNuPost * pre * post2;
  EXPECT_NEAR(s.dw_post[1], dw_post, (trace_rel_tol(10) + trace_rel_tol(30) + 3 * kFloatU) * dw_post);
  // The weight took both changes.
  EXPECT_NEAR(s.w, 0.5 + dw_pre + dw_post, kWeightTol);
  // post2 was reset by the spike: one step later it is one decay below 1.
  s.step(false, false);
  EXPECT_EQ(s.post2, c.decay_post2);
  EXPECT_EQ(s.post1, c.decay_post1);
}

TEST(Stdp, PotentiationScalesWithPost2Age) {
  // An earlier post spike m steps before the pairing: dw = nu_post e^{-5 ms/20} e^{-m dt/40}.
  for (const int m : {5, 20, 60, 120}) {
    Synapse s{dc_constants()};
    s.run({m}, {0, m + 10}, m + 10);
    const double expected = kNuPost * std::exp(-10 * kDt / kTauPre) * std::exp(-(m + 10) * kDt / kTauPost2);
    ASSERT_EQ(s.dw_post.size(), 2u);
    EXPECT_NEAR(s.dw_post[1], expected, (trace_rel_tol(10) + trace_rel_tol(m + 10) + 3 * kFloatU) * expected)
        << "m " << m;
  }
}

TEST(Stdp, PostThenPreDepresses) {
  for (const int k : {1, 5, 10, 40, 100}) {
    Synapse s{dc_constants()};
    s.run({k}, {0}, k);
    const double expected = -kNuPre * std::exp(-k * kDt / kTauPost1);
    ASSERT_EQ(s.dw_pre.size(), 1u);
    EXPECT_NEAR(s.dw_pre[0], expected, (trace_rel_tol(k) + 2 * kFloatU) * std::fabs(expected)) << "k " << k;
    EXPECT_LT(s.w, 0.5f) << "k " << k;
    EXPECT_NEAR(s.w, 0.5 + expected, kWeightTol) << "k " << k;
  }
}

TEST(Stdp, SimultaneousPreAndPostTakesFullPreTrace) {
  // Same step: the pre spike is processed first, so the post spike sees pre = 1.
  Synapse s{dc_constants()};
  s.run({4}, {0, 4}, 4);
  ASSERT_EQ(s.dw_post.size(), 2u);
  EXPECT_EQ(s.pre_at_post, 1.0f);
  const double expected = kNuPost * std::exp(-4 * kDt / kTauPost2);
  EXPECT_NEAR(s.dw_post[1], expected, (trace_rel_tol(4) + 3 * kFloatU) * expected);
}

TEST(Stdp, DeviceClipsToItsRange) {
  const memsnn::Network net = dc_network();
  const float lo = net.w_min, hi = net.w_max;
  EXPECT_EQ(ideal_device_update(0.5f, 0.25f, lo, hi), 0.75f);   // inside: exact
  EXPECT_EQ(ideal_device_update(0.995f, 0.01f, lo, hi), 1.0f);  // over: clipped to w_max
  EXPECT_EQ(ideal_device_update(0.00005f, -1e-4f, lo, hi), 0.0f);
  EXPECT_EQ(ideal_device_update(1.0f, 0.0f, lo, hi), 1.0f);
  EXPECT_EQ(ideal_device_update(0.0f, 0.0f, lo, hi), 0.0f);
  EXPECT_EQ(ideal_device_update(0.3f, 5.0f, 0.1f, 0.6f), 0.6f);  // any range
  EXPECT_EQ(ideal_device_update(0.3f, -5.0f, 0.1f, 0.6f), 0.1f);

  // Repeated potentiation from near w_max: never above it, and it gets there.
  Synapse up{dc_constants()};
  up.w = 0.999f;
  for (int t = 0; t < 2000; ++t) {
    up.step(t % 3 == 0, t % 3 == 1);  // pre one step before post, post2 kept high
    ASSERT_LE(up.w, hi) << t;
    ASSERT_GE(up.w, lo) << t;
  }
  EXPECT_EQ(up.w, hi);
  // Repeated depression from near 0 (pre spikes after a single post spike, ~-1e-4 each):
  // never below w_min, and it gets there.
  Synapse only_down{dc_constants()};
  only_down.w = 0.0003f;
  only_down.step(false, true);
  for (int t = 0; t < 100; ++t) {
    only_down.step(true, false);
    ASSERT_GE(only_down.w, lo) << t;
  }
  EXPECT_EQ(only_down.w, lo);
}

TEST(Stdp, NormalizeColumnsToTargetSum) {
  const memsnn::Network net = dc_network();
  const uint32_t n_in = net.n_inputs, n = net.n_neurons();
  ASSERT_EQ(n_in, 784u);
  ASSERT_EQ(n, 100u);
  std::vector<float> g(static_cast<size_t>(n_in) * n);
  std::mt19937 gen(12345);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  for (float& x : g) x = uniform(gen);
  auto at = [&](uint32_t i, uint32_t j) -> float& { return g[static_cast<size_t>(i) * n + j]; };
  // Column 0: all zero. Column 1: ten weights of 0.5 (scaling by 15.6 saturates them).
  // Column 2: one weight at w_max, the rest 0.05 (scaled by 1.94: only the first saturates).
  for (uint32_t i = 0; i < n_in; ++i) {
    at(i, 0) = 0.0f;
    at(i, 1) = i < 10 ? 0.5f : 0.0f;
    at(i, 2) = i == 0 ? 1.0f : 0.05f;
  }
  const std::vector<float> before = g;
  std::vector<double> sums_before(n, 0.0);
  for (uint32_t i = 0; i < n_in; ++i)
    for (uint32_t j = 0; j < n; ++j) sums_before[j] += at(i, j);

  memsnn::CpuSimulation::normalize_columns(net, g.data(), 78.0);

  std::vector<double> sums(n, 0.0);
  for (uint32_t i = 0; i < n_in; ++i) {
    for (uint32_t j = 0; j < n; ++j) {
      const float w = at(i, j);
      ASSERT_TRUE(std::isfinite(w)) << i << "," << j;
      ASSERT_GE(w, net.w_min) << i << "," << j;
      ASSERT_LE(w, net.w_max) << i << "," << j;
      sums[j] += w;
    }
  }
  for (uint32_t j = 3; j < n; ++j) EXPECT_NEAR(sums[j], 78.0, kColumnSumTol) << "column " << j;
  // Each weight is scaled by the same factor (no clipping happens for random columns).
  for (uint32_t i = 0; i < n_in; ++i) {
    const double expected = before[static_cast<size_t>(i) * n + 5] * 78.0 / sums_before[5];
    ASSERT_NEAR(at(i, 5), expected, 4 * kFloatU * expected + 1e-30) << i;
  }
  // The zero column stays zero.
  EXPECT_EQ(sums[0], 0.0);
  for (uint32_t i = 0; i < n_in; ++i) ASSERT_EQ(at(i, 0), 0.0f) << i;
  // Saturating columns: clipped at w_max, zeros stay zero, so they sum below the target.
  for (uint32_t i = 0; i < n_in; ++i) ASSERT_EQ(at(i, 1), i < 10 ? net.w_max : 0.0f) << i;
  EXPECT_EQ(sums[1], 10.0);
  EXPECT_EQ(at(0, 2), net.w_max);
  const double factor2 = 78.0 / sums_before[2];
  for (uint32_t i = 1; i < n_in; ++i) ASSERT_NEAR(at(i, 2), 0.05f * factor2, 4 * kFloatU * 0.05 * factor2) << i;
  EXPECT_LT(sums[2], 78.0);

  // Normalising again changes the unclipped columns by no more than rounding.
  const std::vector<float> once = g;
  memsnn::CpuSimulation::normalize_columns(net, g.data(), 78.0);
  for (uint32_t j = 3; j < n; ++j) {
    double s = 0.0;
    for (uint32_t i = 0; i < n_in; ++i) s += at(i, j);
    EXPECT_NEAR(s, 78.0, kColumnSumTol) << "column " << j;
  }
  for (size_t k = 0; k < g.size(); ++k) {
    if (k % n >= 3) {
      ASSERT_NEAR(g[k], once[k], 4 * kFloatU * once[k] + 1e-30) << k;
    }
  }
}

TEST(Stdp, NormalizeColumnsOfInitialWeights) {
  // The network's own initial weights (0.3 (U + 0.01), mean ~0.15, sum ~118) scale down to 78.
  const memsnn::Network net = dc_network();
  memsnn::NetworkState s = memsnn::initial_state(net);
  memsnn::CpuSimulation::normalize_columns(net, s.g.data(), net.config.learning.normalize_sum);
  for (uint32_t j = 0; j < s.n_neurons; ++j) {
    double sum = 0.0;
    for (uint32_t i = 0; i < s.n_inputs; ++i) sum += s.g[static_cast<size_t>(i) * s.n_neurons + j];
    EXPECT_NEAR(sum, 78.0, kColumnSumTol) << "column " << j;
  }
}


// Window rule (model/window_stdp.hpp): the potentiation table, the rule's two branches, and
// weight changes through the CPU backend counted spike by spike.

// anddudkin_mem's window rule: a_plus 0.005, tau_plus 4 ms, window 10 ms, a_minus 0.003.
memsnn::Network anddudkin_network(const nlohmann::json& patch = nlohmann::json::object()) {
  nlohmann::json doc = memsnn::preset_json("anddudkin_mem");
  doc.merge_patch(patch);
  return memsnn::build_network(memsnn::config_from_json(doc), 28, 28);
}

TEST(WindowStdp, PotentiationTableIsAPlusTimesTheExponential) {
  // dt 1 ms: window 10 ms = 10 steps, table entries k = 0..10 hold 0.005 exp(-k / 4), each the
  // double value rounded once to float.
  const memsnn::Network net = anddudkin_network();
  EXPECT_EQ(net.rule, memsnn::LearningRule::kWindowStdp);
  EXPECT_EQ(net.window.window_steps, 10u);
  EXPECT_EQ(net.window.a_minus, 0.003f);
  ASSERT_EQ(net.window_potentiation.size(), 11u);
  for (uint32_t k = 0; k <= 10; ++k) {
    const double expected = 0.005 * std::exp(-static_cast<double>(k) * 1.0 / 4.0);
    EXPECT_NEAR(net.window_potentiation[k], expected, kFloatU * expected) << "k " << k;
  }
  EXPECT_EQ(net.window_potentiation[0], 0.005f);  // exp(0) = 1: a_plus itself
  // dt 0.5 ms: the same 10 ms window spans 20 steps, entries 0.005 exp(-k 0.5 / 4).
  const memsnn::Network half = anddudkin_network({{"dt_ms", 0.5}});
  EXPECT_EQ(half.window.window_steps, 20u);
  ASSERT_EQ(half.window_potentiation.size(), 21u);
  for (uint32_t k = 0; k <= 20; ++k) {
    const double expected = 0.005 * std::exp(-static_cast<double>(k) * 0.5 / 4.0);
    EXPECT_NEAR(half.window_potentiation[k], expected, kFloatU * expected) << "k " << k;
  }
  // Other parameters: a_plus 0.01, tau_plus 2 ms, window 3 ms at dt 1 ms: 0.01 exp(-k / 2), k <= 3.
  const memsnn::Network other =
      anddudkin_network({{"learning", {{"a_plus", 0.01}, {"tau_plus_ms", 2.0}, {"window_ms", 3.0},
                                        {"a_minus", 0.25}}}});
  EXPECT_EQ(other.window.a_minus, 0.25f);
  ASSERT_EQ(other.window_potentiation.size(), 4u);
  for (uint32_t k = 0; k <= 3; ++k) {
    const double expected = 0.01 * std::exp(-static_cast<double>(k) / 2.0);
    EXPECT_NEAR(other.window_potentiation[k], expected, kFloatU * expected) << "k " << k;
  }
  // The trace rule keeps no table.
  const memsnn::Network dc = dc_network();
  EXPECT_EQ(dc.rule, memsnn::LearningRule::kTraceStdp);
  EXPECT_TRUE(dc.window_potentiation.empty());
}

TEST(WindowStdp, DwIsTheTableInsideTheWindowAndMinusAMinusOutside) {
  const memsnn::Network net = anddudkin_network();
  const float* table = net.window_potentiation.data();
  for (uint64_t k = 0; k <= 10; ++k) {
    EXPECT_EQ(memsnn::window_dw(net.window, table, k), table[k]) << "k " << k;  // k dt <= 10 ms
    EXPECT_GT(memsnn::window_dw(net.window, table, k), 0.0f) << "k " << k;
  }
  EXPECT_EQ(memsnn::window_dw(net.window, table, 11), -0.003f);  // 11 ms: just outside
  EXPECT_EQ(memsnn::window_dw(net.window, table, 1000), -0.003f);
  // An input that never spiked: CpuSimulation::reset() puts the clock 2^62 steps after
  // every input's "last spike"; the largest distance too must depress, not index the table.
  EXPECT_EQ(memsnn::window_dw(net.window, table, uint64_t{1} << 62), -0.003f);
  EXPECT_EQ(memsnn::window_dw(net.window, table, ~uint64_t{0}), -0.003f);
}

// Four inputs (2x2 image) into one IF neuron (threshold 2.25 mV, no leak, delta synapses),
// learning with the window rule. a_plus = 2^-7 and a_minus = 2^-8 keep every weight change
// exact in float. At 1000 Hz and dt = 1 ms a pixel of 255 spikes every step (p = 1) and a
// pixel of 0 never does.
nlohmann::json window_doc() {
  return nlohmann::json::parse(R"({
    "name": "window", "dt_ms": 1.0,
    "populations": {"input": {"type": "poisson", "size": 4},
                    "out": {"type": "if", "size": 1, "v_rest_mV": 0, "v_reset_mV": 0, "v_thresh_mV": 2.25,
                            "refractory_ms": 0, "tau_ge_ms": 0, "tau_gi_ms": 0}},
    "projections": {"x": {"type": "dense_crossbar", "from": "input", "to": "out", "plastic": true}},
    "learning": {"type": "window", "a_plus": 0.0078125, "a_minus": 0.00390625, "tau_plus_ms": 4,
                 "window_ms": 10, "w_min": 0, "w_max": 1, "normalize_sum": 0},
    "encoder": {"max_rate_hz": 1000, "min_spikes": 0, "max_retries": 0},
    "protocol": {"presentation_ms": 30, "rest_ms": 0}})");
}

// Trains one presentation of pixels (255, 255, 0, 0) from weights (1, 0.25, 0.5, 2^-6).
memsnn::NetworkState train_window_network(const memsnn::Network& net, memsnn::PresentationResult& result) {
  memsnn::CpuBackend backend(net, 1);
  memsnn::NetworkState s = backend.state();
  s.g = {1.0f, 0.25f, 0.5f, 0.015625f};
  backend.set_state(s);
  const std::vector<uint8_t> image = {255, 255, 0, 0};
  backend.train({image.data(), 0, memsnn::Phase::kTrain}, result);
  return backend.state();
}

TEST(WindowStdp, EachPostSpikePotentiatesActiveInputsAndDepressesSilentOnes) {
  // Inputs 0 and 1 drive the neuron by w0 + w1 in [1.25, 1.36] mV per step (input delivered
  // at step t acts at t + 1): v = 0, d, 2d > 2.25 -> spike at step 2, reset to 0, and again
  // every second step: steps 2, 4, ..., 28 = 14 spikes in 30 steps (one d stays < 2.25).
  // At each post spike inputs 0 and 1 spiked in the same step (k = 0): +a_plus; inputs 2
  // and 3 never spiked: -a_minus. So after 14 spikes:
  //   w0 = 1 (each +a_plus clipped at w_max)          w1 = 0.25 + 14 * 2^-7 = 0.359375
  //   w2 = 0.5 - 14 * 2^-8 = 0.4453125                w3 = 2^-6 - 4 * 2^-8 = 0 after the
  //   4th spike, then clipped at w_min.
  const memsnn::Network net = memsnn::build_network(memsnn::config_from_json(window_doc()), 2, 2);
  memsnn::PresentationResult r;
  const memsnn::NetworkState after = train_window_network(net, r);
  ASSERT_EQ(r.counts.size(), 1u);
  EXPECT_EQ(r.counts[0], 14u);
  EXPECT_EQ(r.layer_spikes, 14u);
  EXPECT_EQ(r.input_spikes, 2u * 30u);  // two inputs at p = 1, two at p = 0
  ASSERT_EQ(after.g.size(), 4u);
  EXPECT_EQ(after.g[0], 1.0f);
  EXPECT_EQ(after.g[1], 0.359375f);
  EXPECT_EQ(after.g[2], 0.4453125f);
  EXPECT_EQ(after.g[3], 0.0f);
}

TEST(WindowStdp, APostSpikeOneStepAfterTheLastInputTakesTheSecondTableEntry) {
  // As above, then 3 ms of rest with learning on. After the last presentation step (29,
  // v = d, another d delivered) the first rest step reaches 2d and fires, one step after the
  // inputs last spiked: k = 1, so w1 gains a_plus exp(-1/4) and w2 loses one more a_minus.
  // The rest spike is not counted; the remaining rest steps have no input and no spike.
  nlohmann::json doc = window_doc();
  doc["protocol"]["rest_ms"] = 3;
  const memsnn::Network net = memsnn::build_network(memsnn::config_from_json(doc), 2, 2);
  memsnn::PresentationResult r;
  const memsnn::NetworkState after = train_window_network(net, r);
  EXPECT_EQ(r.counts[0], 14u);
  EXPECT_EQ(after.g[0], 1.0f);
  // One float addition to 0.359375 (ulp 3e-8) of a once-rounded table entry.
  EXPECT_NEAR(after.g[1], 0.359375 + 0.0078125 * std::exp(-0.25), 6e-8);
  EXPECT_EQ(after.g[2], 0.4453125f - 0.00390625f);  // 15 depressions in all, exact
  EXPECT_EQ(after.g[3], 0.0f);
}

TEST(WindowStdp, NoPostSpikeNoChange) {
  // Threshold out of reach: the inputs spike every step, but only post spikes change weights.
  nlohmann::json doc = window_doc();
  doc["populations"]["out"]["v_thresh_mV"] = 1000;
  const memsnn::Network net = memsnn::build_network(memsnn::config_from_json(doc), 2, 2);
  memsnn::PresentationResult r;
  const memsnn::NetworkState after = train_window_network(net, r);
  EXPECT_EQ(r.layer_spikes, 0u);
  EXPECT_EQ(r.input_spikes, 60u);
  EXPECT_EQ(after.g, (std::vector<float>{1.0f, 0.25f, 0.5f, 0.015625f}));
}

}  // namespace
