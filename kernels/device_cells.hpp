// Launcher of the per-cell device kernels (plain C++ for the backend's host code).
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

#include "device/device_programming.hpp"

namespace memsnn {

// After a column normalisation through devices: every cell of the copies of g (stride
// n_inputs x n_neurons) named by `instances` (device, `count` of them) reprogrammed to the
// nearest state it can hold, as CpuSimulation::normalize_columns does (program_initial_weight,
// copy k keyed by seed_base + k: the ensemble member's seed). `device` is in device memory.
void launch_reprogram_cells(float* g, uint32_t n_inputs, uint32_t n_neurons, const uint32_t* instances, uint32_t count,
                            const DeviceProgramming* device, uint64_t seed_base, cudaStream_t stream);

}  // namespace memsnn
