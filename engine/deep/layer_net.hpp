// A layer network's parameters and its forward and backward passes over T steps for a batch
// (docs/supervised.md). Each layer's operation (deep/layer_ops.hpp) feeds Leaky, Synaptic or
// ALIF neurons, or passes its output on; the products run on Eigen, the per-element maths is
// model/leaky.hpp's and model/surrogate.hpp's, which the CUDA executor shares. Arrays are
// row-major and step-major: [T][B][n] for a layer's membranes, outputs and gradients, each
// image's n values in height-width-channel order.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "data/dataset.hpp"
#include "deep/layer_net_config.hpp"
#include "deep/layer_shapes.hpp"

namespace memsnn {

// A layer's parameters; pools and flatten have no weights (n_in = n_out = 0).
struct LayerParams {
  uint32_t n_in = 0;           // dense: inputs; conv2d: kernel x kernel x input channels
  uint32_t n_out = 0;          // dense: outputs; conv2d: output channels
  std::vector<float> weights;  // [n_out][n_in]; conv2d: [out channel][ky][kx][in channel]
  std::vector<float> bias;     // [n_out]
  float beta = 0.0f;
  float threshold = 0.0f;
  float alpha = 0.0f;  // Synaptic layers; 0 otherwise
};

// Also the shape of the gradients and of the optimiser's moments.
struct LayerNetParams {
  TensorShape input;  // of one image
  std::vector<LayerParams> layers;
};

// Weights and biases uniform in +-1/sqrt(n_in) (PyTorch's nn.Linear and nn.Conv2d default:
// n_in is the fan-in), drawn from Philox keyed by (seed, layer-init stream, layer, row,
// column); beta and threshold from the config. Throws ConfigError naming the layer when a
// layer does not fit its input (deep/layer_shapes.hpp).
LayerNetParams init_layer_net(const LayerNetConfig& config, TensorShape input);

// The same shape, all zero.
LayerNetParams zeros_like(const LayerNetParams& params);

// One batch as it passes through the network: the encoded input and every layer's membranes
// and outputs at every step, kept for the backward pass and the readouts. A layer whose
// output is the same at every step (fed by direct input through layers without neurons) keeps
// one step of it: constant[l].
struct ForwardTrace {
  uint32_t batch = 0;
  uint32_t steps = 0;
  uint32_t n_inputs = 0;
  std::vector<float> input;           // direct: [B][n_in]; rate: [T][B][n_in]
  std::vector<std::vector<float>> u;  // per layer, [T][B][n]; empty for layers without neurons
  std::vector<std::vector<float>> s;  // per layer, [T][B][n]: spikes, or the output of a layer without neurons
  std::vector<std::vector<float>> syn;  // per layer, [T][B][n]; empty but for Synaptic layers
  std::vector<std::vector<float>> adapt;  // per layer, [T][B][n]: ALIF's b[t]; empty but for ALIF layers
  std::vector<std::vector<int32_t>> argmax;  // max_pool layers: deep/layer_ops.hpp's argmax
  std::vector<std::vector<float>> mask;      // dropout layers while training: 0 or 1 / (1 - rate), [T][B][n]
  uint32_t phase = 0;                        // encode_batch's: 0 training (dropout on), 1 testing
  std::vector<uint32_t> ordinals;            // encode_batch's presentation ordinals
  std::vector<uint8_t> constant;             // per layer: s[l] holds one step, the same at every step
  // Buffers of the backward pass, kept with the trace so that a training loop that reuses
  // its trace allocates them once, not per batch (a fresh 10 MB buffer costs page faults).
  std::vector<float> scratch_g_s, scratch_g_s_below, scratch_g_current, scratch_g_u_next, scratch_g_syn_next;
  std::vector<float> scratch_current, scratch_cols, scratch_g_b_next;
  std::vector<std::vector<float>> scratch_g_extra;
};

// Encodes images `images[b]` of `data` as the config's input coding into trace.input. For
// rate coding, `ordinals[b]` keys the draws of image b and `phase` keeps training (0) and
// testing (1) apart.
void encode_batch(const LayerNetConfig& config, const Dataset& data, std::span<const uint32_t> images,
                  std::span<const uint32_t> ordinals, uint32_t phase, ForwardTrace& trace);

// Runs the T steps of the batch in trace (its input encoded), filling u and s.
void forward(const LayerNetConfig& config, const LayerNetParams& params, ForwardTrace& trace);

// Backpropagation through time from the loss's gradients with respect to the output layer's
// spikes and membranes ([T][B][C] each; g_u_out may be empty: no direct membrane term).
// Overwrites grads (shaped like params).
void backward(const LayerNetConfig& config, const LayerNetParams& params, ForwardTrace& trace,
              const std::vector<float>& g_s_out, const std::vector<float>& g_u_out, LayerNetParams& grads);

// Spikes per neuron of each layer with neurons in the trace (summed over steps and images).
std::vector<double> spike_totals(const ForwardTrace& trace);

}  // namespace memsnn
