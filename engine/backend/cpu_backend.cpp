#include "backend/cpu_backend.hpp"

#include <exception>
#include <fstream>
#include <thread>

#include "backend/retry_protocol.hpp"
#include "core/error.hpp"
#include "device/device_drift.hpp"
#include "model/poisson.hpp"

namespace memsnn {

CpuBackend::CpuBackend(const Network& net, unsigned threads, uint32_t ensemble, const HostExecutorOptions& executor)
    : m_net(net),
      m_threads(threads ? threads : std::max(1u, std::thread::hardware_concurrency())),
      m_executor(executor) {
  if (ensemble == 0) throw BackendError("a CPU ensemble must have at least one member");
  // Member k starts as a single network with seed + k would, as on the CUDA backend.
  m_members.reserve(ensemble);
  for (uint32_t k = 0; k < ensemble; ++k) {
    const uint64_t seed = m_net.config.seed + k;
    m_members.push_back(Member{seed, initial_state(m_net, seed), CpuSimulation(m_net, seed, executor), {}, {}, {}, false, 0});
  }
  // IR drop: each member reads its own circuit (members learn different weights). A lone
  // network's W_eff builds use every thread; ensemble members already run in parallel.
  const IrDropSettings ir = ir_drop_settings(m_net.config, m_net.n_inputs, m_net.n_neurons(),
                                             ensemble == 1 ? m_threads : 1);
  if (ir.mode == IrDropMode::kNone) return;
  const bool exact = ir.mode == IrDropMode::kExact || ir.refresh_every_step;
  const ExactCircuit circuit = exact ? make_exact_circuit(ir) : ExactCircuit{};
  for (Member& m : m_members) {
    m.ir = std::make_unique<IrDropCrossbar>(ir);
    m.w_eff.resize(m.state.g.size());
    if (exact) {
      m.sim.solve_crossbar_exactly(circuit);
    } else {
      m.sim.read_crossbar_from(m.w_eff.data());
    }
  }
}

IrDropStats CpuBackend::ir_drop_stats() const {
  IrDropStats total;
  for (const Member& m : m_members) {
    if (m.ir) total.add(m.ir->stats());
    total.add(m.exact_stats);
  }
  return total;
}

// weff while learning: rebuild when the refresh policy says so (weff_refresh_due).
void CpuBackend::refresh_w_eff(Member& m, uint32_t attempt) {
  if (!weff_refresh_due(m.ir->settings(), m.trained_images, attempt)) return;
  m.ir->build_weff(m.state.g, m.w_eff);
  m.w_eff_fresh = true;
}

std::string CpuBackend::hardware_name() const {
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
  // Every member takes the state (loading a checkpoint into an ensemble), as on CUDA.
  for (Member& m : m_members) {
    m.state = state;
    m.sim.reset();
    m.w_eff_fresh = false;
    m.trained_images = 0;  // a refresh policy restarts with new weights
  }
}

void CpuBackend::set_labels(std::span<const int32_t> labels) {
  NetworkState& s = m_members[m_selected].state;
  if (labels.size() != s.n_neurons) {
    throw BackendError("labels for " + std::to_string(labels.size()) + " neurons given to a layer of " +
                       std::to_string(s.n_neurons));
  }
  s.labels.assign(labels.begin(), labels.end());
}

NetworkState CpuBackend::member_state(uint32_t k) const {
  check_member(*this, k);
  return m_members[k].state;
}

void CpuBackend::select_member(uint32_t k) {
  check_member(*this, k);
  m_selected = k;
}

void CpuBackend::between(CpuSimulation& sim, NetworkState& state, bool learn) {
  if (m_net.between == BetweenImages::kRest) {
    sim.rest(state.g.data(), state.theta.data(), learn);
  } else {
    sim.reset();
  }
}

// One presentation of `request` at `rate` on `sim`, as run_with_retries expects it.
std::pair<uint64_t, uint64_t> CpuBackend::present_once(CpuSimulation& sim, NetworkState& state,
                                                       const PresentationRequest& request, double rate,
                                                       uint32_t attempt, bool learn, std::vector<uint32_t>& counts) {
  const uint32_t steps = request.phase == Phase::kTrain ? m_net.presentation_steps : m_net.test_presentation_steps;
  const SpikeTotals t = sim.present(request.pixels, rate, input_stream(static_cast<uint32_t>(request.phase), attempt),
                                    request.sample, steps, state.g.data(), state.theta.data(), learn, counts.data());
  return {t.layer, t.inputs};
}

void CpuBackend::run_workers(size_t count, const std::function<void(size_t, size_t)>& work) const {
  const size_t workers = std::max<size_t>(1, std::min<size_t>(m_threads, count));
  if (workers == 1) {
    work(0, 1);
    return;
  }
  std::vector<std::exception_ptr> errors(workers);
  std::vector<std::thread> pool;
  for (size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      try {
        work(w, workers);
      } catch (...) {
        errors[w] = std::current_exception();
      }
    });
  }
  for (auto& t : pool) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

void CpuBackend::train_member(Member& m, const PresentationRequest& request, PresentationResult& result) {
  const double norm = m_net.config.learning.normalize_sum;
  const bool learn = m_net.plastic;
  auto present = [&](double rate, uint32_t attempt, std::vector<uint32_t>& counts) {
    if (learn && norm > 0) m.sim.normalize(m.state.g.data(), norm);
    if (m.ir && m.ir->solves_every_step() && attempt == 0) check_weight_conductances(m.ir->settings(), m.state.g);
    if (m.ir && !m.ir->solves_every_step()) refresh_w_eff(m, attempt);
    if (learn) m.w_eff_fresh = false;
    const auto totals = present_once(m.sim, m.state, request, rate, attempt, learn, counts);
    if (m.ir) record_exact_stats(m.sim.take_exact_stats(), m.ir->settings().solve.relax, m.exact_stats);
    return totals;
  };
  run_with_retries(m_net, present, [&] { between(m.sim, m.state, learn); }, result);
  between(m.sim, m.state, learn);  // the network rests before the next image
  result.device = m.sim.take_device_tally();
  ++m.trained_images;
}

void CpuBackend::train(const PresentationRequest& request, PresentationResult& result) {
  if (m_members.size() == 1) {
    train_member(m_members[0], request, result);
    return;
  }
  std::vector<PresentationResult> results(m_members.size());
  train_ensemble(request, results);
  result = std::move(results[0]);
}

// Members share nothing but the (read-only) network, so they learn on separate threads.
void CpuBackend::train_ensemble(const PresentationRequest& request, std::span<PresentationResult> results) {
  if (results.size() != m_members.size()) {
    throw BackendError("train_ensemble: " + std::to_string(results.size()) + " results for an ensemble of " +
                       std::to_string(m_members.size()));
  }
  run_workers(m_members.size(), [&](size_t first, size_t stride) {
    for (size_t k = first; k < m_members.size(); k += stride) train_member(m_members[k], request, results[k]);
  });
}

void CpuBackend::infer(std::span<const PresentationRequest> requests, std::span<PresentationResult> results) {
  if (requests.size() != results.size()) throw BackendError("infer: requests and results differ in size");
  // With learning off the selected member's state is only read, so workers share it;
  // each has its own neuron state, drawing the member's input spikes.
  Member& m = m_members[m_selected];
  // Drift: the devices are read drift_time_s after programming (a drifted copy).
  const DeviceNonIdealities& nonideal = m_net.device.nonideal;
  const bool drift = drift_applies(nonideal);
  NetworkState drifted;
  if (drift) {
    drifted = m.state;
    drifted.g = drifted_weights(m.state.g, m_net.conductance, nonideal);
  }
  NetworkState& read = drift ? drifted : m.state;
  // IR drop with frozen weights: W_eff once (the circuit is linear, so reading it equals
  // the exact solve to the solver tolerance, in either mode); of the drifted weights when
  // they drift, and not kept for training then.
  if (m.ir && (!m.w_eff_fresh || drift)) {
    m.ir->build_weff(read.g, m.w_eff);
    m.w_eff_fresh = !drift;
  }
  run_workers(requests.size(), [&](size_t first, size_t stride) {
    CpuSimulation sim(m_net, m.seed, m_executor);
    if (m.ir) sim.read_crossbar_from(m.w_eff.data());
    for (size_t k = first; k < requests.size(); k += stride) {
      sim.reset();
      auto present = [&](double rate, uint32_t attempt, std::vector<uint32_t>& counts) {
        return present_once(sim, read, requests[k], rate, attempt, false, counts);
      };
      run_with_retries(m_net, present, [&] { between(sim, read, false); }, results[k]);
      results[k].device = sim.take_device_tally();
    }
  });
}

}  // namespace memsnn
