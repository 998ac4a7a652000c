// CPU-only builds: no CUDA parts were compiled.
#include "backend/cuda_probe.hpp"

namespace memsnn {

CudaProbe probe_cuda() noexcept {
  CudaProbe p;
  p.error = "this build has no CUDA backend (nvcc was not found when it was configured)";
  return p;
}

}  // namespace memsnn
