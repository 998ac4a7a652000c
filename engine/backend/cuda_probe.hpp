// Whether a CUDA device answers. Implemented in kernels/cuda_probe.cu when the CUDA backend
// is built, otherwise by apps/cuda_probe_none.cpp.
#pragma once

#include <string>

namespace memsnn {

struct CudaProbe {
  bool compiled = false;  // this build has the CUDA parts
  int devices = 0;
  std::string gpu_name;
  std::string error;      // why no device answered (driver message), if none
};

CudaProbe probe_cuda() noexcept;

}  // namespace memsnn
