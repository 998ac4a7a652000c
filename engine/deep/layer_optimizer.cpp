// The layer networks' optimiser state and update (deep/layer_optimizer.hpp).
#include "deep/layer_optimizer.hpp"

#include <algorithm>
#include <cmath>

#include "model/optimizer_step.hpp"

namespace memsnn {

LayerOptimizer::LayerOptimizer(const LayerNetConfig& config, const LayerNetParams& params)
    : m_config(config), m_first(zeros_like(params)), m_second(zeros_like(params)) {}

void LayerOptimizer::step(LayerNetParams& params, const LayerNetParams& grads, double lr) {
  ++m_steps;
  OptimizerStep o = m_config.training.optimizer;
  o.lr = static_cast<float>(lr);
  // Bias corrections once per step, in double (PyTorch computes them the same way).
  o.bias_correction1 = static_cast<float>(1.0 - std::pow(static_cast<double>(o.beta1), static_cast<double>(m_steps)));
  o.bias_correction2 = static_cast<float>(1.0 - std::pow(static_cast<double>(o.beta2), static_cast<double>(m_steps)));
  for (size_t l = 0; l < params.layers.size(); ++l) {
    LayerParams& p = params.layers[l];
    const LayerParams& g = grads.layers[l];
    LayerParams& m = m_first.layers[l];
    LayerParams& v = m_second.layers[l];
    for (size_t k = 0; k < p.weights.size(); ++k) optimizer_update(o, p.weights[k], g.weights[k], m.weights[k], v.weights[k]);
    for (size_t k = 0; k < p.bias.size(); ++k) optimizer_update(o, p.bias[k], g.bias[k], m.bias[k], v.bias[k]);
    if (m_config.layers[l].learn_beta) {
      optimizer_update(o, p.beta, g.beta, m.beta, v.beta);
      p.beta = std::clamp(p.beta, 0.0f, 1.0f);
    }
    if (m_config.layers[l].synaptic && m_config.layers[l].learn_alpha) {
      optimizer_update(o, p.alpha, g.alpha, m.alpha, v.alpha);
      p.alpha = std::clamp(p.alpha, 0.0f, 1.0f);
    }
    if (m_config.layers[l].learn_threshold) {
      optimizer_update(o, p.threshold, g.threshold, m.threshold, v.threshold);
      p.threshold = std::max(p.threshold, 1e-6f);
    }
  }
}

}  // namespace memsnn
