// make_backend (backend_factory.hpp): the CPU backend from engine/, the CUDA backend from
// kernels/ when this build has it.
#include "apps/backend_factory.hpp"

#include "backend/cpu_backend.hpp"
#include "backend/cuda_probe.hpp"
#include "core/error.hpp"

#ifdef MEMSNN_WITH_CUDA
#include "kernels/cuda_backend.hpp"
#endif

namespace memsnn {
namespace {

// The CUDA backend, or BackendError saying why not.
std::unique_ptr<Backend> make_cuda(const Network& net, const BackendOptions& options) {
#ifdef MEMSNN_WITH_CUDA
  CudaBackendOptions cuda;
  cuda.infer_batch = options.infer_batch;
  cuda.ensemble = options.ensemble;
  return std::make_unique<CudaBackend>(net, cuda);
#else
  (void)net;
  (void)options;
  throw BackendError(probe_cuda().error);
#endif
}

}  // namespace

BackendChoice make_backend(const std::string& which, const Network& net, const BackendOptions& options) {
  if (which != "auto" && which != "cpu" && which != "cuda") {
    throw BackendError("unknown backend \"" + which + "\"; valid: auto, cpu, cuda");
  }
  BackendChoice choice;
  if (which == "cuda") {
    try {
      choice.backend = make_cuda(net, options);
    } catch (const BackendError& e) {
      throw BackendError(std::string("--backend cuda: ") + e.what());
    }
    choice.notice = "backend cuda (" + choice.backend->hardware_name() + ")";
    return choice;
  }
  if (which == "auto") {
    try {
      choice.backend = make_cuda(net, options);
      choice.notice = "backend auto: using cuda (" + choice.backend->hardware_name() + ")";
      return choice;
    } catch (const BackendError& e) {
      choice.notice = std::string("backend auto: using cpu (") + e.what() + ")";
    }
  } else {
    choice.notice = "backend cpu";
  }
  choice.backend = std::make_unique<CpuBackend>(net, options.threads, options.ensemble);
  return choice;
}

BackendChoice make_backend(const std::string& which, const Network& net, unsigned threads) {
  BackendOptions options;
  options.threads = threads;
  return make_backend(which, net, options);
}

}  // namespace memsnn
