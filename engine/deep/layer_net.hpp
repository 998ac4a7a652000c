// A layer network's parameters and its forward and backward passes over T steps for a batch
// (docs/supervised.md). Dense layers of Leaky neurons (model/leaky.hpp); the products run on
// Eigen, the per-element maths is model/leaky.hpp's and model/surrogate.hpp's, which the CUDA
// executor shares. Arrays are row-major and step-major: [T][B][n] for a layer's membranes,
// spikes and gradients.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "data/dataset.hpp"
#include "deep/layer_net_config.hpp"

namespace memsnn {

struct DenseLayerParams {
  uint32_t n_in = 0;
  uint32_t n_out = 0;
  std::vector<float> weights;  // [n_out][n_in]
  std::vector<float> bias;     // [n_out]
  float beta = 0.0f;
  float threshold = 0.0f;
  float alpha = 0.0f;  // Synaptic layers; 0 otherwise
};

// Also the shape of the gradients and of the optimiser's moments.
struct LayerNetParams {
  std::vector<DenseLayerParams> layers;
};

// Weights and biases uniform in +-1/sqrt(n_in) (PyTorch's nn.Linear default), drawn from
// Philox keyed by (seed, layer-init stream, layer, row, column); beta and threshold from the
// config.
LayerNetParams init_layer_net(const LayerNetConfig& config, uint32_t n_inputs);

// The same shape, all zero.
LayerNetParams zeros_like(const LayerNetParams& params);

// One batch as it passes through the network: the encoded input and every layer's membranes
// and spikes at every step, kept for the backward pass and the readouts.
struct ForwardTrace {
  uint32_t batch = 0;
  uint32_t steps = 0;
  uint32_t n_inputs = 0;
  std::vector<float> input;           // direct: [B][n_in]; rate: [T][B][n_in]
  std::vector<std::vector<float>> u;  // per layer, [T][B][n]
  std::vector<std::vector<float>> s;  // per layer, [T][B][n]
  std::vector<std::vector<float>> syn;  // per layer, [T][B][n]; empty for Leaky layers
  // Buffers of the backward pass, kept with the trace so that a training loop that reuses
  // its trace allocates them once, not per batch (a fresh 10 MB buffer costs page faults).
  std::vector<float> scratch_g_s, scratch_g_s_below, scratch_g_current, scratch_g_u_next, scratch_g_syn_next;
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

// Total spikes of each layer in the trace.
std::vector<double> spike_totals(const ForwardTrace& trace);

}  // namespace memsnn
