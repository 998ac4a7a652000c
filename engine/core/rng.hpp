// Counter-based random numbers shared by every backend.
//
// Every draw is a pure function of (seed, stream, sample, step, index): Philox4x32-10
// (Salmon et al., SC'11, via Random123) with key = seed and counter = {stream, sample,
// step, index}. No generator state is carried, so the CPU loop and a CUDA thread that
// ask for the same key get the same bits, whatever order they run in.
#pragma once

#include <cstdint>

#include <Random123/philox.h>

#include "core/host_device.hpp"

namespace memsnn {

// Streams keep unrelated uses of one seed apart. The input-spike stream also carries the
// presentation attempt (retries with a raised rate draw fresh spikes).
enum class Stream : uint32_t {
  kInputSpikes = 1,  // sample = presentation ordinal, step = time step, index = input/4
  kWeightInit = 2,   // sample = projection id, step = row, index = column/4
  kShuffle = 3,      // sample = epoch, step = 0, index = position
  kDeviceNoise = 4,  // reserved for device models
  kLayerInit = 5,    // layer networks: sample = layer, step = row, index = column/4 (n_in: the bias)
  kDropout = 6,      // layer networks: sample = presentation ordinal, step = layer << 20 | time step, index = value/4
};

MEMSNN_HOST_DEVICE inline r123::Philox4x32::ctr_type philox_block(uint64_t seed, uint32_t stream,
                                                                   uint32_t sample, uint32_t step,
                                                                   uint32_t index) {
  r123::Philox4x32 gen;
  r123::Philox4x32::ctr_type ctr = {{stream, sample, step, index}};
  r123::Philox4x32::key_type key = {{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)}};
  return gen(ctr, key);
}

// One 32-bit draw: lane (0..3) of the block at counter {stream, sample, step, index/4}.
// Neighbouring indices share a block, so a loop over indices costs a quarter of the calls.
MEMSNN_HOST_DEVICE inline uint32_t random_u32(uint64_t seed, uint32_t stream, uint32_t sample,
                                              uint32_t step, uint32_t index) {
  const r123::Philox4x32::ctr_type r = philox_block(seed, stream, sample, step, index >> 2);
  return r.v[index & 3u];
}

// Uniform in [0, 1) with 24 random bits: exact in float on every backend.
MEMSNN_HOST_DEVICE inline float u32_to_unit_float(uint32_t bits) {
  return static_cast<float>(bits >> 8) * (1.0f / 16777216.0f);
}

// A Bernoulli event with probability p is `bits < bernoulli_threshold(p)`: an integer
// comparison, so both backends decide every spike identically. p is clamped to [0, 1].
MEMSNN_HOST_DEVICE inline uint32_t bernoulli_threshold(double p) {
  if (!(p > 0.0)) return 0u;
  if (p >= 1.0) return 0xffffffffu;
  return static_cast<uint32_t>(p * 4294967296.0);
}

}  // namespace memsnn
