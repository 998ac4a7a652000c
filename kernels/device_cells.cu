// Per-cell device kernels: reprogramming after normalisation (write-and-verify to the
// nearest state; stuck cells keep theirs). One thread per cell: cells are independent.
#include "kernels/device_cells.hpp"

#include "kernels/cuda_check.hpp"

namespace memsnn {
namespace {

__global__ void reprogram_cells_kernel(float* g, uint64_t cells, const uint32_t* instances, uint32_t count,
                                       const DeviceProgramming* device, uint64_t seed_base) {
  const uint64_t id = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (id >= cells * count) return;
  const uint32_t cell = static_cast<uint32_t>(id % cells);
  const uint64_t instance = instances[id / cells];
  float& w = g[instance * cells + cell];
  w = program_initial_weight(*device, seed_base + instance, cell, w);
}

}  // namespace

void launch_reprogram_cells(float* g, uint32_t n_inputs, uint32_t n_neurons, const uint32_t* instances, uint32_t count,
                            const DeviceProgramming* device, uint64_t seed_base, cudaStream_t stream) {
  const uint64_t cells = static_cast<uint64_t>(n_inputs) * n_neurons;
  const uint64_t work = cells * count;
  if (work == 0) return;
  constexpr uint32_t kThreads = 256;
  reprogram_cells_kernel<<<static_cast<uint32_t>((work + kThreads - 1) / kThreads), kThreads, 0, stream>>>(
      g, cells, instances, count, device, seed_base);
  CUDA_CHECK_LAUNCH();
}

}  // namespace memsnn
