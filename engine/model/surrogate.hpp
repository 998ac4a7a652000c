// Spike function and surrogate derivatives for training spiking networks by gradient descent
// (Neftci, Mostafa & Zenke 2019, IEEE Signal Process. Mag. 36(6):51-63; the forms and
// defaults of snnTorch 0.9, Eshraghian et al. 2023, Proc. IEEE 111(9):1016-1054).
//
// Forward: S = H(x) with x = U - U_thr (dimensionless membrane units): 1 when x > 0, else 0
// (strictly greater, as snnTorch). Backward replaces dS/dx (a Dirac delta) by
//   fast sigmoid, slope k:   dS/dx ~ 1 / (k |x| + 1)^2                 (Zenke & Ganguli 2018)
//   arctan, alpha a:         dS/dx ~ (a / 2) / (1 + (pi a x / 2)^2)    (Fang et al. 2021)
//   straight-through:        dS/dx ~ 1
// Shared by the CPU and CUDA executors of the layer networks.
#pragma once

#include <cstdint>

#include "core/host_device.hpp"

namespace memsnn {

enum class SurrogateKind : int32_t { kFastSigmoid = 0, kArctan = 1, kStraightThrough = 2 };

struct Surrogate {
  SurrogateKind kind = SurrogateKind::kFastSigmoid;
  float slope = 25.0f;  // k of the fast sigmoid, alpha of the arctan (snnTorch: 25 and 2)
};

MEMSNN_HOST_DEVICE inline float spike_of(float x) { return x > 0.0f ? 1.0f : 0.0f; }

MEMSNN_HOST_DEVICE inline float surrogate_derivative(const Surrogate& s, float x) {
  switch (s.kind) {
    case SurrogateKind::kFastSigmoid: {
      const float d = s.slope * (x < 0.0f ? -x : x) + 1.0f;
      return 1.0f / (d * d);
    }
    case SurrogateKind::kArctan: {
      const float z = 1.5707963267948966f * s.slope * x;
      return 0.5f * s.slope / (1.0f + z * z);
    }
    default:
      return 1.0f;
  }
}

}  // namespace memsnn
