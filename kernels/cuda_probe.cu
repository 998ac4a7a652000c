// Asks the CUDA runtime whether a GPU answers; never throws.
#include <cuda_runtime.h>

#include "backend/cuda_probe.hpp"

namespace memsnn {

CudaProbe probe_cuda() noexcept {
  CudaProbe p;
  p.compiled = true;
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    p.error = std::string("no CUDA device: ") + cudaGetErrorString(err);
    return p;
  }
  p.devices = count;
  if (count == 0) {
    p.error = "no CUDA device";
    return p;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) p.gpu_name = prop.name;
  return p;
}

}  // namespace memsnn
