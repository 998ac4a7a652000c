// The CPU reference backend. Each ensemble member (one unless asked) is a CpuSimulation
// with its own conductances, thresholds, labels and input seed; the members learn an
// image in parallel, and frozen inference spreads independent images over threads.
// Results do not depend on the thread count.
#pragma once

#include <functional>
#include <memory>

#include "backend/backend.hpp"
#include "backend/cpu_simulation.hpp"

namespace memsnn {

class CpuBackend : public Backend {
 public:
  // threads = 0: one per hardware thread. ensemble: networks that learn at once, member k
  // as a single CpuBackend with config.seed + k (BackendError if 0).
  // executor: what runs the step (serial by default; threaded for tests of the step's
  // parallel logic, results bit for bit the same).
  CpuBackend(const Network& net, unsigned threads, uint32_t ensemble = 1, const HostExecutorOptions& executor = {});

  std::string name() const override { return "cpu"; }
  std::string hardware_name() const override;
  const Network& network() const override { return m_net; }
  void set_state(const NetworkState& state) override;
  NetworkState state() const override { return m_members[m_selected].state; }
  void set_labels(std::span<const int32_t> labels) override;
  std::vector<int32_t> labels() const override { return m_members[m_selected].state.labels; }
  void train(const PresentationRequest& request, PresentationResult& result) override;
  void infer(std::span<const PresentationRequest> requests, std::span<PresentationResult> results) override;
  uint32_t ensemble_size() const override { return static_cast<uint32_t>(m_members.size()); }
  void train_ensemble(const PresentationRequest& request, std::span<PresentationResult> results) override;
  NetworkState member_state(uint32_t k) const override;
  void select_member(uint32_t k) override;
  uint32_t selected_member() const override { return m_selected; }

  IrDropStats ir_drop_stats() const override;

  unsigned threads() const { return m_threads; }

 private:
  struct Member {
    uint64_t seed;        // keys its input spikes
    NetworkState state;
    CpuSimulation sim;    // the training instance (neuron state carries over between images)
    // IR drop (crossbar/ir_drop.hpp): the circuit, and w' built from the weights at the
    // last refresh; `w_eff_fresh` while no learning has changed them since.
    std::unique_ptr<IrDropCrossbar> ir;
    std::vector<float> w_eff;
    IrDropStats exact_stats;  // solves of the step's exact read (ir_drop "exact")
    bool w_eff_fresh = false;
    uint64_t trained_images = 0;
  };
  void train_member(Member& m, const PresentationRequest& request, PresentationResult& result);
  void refresh_w_eff(Member& m, uint32_t attempt);
  void between(CpuSimulation& sim, NetworkState& state, bool learn);
  std::pair<uint64_t, uint64_t> present_once(CpuSimulation& sim, NetworkState& state,
                                             const PresentationRequest& request, double rate, uint32_t attempt,
                                             bool learn, std::vector<uint32_t>& counts);
  // work(first, stride) on min(threads, count) threads; rethrows a worker's error.
  void run_workers(size_t count, const std::function<void(size_t, size_t)>& work) const;

  Network m_net;
  unsigned m_threads;
  HostExecutorOptions m_executor;
  std::vector<Member> m_members;
  uint32_t m_selected = 0;
};

}  // namespace memsnn
