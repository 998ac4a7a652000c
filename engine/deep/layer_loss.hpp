// The layer networks' losses and readouts on the output layer (definitions in
// deep/layer_net_config.hpp, LossKind and MembraneReadout).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "deep/layer_net.hpp"

namespace memsnn {

struct BatchLoss {
  double loss = 0.0;         // batch mean
  std::vector<float> g_s;    // dL/dS of the output layer, [T][B][C]
  std::vector<float> g_u;    // dL/dU of the output layer, [T][B][C]; empty when the loss has no membrane term
};

// The loss of the batch in trace (forward done) for labels[b], and its gradients.
BatchLoss layer_loss(const LayerNetConfig& config, const ForwardTrace& trace, std::span<const uint8_t> labels);

// Output scores per image, [B][C]: spike counts, and the membrane readout of the config.
std::vector<float> spike_count_scores(const ForwardTrace& trace);
std::vector<float> membrane_scores(const LayerNetConfig& config, const ForwardTrace& trace);

// The predicted class of image b from scores [B][C]: the largest score, ties to the lowest class.
uint32_t predicted_class(std::span<const float> scores, uint32_t classes, uint32_t b);

}  // namespace memsnn
