// Defaults of the ensemble calls for backends that hold a single network.
#include "backend/backend.hpp"

#include "core/error.hpp"

namespace memsnn {

void Backend::train_ensemble(const PresentationRequest& request, std::span<PresentationResult> results) {
  if (results.size() != ensemble_size()) {
    throw BackendError("train_ensemble: " + std::to_string(results.size()) + " results for an ensemble of " +
                       std::to_string(ensemble_size()));
  }
  train(request, results[0]);
}

NetworkState Backend::member_state(uint32_t k) const {
  if (k >= ensemble_size()) {
    throw BackendError("ensemble member " + std::to_string(k) + " does not exist (ensemble of " +
                       std::to_string(ensemble_size()) + ")");
  }
  return state();
}

}  // namespace memsnn
