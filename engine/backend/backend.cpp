// What every backend shares: the state and member checks, and the ensemble calls' defaults for
// backends that hold a single network.
#include "backend/backend.hpp"

#include "core/error.hpp"

namespace memsnn {

void check_state_fits(const Network& net, const NetworkState& state) {
  if (state.n_inputs != net.n_inputs || state.n_neurons != net.n_neurons() ||
      state.g.size() != static_cast<size_t>(state.n_inputs) * state.n_neurons) {
    throw BackendError("state of " + std::to_string(state.n_inputs) + "x" + std::to_string(state.n_neurons) +
                       " does not fit a network of " + std::to_string(net.n_inputs) + "x" +
                       std::to_string(net.n_neurons()));
  }
  if (net.learning_constants().adaptive && state.theta.size() != state.n_neurons) {
    throw BackendError("state lacks the adaptive thresholds of " + std::to_string(state.n_neurons) + " neurons");
  }
}

void Backend::train_ensemble(const PresentationRequest& request, std::span<PresentationResult> results) {
  if (results.size() != ensemble_size()) {
    throw BackendError("train_ensemble: " + std::to_string(results.size()) + " results for an ensemble of " +
                       std::to_string(ensemble_size()));
  }
  train(request, results[0]);
}

void check_member(const Backend& backend, uint32_t k) {
  if (k >= backend.ensemble_size()) {
    throw BackendError("ensemble member " + std::to_string(k) + " does not exist (ensemble of " +
                       std::to_string(backend.ensemble_size()) + ")");
  }
}

NetworkState Backend::member_state(uint32_t k) const {
  check_member(*this, k);
  return state();
}

void Backend::select_member(uint32_t k) { check_member(*this, k); }

}  // namespace memsnn
