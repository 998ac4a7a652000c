// The CPU reference backend: one CpuSimulation learns image after image; frozen inference
// spreads independent images over threads (results do not depend on the thread count).
#pragma once

#include <memory>

#include "backend/backend.hpp"
#include "backend/cpu_simulation.hpp"

namespace memsnn {

class CpuBackend : public Backend {
 public:
  // threads = 0: one per hardware thread.
  CpuBackend(const Network& net, unsigned threads);

  std::string name() const override { return "cpu"; }
  std::string device_name() const override;
  const Network& network() const override { return m_net; }
  void set_state(const NetworkState& state) override;
  NetworkState state() const override { return m_state; }
  void set_labels(std::span<const int32_t> labels) override;
  std::vector<int32_t> labels() const override { return m_state.labels; }
  void train(const PresentationRequest& request, PresentationResult& result) override;
  void infer(std::span<const PresentationRequest> requests, std::span<PresentationResult> results) override;

  unsigned threads() const { return m_threads; }

 private:
  void between(CpuSimulation& sim, bool learn);
  std::pair<uint64_t, uint64_t> present_once(CpuSimulation& sim, const PresentationRequest& request, double rate,
                                             uint32_t attempt, bool learn, std::vector<uint32_t>& counts);

  Network m_net;
  unsigned m_threads;
  NetworkState m_state;
  CpuSimulation m_train_sim;
};

}  // namespace memsnn
