// Chooses a backend: "cpu", "cuda", or "auto" (CUDA when a device answers, else CPU).
// Part of the memsnn library (apps/CMakeLists.txt), the layer above engine/ and kernels/:
// it is the one place that sees both backends.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "backend/backend.hpp"

namespace memsnn {

struct BackendChoice {
  std::unique_ptr<Backend> backend;
  std::string notice;  // one line saying what was chosen and why
};

struct BackendOptions {
  unsigned threads = 0;          // cpu: threads for inference and ensemble members, 0 = all
  uint32_t infer_batch = 1024;   // cuda: images simulated at once by infer()
  uint32_t ensemble = 1;         // networks trained at once (train_ensemble), member k with seed + k
};

// Throws BackendError with one clear line when the request cannot be met. "auto" takes
// CUDA when a device answers and the backend can be made, else the CPU, and says why.
BackendChoice make_backend(const std::string& which, const Network& net, const BackendOptions& options);
BackendChoice make_backend(const std::string& which, const Network& net, unsigned threads);

}  // namespace memsnn
