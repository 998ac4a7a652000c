// One network instance on the CPU: neuron state, traces, and the per-step loop. The
// crossbar conductances and thresholds it reads (and, when learning, writes) belong to the
// caller, so several frozen instances can share one copy.
//
// Step order (Brian2's default, as the authors' code): draw input spikes; integrate every
// neuron and test thresholds (reset at once: only v and since_spike change, which the
// synapses do not read); in a winner-take-all population only the neuron furthest above
// its threshold (lowest index on a tie) spikes and the others are inhibited at once;
// deliver spikes (crossbar rows of the inputs that spiked, fixed projections); learning:
// trace STDP on pre spikes, then on post spikes, or the window rule on post spikes.
#pragma once

#include <cstdint>
#include <vector>

#include "crossbar/ir_drop.hpp"
#include "device/device_programming.hpp"
#include "network/network.hpp"

namespace memsnn {

struct SpikeTotals {
  uint64_t layer = 0;   // learning layer
  uint64_t inputs = 0;
};

class CpuSimulation {
 public:
  explicit CpuSimulation(const Network& net);
  // Input spikes drawn with `seed` instead of config.seed (ensemble member k: seed + k).
  CpuSimulation(const Network& net, uint64_t seed);

  // Resting state: v = v_rest, synaptic variables and traces 0, not refractory.
  void reset();

  // Present one image (encoded pixels) for `steps` steps. With `learn`, the learning rule
  // changes `g` and theta adapts; counts[j] += spikes of learning-layer neuron j. Read
  // noise is keyed by the device clock while learning, else by the image (stream, sample,
  // step: device_noise.hpp image_read_key), whoever presents it.
  SpikeTotals present(const uint8_t* pixels, double max_rate_hz, uint32_t stream, uint32_t sample,
                      uint32_t steps, float* g, double* theta, bool learn, uint32_t* counts);

  // How the crossbar is read (crossbar/ir_drop.hpp): by default the spiking rows of g;
  // with `weights` set, the spiking rows of that matrix instead (W_eff's normalised
  // effective weights); with `exact` set, a circuit solve for the spiking rows each step.
  void read_crossbar_from(const float* weights) { m_read = weights; }
  void solve_crossbar_with(IrDropCrossbar* exact) { m_exact = exact; }

  // rest_steps without input (learning continues if `learn`).
  void rest(float* g, double* theta, bool learn);

  // Scale each learning-layer neuron's input conductances to sum to `target`, clipped to
  // the device range. Through devices (net.device_path) each cell is then reprogrammed to
  // the nearest state it can hold (stuck cells keep theirs); `seed` keys the cells' faults
  // and spread.
  static void normalize_columns(const Network& net, float* g, double target, uint64_t seed);
  static void normalize_columns(const Network& net, float* g, double target) {
    normalize_columns(net, g, target, net.config.seed);
  }

  // Programming pulses and energy since the last call (zero unless net.device_path).
  DeviceTally take_device_tally();

 private:
  void prepare_input(const uint8_t* pixels, double max_rate_hz);
  void draw_input_spikes(uint32_t stream, uint32_t sample, uint32_t step);
  uint64_t step(float* g, double* theta, bool learn, uint32_t* counts);
  void integrate_population(size_t p, double* theta, bool learn);
  void deliver_fixed(const FixedProjectionSpec& p);
  void apply_stdp(float* g);
  void apply_window_stdp(float* g);
  void read_crossbar(const float* g, float* target);
  float write_cell(float w, uint32_t cell, float dw, float trace, WritePhase phase);

  const Network& m_net;
  uint32_t m_n_in = 0;
  uint32_t m_n = 0;  // learning-layer size
  struct Population {
    std::vector<float> v, ge, gi;
    std::vector<int32_t> since_spike;
    std::vector<int32_t> hold;     // winner-take-all hold (steps left)
    std::vector<uint32_t> spikes;  // indices that spiked this step
  };
  std::vector<Population> m_pops;
  std::vector<float> m_pre, m_post1, m_post2;  // STDP traces
  std::vector<uint64_t> m_last_pre;            // window rule: step of each input's last spike
  uint64_t m_clock = 0;                        // steps simulated since reset()
  uint64_t m_device_clock = 0;                 // steps since construction: keys device noise
  bool m_image_reads = false;                  // this presentation reads with m_read_key
  ReadNoiseKey m_read_key;                     // the image's key at this step
  DeviceTally m_device_tally;
  std::vector<uint32_t> m_threshold;           // per input, this presentation
  std::vector<uint32_t> m_active_groups;       // groups of 4 inputs with any non-zero rate
  std::vector<uint32_t> m_input_spikes;        // inputs that spiked this step
  std::vector<uint32_t> m_rest_counts;         // spikes during rest are not counted
  uint64_t m_seed = 0;
  const float* m_read = nullptr;     // nullptr: read g
  IrDropCrossbar* m_exact = nullptr;  // not owned
};

}  // namespace memsnn
