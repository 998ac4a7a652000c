// Poisson rate coding of pixels (Diehl & Cook 2015): input i fires in a step of dt with
// probability p_i = rate_i dt, rate_i = pixel_i / 255 * max_rate  [Hz]. Each retry of a
// presentation raises max_rate by a fixed step. Decisions are integer comparisons of one
// Philox draw per (presentation, step, input): identical on every backend.
#pragma once

#include <cstdint>

#include "core/host_device.hpp"
#include "core/rng.hpp"

namespace memsnn {

// Counter stream of one presentation: train/test phase and retry attempt kept apart.
MEMSNN_HOST_DEVICE inline uint32_t input_stream(uint32_t phase, uint32_t attempt) {
  return static_cast<uint32_t>(Stream::kInputSpikes) | (phase << 8) | (attempt << 16);
}

// Integer threshold of one input for one presentation.
MEMSNN_HOST_DEVICE inline uint32_t pixel_threshold(uint32_t pixel, double max_rate_hz, double dt_s) {
  return bernoulli_threshold(static_cast<double>(pixel) / 255.0 * max_rate_hz * dt_s);
}

}  // namespace memsnn
