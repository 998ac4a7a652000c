// Poisson input spikes on the GPU: one thread per (step, group of 4 inputs), one Philox
// block each, the same draws the CPU backend makes.
#include "kernels/poisson_input.hpp"

#include "core/rng.hpp"
#include "kernels/cuda_check.hpp"

namespace memsnn {
namespace {

__global__ void poisson_input_kernel(const uint32_t* thresholds, uint32_t n_inputs, uint64_t seed, uint32_t stream,
                                     uint32_t sample, uint32_t first_step, uint32_t n_steps, uint8_t* spikes) {
  const uint32_t groups = (n_inputs + 3) / 4;
  const uint64_t id = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (id >= static_cast<uint64_t>(groups) * n_steps) return;
  const uint32_t step = static_cast<uint32_t>(id / groups);
  const uint32_t group = static_cast<uint32_t>(id % groups);
  const auto bits = philox_block(seed, stream, sample, first_step + step, group);
  for (uint32_t lane = 0; lane < 4; ++lane) {
    const uint32_t i = group * 4 + lane;
    if (i < n_inputs) spikes[static_cast<size_t>(step) * n_inputs + i] = bits.v[lane] < thresholds[i] ? 1 : 0;
  }
}

}  // namespace

void launch_poisson_input(const uint32_t* thresholds, uint32_t n_inputs, uint64_t seed, uint32_t stream,
                          uint32_t sample, uint32_t first_step, uint32_t n_steps, uint8_t* spikes,
                          cudaStream_t cuda_stream) {
  const uint64_t work = static_cast<uint64_t>((n_inputs + 3) / 4) * n_steps;
  if (work == 0) return;
  constexpr uint32_t kThreads = 256;
  const auto blocks = static_cast<uint32_t>((work + kThreads - 1) / kThreads);
  poisson_input_kernel<<<blocks, kThreads, 0, cuda_stream>>>(thresholds, n_inputs, seed, stream, sample, first_step,
                                                             n_steps, spikes);
  CUDA_CHECK_LAUNCH();
}

}  // namespace memsnn
