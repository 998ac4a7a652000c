// Tests for the trace STDP rule (model/stdp.hpp), the ideal device's clipping
// (model/device.hpp) and the CPU backend's column normalisation: hand-built spike pairs
// against closed forms computed in double, the triplet (post2) factor, bounds, and the
// normalisation of each neuron's input weights to a fixed sum.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/cpu_simulation.hpp"
#include "config/network_config.hpp"
#include "model/device.hpp"
#include "model/stdp.hpp"
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

}  // namespace
