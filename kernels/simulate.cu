// The network simulation on the GPU: launchers around the shared step. One thread block
// runs one work item on one instance through the CUDA executor; the step, the reset and
// the normalisation are engine/step/stdp_step.hpp's, the same code the CPU runs serially.
// Built with --fmad=false so every operation rounds as on the host (parity).
#include "kernels/simulate_launch.hpp"

#include "kernels/cuda_block.cuh"
#include "kernels/cuda_check.hpp"
#include "step/stdp_step.hpp"

namespace memsnn {
namespace {

template <int kThreads>
__global__ void __launch_bounds__(kThreads) simulate_kernel(StepNetwork net, InstanceArrays arrays,
                                                            const WorkItem* items) {
  __shared__ CudaBlockStorage<kThreads> storage;
  CudaBlock<kThreads> b(storage);
  const WorkItem w = items[blockIdx.x];
  run_work_item(b, net, bind_instance(net, arrays, w.instance), w);
}

template <int kThreads>
__global__ void __launch_bounds__(kThreads) reset_kernel(StepNetwork net, InstanceArrays arrays, uint32_t first) {
  __shared__ CudaBlockStorage<kThreads> storage;
  CudaBlock<kThreads> b(storage);
  reset_instance(b, net, bind_instance(net, arrays, first + blockIdx.x));
}

template <int kThreads>
__global__ void __launch_bounds__(kThreads) normalize_kernel(StepNetwork net, InstanceArrays arrays,
                                                             const uint32_t* instances, double target,
                                                             uint64_t seed_base) {
  __shared__ CudaBlockStorage<kThreads> storage;
  CudaBlock<kThreads> b(storage);
  const uint32_t k = instances[blockIdx.x];
  normalize_columns(b, net, bind_instance(net, arrays, k), target, seed_base + k);
}

// Threads per block: enough for the widest loop (neurons of a population, groups of 4
// inputs; with exact IR drop the row lines of a tile), within 128 .. 1024.
uint32_t block_size(const StepNetwork& net, bool exact) {
  uint32_t widest = (net.n_inputs + 3) / 4;
  for (uint32_t p = 0; p < net.n_populations; ++p) widest = widest > net.populations[p].size ? widest : net.populations[p].size;
  if (exact && net.exact.tile_rows > widest) widest = net.exact.tile_rows;
  if (widest <= 128) return 128;
  if (widest <= 256) return 256;
  if (widest <= 512) return 512;
  return 1024;
}

}  // namespace

void launch_simulate(const StepNetwork& net, const InstanceArrays& arrays, const WorkItem* items, uint32_t n_items,
                     cudaStream_t stream) {
  if (n_items == 0) return;
  switch (block_size(net, arrays.exact_scratch != nullptr)) {
    case 128: simulate_kernel<128><<<n_items, 128, 0, stream>>>(net, arrays, items); break;
    case 256: simulate_kernel<256><<<n_items, 256, 0, stream>>>(net, arrays, items); break;
    case 512: simulate_kernel<512><<<n_items, 512, 0, stream>>>(net, arrays, items); break;
    default: simulate_kernel<1024><<<n_items, 1024, 0, stream>>>(net, arrays, items); break;
  }
  CUDA_CHECK_LAUNCH();
}

void launch_reset(const StepNetwork& net, const InstanceArrays& arrays, uint32_t first, uint32_t count,
                  cudaStream_t stream) {
  if (count == 0) return;
  reset_kernel<256><<<count, 256, 0, stream>>>(net, arrays, first);
  CUDA_CHECK_LAUNCH();
}

void launch_normalize_columns(const StepNetwork& net, const InstanceArrays& arrays, const uint32_t* instances,
                              uint32_t count, double target, uint64_t seed_base, cudaStream_t stream) {
  if (count == 0) return;
  normalize_kernel<256><<<count, 256, 0, stream>>>(net, arrays, instances, target, seed_base);
  CUDA_CHECK_LAUNCH();
}

}  // namespace memsnn
