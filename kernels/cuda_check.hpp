// CUDA error checks: CUDA_CHECK(call) throws memsnn::BackendError with file:line, the call
// and cudaGetErrorString; CUDA_CHECK_LAUNCH() checks the last launch (and synchronises when
// MEMSNN_CUDA_SYNC_CHECKS is defined, to pin an asynchronous fault on its kernel);
// CUDA_CHECK_NOTHROW(call) prints one line to stderr instead, for destructors.
#pragma once

#include <cstdio>
#include <string>

#include <cuda_runtime.h>

#include "core/error.hpp"

namespace memsnn {

inline void cuda_throw(cudaError_t err, const char* call, const char* file, int line) {
  throw BackendError(std::string(file) + ":" + std::to_string(line) + ": " + call + ": " + cudaGetErrorString(err));
}

// Destructors must not throw, and a failed free is not worth terminating over: say so.
inline void cuda_report(cudaError_t err, const char* call, const char* file, int line) noexcept {
  std::fprintf(stderr, "memsnn: %s:%d: %s: %s\n", file, line, call, cudaGetErrorString(err));
}

}  // namespace memsnn

#define CUDA_CHECK(call)                                                   \
  do {                                                                     \
    const cudaError_t memsnn_err_ = (call);                                \
    if (memsnn_err_ != cudaSuccess) ::memsnn::cuda_throw(memsnn_err_, #call, __FILE__, __LINE__); \
  } while (0)

#define CUDA_CHECK_NOTHROW(call)                                           \
  do {                                                                     \
    const cudaError_t memsnn_err_ = (call);                                \
    if (memsnn_err_ != cudaSuccess) ::memsnn::cuda_report(memsnn_err_, #call, __FILE__, __LINE__); \
  } while (0)

#ifdef MEMSNN_CUDA_SYNC_CHECKS
#define CUDA_CHECK_LAUNCH()                        \
  do {                                             \
    CUDA_CHECK(cudaGetLastError());                \
    CUDA_CHECK(cudaDeviceSynchronize());           \
  } while (0)
#else
#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())
#endif
