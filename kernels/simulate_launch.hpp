// Launchers of the network simulation on the GPU: plain C++ (C++17) for the backend's host
// code. Each kernel is a thin shell: one thread block runs the shared step
// (engine/step/stdp_step.hpp) for one instance through the CUDA executor
// (kernels/cuda_block.cuh). Everything a kernel reads is a trivially copyable view: the
// network's constants by value, the instances' arrays and work items through GPU
// pointers.
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

#include "step/instance_state.hpp"
#include "step/step_network.hpp"
#include "step/work_item.hpp"

namespace memsnn {

// Runs items[0 .. n_items) (GPU array), one block each, on the instances of `arrays`.
void launch_simulate(const StepNetwork& net, const InstanceArrays& arrays, const WorkItem* items, uint32_t n_items,
                     cudaStream_t stream);

// Resting state for instances [first, first + count).
void launch_reset(const StepNetwork& net, const InstanceArrays& arrays, uint32_t first, uint32_t count,
                  cudaStream_t stream);

// The step's weight normalisation (and, through devices, reprogramming) of the instances
// named by `instances` (GPU, `count` of them), instance k keyed by seed_base + k.
void launch_normalize_columns(const StepNetwork& net, const InstanceArrays& arrays, const uint32_t* instances,
                              uint32_t count, double target, uint64_t seed_base, cudaStream_t stream);

}  // namespace memsnn
