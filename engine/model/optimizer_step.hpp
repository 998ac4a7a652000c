// Per-parameter update rules of the layer networks' optimisers, as PyTorch 1.13 defines them
// (torch.optim docs; Kingma & Ba 2015 for Adam, Loshchilov & Hutter 2019 for AdamW). g is
// the gradient, lr the learning rate of this step, t the step count from 1.
//   SGD, momentum mu, weight decay wd:  g' = g + wd p;  b = mu b + g';  p -= lr b
//   Adam (L2 decay):   g' = g + wd p;  m = b1 m + (1 - b1) g';  v = b2 v + (1 - b2) g'^2
//                      p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
//   AdamW (decoupled): p -= lr wd p first, then Adam with g' = g
// Shared by the CPU and CUDA executors; the bias corrections are computed once per step on
// the host in double.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/host_device.hpp"

namespace memsnn {

enum class OptimizerKind : int32_t { kSgd = 0, kAdam = 1, kAdamW = 2 };

struct OptimizerStep {
  OptimizerKind kind = OptimizerKind::kAdam;
  float lr = 1e-3f;
  float beta1 = 0.9f;   // Adam; the momentum mu for SGD
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
  float bias_correction1 = 1.0f;  // 1 - b1^t
  float bias_correction2 = 1.0f;  // 1 - b2^t
};

// Updates one parameter p with its gradient g; m and v are the optimiser's state for it (v
// unused by SGD).
MEMSNN_HOST_DEVICE inline void optimizer_update(const OptimizerStep& o, float& p, float g, float& m, float& v) {
  if (o.kind == OptimizerKind::kSgd) {
    g += o.weight_decay * p;
    m = o.beta1 * m + g;
    p -= o.lr * m;
    return;
  }
  if (o.kind == OptimizerKind::kAdamW) {
    p -= o.lr * o.weight_decay * p;
  } else {
    g += o.weight_decay * p;
  }
  m = o.beta1 * m + (1.0f - o.beta1) * g;
  v = o.beta2 * v + (1.0f - o.beta2) * g * g;
  const float m_hat = m / o.bias_correction1;
  const float v_hat = v / o.bias_correction2;
  p -= o.lr * m_hat / (sqrtf(v_hat) + o.eps);
}

}  // namespace memsnn
