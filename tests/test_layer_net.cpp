// Layer networks trained by surrogate gradients (engine/deep/, model/leaky.hpp,
// model/surrogate.hpp, model/optimizer_step.hpp): the per-element maths against hand-computed
// values, the losses against finite differences, BPTT against forward-mode differentiation
// (an independent algorithm for the same surrogate gradient) and, where the loss is smooth in
// the parameters, against finite differences; encoders, optimisers, configs, checkpoints,
// and a training run that learns.
//
// Tolerances: the engine computes in float and the references in double; sums over at most a
// few hundred terms of size ~1 keep float's relative error near 1e-6, so gradients are
// compared with |a - b| <= 1e-4 (|b| + 1e-2). Finite differences in float use h = 1e-2 on
// quantities whose curvature is O(1): error ~1e-4 plus float cancellation ~1e-5 / h.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/network_config.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "deep/layer_checkpoint.hpp"
#include "deep/layer_loss.hpp"
#include "deep/layer_optimizer.hpp"
#include "deep/layer_trainer.hpp"
#include "fixtures.hpp"
#include "model/alif.hpp"
#include "model/leaky.hpp"
#include "model/optimizer_step.hpp"
#include "model/spike_encoders.hpp"
#include "model/synaptic.hpp"
#include "model/surrogate.hpp"

using namespace memsnn;
namespace fs = std::filesystem;

namespace {

constexpr double kGradRel = 1e-4;
constexpr double kGradFloor = 1e-2;

::testing::AssertionResult close(double engine, double reference, double rel = kGradRel, double floor = kGradFloor) {
  if (std::fabs(engine - reference) <= rel * (std::fabs(reference) + floor)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "engine " << engine << " vs reference " << reference;
}

// A tiny data set: `n` images of rows x cols pixels with seeded grey levels, labels 0..classes-1.
Dataset tiny_data(uint32_t n, uint32_t rows, uint32_t cols, uint32_t classes, uint64_t seed) {
  Dataset d;
  d.rows = rows;
  d.cols = cols;
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t k = 0; k < rows * cols; ++k) d.pixels.push_back(static_cast<uint8_t>(random_u32(seed, 9, i, 0, k) & 0xff));
    d.labels.push_back(static_cast<uint8_t>(i % classes));
  }
  return d;
}

LayerNetConfig tiny_config(InputCoding coding, ResetKind reset, LossKind loss, SurrogateKind sg) {
  LayerNetConfig c;
  c.seed = 5;
  c.steps = 8;
  c.coding = coding;
  c.surrogate.kind = sg;
  c.surrogate.slope = sg == SurrogateKind::kArctan ? 2.0f : 5.0f;
  for (uint32_t size : {5u, 3u}) {
    LayerSpec l;
    l.size = size;
    l.neuron.beta = 0.8f;
    l.neuron.threshold = 0.6f;
    l.neuron.reset = reset;
    l.learn_beta = true;
    l.learn_threshold = reset == ResetKind::kSubtract;
    c.layers.push_back(l);
  }
  c.training.loss = loss;
  c.training.batch_size = 2;
  return c;
}

// Forward-mode differentiation of the output layer's U and S with respect to one scalar
// parameter, along the engine's own spikes and membranes (the forward pass is the engine's;
// the derivative is propagated forwards, in double, independently of backward()).
struct Tangent {
  std::vector<double> du, ds;  // of the output layer, [T][B][C]
};

// Which parameter: layer, and kind 0 weight (index), 1 bias (index), 2 beta, 3 threshold,
// 4 alpha (Synaptic layers).
struct Which {
  size_t layer;
  int kind;
  size_t index;
};

Tangent forward_mode(const LayerNetConfig& c, const LayerNetParams& p, const ForwardTrace& tr, Which w) {
  const size_t T = tr.steps, B = tr.batch;
  std::vector<double> dx;  // tangent of the layer's input, [T][B][n_in]; zero for the data
  std::vector<double> du, ds, dsyn, db;
  for (size_t l = 0; l < p.layers.size(); ++l) {
    const LayerParams& L = p.layers[l];
    const size_t n = L.n_out, n_in = L.n_in;
    du.assign(T * B * n, 0.0);
    ds.assign(T * B * n, 0.0);
    dsyn.assign(T * B * n, 0.0);
    db.assign(T * B * n, 0.0);
    const auto input = [&](size_t t, size_t b, size_t i) -> double {
      if (l > 0) return tr.s[l - 1][(t * B + b) * n_in + i];
      return c.coding == InputCoding::kDirect ? tr.input[b * n_in + i] : tr.input[(t * B + b) * n_in + i];
    };
    for (size_t t = 0; t < T; ++t) {
      for (size_t b = 0; b < B; ++b) {
        for (size_t j = 0; j < n; ++j) {
          double di = 0.0;
          if (l > 0) {
            for (size_t i = 0; i < n_in; ++i) di += L.weights[j * n_in + i] * dx[(t * B + b) * n_in + i];
          }
          if (w.layer == l && w.kind == 0 && w.index / n_in == j) di += input(t, b, w.index % n_in);
          if (w.layer == l && w.kind == 1 && w.index == j) di += 1.0;
          const size_t k = (t * B + b) * n + j;
          const double u_prev = t > 0 ? tr.u[l][k - B * n] : 0.0;
          const double s_prev = t > 0 ? tr.s[l][k - B * n] : 0.0;
          const double du_prev = t > 0 ? du[k - B * n] : 0.0;
          const double dbeta = w.layer == l && w.kind == 2 ? 1.0 : 0.0;
          const double dthr = w.layer == l && w.kind == 3 ? 1.0 : 0.0;
          if (c.layers[l].synaptic) {  // syn[t] = alpha syn[t-1] + I[t] drives the membrane
            const double dalpha = w.layer == l && w.kind == 4 ? 1.0 : 0.0;
            const double syn_prev = t > 0 ? tr.syn[l][k - B * n] : 0.0;
            dsyn[k] = L.alpha * (t > 0 ? dsyn[k - B * n] : 0.0) + dalpha * syn_prev + di;
            di = dsyn[k];
          }
          // ALIF: A[t] = U_thr + adapt b[t], b[t] = rho b[t-1] + (1 - rho) S[t-1].
          double d_a = dthr, d_a_prev = dthr, a_t = L.threshold;
          if (c.layers[l].alif) {
            const AlifParams& ad = c.layers[l].adaptation;
            const double db_prev = t > 0 ? db[k - B * n] : 0.0;
            db[k] = ad.rho * db_prev + (1.0 - ad.rho) * (t > 0 ? ds[k - B * n] : 0.0);
            d_a = dthr + ad.adapt * db[k];
            d_a_prev = dthr + ad.adapt * db_prev;
            a_t = L.threshold + ad.adapt * static_cast<double>(tr.adapt[l][k]);
          }
          if (c.layers[l].neuron.reset == ResetKind::kSubtract) {
            du[k] = L.beta * du_prev + dbeta * u_prev + di - s_prev * d_a_prev;
          } else {
            du[k] = (L.beta * du_prev + dbeta * u_prev + di) * (1.0 - s_prev);
          }
          ds[k] = surrogate_derivative(c.surrogate, static_cast<float>(tr.u[l][k] - a_t)) * (du[k] - d_a);
        }
      }
    }
    dx = ds;
  }
  return {du, ds};
}

// dL/dtheta from the loss's output gradients and the forward-mode tangent.
double chain(const BatchLoss& loss, const Tangent& tan) {
  double g = 0.0;
  for (size_t k = 0; k < tan.ds.size(); ++k) {
    g += loss.g_s[k] * tan.ds[k];
    if (!loss.g_u.empty()) g += loss.g_u[k] * tan.du[k];
  }
  return g;
}

double param_of(const LayerNetParams& g, Which w) {
  const LayerParams& L = g.layers[w.layer];
  switch (w.kind) {
    case 0: return L.weights[w.index];
    case 1: return L.bias[w.index];
    case 2: return L.beta;
    case 3: return L.threshold;
    default: return L.alpha;
  }
}

float& param_ref(LayerNetParams& p, Which w) {
  LayerParams& L = p.layers[w.layer];
  switch (w.kind) {
    case 0: return L.weights[w.index];
    case 1: return L.bias[w.index];
    case 2: return L.beta;
    default: return L.threshold;
  }
}

// The params of tiny_config with larger weights, so that both layers spike.
LayerNetParams lively_params(const LayerNetConfig& c, uint32_t n_inputs) {
  LayerNetParams p = init_layer_net(c, TensorShape{1, 1, n_inputs});
  for (auto& l : p.layers) {
    for (float& w : l.weights) w *= 3.0f;
    for (float& b : l.bias) b = std::fabs(b);
  }
  return p;
}

struct Case {
  InputCoding coding;
  ResetKind reset;
  LossKind loss;
  SurrogateKind surrogate;
  bool synaptic = false;  // the hidden layer of Synaptic neurons, alpha learnable
  bool alif = false;      // both layers of ALIF neurons
};

class Bptt : public ::testing::TestWithParam<Case> {};

}  // namespace

TEST(Surrogate, DerivativesMatchTheirFormulas) {
  Surrogate fs{SurrogateKind::kFastSigmoid, 25.0f};
  EXPECT_FLOAT_EQ(surrogate_derivative(fs, 0.0f), 1.0f);
  EXPECT_FLOAT_EQ(surrogate_derivative(fs, 0.04f), 0.25f);   // 1 / (25 * 0.04 + 1)^2
  EXPECT_FLOAT_EQ(surrogate_derivative(fs, -0.04f), 0.25f);
  Surrogate at{SurrogateKind::kArctan, 2.0f};
  EXPECT_FLOAT_EQ(surrogate_derivative(at, 0.0f), 1.0f);     // alpha / 2
  EXPECT_NEAR(surrogate_derivative(at, 1.0f / 3.14159265f), 0.5f, 1e-6);  // 1 / (1 + 1)
  EXPECT_FLOAT_EQ(surrogate_derivative(Surrogate{SurrogateKind::kStraightThrough, 1.0f}, 7.0f), 1.0f);
  EXPECT_EQ(spike_of(0.0f), 0.0f);  // strictly above the threshold
  EXPECT_EQ(spike_of(1e-7f), 1.0f);
}

TEST(Leaky, StepsByHandForBothResets) {
  // beta 0.5, threshold 1, input 0.8 each step, subtract: U = 0.8, 1.2 (spike), 0.6+0.8-1 = 0.4, ...
  LeakyParams p{0.5f, 1.0f, ResetKind::kSubtract};
  float u = 0.0f, s = 0.0f;
  s = leaky_step(p, u, 0.8f, s);
  EXPECT_FLOAT_EQ(u, 0.8f);
  EXPECT_EQ(s, 0.0f);
  s = leaky_step(p, u, 0.8f, s);
  EXPECT_FLOAT_EQ(u, 1.2f);
  EXPECT_EQ(s, 1.0f);
  s = leaky_step(p, u, 0.8f, s);
  EXPECT_FLOAT_EQ(u, 0.4f);
  EXPECT_EQ(s, 0.0f);
  // Zero reset: after the spike at 1.2 the next membrane is 0 whatever the input.
  LeakyParams z{0.5f, 1.0f, ResetKind::kZero};
  u = 0.0f, s = 0.0f;
  s = leaky_step(z, u, 0.8f, s);
  s = leaky_step(z, u, 0.8f, s);
  EXPECT_EQ(s, 1.0f);
  s = leaky_step(z, u, 0.8f, s);
  EXPECT_EQ(u, 0.0f);
  EXPECT_EQ(s, 0.0f);
}

TEST(Synaptic, CurrentDecaysWithAlphaAndDrivesTheMembrane) {
  // alpha 0.5, input 1 at step 0 only: syn = 1, 0.5, 0.25; membrane (beta 0.5, threshold 10)
  // integrates it: U = 1, 1, 0.75.
  const LeakyParams p{0.5f, 10.0f, ResetKind::kSubtract};
  float syn = 0.0f, u = 0.0f, s = 0.0f;
  const float inputs[3] = {1.0f, 0.0f, 0.0f};
  const float want_syn[3] = {1.0f, 0.5f, 0.25f}, want_u[3] = {1.0f, 1.0f, 0.75f};
  for (int t = 0; t < 3; ++t) {
    syn = synaptic_current(0.5f, syn, inputs[t]);
    s = leaky_step(p, u, syn, s);
    EXPECT_FLOAT_EQ(syn, want_syn[t]);
    EXPECT_FLOAT_EQ(u, want_u[t]);
  }
  EXPECT_FLOAT_EQ(synaptic_grad(0.5f, 2.0f, 4.0f), 4.0f);  // 2 + 0.5 x 4
}

TEST(LayerLoss, GradientsMatchFiniteDifferences) {
  // The losses are smooth in S and U taken as real numbers: perturb each entry of a made-up
  // output trace and compare.
  for (LossKind kind : {LossKind::kCeCount, LossKind::kCeRate, LossKind::kCeMembrane, LossKind::kMseCount}) {
    LayerNetConfig c = tiny_config(InputCoding::kDirect, ResetKind::kSubtract, kind, SurrogateKind::kFastSigmoid);
    ForwardTrace tr;
    tr.steps = 4;
    tr.batch = 2;
    const size_t n = tr.steps * tr.batch * 3;
    tr.u.assign(1, std::vector<float>(n));
    tr.s.assign(1, std::vector<float>(n));
    for (size_t k = 0; k < n; ++k) {
      tr.u[0][k] = static_cast<float>(std::sin(0.7 * static_cast<double>(k)));
      tr.s[0][k] = static_cast<float>(0.5 + 0.4 * std::cos(1.3 * static_cast<double>(k)));
    }
    const std::vector<uint8_t> labels = {2, 0};
    const BatchLoss base = layer_loss(c, tr, labels);
    const bool membrane = kind == LossKind::kCeMembrane;
    ASSERT_EQ(base.g_u.empty(), !membrane);
    for (size_t k = 0; k < n; ++k) {
      std::vector<float>& x = membrane ? tr.u[0] : tr.s[0];
      const float keep = x[k];
      const float h = 1e-2f;
      x[k] = keep + h;
      const double up = layer_loss(c, tr, labels).loss;
      x[k] = keep - h;
      const double down = layer_loss(c, tr, labels).loss;
      x[k] = keep;
      const double fd = (up - down) / (2.0 * h);
      const double analytic = membrane ? base.g_u[k] : base.g_s[k];
      EXPECT_NEAR(analytic, fd, 2e-3 * (std::fabs(fd) + 0.1)) << "loss " << static_cast<int>(kind) << " entry " << k;
    }
  }
}

TEST_P(Bptt, GradientsEqualForwardModeDifferentiation) {
  const Case k = GetParam();
  LayerNetConfig c = tiny_config(k.coding, k.reset, k.loss, k.surrogate);
  if (k.synaptic) {
    c.layers[0].synaptic = true;
    c.layers[0].alpha = 0.7f;
    c.layers[0].learn_alpha = true;
  }
  for (LayerSpec& l : c.layers) {
    l.alif = k.alif;
    l.adaptation = {0.6f, 0.5f};
  }
  const Dataset data = tiny_data(2, 2, 3, 3, 17);
  const LayerNetParams p = lively_params(c, 6);
  ForwardTrace tr;
  const std::vector<uint32_t> images = {0, 1}, ordinals = {0, 1};
  encode_batch(c, data, images, ordinals, 0, tr);
  forward(c, p, tr);
  const std::vector<double> spikes = spike_totals(tr);
  ASSERT_GT(spikes[0], 0.0) << "the hidden layer must spike for the test to mean anything";
  const std::vector<uint8_t> labels = {data.labels[0], data.labels[1]};
  const BatchLoss loss = layer_loss(c, tr, labels);
  LayerNetParams g = zeros_like(p);
  backward(c, p, tr, loss.g_s, loss.g_u, g);
  size_t checked = 0;
  for (size_t l = 0; l < p.layers.size(); ++l) {
    for (int kind = 0; kind < 5; ++kind) {
      if (kind == 3 && !c.layers[l].learn_threshold) continue;
      if (kind == 4 && !c.layers[l].synaptic) continue;
      const size_t count = kind == 0 ? p.layers[l].weights.size() : kind == 1 ? p.layers[l].bias.size() : 1;
      for (size_t i = 0; i < count; ++i) {
        const Which w{l, kind, i};
        const double reference = chain(loss, forward_mode(c, p, tr, w));
        EXPECT_TRUE(close(param_of(g, w), reference)) << "layer " << l << " kind " << kind << " index " << i;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 50u);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Bptt,
    ::testing::Values(Case{InputCoding::kDirect, ResetKind::kSubtract, LossKind::kCeMembrane, SurrogateKind::kFastSigmoid},
                      Case{InputCoding::kDirect, ResetKind::kZero, LossKind::kCeCount, SurrogateKind::kArctan},
                      Case{InputCoding::kRate, ResetKind::kSubtract, LossKind::kCeRate, SurrogateKind::kStraightThrough},
                      Case{InputCoding::kRate, ResetKind::kZero, LossKind::kMseCount, SurrogateKind::kFastSigmoid},
                      Case{InputCoding::kDirect, ResetKind::kSubtract, LossKind::kMseCount, SurrogateKind::kArctan},
                      Case{InputCoding::kLatency, ResetKind::kSubtract, LossKind::kCeMembrane, SurrogateKind::kArctan},
                      Case{InputCoding::kDelta, ResetKind::kZero, LossKind::kCeRate, SurrogateKind::kFastSigmoid},
                      Case{InputCoding::kDirect, ResetKind::kSubtract, LossKind::kCeMembrane, SurrogateKind::kFastSigmoid, true},
                      Case{InputCoding::kRate, ResetKind::kZero, LossKind::kCeCount, SurrogateKind::kArctan, true},
                      Case{InputCoding::kDirect, ResetKind::kSubtract, LossKind::kCeMembrane, SurrogateKind::kFastSigmoid, false, true},
                      Case{InputCoding::kRate, ResetKind::kSubtract, LossKind::kCeRate, SurrogateKind::kArctan, false, true},
                      Case{InputCoding::kDirect, ResetKind::kZero, LossKind::kMseCount, SurrogateKind::kFastSigmoid, false, true}));

TEST(LayerMaths, AlifThresholdRisesWithEachSpikeAndDecays) {
  // rho 0.5, adapt 1, threshold 1, beta 1, input 1.5 at every step, by hand from
  // model/alif.hpp's equations:
  //   t  b       A       U                      S
  //   0  0       1       1.5                    1
  //   1  0.5     1.5     1.5 + 1.5 - 1   = 2    1
  //   2  0.75    1.75    2 + 1.5 - 1.5   = 2    1
  //   3  0.875   1.875   2 + 1.5 - 1.75  = 1.75 0
  //   4  0.4375  1.4375  1.75 + 1.5      = 3.25 1
  const LeakyParams p{1.0f, 1.0f, ResetKind::kSubtract};
  const AlifParams a{0.5f, 1.0f};
  float u = 0.0f, b = 0.0f, s = 0.0f;
  const std::vector<float> want_u = {1.5f, 2.0f, 2.0f, 1.75f, 3.25f}, want_b = {0.0f, 0.5f, 0.75f, 0.875f, 0.4375f};
  const std::vector<float> want_s = {1, 1, 1, 0, 1};
  for (size_t t = 0; t < 5; ++t) {
    const float b_t = alif_adaptation(a, b, s);
    s = alif_step(p, a, u, 1.5f, s, b, b_t);
    b = b_t;
    EXPECT_FLOAT_EQ(b, want_b[t]) << t;
    EXPECT_FLOAT_EQ(u, want_u[t]) << t;
    EXPECT_EQ(s, want_s[t]) << t;
  }
  // adapt 0 is the Leaky neuron.
  float u1 = 0.0f, u2 = 0.0f, s1 = 0.0f, s2 = 0.0f, b2 = 0.0f;
  for (int t = 0; t < 6; ++t) {
    s1 = leaky_step(p, u1, 0.7f, s1);
    const float b_t = alif_adaptation({0.5f, 0.0f}, b2, s2);
    s2 = alif_step(p, {0.5f, 0.0f}, u2, 0.7f, s2, b2, b_t);
    b2 = b_t;
    EXPECT_EQ(u1, u2);
    EXPECT_EQ(s1, s2);
  }
}

TEST(Bptt, OutputLayerGradientsMatchFiniteDifferencesOfTheTrueLoss) {
  // With the membrane loss, the output layer's weights, biases and beta reach the loss without
  // passing a spike function (its reset is detached), so the surrogate gradient there is the
  // true derivative: finite differences must agree while no spike flips.
  const LayerNetConfig c = tiny_config(InputCoding::kDirect, ResetKind::kSubtract, LossKind::kCeMembrane, SurrogateKind::kFastSigmoid);
  const Dataset data = tiny_data(2, 2, 3, 3, 23);
  LayerNetParams p = lively_params(c, 6);
  ForwardTrace tr;
  const std::vector<uint32_t> images = {0, 1};
  const std::vector<uint8_t> labels = {data.labels[0], data.labels[1]};
  encode_batch(c, data, images, images, 0, tr);
  forward(c, p, tr);
  const BatchLoss loss = layer_loss(c, tr, labels);
  LayerNetParams g = zeros_like(p);
  backward(c, p, tr, loss.g_s, loss.g_u, g);
  const std::vector<float> spikes = tr.s.back();
  size_t compared = 0;
  for (int kind : {0, 1, 2}) {
    const size_t count = kind == 0 ? p.layers[1].weights.size() : kind == 1 ? p.layers[1].bias.size() : 1;
    for (size_t i = 0; i < count; ++i) {
      const Which w{1, kind, i};
      float& x = param_ref(p, w);
      const float keep = x, h = 1e-3f;
      const auto loss_at = [&](float v) {
        x = v;
        ForwardTrace t2;
        encode_batch(c, data, images, images, 0, t2);
        forward(c, p, t2);
        return std::make_pair(layer_loss(c, t2, labels).loss, t2.s.back() == spikes);
      };
      const auto [up, same_up] = loss_at(keep + h);
      const auto [down, same_down] = loss_at(keep - h);
      x = keep;
      if (!same_up || !same_down) continue;  // a spike flipped: the loss jumps there
      const double fd = (up - down) / (2.0 * h);
      EXPECT_NEAR(param_of(g, w), fd, 2e-2 * (std::fabs(fd) + 0.05)) << "kind " << kind << " index " << i;
      ++compared;
    }
  }
  EXPECT_GT(compared, 10u);
}

TEST(LayerEncoders, DirectIsThePixelAndRateHasItsProbability) {
  LayerNetConfig c = tiny_config(InputCoding::kDirect, ResetKind::kSubtract, LossKind::kCeCount, SurrogateKind::kFastSigmoid);
  Dataset d;
  d.rows = 1;
  d.cols = 3;
  d.pixels = {0, 128, 255};
  d.labels = {0};
  ForwardTrace tr;
  const std::vector<uint32_t> one = {0};
  encode_batch(c, d, one, one, 0, tr);
  EXPECT_EQ(tr.input, (std::vector<float>{0.0f, 128.0f / 255.0f, 1.0f}));
  c.coding = InputCoding::kRate;
  c.steps = 20000;
  encode_batch(c, d, one, one, 0, tr);
  double sum[3] = {0, 0, 0};
  for (uint32_t t = 0; t < c.steps; ++t) {
    for (int i = 0; i < 3; ++i) sum[i] += tr.input[t * 3 + static_cast<uint32_t>(i)];
  }
  EXPECT_EQ(sum[0], 0.0);
  EXPECT_EQ(sum[2], c.steps);
  const double p = 128.0 / 255.0, mean = sum[1] / c.steps;
  EXPECT_NEAR(mean, p, 5.0 * std::sqrt(p * (1 - p) / c.steps));  // 5 sigma of the binomial
  // Another ordinal draws other spikes; the same one the same.
  ForwardTrace again, other;
  const std::vector<uint32_t> ord2 = {1};
  encode_batch(c, d, one, one, 0, again);
  encode_batch(c, d, one, ord2, 0, other);
  EXPECT_EQ(again.input, tr.input);
  EXPECT_NE(other.input, tr.input);
}

TEST(LayerEncoders, LatencyAndDeltaSpikeOnceAtTheirSteps) {
  // Linear latency, T = 11: t = round(10 (1 - x)); below the threshold 0.01, no spike.
  EXPECT_EQ(latency_spike_step(1.0, 11, LatencyKind::kLinear, 0.01, 5.0), 0);
  EXPECT_EQ(latency_spike_step(0.5, 11, LatencyKind::kLinear, 0.01, 5.0), 5);
  EXPECT_EQ(latency_spike_step(0.2, 11, LatencyKind::kLinear, 0.01, 5.0), 8);
  EXPECT_EQ(latency_spike_step(2.0 / 255.0, 11, LatencyKind::kLinear, 0.01, 5.0), -1);
  // Logarithmic, tau 5 steps: t = round(5 ln(x / (x - 0.01))).
  EXPECT_EQ(latency_spike_step(1.0, 11, LatencyKind::kLog, 0.01, 5.0), 0);      // 0.05
  EXPECT_EQ(latency_spike_step(0.02, 11, LatencyKind::kLog, 0.01, 5.0), 3);     // 3.47
  EXPECT_EQ(latency_spike_step(4.0 / 255.0, 11, LatencyKind::kLog, 0.01, 5.0), 5);  // 5.07
  EXPECT_EQ(latency_spike_step(0.0105, 11, LatencyKind::kLog, 0.01, 5.0), -1);  // 15.2: after the window
  EXPECT_EQ(delta_spike_step(0.0, 0.01), -1);
  EXPECT_EQ(delta_spike_step(3.0 / 255.0, 0.01), 0);
  // Through encode_batch: each input spikes at most once, at its step.
  LayerNetConfig c = tiny_config(InputCoding::kLatency, ResetKind::kSubtract, LossKind::kCeCount, SurrogateKind::kFastSigmoid);
  c.steps = 11;
  Dataset d;
  d.rows = 1;
  d.cols = 3;
  d.pixels = {255, 0, 51};
  d.labels = {0};
  ForwardTrace tr;
  const std::vector<uint32_t> one = {0};
  encode_batch(c, d, one, one, 0, tr);
  std::vector<float> expected(11 * 3, 0.0f);
  expected[0 * 3 + 0] = 1.0f;  // pixel 255 at step 0
  expected[8 * 3 + 2] = 1.0f;  // pixel 51 (x = 0.2) at step 8
  EXPECT_EQ(tr.input, expected);
  c.coding = InputCoding::kDelta;
  encode_batch(c, d, one, one, 0, tr);
  expected.assign(11 * 3, 0.0f);
  expected[0] = expected[2] = 1.0f;
  EXPECT_EQ(tr.input, expected);
}

TEST(LayerOptimizers, StepsMatchHandComputedValues) {
  float p = 1.0f, m = 0.0f, v = 0.0f;
  OptimizerStep adam;
  adam.lr = 0.1f;
  adam.bias_correction1 = 1.0f - 0.9f;
  adam.bias_correction2 = 1.0f - 0.999f;
  optimizer_update(adam, p, 0.5f, m, v);  // m_hat = 0.5, v_hat = 0.25: p -= 0.1 * 0.5 / 0.5
  EXPECT_NEAR(p, 0.9f, 1e-6);
  OptimizerStep adamw = adam;
  adamw.kind = OptimizerKind::kAdamW;
  adamw.weight_decay = 0.1f;
  p = 1.0f, m = 0.0f, v = 0.0f;
  optimizer_update(adamw, p, 0.5f, m, v);  // 1 - 0.1 * 0.1 * 1 = 0.99, then - 0.1
  EXPECT_NEAR(p, 0.89f, 1e-6);
  OptimizerStep sgd;
  sgd.kind = OptimizerKind::kSgd;
  sgd.lr = 0.1f;
  sgd.beta1 = 0.9f;
  p = 1.0f, m = 0.0f;
  optimizer_update(sgd, p, 0.5f, m, v);  // b = 0.5, p = 0.95
  optimizer_update(sgd, p, 0.5f, m, v);  // b = 0.95, p = 0.855
  EXPECT_NEAR(p, 0.855f, 1e-6);
  // The layer optimiser's bias corrections: two Adam steps with a constant gradient move each
  // weight by lr twice (m_hat / sqrt(v_hat) = 1 at every step).
  LayerNetConfig c = tiny_config(InputCoding::kDirect, ResetKind::kSubtract, LossKind::kCeCount, SurrogateKind::kFastSigmoid);
  c.training.optimizer.lr = 0.01f;
  LayerNetParams params = init_layer_net(c, TensorShape{1, 1, 6}), grads = zeros_like(params);
  for (float& g : grads.layers[0].weights) g = 0.3f;
  const float w0 = params.layers[0].weights[0];
  LayerOptimizer opt(c, params);
  opt.step(params, grads, 0.01);
  opt.step(params, grads, 0.01);
  EXPECT_NEAR(params.layers[0].weights[0], w0 - 0.02f, 1e-6);
  EXPECT_EQ(opt.steps(), 2u);
}

TEST(LayerSchedules, StepAndCosine) {
  LayerTraining t;
  t.optimizer.lr = 1.0f;
  t.epochs = 4;
  t.schedule = ScheduleKind::kStep;
  t.step_epochs = 2;
  t.gamma = 0.5f;
  EXPECT_DOUBLE_EQ(scheduled_lr(t, 1), 1.0);
  EXPECT_DOUBLE_EQ(scheduled_lr(t, 2), 0.5);
  t.schedule = ScheduleKind::kCosine;
  t.min_lr = 0.0f;
  EXPECT_DOUBLE_EQ(scheduled_lr(t, 0), 1.0);
  EXPECT_NEAR(scheduled_lr(t, 2), 0.5, 1e-12);  // half way: (1 + cos(pi / 2)) / 2
}

TEST(LayerConfig, PresetsReadAndErrorsNameTheKey) {
  for (const char* name : {"snntorch_fc", "neurospike_mlp", "spiking_cnn", "spiking_resnet"}) {
    const nlohmann::json doc = preset_json(name);
    ASSERT_TRUE(is_layer_network(doc)) << name;
    const LayerNetConfig c = layer_net_config_from_json(doc);
    EXPECT_EQ(c.layers.back().size, 10u);
    EXPECT_NO_THROW(check_layer_shapes(c, {1, 28, 28}, 10)) << name;
    // Written and read again, the config is the same.
    EXPECT_EQ(layer_net_config_to_json(layer_net_config_from_json(layer_net_config_to_json(c))), layer_net_config_to_json(c));
  }
  EXPECT_FALSE(is_layer_network(preset_json("diehl_cook_2015")));
  // The STDP reader names what it was given (snn_sweep, snn_bench take STDP networks only).
  try {
    config_from_json(preset_json("snntorch_fc"));
    FAIL() << "the STDP reader took a layer network";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("config key 'layers': a layer network", 0), 0u) << e.what();
  }
  const auto error_of = [](const std::string& text) {
    try {
      layer_net_config_from_json(nlohmann::json::parse(text));
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string layers = R"("layers": [{"type": "dense", "size": 10}])";
  EXPECT_EQ(error_of("{" + layers + R"(, "stepz": 3})").rfind("config key 'stepz': unknown key", 0), 0u);
  EXPECT_NE(error_of(R"({"layers": [{"type": "conv9", "size": 10}]})").find("'layers[0].type': unknown value \"conv9\""), std::string::npos);
  EXPECT_NE(error_of(R"({"layers": [{"type": "dense", "size": 10, "neuron": {"beta": 1.5}}]})").find("'layers[0].neuron.beta': 1.5 is out of range"), std::string::npos);
  EXPECT_NE(error_of("{" + layers + R"(, "training": {"loss": "hinge"}})").find("'training.loss': unknown value \"hinge\"; valid: ce_count, ce_rate, ce_membrane, mse_count"), std::string::npos);
  EXPECT_NE(error_of("{" + layers + R"(, "training": {"optimizer": {"type": "adam", "momentum": 0.9}}})").find("'training.optimizer.momentum': applies to type \"sgd\" only"), std::string::npos);
  EXPECT_NE(error_of(R"({"layers": []})").find("'layers': must be a non-empty list"), std::string::npos);
  EXPECT_NE(error_of(R"({"layers": [{"type": "dense", "size": 10, "neuron": {"type": "leaky", "alpha": 0.5}}]})").find("'layers[0].neuron.alpha': applies to type \"synaptic\" only"), std::string::npos);
  EXPECT_NE(error_of("{" + layers + R"(, "input": {"coding": "direct", "gain": 2}})").find("'input.gain': applies to coding \"rate\" only"), std::string::npos);
  EXPECT_NE(error_of("{" + layers + R"(, "input": {"coding": "rate", "tau": 2}})").find("'input.tau': applies to coding \"latency\" only"), std::string::npos);
  // The output layer must have one neuron per class.
  LayerNetConfig c = layer_net_config_from_json(nlohmann::json::parse("{" + layers + "}"));
  c.layers[0].size = 12;
  try {
    LayerTrainer trainer(c, TensorShape{1, 28, 28}, 10);
    FAIL() << "no error for 12 outputs and 10 classes";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "config key 'layers[0].size': the output layer has 12 neurons, the data has 10 classes");
  }
}

TEST(LayerCheckpoint, RoundTripsAndRefusesDamage) {
  const fixtures::TempDir tmp;
  const LayerNetConfig c = tiny_config(InputCoding::kRate, ResetKind::kSubtract, LossKind::kCeCount, SurrogateKind::kArctan);
  LayerNetConfig cs = c;
  cs.layers[1].synaptic = true;
  LayerCheckpoint ck{cs, init_layer_net(cs, TensorShape{1, 1, 6}), {{"epochs_trained", 2}}};
  ck.params.layers[1].beta = 0.7f;
  ck.params.layers[1].alpha = 0.6f;
  const std::string path = tmp.file("net.bin");
  save_layer_checkpoint(path, ck);
  const LayerCheckpoint back = load_layer_checkpoint(path);
  EXPECT_EQ(layer_net_config_to_json(back.config), layer_net_config_to_json(cs));
  EXPECT_EQ(back.params.layers[1].alpha, 0.6f);
  for (size_t l = 0; l < 2; ++l) {
    EXPECT_EQ(back.params.layers[l].weights, ck.params.layers[l].weights);
    EXPECT_EQ(back.params.layers[l].bias, ck.params.layers[l].bias);
    EXPECT_EQ(back.params.layers[l].beta, ck.params.layers[l].beta);
  }
  EXPECT_EQ(back.info["epochs_trained"], 2);
  const std::string bytes = fixtures::read_text(path);
  const auto error_for = [&](const std::string& damaged) {
    const std::string p = tmp.file("damaged.bin");
    std::ofstream(p, std::ios::binary) << damaged;
    try {
      load_layer_checkpoint(p);
    } catch (const DataError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_for(bytes.substr(0, bytes.size() - 9)).find("damaged.bin: truncated"), std::string::npos);
  EXPECT_NE(error_for(bytes + "x").find("trailing bytes"), std::string::npos);
  std::string flipped = bytes;
  flipped[flipped.size() - 20] ^= 0x40;
  EXPECT_NE(error_for(flipped).find("CRC mismatch"), std::string::npos);
  EXPECT_NE(error_for("MEMSNNCK and the rest").find("bad magic"), std::string::npos);
}

TEST(LayerTraining, LearnsTinyDataAndIsDeterministic) {
  // Three classes of 6-pixel images, each class a fixed pattern: a few epochs must learn them.
  Dataset d;
  d.rows = 2;
  d.cols = 3;
  const uint8_t patterns[3][6] = {{255, 255, 0, 0, 0, 0}, {0, 0, 255, 255, 0, 0}, {0, 0, 0, 0, 255, 255}};
  for (int i = 0; i < 60; ++i) {
    for (uint8_t px : patterns[i % 3]) d.pixels.push_back(px);
    d.labels.push_back(static_cast<uint8_t>(i % 3));
  }
  for (InputCoding coding : {InputCoding::kDirect, InputCoding::kRate}) {
    LayerNetConfig c = tiny_config(coding, ResetKind::kSubtract, LossKind::kCeCount, SurrogateKind::kFastSigmoid);
    c.training.batch_size = 10;
    c.training.optimizer.lr = 0.05f;
    LayerTrainer a(c, TensorShape{1, 1, 6}, 3), b(c, TensorShape{1, 1, 6}, 3);
    LayerEvaluation first = a.evaluate(d, 0);
    for (uint32_t e = 0; e < 15; ++e) {
      a.train_epoch(d, e);
      b.train_epoch(d, e);
    }
    const LayerEvaluation after = a.evaluate(d, 0);
    EXPECT_GE(after.accuracy_spikes, 0.95) << "coding " << static_cast<int>(coding) << ", before " << first.accuracy_spikes;
    EXPECT_LT(after.loss, first.loss);
    // The same seed gives the same weights bit for bit.
    EXPECT_EQ(a.params().layers[0].weights, b.params().layers[0].weights);
  }
}
