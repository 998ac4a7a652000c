// The description of a layer network trained by surrogate gradients (docs/supervised.md): the
// input coding, the layers and their neurons, the loss, optimiser and schedule. Read from the
// same JSON documents as the STDP networks' configs; a document with a "layers" list is a
// layer network.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/alif.hpp"
#include "model/leaky.hpp"
#include "model/optimizer_step.hpp"
#include "model/spike_encoders.hpp"
#include "model/surrogate.hpp"

namespace memsnn {

// How pixels (0..255, as x = pixel / 255) become the first layer's input at each step:
//   direct:  the value x itself at every step (a constant input current);
//   rate:    a spike with probability min(1, gain x), Bernoulli from Philox keyed by (seed,
//            input stream of the phase, image ordinal, step, input), like the STDP inputs;
//   latency: one spike, bright pixels first, linear or logarithmic (model/spike_encoders.hpp);
//   delta:   one spike at the first step where x > threshold (a still image changes once).
enum class InputCoding : int32_t { kDirect = 0, kRate = 1, kLatency = 2, kDelta = 3 };

// Losses over the output layer's spikes S[t] and membranes U[t], T steps, C classes, batch
// mean (snnTorch 0.9's definitions; docs/supervised.md):
//   ce_count:    CE(softmax(sum_t S[t]), y)
//   ce_rate:     (1/T) sum_t CE(softmax(S[t]), y)
//   ce_membrane: sum_t CE(softmax(U[t]), y)        (snnTorch tutorial 5)
//   mse_count:   (1/T) mean_c (sum_t S[t] - T r_c)^2, r_c = correct_rate for the label,
//                incorrect_rate otherwise
enum class LossKind : int32_t { kCeCount = 0, kCeRate = 1, kCeMembrane = 2, kMseCount = 3 };

// Which output score the "membrane" prediction takes (the spike prediction always takes the
// spike counts): the membrane summed over the steps, its maximum, or its last value.
enum class MembraneReadout : int32_t { kSum = 0, kMax = 1, kLast = 2 };

enum class ScheduleKind : int32_t { kConstant = 0, kStep = 1, kCosine = 2 };

// What a layer does to its input (docs/supervised.md). Activations are stored image by image
// in height-width-channel order (channel fastest), so a flattened conv output is its HWC
// vector and flatten moves no data.
//   dense:    I = W x + b over the flattened input, W [size][inputs]
//   conv2d:   I[y][x][o] = b[o] + sum_{ky,kx,c} W[o][ky][kx][c] in[y S - P + ky][x S - P + kx][c]
//             (zero padding P, stride S), by im2col and one matrix product; out H' =
//             (H + 2P - K) / S + 1
//   max_pool, avg_pool: windows of size x size, stride size (H' = H / size, the rest dropped)
//   flatten:  the input as one vector (no data moved)
//   residual: the input plus the output of the earlier layer `from`, of the same shape
//   dropout:  while training, each value kept with probability 1 - rate and scaled by
//             1 / (1 - rate), a new mask at every step (Philox keyed by seed, dropout stream,
//             presentation ordinal, step and layer, value); the input as it is otherwise
enum class LayerKind : int32_t { kDense = 0, kConv2d = 1, kMaxPool = 2, kAvgPool = 3, kFlatten = 4, kResidual = 5, kDropout = 6 };

// One layer: its operation and, when `spiking`, neurons fed by the operation's output as
// their input current: Leaky (model/leaky.hpp); Synaptic (model/synaptic.hpp) when
// `synaptic`, whose membrane integrates a current that decays with alpha; or ALIF
// (model/alif.hpp) when `alif`, whose threshold rises with each spike and decays with rho. A layer that is not
// spiking passes its output on as it is (snnTorch's conv -> max_pool -> Leaky is a conv2d
// without neurons followed by a spiking max_pool).
struct LayerSpec {
  LayerKind kind = LayerKind::kDense;
  uint32_t size = 0;      // dense: outputs
  uint32_t channels = 0;  // conv2d: output channels
  uint32_t kernel = 0;    // conv2d: kernel height and width; pools: window size
  uint32_t stride = 1;    // conv2d
  uint32_t padding = 0;   // conv2d
  uint32_t from = 0;      // residual: the layer whose output is added
  float rate = 0.5f;      // dropout
  bool spiking = true;
  LeakyParams neuron;
  bool synaptic = false;
  float alpha = 0.9f;  // Synaptic only
  bool alif = false;
  AlifParams adaptation;  // ALIF only
  bool learn_beta = false;
  bool learn_threshold = false;
  bool learn_alpha = false;
};

struct LayerTraining {
  LossKind loss = LossKind::kCeMembrane;
  float correct_rate = 0.8f;    // mse_count
  float incorrect_rate = 0.2f;  // mse_count
  OptimizerStep optimizer;      // kind, lr (the initial one), betas, eps, weight decay
  ScheduleKind schedule = ScheduleKind::kConstant;
  uint32_t step_epochs = 1;  // step: lr times gamma every step_epochs epochs
  float gamma = 0.1f;
  float min_lr = 0.0f;  // cosine: lr from the initial one down to min_lr over the epochs
  uint32_t batch_size = 128;
  uint32_t epochs = 1;
  uint32_t train_samples = 0;  // 0: all
  uint32_t test_samples = 0;   // 0: all
  bool shuffle = true;         // a new seeded order every epoch
};

struct LayerNetConfig {
  std::string name = "layer_network";
  uint64_t seed = 0;
  uint32_t steps = 25;
  InputCoding coding = InputCoding::kDirect;
  float rate_gain = 1.0f;                     // rate
  LatencyKind latency = LatencyKind::kLinear;  // latency
  double threshold = 0.01;                    // latency, delta: x below it gives no spike
  double tau = 5.0;                           // latency "log": the RC time constant in steps
  std::vector<LayerSpec> layers;
  Surrogate surrogate;
  MembraneReadout readout = MembraneReadout::kSum;
  LayerTraining training;
};

// Whether a resolved config document describes a layer network (it has "layers").
bool is_layer_network(const nlohmann::json& doc);

// Strict reading: unknown keys, wrong types and out-of-range values throw ConfigError naming
// the key path ("config key 'layers[1].neuron.beta': ...").
LayerNetConfig layer_net_config_from_json(const nlohmann::json& doc);
nlohmann::json layer_net_config_to_json(const LayerNetConfig& config);

// The learning rate of an epoch (from 0) under the schedule.
double scheduled_lr(const LayerTraining& t, uint32_t epoch);

}  // namespace memsnn
