#include "backend/cpu_backend.hpp"

#include <exception>
#include <fstream>
#include <thread>

#include "backend/retry_protocol.hpp"
#include "core/error.hpp"
#include "model/poisson.hpp"

namespace memsnn {

CpuBackend::CpuBackend(const Network& net, unsigned threads)
    : m_net(net),
      m_threads(threads ? threads : std::max(1u, std::thread::hardware_concurrency())),
      m_state(initial_state(m_net)),
      m_train_sim(m_net) {}

std::string CpuBackend::device_name() const {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown CPU";
}

void CpuBackend::set_state(const NetworkState& state) {
  check_state_fits(m_net, state);
  m_state = state;
  m_train_sim.reset();
}

void CpuBackend::set_labels(std::span<const int32_t> labels) {
  if (labels.size() != m_state.n_neurons) {
    throw BackendError("labels for " + std::to_string(labels.size()) + " neurons given to a layer of " +
                       std::to_string(m_state.n_neurons));
  }
  m_state.labels.assign(labels.begin(), labels.end());
}

void CpuBackend::between(CpuSimulation& sim, bool learn) {
  if (m_net.config.protocol.between == "rest") {
    sim.rest(m_state.g.data(), m_state.theta.data(), learn);
  } else {
    sim.reset();
  }
}

// One presentation of `request` at `rate` on `sim`, as run_with_retries expects it.
std::pair<uint64_t, uint64_t> CpuBackend::present_once(CpuSimulation& sim, const PresentationRequest& request,
                                                       double rate, uint32_t attempt, bool learn,
                                                       std::vector<uint32_t>& counts) {
  const uint32_t steps = request.phase == Phase::kTrain ? m_net.presentation_steps : m_net.test_presentation_steps;
  const SpikeTotals t = sim.present(request.pixels, rate, input_stream(static_cast<uint32_t>(request.phase), attempt),
                                    request.sample, steps, m_state.g.data(), m_state.theta.data(), learn,
                                    counts.data());
  return {t.layer, t.inputs};
}

void CpuBackend::train(const PresentationRequest& request, PresentationResult& result) {
  const double norm = m_net.config.learning.normalize_sum;
  const bool learn = m_net.plastic;
  auto present = [&](double rate, uint32_t attempt, std::vector<uint32_t>& counts) {
    if (learn && norm > 0) CpuSimulation::normalize_columns(m_net, m_state.g.data(), norm);
    return present_once(m_train_sim, request, rate, attempt, learn, counts);
  };
  run_with_retries(m_net, present, [&] { between(m_train_sim, learn); }, result);
  between(m_train_sim, learn);  // the network rests before the next image
}

void CpuBackend::infer(std::span<const PresentationRequest> requests, std::span<PresentationResult> results) {
  if (requests.size() != results.size()) throw BackendError("infer: requests and results differ in size");
  // With learning off the state is only read, so workers share it; each has its own
  // neuron state.
  std::vector<std::exception_ptr> errors(std::max<size_t>(1, std::min<size_t>(m_threads, requests.size())));
  auto work = [&](size_t first, size_t stride) noexcept {
    try {
      CpuSimulation sim(m_net);
      for (size_t k = first; k < requests.size(); k += stride) {
        sim.reset();
        auto present = [&](double rate, uint32_t attempt, std::vector<uint32_t>& counts) {
          return present_once(sim, requests[k], rate, attempt, false, counts);
        };
        run_with_retries(m_net, present, [&] { between(sim, false); }, results[k]);
      }
    } catch (...) {
      errors[first] = std::current_exception();
    }
  };
  const size_t workers = errors.size();
  if (workers == 1) {
    work(0, 1);
  } else {
    std::vector<std::thread> pool;
    for (size_t w = 0; w < workers; ++w) pool.emplace_back(work, w, workers);
    for (auto& t : pool) t.join();
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace memsnn
