// Tests for the neuron models (model/neuron.hpp): exact exponential relaxation, constant-drive
// firing against the closed-form LIF rate, current-based and IF traces worked by hand,
// refractory and spike-blocking periods, the adaptive threshold, and the extras of the
// anddudkin_mem network (v floor, leaky refractoriness, winner-take-all hold and inhibition,
// clamped theta, the integrate / fire split). Constants are built here in double from ms / mV
// values the way network.cpp's derive() does (and checked against it).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/network_config.hpp"
#include "model/neuron.hpp"
#include "network/network.hpp"

namespace {

using memsnn::kLongAgo;
using memsnn::membrane_step;
using memsnn::neuron_fire;
using memsnn::neuron_inhibit;
using memsnn::neuron_integrate;
using memsnn::neuron_step;
using memsnn::NeuronConstants;
using memsnn::NeuronKind;

// Membrane potential tolerance: v is a float near 65 mV (half an ulp = 3.8e-6 mV per step),
// old rounding errors damped by the leak; observed <= 6e-5 mV over 1000 steps here.
constexpr double kVoltTol = 1e-4;
// Synaptic variables: a float product per step, each rounding <= 6e-8 relative, plus the
// float decay constant raised to the step count (<= 40 steps here): well inside 1e-5.
constexpr double kFloatRelTol = 1e-5;
// theta is a double: <= 2000 multiplications by a rounded factor, 1.1e-16 relative each.
constexpr double kThetaRelTol = 1e-12;
// Spike decisions are compared with a double prediction only when v is farther than this from
// the threshold at the deciding step (in steps of the continuous ISI): far above float error.
constexpr double kMinFracMargin = 0.01;

constexpr double kDt = 0.5;  // ms

// A population's parameters in the config's units (defaults: Diehl & Cook's E neurons).
struct Params {
  NeuronKind kind = NeuronKind::kLifConductance;
  double v_rest = -65.0, v_reset = -65.0, v_thresh = -52.0;  // mV
  double tau_m = 100.0;                                      // ms
  double refractory = 5.0, spike_block = 50.0;               // ms
  double e_exc = 0.0, e_inh = -100.0;                        // mV
  double tau_ge = 1.0, tau_gi = 2.0;                         // ms
  bool adaptive = true;
  double theta_plus = 0.05, tau_theta = 1e7, offset = 20.0;  // mV, ms, mV
};

float decay_of(double tau) { return tau > 0 ? static_cast<float>(std::exp(-kDt / tau)) : 0.0f; }

// The constants derive() computes, written out independently.
NeuronConstants constants_of(const Params& p) {
  NeuronConstants c;
  c.kind = p.kind;
  c.v_rest = static_cast<float>(p.v_rest);
  c.v_reset = static_cast<float>(p.v_reset);
  c.v_thresh = static_cast<float>(p.v_thresh);
  c.e_exc = static_cast<float>(p.e_exc);
  c.e_inh = static_cast<float>(p.e_inh);
  c.dt_over_tau_m = static_cast<float>(kDt / p.tau_m);
  c.decay_v = decay_of(p.tau_m);
  c.decay_ge = p.kind == NeuronKind::kIf ? 0.0f : decay_of(p.tau_ge);
  c.decay_gi = p.kind == NeuronKind::kIf ? 0.0f : decay_of(p.tau_gi);
  c.refractory_steps = static_cast<int32_t>(std::llround(p.refractory / kDt));
  c.block_steps = static_cast<int32_t>(std::llround(p.spike_block / kDt));
  c.adaptive = p.adaptive;
  c.theta_offset = static_cast<float>(p.offset);
  c.theta_plus = p.theta_plus;
  c.theta_decay = std::exp(-kDt / p.tau_theta);
  return c;
}

// One neuron's state.
struct Cell {
  float v = -65.0f;
  float ge = 0.0f;
  float gi = 0.0f;
  int32_t since = kLongAgo;
  int32_t hold = 0;
  double theta = 0.0;

  memsnn::NeuronRef ref(const NeuronConstants& c) {
    return memsnn::NeuronRef{v, ge, gi, since, hold, c.adaptive ? &theta : nullptr};
  }
  bool step(const NeuronConstants& c, bool plastic_theta = true) { return neuron_step(c, ref(c), plastic_theta); }
};

// D&C E neuron with the threshold extras switched off: plain conductance LIF.
Params plain_lif() {
  Params p;
  p.adaptive = false;
  p.refractory = 0.0;
  p.spike_block = 0.0;
  return p;
}

// The ms / mV values of a population as the config holds them.
Params params_of(const memsnn::PopulationConfig& q) {
  Params p;
  p.kind = q.type;
  p.v_rest = q.v_rest_mV, p.v_reset = q.v_reset_mV, p.v_thresh = q.v_thresh_mV;
  p.tau_m = q.tau_m_ms, p.refractory = q.refractory_ms, p.spike_block = q.spike_block_ms;
  p.e_exc = q.e_exc_mV, p.e_inh = q.e_inh_mV, p.tau_ge = q.tau_ge_ms, p.tau_gi = q.tau_gi_ms;
  p.adaptive = q.adaptive_threshold.enabled;
  p.theta_plus = q.adaptive_threshold.theta_plus_mV;
  p.tau_theta = q.adaptive_threshold.tau_theta_ms;
  p.offset = q.adaptive_threshold.offset_mV;
  return p;
}

TEST(Lif, ConstantsMatchNetworkDerivation) {
  const memsnn::Network net =
      memsnn::build_network(memsnn::config_from_json(memsnn::preset_json("diehl_cook_2015")), 28, 28);
  ASSERT_EQ(net.config.dt_ms, kDt);
  ASSERT_EQ(net.populations.size(), 2u);
  for (const auto& pop : net.populations) {
    SCOPED_TRACE(pop.name);
    const NeuronConstants mine = constants_of(params_of(net.config.populations.at(pop.name)));
    const NeuronConstants& got = pop.constants;
    EXPECT_EQ(got.kind, mine.kind);
    EXPECT_EQ(got.v_rest, mine.v_rest);
    EXPECT_EQ(got.v_reset, mine.v_reset);
    EXPECT_EQ(got.v_thresh, mine.v_thresh);
    EXPECT_EQ(got.e_exc, mine.e_exc);
    EXPECT_EQ(got.e_inh, mine.e_inh);
    EXPECT_EQ(got.dt_over_tau_m, mine.dt_over_tau_m);
    EXPECT_EQ(got.decay_v, mine.decay_v);
    EXPECT_EQ(got.decay_ge, mine.decay_ge);
    EXPECT_EQ(got.decay_gi, mine.decay_gi);
    EXPECT_EQ(got.refractory_steps, mine.refractory_steps);
    EXPECT_EQ(got.block_steps, mine.block_steps);
    EXPECT_EQ(got.adaptive, mine.adaptive);
    if (mine.adaptive) {
      EXPECT_EQ(got.theta_offset, mine.theta_offset);
      EXPECT_EQ(got.theta_plus, mine.theta_plus);
      EXPECT_EQ(got.theta_decay, mine.theta_decay);
    }
  }
  // The E population holds the values this file uses as its defaults (the spike block aside,
  // which the tests set themselves).
  const Params e = params_of(net.config.populations.at("exc"));
  const Params d;
  EXPECT_EQ(e.v_rest, d.v_rest);
  EXPECT_EQ(e.v_reset, d.v_reset);
  EXPECT_EQ(e.v_thresh, d.v_thresh);
  EXPECT_EQ(e.tau_m, d.tau_m);
  EXPECT_EQ(e.refractory, d.refractory);
  EXPECT_EQ(e.tau_ge, d.tau_ge);
  EXPECT_EQ(e.tau_gi, d.tau_gi);
  EXPECT_EQ(e.theta_plus, d.theta_plus);
  EXPECT_EQ(e.offset, d.offset);
  // D&C's 5 ms refractory and 50 ms block at dt = 0.5 ms.
  EXPECT_EQ(constants_of(d).refractory_steps, 10);
  EXPECT_EQ(constants_of(d).block_steps, 100);
}

// (a) Relaxation to rest.

TEST(Lif, RelaxesExponentiallyToRest) {
  const NeuronConstants c = constants_of(Params{});
  const double v0 = -50.0;
  float v = static_cast<float>(v0);
  double worst = 0.0;
  for (int k = 1; k <= 1000; ++k) {
    v = membrane_step(c, v, 0.0f, 0.0f);
    const double expected = -65.0 + (v0 + 65.0) * std::exp(-k * kDt / 100.0);
    worst = std::fmax(worst, std::fabs(v - expected));
    ASSERT_NEAR(v, expected, kVoltTol) << "step " << k;
  }
  RecordProperty("max_error_mV", std::to_string(worst));
  // After 1000 steps (500 ms = 5 tau_m) the distance to rest is 15 e^-5 mV.
  EXPECT_NEAR(v, -65.0 + 15.0 * std::exp(-5.0), kVoltTol);
}

TEST(Lif, FullStepRelaxesFromAboveAndBelow) {
  // Through neuron_step with the D&C constants: from -50 mV (threshold lifted by theta so
  // the neuron cannot fire; theta frozen) and from -80 mV (hyperpolarised, normal threshold).
  const NeuronConstants c = constants_of(Params{});
  for (const double v0 : {-50.0, -80.0}) {
    Cell cell;
    cell.v = static_cast<float>(v0);
    cell.theta = v0 > -52.0 ? 50.0 : 20.0;
    for (int k = 1; k <= 1000; ++k) {
      ASSERT_FALSE(cell.step(c, false)) << "v0 " << v0 << " step " << k;
      ASSERT_NEAR(cell.v, -65.0 + (v0 + 65.0) * std::exp(-k * kDt / 100.0), kVoltTol) << "v0 " << v0 << " step " << k;
      ASSERT_EQ(cell.ge, 0.0f);
      ASSERT_EQ(cell.gi, 0.0f);
    }
  }
}

TEST(Lif, SynapticConductancesDecayExponentially) {
  const NeuronConstants c = constants_of(Params{});
  Cell cell;
  cell.theta = 20.0;
  cell.ge = 0.5f;
  cell.gi = 2.0f;
  for (int k = 1; k <= 40; ++k) {
    cell.step(c);
    EXPECT_NEAR(cell.ge, 0.5 * std::exp(-k * kDt / 1.0), kFloatRelTol * 0.5 * std::exp(-k * kDt / 1.0)) << k;
    EXPECT_NEAR(cell.gi, 2.0 * std::exp(-k * kDt / 2.0), kFloatRelTol * 2.0 * std::exp(-k * kDt / 2.0)) << k;
  }
}

// (b) Constant drive.

TEST(Lif, ConstantInhibitionHoldsTheMembraneAtItsEquilibrium) {
  const NeuronConstants c = constants_of(plain_lif());
  const double g = 1.0;
  const double v_inf = (-65.0 + g * -100.0) / (1.0 + g);  // -82.5 mV
  Cell cell;
  for (int k = 1; k <= 1000; ++k) {
    cell.gi = static_cast<float>(g);
    ASSERT_FALSE(cell.step(c));
    ASSERT_NEAR(cell.v, v_inf + (-65.0 - v_inf) * std::exp(-(1.0 + g) * k * kDt / 100.0), kVoltTol) << k;
  }
}

TEST(Lif, ConstantDriveFiresAtTheClosedFormRate) {
  const Params p = plain_lif();
  const NeuronConstants c = constants_of(p);
  constexpr int kSteps = 20000;  // 10 s
  const double duration_s = kSteps * kDt * 1e-3;
  for (const double g : {0.5, 1.0, 2.0, 4.0}) {
    SCOPED_TRACE("g = " + std::to_string(g));
    const double a = 1.0 + g;
    const double v_inf = (p.v_rest + g * p.e_exc) / a;
    ASSERT_GT(v_inf, p.v_thresh);  // suprathreshold drive
    const double t_isi = p.tau_m / a * std::log((p.v_reset - v_inf) / (p.v_thresh - v_inf));  // ms
    const double steps_exact = t_isi / kDt;
    const double frac = steps_exact - std::floor(steps_exact);
    ASSERT_GT(frac, kMinFracMargin);
    ASSERT_LT(frac, 1.0 - kMinFracMargin);
    const int isi_steps = static_cast<int>(std::ceil(steps_exact));

    Cell cell;
    cell.v = c.v_reset;
    double v0 = p.v_reset;
    int since = 0;
    std::vector<int> spike_steps;
    double worst = 0.0;
    for (int t = 1; t <= kSteps; ++t) {
      cell.ge = static_cast<float>(g);
      const bool spike = cell.step(c);
      ++since;
      if (spike) {
        spike_steps.push_back(t);
        ASSERT_EQ(cell.v, c.v_reset);
        v0 = p.v_reset;
        since = 0;
      } else {
        const double expected = v_inf + (v0 - v_inf) * std::exp(-a * since * kDt / p.tau_m);
        worst = std::fmax(worst, std::fabs(cell.v - expected));
        ASSERT_NEAR(cell.v, expected, kVoltTol) << "step " << t;
      }
    }
    (void)worst;
    // Discrete prediction: one spike every ceil(T / dt) steps, the first after one ISI.
    ASSERT_EQ(static_cast<int>(spike_steps.size()), kSteps / isi_steps);
    for (size_t m = 0; m < spike_steps.size(); ++m) {
      ASSERT_EQ(spike_steps[m], static_cast<int>(m + 1) * isi_steps) << "spike " << m;
    }
    // Continuous prediction: the mean ISI exceeds T by less than one step.
    const double mean_isi_ms =
        (spike_steps.back() - spike_steps.front()) * kDt / static_cast<double>(spike_steps.size() - 1);
    EXPECT_GE(mean_isi_ms, t_isi);
    EXPECT_LT(mean_isi_ms, t_isi + kDt);
    const double rate_hz = static_cast<double>(spike_steps.size()) / duration_s;
    EXPECT_LE(rate_hz, 1000.0 / t_isi);
    EXPECT_GT(rate_hz, 1000.0 / (t_isi + kDt) - 1.0 / duration_s);  // less the truncated last ISI
  }
}

TEST(Lif, SubthresholdDriveNeverFires) {
  // v_inf = -65 / (1 + g) stays below -52 mV for g < 0.25.
  const NeuronConstants c = constants_of(plain_lif());
  Cell cell;
  for (int t = 0; t < 20000; ++t) {
    cell.ge = 0.24f;
    ASSERT_FALSE(cell.step(c)) << t;
  }
  // After 75 effective time constants v sits at v_inf, up to float stalling: a step changes v
  // by (v - v_inf)(1 - f), which rounds away once below half an ulp of v, so v may stop
  // up to ulp / 2 / (1 - f) ~ 3e-4 mV short. Allowed: twice that.
  const double g = 0.24f;
  const double v_inf = -65.0 / (1.0 + g);
  const double f = std::exp(-(1.0 + g) * kDt / 100.0);
  const double ulp = std::nextafter(static_cast<float>(v_inf), 0.0f) - static_cast<float>(v_inf);
  EXPECT_NEAR(cell.v, v_inf, std::fabs(ulp) / (1.0 - f));
}

TEST(Lif, CurrentBasedDeltaSynapsesTrace) {
  Params p;
  p.kind = NeuronKind::kLifCurrent;
  p.v_reset = -70.0;
  p.tau_m = 20.0;
  p.tau_ge = 0.0;
  p.tau_gi = 0.0;
  p.adaptive = false;
  p.refractory = 0.0;
  p.spike_block = 0.0;
  const NeuronConstants c = constants_of(p);
  ASSERT_EQ(c.decay_ge, 0.0f);
  const double d = std::exp(-kDt / 20.0);
  Cell cell;
  struct Input {
    float ie, ii;
    double v;     // expected v after the step
    bool spike;
  };
  const std::vector<Input> trace = {
      {3.0f, 0.0f, -65.0 + 3.0 * d, false},                            // jump 3 mV, one step of leak
      {0.0f, 0.0f, -65.0 + 3.0 * d * d, false},                        // leak only
      {0.0f, 1.0f, -65.0 + (3.0 * d * d - 1.0) * d, false},            // inhibitory jump
      {20.0f, 0.0f, -70.0, true},                                      // -65 + ~19.9 > -52: spike, reset
      {0.0f, 0.0f, -65.0 - 5.0 * d, false},                            // from the reset toward rest
      {0.0f, 0.0f, -65.0 - 5.0 * d * d, false},
  };
  for (size_t k = 0; k < trace.size(); ++k) {
    cell.ge = trace[k].ie;
    cell.gi = trace[k].ii;
    EXPECT_EQ(cell.step(c), trace[k].spike) << "step " << k + 1;
    EXPECT_NEAR(cell.v, trace[k].v, kVoltTol) << "step " << k + 1;
    EXPECT_EQ(cell.ge, 0.0f);  // delta synapses: used once
    EXPECT_EQ(cell.gi, 0.0f);
  }
}

TEST(Lif, CurrentBasedExponentialSynapseTrace) {
  Params p;
  p.kind = NeuronKind::kLifCurrent;
  p.tau_m = 20.0;
  p.tau_ge = 5.0;
  p.adaptive = false;
  p.refractory = 0.0;
  p.spike_block = 0.0;
  const NeuronConstants c = constants_of(p);
  const double d = std::exp(-kDt / 20.0);
  const double dg = std::exp(-kDt / 5.0);
  Cell cell;
  cell.ge = 10.0f;  // a 10 mV current that decays with tau_ge
  for (int k = 1; k <= 20; ++k) {
    ASSERT_FALSE(cell.step(c));
    // Exponential-Euler with I held over each step: v_k - v_rest = 10 (1 - d) sum_j dg^j d^(k-1-j).
    double sum = 0.0;
    for (int j = 0; j < k; ++j) sum += std::pow(dg, j) * std::pow(d, k - 1 - j);
    EXPECT_NEAR(cell.v, -65.0 + 10.0 * (1.0 - d) * sum, kVoltTol) << "step " << k;
    EXPECT_NEAR(cell.ge, 10.0 * std::pow(dg, k), kFloatRelTol * 10.0 * std::pow(dg, k)) << "step " << k;
  }
}

TEST(Lif, IntegrateAndFireTrace) {
  Params p;
  p.kind = NeuronKind::kIf;
  p.adaptive = false;
  p.refractory = 0.0;
  p.spike_block = 0.0;
  p.tau_ge = 5.0;  // ignored by IF: delta synapses always
  const NeuronConstants c = constants_of(p);
  ASSERT_EQ(c.decay_ge, 0.0f);
  Cell cell;
  struct Input {
    float ie, ii, v;
    bool spike;
  };
  // Sums of small halves are exact in float.
  const std::vector<Input> trace = {
      {5.0f, 0.0f, -60.0f, false},  {0.0f, 0.0f, -60.0f, false},  // no leak
      {0.0f, 2.0f, -62.0f, false},  {10.0f, 0.0f, -52.0f, false},  // at threshold: not above
      {0.5f, 0.0f, -65.0f, true},   {0.0f, 0.0f, -65.0f, false},
      {12.5f, 0.5f, -53.0f, false},
  };
  for (size_t k = 0; k < trace.size(); ++k) {
    cell.ge = trace[k].ie;
    cell.gi = trace[k].ii;
    EXPECT_EQ(cell.step(c), trace[k].spike) << "step " << k + 1;
    EXPECT_EQ(cell.v, trace[k].v) << "step " << k + 1;
    EXPECT_EQ(cell.ge, 0.0f);
  }
  for (int k = 0; k < 1000; ++k) ASSERT_FALSE(cell.step(c));
  EXPECT_EQ(cell.v, -53.0f);  // a perfect integrator does not leak
}

// (c) Refractory period and spike blocking.

TEST(Lif, RefractoryHoldsVAtResetThenIntegrates) {
  Params p = plain_lif();
  p.refractory = 5.0;  // 10 steps
  const NeuronConstants c = constants_of(p);
  ASSERT_EQ(c.refractory_steps, 10);
  Cell cell;
  cell.v = -51.0f;  // above threshold after one leak step (-51.07 mV): fires at once
  ASSERT_TRUE(cell.step(c));
  ASSERT_EQ(cell.v, c.v_reset);
  const double g = 5.0;  // strong but not enough to fire in one step
  for (int s = 1; s <= 9; ++s) {
    cell.ge = static_cast<float>(g);
    EXPECT_FALSE(cell.step(c)) << "since " << s;
    EXPECT_EQ(cell.v, c.v_reset) << "since " << s;
    EXPECT_EQ(cell.since, s);
  }
  cell.ge = static_cast<float>(g);
  EXPECT_FALSE(cell.step(c));
  const double v_inf = -65.0 / (1.0 + g);
  EXPECT_NEAR(cell.v, v_inf + (-65.0 - v_inf) * std::exp(-(1.0 + g) * kDt / 100.0), kVoltTol);
  EXPECT_GT(cell.v, c.v_reset + 1.0f);  // it moved
}

TEST(Lif, RefractoryPeriodSetsTheMinimumInterval) {
  Params p = plain_lif();
  p.refractory = 5.0;
  const NeuronConstants c = constants_of(p);
  Cell cell;
  std::vector<int> spikes;
  for (int t = 1; t <= 200; ++t) {
    cell.ge = 100.0f;  // one step from v_reset reaches ~-39.5 mV: fires whenever allowed
    if (cell.step(c)) spikes.push_back(t);
    if (!spikes.empty() && t - spikes.back() > 0 && t - spikes.back() < 10) {
      ASSERT_EQ(cell.v, c.v_reset) << t;  // held through the refractory steps
    }
  }
  ASSERT_EQ(spikes.size(), 20u);
  for (size_t m = 0; m < spikes.size(); ++m) EXPECT_EQ(spikes[m], 1 + 10 * static_cast<int>(m));
}

TEST(Lif, SpikeBlockingWaitsPastTheBlockEvenAboveThreshold) {
  Params p = plain_lif();
  p.refractory = 5.0;     // 10 steps
  p.spike_block = 50.0;   // 100 steps
  const NeuronConstants c = constants_of(p);
  ASSERT_EQ(c.block_steps, 100);
  Cell cell;
  std::vector<int> spikes;
  int above_without_spike = 0;
  for (int t = 1; t <= 1000; ++t) {
    cell.ge = 100.0f;
    const bool spike = cell.step(c);
    if (spike) {
      spikes.push_back(t);
    } else if (cell.v > c.v_thresh) {
      ++above_without_spike;
      ASSERT_LE(cell.since, 100) << t;  // only the block can stop a neuron above threshold
    }
  }
  // First spike at once (never spiked), then one every 101 steps: since_spike > 100.
  ASSERT_EQ(spikes.size(), 10u);
  for (size_t m = 0; m < spikes.size(); ++m) EXPECT_EQ(spikes[m], 1 + 101 * static_cast<int>(m));
  // From since = 10 (end of refractoriness) to 100 the neuron sits above threshold unspiking:
  // 91 steps after each of the first nine spikes, then since 10..90 after the last (t = 910).
  EXPECT_EQ(above_without_spike, 9 * 91 + 81);
}

TEST(Lif, SinceSpikeSaturates) {
  const NeuronConstants c = constants_of(plain_lif());
  Cell cell;
  cell.since = kLongAgo;
  cell.step(c);
  EXPECT_EQ(cell.since, kLongAgo);
  cell.since = kLongAgo - 1;
  cell.step(c);
  EXPECT_EQ(cell.since, kLongAgo);
}

// (d) Adaptive threshold.

TEST(Lif, EachSpikeAddsThetaPlus) {
  Params p;  // D&C: theta_plus 0.05 mV, tau_theta 1e7 ms, offset 20 mV
  p.refractory = 0.0;
  p.spike_block = 0.0;
  const NeuronConstants c = constants_of(p);
  const double decay = std::exp(-kDt / 1e7);
  Cell cell;
  cell.theta = 20.0;
  double expected = 20.0;
  int spikes = 0;
  for (int t = 1; t <= 400; ++t) {
    cell.ge = 100.0f;
    const double before = cell.theta;
    const bool spike = cell.step(c);
    expected = expected * decay + (spike ? 0.05 : 0.0);
    ASSERT_DOUBLE_EQ(cell.theta, expected) << t;
    if (spike) {
      ++spikes;
      EXPECT_NEAR(cell.theta - before * decay, 0.05, 1e-12) << t;
    } else {
      EXPECT_EQ(cell.theta, before * decay) << t;
    }
  }
  // Spiking raises the threshold until the drive (v ~ -39.5 mV one step after reset) no
  // longer reaches it in one step: theta stops near 20 + (52 - 39.5) = 32.5 mV.
  EXPECT_GT(spikes, 200);
  EXPECT_LT(spikes, 400);
  // Net of the decay: at most 400 steps x theta x (1 - decay) ~ 7e-4 mV lost.
  EXPECT_LE(cell.theta, 20.0 + 0.05 * spikes);
  EXPECT_GT(cell.theta, 20.0 + 0.05 * spikes - 400 * (1.0 - decay) * cell.theta);
}

TEST(Lif, FrozenThetaDoesNotChange) {
  Params p;
  p.refractory = 0.0;
  p.spike_block = 0.0;
  p.tau_theta = 100.0;  // a visible decay, were theta plastic
  const NeuronConstants c = constants_of(p);
  Cell cell;
  cell.theta = 20.0;
  int spikes = 0;
  for (int t = 1; t <= 400; ++t) {
    cell.ge = 100.0f;
    spikes += cell.step(c, /*plastic_theta=*/false) ? 1 : 0;
    ASSERT_EQ(cell.theta, 20.0) << t;
  }
  EXPECT_EQ(spikes, 400);  // the frozen threshold stays reachable every step
}

TEST(Lif, ThetaDecaysExponentially) {
  Params p;
  p.tau_theta = 100.0;
  p.offset = 0.0;  // threshold = -52 + theta >= -52 mV: a resting neuron never fires
  const NeuronConstants c = constants_of(p);
  const double decay = std::exp(-kDt / 100.0);
  const double theta0 = 20.0;
  Cell cell;
  cell.theta = theta0;
  for (int k = 1; k <= 2000; ++k) {
    ASSERT_FALSE(cell.step(c)) << k;
    const double expected = theta0 * std::pow(decay, k);
    ASSERT_NEAR(cell.theta, expected, kThetaRelTol * expected) << k;
    ASSERT_NEAR(cell.theta, theta0 * std::exp(-k * kDt / 100.0), kThetaRelTol * expected) << k;
  }
}

TEST(Lif, ThresholdIsVThreshPlusThetaMinusOffset) {
  const NeuronConstants c = constants_of(Params{});  // v_thresh -52, offset 20
  constexpr double kMargin = 0.01;  // mV either side: float error of the threshold is ~4e-6 mV
  for (const float v0 : {-65.0f, -60.0f, -55.0f, -40.0f}) {
    const double v1 = membrane_step(c, v0, 0.0f, 0.0f);  // v the threshold test will see
    const double theta_at = v1 - (-52.0) + 20.0;         // theta putting the threshold at v1
    for (const bool plastic : {false, true}) {
      Cell below;
      below.v = v0;
      below.theta = theta_at - kMargin;  // threshold just under v: spike
      EXPECT_TRUE(below.step(c, plastic)) << "v0 " << v0;
      Cell above;
      above.v = v0;
      above.theta = theta_at + kMargin;  // threshold just over v: no spike
      EXPECT_FALSE(above.step(c, plastic)) << "v0 " << v0;
    }
  }
  // Exactly at the threshold (all values exact in float): not above, no spike.
  Cell at;
  at.v = -65.0f;
  at.theta = 7.0;  // -52 + 7 - 20 = -65
  EXPECT_FALSE(at.step(c, false));
  EXPECT_EQ(at.v, -65.0f);
  at.theta = 7.0 - 1e-3;
  EXPECT_TRUE(at.step(c, false));
  // Without adaptation the threshold is v_thresh alone, whatever theta holds.
  Params plain = plain_lif();
  const NeuronConstants cp = constants_of(plain);
  Cell n;
  n.v = -51.0f;  // -51.07 mV after the leak step
  n.theta = 1000.0;
  EXPECT_TRUE(n.step(cp));
  EXPECT_EQ(n.theta, 1000.0);
}


// (e) The extras of the anddudkin_mem network: v floor, leaky refractoriness, the
// winner-take-all hold and inhibition, theta clamped to [theta_min, theta_max], and the
// integrate / fire split a winner-take-all population uses.

// Current-based neuron with delta synapses (tau_m 20 ms), no refractoriness or adaptation.
Params delta_lif() {
  Params p;
  p.kind = NeuronKind::kLifCurrent;
  p.tau_m = 20.0;
  p.tau_ge = 0.0;
  p.tau_gi = 0.0;
  p.adaptive = false;
  p.refractory = 0.0;
  p.spike_block = 0.0;
  return p;
}

// Perfect integrator: v changes by exactly the (small, binary) inputs, so traces are exact.
Params plain_if() {
  Params p;
  p.kind = NeuronKind::kIf;
  p.adaptive = false;
  p.refractory = 0.0;
  p.spike_block = 0.0;
  return p;
}

TEST(Lif, AnddudkinConstantsMatchNetworkDerivation) {
  const memsnn::Network net =
      memsnn::build_network(memsnn::config_from_json(memsnn::preset_json("anddudkin_mem")), 28, 28);
  ASSERT_EQ(net.populations.size(), 1u);
  const NeuronConstants& c = net.populations[0].constants;
  EXPECT_EQ(c.kind, NeuronKind::kLifCurrent);
  EXPECT_TRUE(c.refractory_leak);
  EXPECT_EQ(c.v_floor, 0.0f);                                               // v_floor_mV 0
  EXPECT_EQ(c.decay_v, static_cast<float>(std::exp(-1.0 / 11.99)));         // dt 1 ms, tau_m 11.99 ms
  EXPECT_EQ(c.decay_ge, 0.0f);                                              // delta synapses
  EXPECT_EQ(c.refractory_steps, 6);                                         // 6 ms / 1 ms
  EXPECT_TRUE(c.adaptive);
  EXPECT_EQ(c.theta_min, 20.0);
  EXPECT_EQ(c.theta_max, 24.0);
  EXPECT_EQ(c.theta_plus, 0.02);
  EXPECT_EQ(c.theta_decay, std::exp(-1.0 / 99999.5));
  // D&C leaves the new keys at their defaults: held refractory v, a floor that never binds
  // (-1000 mV), theta free in [0, 1e6] mV.
  const memsnn::Network dc =
      memsnn::build_network(memsnn::config_from_json(memsnn::preset_json("diehl_cook_2015")), 28, 28);
  for (const auto& pop : dc.populations) {
    SCOPED_TRACE(pop.name);
    EXPECT_FALSE(pop.constants.refractory_leak);
    EXPECT_EQ(pop.constants.v_floor, -1000.0f);
    EXPECT_EQ(pop.constants.theta_min, 0.0);
    EXPECT_EQ(pop.constants.theta_max, 1e6);
  }
}

TEST(Lif, VFloorClampsVAfterIntegration) {
  NeuronConstants c = constants_of(delta_lif());
  c.v_floor = -70.0f;
  const double d = std::exp(-kDt / 20.0);
  // An inhibitory jump of 10 mV would give -65 - 10 d = -74.75 mV: clamped to the floor exactly.
  Cell a;
  a.gi = 10.0f;
  EXPECT_FALSE(a.step(c));
  EXPECT_EQ(a.v, -70.0f);
  // The next step relaxes from the floor: -65 - 5 d.
  EXPECT_FALSE(a.step(c));
  EXPECT_NEAR(a.v, -65.0 - 5.0 * d, kVoltTol);
  // A 4 mV jump ends at -65 - 4 d = -68.9 mV, above the floor: untouched.
  Cell b;
  b.gi = 4.0f;
  b.step(c);
  EXPECT_NEAR(b.v, -65.0 - 4.0 * d, kVoltTol);
  // The default floor (-1000 mV) never binds: the 10 mV jump lands at -74.75 mV.
  Cell free;
  free.gi = 10.0f;
  free.step(constants_of(delta_lif()));
  EXPECT_NEAR(free.v, -65.0 - 10.0 * d, kVoltTol);

  // IF neuron, floor -70: -65 - 12.5 = -77.5 -> -70 exactly.
  NeuronConstants ci = constants_of(plain_if());
  ci.v_floor = -70.0f;
  Cell i;
  i.gi = 12.5f;
  EXPECT_FALSE(i.step(ci));
  EXPECT_EQ(i.v, -70.0f);
  i.ge = 17.0f;  // -70 + 17 = -53: still below threshold, so the floor (not -77.5) was kept
  EXPECT_FALSE(i.step(ci));
  EXPECT_EQ(i.v, -53.0f);

  // Conductance LIF under constant inhibition gi = 1 (v_inf -82.5 mV), floor -80:
  // v_k = -82.5 + 17.5 exp(-k / 100) crosses -80 between k = 194 (-79.985) and 195 (-80.010),
  // and from then on every step is clamped back to -80 exactly.
  NeuronConstants cc = constants_of(plain_lif());
  cc.v_floor = -80.0f;
  Cell g;
  for (int k = 1; k <= 400; ++k) {
    g.gi = 1.0f;
    ASSERT_FALSE(g.step(cc)) << k;
    if (k <= 194) {
      ASSERT_NEAR(g.v, -82.5 + 17.5 * std::exp(-k / 100.0), kVoltTol) << k;
    } else {
      ASSERT_EQ(g.v, -80.0f) << k;
    }
  }
}

TEST(Lif, RefractoryLeakRelaxesTowardRestAndIgnoresInput) {
  Params p = delta_lif();
  p.v_reset = -60.0;    // above rest, so the leak is visible
  p.refractory = 5.0;   // 10 steps: since_spike 1..9 refractory
  NeuronConstants held = constants_of(p);
  NeuronConstants leaky = held;
  leaky.refractory_leak = true;
  ASSERT_EQ(held.refractory_steps, 10);
  const double d = std::exp(-kDt / 20.0);
  Cell h, l;
  for (Cell* cell : {&h, &l}) {
    cell->v = -51.0f;
    cell->ge = 20.0f;  // -65 + 34 d = -31.8 mV > -52: fires at once, v -> -60
  }
  ASSERT_TRUE(h.step(held));
  ASSERT_TRUE(l.step(leaky));
  ASSERT_EQ(l.v, -60.0f);
  for (int s = 1; s <= 9; ++s) {
    h.ge = 3.0f;  // a 3 mV input each refractory step, thrown away (delta synapses)
    l.ge = 3.0f;
    EXPECT_FALSE(h.step(held)) << s;
    EXPECT_FALSE(l.step(leaky)) << s;
    EXPECT_EQ(h.v, -60.0f) << s;                               // held at the reset
    EXPECT_NEAR(l.v, -65.0 + 5.0 * std::pow(d, s), kVoltTol) << s;  // 5 mV above rest, leaking
    EXPECT_EQ(l.ge, 0.0f) << s;
  }
  // since_spike 10: both integrate the 3 mV input from where they were.
  h.ge = 3.0f;
  l.ge = 3.0f;
  EXPECT_FALSE(h.step(held));
  EXPECT_FALSE(l.step(leaky));
  EXPECT_NEAR(h.v, -65.0 + (5.0 + 3.0) * d, kVoltTol);
  EXPECT_NEAR(l.v, -65.0 + (5.0 * std::pow(d, 9) + 3.0) * d, kVoltTol);
}

TEST(Lif, HoldBlocksIntegrationAndSpikesForExactlyHoldSteps) {
  const NeuronConstants c = constants_of(plain_if());
  Cell cell;
  cell.hold = 3;
  for (int k = 1; k <= 3; ++k) {
    cell.ge = 20.0f;  // would take v from -65 to -45 > -52
    EXPECT_FALSE(cell.step(c)) << k;
    EXPECT_EQ(cell.v, -65.0f) << k;  // not integrated (and no leak without refractory_leak)
    EXPECT_EQ(cell.hold, 3 - k) << k;
    EXPECT_EQ(cell.ge, 0.0f) << k;   // the input is consumed all the same
  }
  cell.ge = 20.0f;
  EXPECT_TRUE(cell.step(c));  // step 4: integrates to -45 and fires
  EXPECT_EQ(cell.v, -65.0f);
  EXPECT_EQ(cell.hold, 0);

  // A held neuron above its threshold does not spike; released, it does (margin -40 + 52).
  Cell above;
  above.v = -40.0f;
  above.hold = 1;
  EXPECT_EQ(neuron_integrate(c, above.ref(c), true), 0.0f);
  EXPECT_EQ(above.v, -40.0f);
  EXPECT_EQ(neuron_integrate(c, above.ref(c), true), 12.0f);

  // With refractory_leak a held neuron below rest relaxes up toward it: -65 - 10 d^k.
  NeuronConstants leaky = constants_of(delta_lif());
  leaky.refractory_leak = true;
  const double d = std::exp(-kDt / 20.0);
  Cell low;
  low.v = -75.0f;
  low.hold = 2;
  for (int k = 1; k <= 2; ++k) {
    low.ge = 4.0f;  // ignored while held
    EXPECT_FALSE(low.step(leaky));
    EXPECT_NEAR(low.v, -65.0 - 10.0 * std::pow(d, k), kVoltTol) << k;
  }
  low.ge = 4.0f;  // released: jump by 4 mV, then one step of leak
  EXPECT_FALSE(low.step(leaky));
  EXPECT_NEAR(low.v, -65.0 + (-10.0 * d * d + 4.0) * d, kVoltTol);

  // Hold and refractoriness overlap, they do not add: refractory 2 ms (since_spike 1..3),
  // a hold of 2 imposed at the spike ends first, and the neuron integrates at since_spike 4.
  Params pr = plain_if();
  pr.refractory = 2.0;
  const NeuronConstants cr = constants_of(pr);
  ASSERT_EQ(cr.refractory_steps, 4);
  Cell both;
  both.ge = 20.0f;
  ASSERT_TRUE(both.step(cr));
  neuron_inhibit(cr, both.ref(cr), 0.0f, 2);
  for (int s = 1; s <= 3; ++s) {
    both.ge = 20.0f;
    EXPECT_FALSE(both.step(cr)) << s;
    EXPECT_EQ(both.v, -65.0f) << s;
  }
  both.ge = 20.0f;
  EXPECT_TRUE(both.step(cr));  // since_spike 4: -45 mV, fires
}

TEST(Lif, InhibitDropsVClampsAtTheFloorAndKeepsTheLongerHold) {
  NeuronConstants c = constants_of(plain_if());
  c.v_floor = -70.0f;
  c.adaptive = true;  // so theta is reachable, to check inhibition leaves it alone
  Cell cell;
  cell.v = -60.0f;
  cell.ge = 1.5f;
  cell.gi = 0.5f;
  cell.since = 7;
  cell.theta = 21.0;
  neuron_inhibit(c, cell.ref(c), 5.0f, 3);
  EXPECT_EQ(cell.v, -65.0f);  // -60 - 5
  EXPECT_EQ(cell.hold, 3);
  neuron_inhibit(c, cell.ref(c), 5.0f, 2);
  EXPECT_EQ(cell.v, -70.0f);  // -65 - 5, exactly the floor
  EXPECT_EQ(cell.hold, 3);    // max(3, 2): a shorter hold does not cut a longer one short
  neuron_inhibit(c, cell.ref(c), 5.0f, 7);
  EXPECT_EQ(cell.v, -70.0f);  // -75 clamped to the floor
  EXPECT_EQ(cell.hold, 7);    // max(3, 7)
  neuron_inhibit(c, cell.ref(c), 0.0f, 0);
  EXPECT_EQ(cell.v, -70.0f);
  EXPECT_EQ(cell.hold, 7);
  // Nothing else is touched.
  EXPECT_EQ(cell.ge, 1.5f);
  EXPECT_EQ(cell.gi, 0.5f);
  EXPECT_EQ(cell.since, 7);
  EXPECT_EQ(cell.theta, 21.0);
}

TEST(Lif, ThetaIsClampedToItsRangeWhilePlasticAndUntouchedWhenFrozen) {
  Params p = plain_if();
  p.adaptive = true;
  p.offset = 20.0;  // threshold = -52 + theta - 20
  p.tau_theta = 100.0;
  NeuronConstants c = constants_of(p);
  c.theta_min = 20.0;
  c.theta_max = 24.0;
  const double decay = std::exp(-kDt / 100.0);

  // Decay floor: a resting neuron (v -65 < threshold >= -52) with theta 21 decays as
  // 21 exp(-k / 200): 20.076 at k = 9, 19.976 at k = 10, so from k = 10 on theta = 20 exactly.
  Cell rest;
  rest.theta = 21.0;
  for (int k = 1; k <= 40; ++k) {
    ASSERT_FALSE(rest.step(c)) << k;
    if (k <= 9) {
      const double expected = 21.0 * std::pow(decay, k);
      ASSERT_NEAR(rest.theta, expected, kThetaRelTol * expected) << k;
      ASSERT_GT(rest.theta, 20.0) << k;
    } else {
      ASSERT_EQ(rest.theta, 20.0) << k;
    }
  }

  // Ceiling: no decay (tau_theta 1e300: decay factor exactly 1), theta_plus 0.75, a neuron
  // that fires every step (IF: -65 + 30 = -35 mV, above any threshold <= -48 mV).
  Params q = p;
  q.tau_theta = 1e300;
  q.theta_plus = 0.75;
  NeuronConstants cq = constants_of(q);
  cq.theta_min = 20.0;
  cq.theta_max = 24.0;
  ASSERT_EQ(cq.theta_decay, 1.0);
  Cell fire;
  fire.theta = 22.5;
  const std::vector<double> expected = {23.25, 24.0, 24.0, 24.0, 24.0};  // 24.75 clipped to 24
  for (size_t k = 0; k < expected.size(); ++k) {
    fire.ge = 30.0f;
    ASSERT_TRUE(fire.step(cq)) << k;
    EXPECT_EQ(fire.theta, expected[k]) << k;
  }

  // A theta below theta_min is raised to it at the first plastic step (decay, then clamp).
  Cell low;
  low.theta = 5.0;
  low.step(cq);
  EXPECT_EQ(low.theta, 20.0);

  // Frozen: theta outside the range is neither clamped, decayed nor raised by spikes.
  for (const double theta0 : {30.0, 5.0}) {
    Cell frozen;
    frozen.theta = theta0;
    for (int k = 0; k < 10; ++k) {
      frozen.ge = 30.0f;  // -35 mV: above both thresholds (-42 and -67 mV)
      EXPECT_TRUE(frozen.step(c, /*plastic_theta=*/false)) << theta0 << " " << k;
      EXPECT_EQ(frozen.theta, theta0) << k;
    }
  }
}

TEST(Lif, IntegrateReturnsTheMarginAndStepIsIntegrateThenFire) {
  const NeuronConstants c = constants_of(plain_if());
  // v -65 + 20 = -45, threshold -52: margin 7, v not yet reset, since_spike untouched.
  Cell cell;
  cell.ge = 20.0f;
  EXPECT_EQ(neuron_integrate(c, cell.ref(c), true), 7.0f);
  EXPECT_EQ(cell.v, -45.0f);
  EXPECT_EQ(cell.since, kLongAgo);
  neuron_fire(c, cell.ref(c), true);  // the reset and the refractory restart are fire's
  EXPECT_EQ(cell.v, -65.0f);
  EXPECT_EQ(cell.since, 0);
  // Exactly at the threshold (-65 + 13 = -52) or below: margin 0.
  Cell at;
  at.ge = 13.0f;
  EXPECT_EQ(neuron_integrate(c, at.ref(c), true), 0.0f);
  EXPECT_EQ(at.v, -52.0f);
  Cell below;
  below.ge = 5.0f;
  EXPECT_EQ(neuron_integrate(c, below.ref(c), true), 0.0f);

  // Adaptive threshold: -52 + theta 25 - offset 20 = -47, so v -45 gives margin 2;
  // firing adds theta_plus.
  Params pa = plain_if();
  pa.adaptive = true;
  pa.theta_plus = 0.5;
  pa.tau_theta = 1e300;  // decay factor 1: theta stays 25 until the spike
  const NeuronConstants ca = constants_of(pa);
  Cell adaptive;
  adaptive.theta = 25.0;
  adaptive.ge = 20.0f;
  EXPECT_EQ(neuron_integrate(ca, adaptive.ref(ca), true), 2.0f);
  EXPECT_EQ(adaptive.theta, 25.0);
  neuron_fire(ca, adaptive.ref(ca), true);
  EXPECT_EQ(adaptive.theta, 25.5);
  neuron_fire(ca, adaptive.ref(ca), false);  // frozen: no theta_plus
  EXPECT_EQ(adaptive.theta, 25.5);

  // Spike blocking: v integrates above threshold but the margin is 0 while since <= block.
  Params pb = plain_if();
  pb.spike_block = 5.0;  // 10 steps
  const NeuronConstants cb = constants_of(pb);
  Cell blocked;
  blocked.since = 5;  // 6 after the increment: blocked
  blocked.ge = 20.0f;
  EXPECT_EQ(neuron_integrate(cb, blocked.ref(cb), true), 0.0f);
  EXPECT_EQ(blocked.v, -45.0f);

  // neuron_step is integrate, then fire when the margin is positive: two D&C neurons
  // (conductance, adaptive, refractory 10 steps, block 20 steps) under the same varying
  // drive stay bit-identical over 2000 steps.
  Params dc;
  dc.spike_block = 10.0;
  dc.tau_theta = 1000.0;  // a visible theta decay
  const NeuronConstants cd = constants_of(dc);
  Cell whole, split;
  whole.theta = split.theta = 20.0;
  int spikes = 0;
  for (int t = 0; t < 2000; ++t) {
    const float ge = 0.8f * static_cast<float>(t % 7);
    const float gi = t % 5 == 0 ? 0.5f : 0.0f;
    whole.ge += ge;
    split.ge += ge;
    whole.gi += gi;
    split.gi += gi;
    const bool a = whole.step(cd);
    const float margin = neuron_integrate(cd, split.ref(cd), true);
    const bool b = margin > 0.0f;
    if (b) neuron_fire(cd, split.ref(cd), true);
    ASSERT_EQ(a, b) << t;
    ASSERT_EQ(whole.v, split.v) << t;
    ASSERT_EQ(whole.ge, split.ge) << t;
    ASSERT_EQ(whole.gi, split.gi) << t;
    ASSERT_EQ(whole.since, split.since) << t;
    ASSERT_EQ(whole.theta, split.theta) << t;
    spikes += a ? 1 : 0;
  }
  EXPECT_GT(spikes, 10);  // the comparison covered many spikes, not only subthreshold steps
}

}  // namespace
