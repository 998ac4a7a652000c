// Chooses a backend: "cpu", "cuda", or "auto" (CUDA when a device answers, else CPU).
#pragma once

#include <memory>
#include <string>

#include "backend/backend.hpp"

namespace memsnn {

struct BackendChoice {
  std::unique_ptr<Backend> backend;
  std::string notice;  // one line saying what was chosen and why
};

// Throws BackendError with one clear line when the request cannot be met.
BackendChoice make_backend(const std::string& which, const Network& net, unsigned threads);

}  // namespace memsnn
