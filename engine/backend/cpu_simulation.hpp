// One network instance on the host: its state (step/host_instances.hpp) and the shared
// time step (step/stdp_step.hpp) run on a host executor (serial by default). The crossbar
// conductances and thresholds it reads (and, when learning, writes) belong to the caller,
// so several frozen instances can share one copy.
#pragma once

#include <cstdint>
#include <vector>

#include "crossbar/exact_drive.hpp"
#include "device/device_programming.hpp"
#include "exec/host_executor.hpp"
#include "network/network.hpp"
#include "step/host_instances.hpp"
#include "step/stdp_step.hpp"

namespace memsnn {

class CpuSimulation {
 public:
  explicit CpuSimulation(const Network& net);
  // Input spikes and device noise drawn with `seed` instead of config.seed (ensemble member
  // k: seed + k), on the given executor.
  CpuSimulation(const Network& net, uint64_t seed, const HostExecutorOptions& executor = {});

  // Resting state: v = v_rest, synaptic variables and traces 0, not refractory.
  void reset();

  // Present one image (encoded pixels) for `steps` steps. With `learn`, the learning rule
  // changes `g` and theta adapts; counts[j] = spikes of learning-layer neuron j. Read noise
  // is keyed by the device clock while learning, else by the image (stream, sample, step:
  // device_noise.hpp image_read_key), whoever presents it.
  SpikeTotals present(const uint8_t* pixels, double max_rate_hz, uint32_t stream, uint32_t sample, uint32_t steps,
                      float* g, double* theta, bool learn, uint32_t* counts);

  // rest_steps without input (learning continues if `learn`).
  void rest(float* g, double* theta, bool learn);

  // How the crossbar is read (crossbar/ir_drop.hpp): by default the spiking rows of g; with
  // `weights` set, the spiking rows of that matrix instead (W_eff's w'); with an exact
  // circuit, the circuit solved for the spiking rows every step (block_relaxation.hpp).
  void read_crossbar_from(const float* weights) { m_read = weights; }
  void solve_crossbar_exactly(const ExactCircuit& circuit);
  // The exact solves since the last call (zero without exact IR drop).
  ExactStats take_exact_stats();

  // Scale each learning-layer neuron's input conductances to sum to `target` (the shared
  // step's normalize_columns), through devices reprogrammed, keyed by this instance's seed.
  void normalize(float* g, double target);
  // The same on the serial executor for any seed (tests, tools).
  static void normalize_columns(const Network& net, float* g, double target, uint64_t seed);
  static void normalize_columns(const Network& net, float* g, double target) {
    normalize_columns(net, g, target, net.config.seed);
  }

  // Programming pulses and energy since the last call (zero unless net.device_path).
  DeviceTally take_device_tally();

  // Runs one work item with an observer that sees the instance after every step (tests).
  template <class Observer>
  void run(const WorkItem& w, float* g, double* theta, Observer& observe) {
    const InstanceView in = view(g, theta);
    m_executor.run([&](auto& b) { run_work_item(b, m_step, in, w, observe); });
  }
  // This instance's arrays with the caller's g and theta (tests compare them).
  InstanceView view(float* g, double* theta) const;
  const StepNetwork& step_network() const { return m_step; }
  const HostInstances& instances() const { return m_state; }
  uint64_t seed() const { return m_seed; }

 private:
  void run_item(const WorkItem& w, float* g, double* theta);

  const Network& m_net;
  StepNetwork m_step;
  uint64_t m_seed = 0;
  HostInstances m_state;
  HostExecutor m_executor;
  const float* m_read = nullptr;  // nullptr: read g
};

}  // namespace memsnn
