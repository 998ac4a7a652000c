// Launcher for the Poisson input kernel: the spikes of every input for a range of steps of
// one presentation, drawn from the same counter-based stream as the CPU backend.
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

namespace memsnn {

// thresholds: n_inputs integer thresholds (model/poisson.hpp); spikes: n_steps x n_inputs
// bytes (1 = spike), all device pointers.
void launch_poisson_input(const uint32_t* thresholds, uint32_t n_inputs, uint64_t seed, uint32_t stream,
                          uint32_t sample, uint32_t first_step, uint32_t n_steps, uint8_t* spikes,
                          cudaStream_t cuda_stream);

}  // namespace memsnn
