// The optimiser of a layer network: its moments per parameter and the step count, applying
// model/optimizer_step.hpp's rule to every weight, bias and learnable beta or threshold.
#pragma once

#include <cstdint>

#include "deep/layer_net.hpp"

namespace memsnn {

class LayerOptimizer {
 public:
  LayerOptimizer(const LayerNetConfig& config, const LayerNetParams& params);

  // One update of params by grads with learning rate lr. A learnable beta or alpha is kept in [0, 1]
  // and a learnable threshold above 1e-6 afterwards (snnTorch clamps beta in its forward).
  void step(LayerNetParams& params, const LayerNetParams& grads, double lr);

  uint64_t steps() const { return m_steps; }

 private:
  const LayerNetConfig& m_config;
  LayerNetParams m_first;   // m (Adam), the momentum buffer (SGD)
  LayerNetParams m_second;  // v (Adam)
  uint64_t m_steps = 0;
};

}  // namespace memsnn
