#include "backend/backend_factory.hpp"

#include "backend/cpu_backend.hpp"
#include "backend/cuda_probe.hpp"
#include "core/error.hpp"

namespace memsnn {

BackendChoice make_backend(const std::string& which, const Network& net, unsigned threads) {
  if (which != "auto" && which != "cpu" && which != "cuda") {
    throw BackendError("unknown backend \"" + which + "\"; valid: auto, cpu, cuda");
  }
  BackendChoice choice;
  if (which == "cuda" || which == "auto") {
    const CudaProbe probe = probe_cuda();
    const std::string why = probe.devices > 0
                                ? "the CUDA backend is not implemented yet (device " + probe.device_name + " found)"
                                : probe.error;
    if (which == "cuda") throw BackendError("--backend cuda: " + why);
    choice.notice = "backend auto: using cpu (" + why + ")";
  } else {
    choice.notice = "backend cpu";
  }
  choice.backend = std::make_unique<CpuBackend>(net, threads);
  return choice;
}

}  // namespace memsnn
