// One network instance on the host: the shared step on a host executor.
#include "backend/cpu_simulation.hpp"

#include <algorithm>

#include "model/poisson.hpp"

namespace memsnn {

CpuSimulation::CpuSimulation(const Network& net) : CpuSimulation(net, net.config.seed) {}

CpuSimulation::CpuSimulation(const Network& net, uint64_t seed, const HostExecutorOptions& executor)
    : m_net(net), m_step(make_step_network(net)), m_seed(seed), m_state(m_step, 1, false), m_executor(executor) {
  reset();
}

InstanceView CpuSimulation::view(float* g, double* theta) const {
  InstanceArrays a = m_state.arrays();
  a.g = g;
  a.read = m_read;
  a.theta = theta;
  return bind_instance(m_step, a, 0);
}

void CpuSimulation::run_item(const WorkItem& w, float* g, double* theta) {
  NoStepObserver none;
  run(w, g, theta, none);
}

void CpuSimulation::reset() {
  const InstanceView in = view(nullptr, nullptr);
  m_executor.run([&](auto& b) { reset_instance(b, m_step, in); });
}

void CpuSimulation::solve_crossbar_exactly(const ExactCircuit& circuit) {
  m_step.exact = circuit;
  m_state = HostInstances(m_step, 1, true);
  reset();
}

ExactStats CpuSimulation::take_exact_stats() {
  ExactStats* s = m_state.arrays().exact_stats;
  if (s == nullptr) return {};
  const ExactStats taken = *s;
  *s = ExactStats{};
  return taken;
}

SpikeTotals CpuSimulation::present(const uint8_t* pixels, double max_rate_hz, uint32_t stream, uint32_t sample,
                                   uint32_t steps, float* g, double* theta, bool learn, uint32_t* counts) {
  WorkItem w;
  w.pixels = pixels;
  w.steps = steps;
  w.max_rate_hz = max_rate_hz;
  w.seed = m_seed;
  w.stream = stream;
  w.sample = sample;
  w.learn = learn ? 1 : 0;
  run_item(w, g, theta);
  const InstanceArrays& a = m_state.arrays();
  std::copy(a.counts, a.counts + m_step.n_neurons, counts);
  return *a.totals;
}

void CpuSimulation::rest(float* g, double* theta, bool learn) {
  if (m_net.rest_steps == 0) return;
  WorkItem w;
  w.rest_steps = m_net.rest_steps;
  w.seed = m_seed;
  w.learn = learn ? 1 : 0;
  run_item(w, g, theta);
}

void CpuSimulation::normalize(float* g, double target) {
  const InstanceView in = view(g, nullptr);
  m_executor.run([&](auto& b) { memsnn::normalize_columns(b, m_step, in, target, m_seed); });
}

void CpuSimulation::normalize_columns(const Network& net, float* g, double target, uint64_t seed) {
  CpuSimulation sim(net, seed);
  sim.normalize(g, target);
}

DeviceTally CpuSimulation::take_device_tally() {
  const InstanceArrays& a = m_state.arrays();
  const InstanceSizes& s = m_state.sizes();
  const DeviceTally t = sum_tallies(a.tally_rows, s.inputs, a.tally_cols, s.layer);
  std::fill(a.tally_rows, a.tally_rows + s.inputs, DeviceTally{});
  std::fill(a.tally_cols, a.tally_cols + s.layer, DeviceTally{});
  return t;
}

}  // namespace memsnn
