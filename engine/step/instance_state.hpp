// The state of network instances as the shared step sees it.
//
// An instance is one running copy of the network: neuron state, traces, clocks, scratch.
// Many instances are stored instance-major in InstanceArrays (host vectors on the CPU,
// device buffers on the GPU; both allocate through for_each_instance_array, the one list
// of arrays). The step itself only ever sees one instance's InstanceView: plain pointers,
// so an executor may point them anywhere it likes (the CUDA executor can later stage the
// per-neuron arrays in shared memory without touching the step).
//
// The crossbar's weights g, what the read adds (g, or W_eff's w'), and the adaptive
// thresholds theta belong to the caller: shared by frozen instances (stride 0) or one
// copy per ensemble member (stride = their size).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/host_device.hpp"
#include "crossbar/exact_drive.hpp"
#include "device/device_programming.hpp"
#include "step/step_network.hpp"

namespace memsnn {

// Spikes of one presentation: {learning layer, inputs}.
struct SpikeTotals {
  uint64_t layer = 0;
  uint64_t inputs = 0;
};

struct InstanceView {
  // Every neuron of every population (population p's neuron j at offset_p + j).
  float* v;
  float* ge;
  float* gi;
  int32_t* since_spike;
  int32_t* hold;          // winner-take-all hold (steps left)
  float* margin;          // scratch: this step's threshold, then distance above it
  float* membrane_decay;  // scratch: this step's exp factor (conductance kind)
  uint32_t* spike_list;   // scratch: this step's spikes, population p's at offset_p
  // One per input.
  float* pre;             // trace STDP's pre trace
  uint64_t* last_pre;     // window rule: step of the input's last spike
  uint32_t* thresholds;   // this presentation's Bernoulli thresholds (model/poisson.hpp);
                          // padded to a whole last group of 4 with 0 (never spikes)
  uint32_t* input_list;   // scratch: inputs that spiked this step, ascending (room for
                          // every lane of every group)
  DeviceTally* tally_rows;  // device pulses and energy of writes by input row (and row reads)
  // One per group of 4 inputs (one Philox block).
  uint32_t* active_groups;  // scratch: groups with a non-zero rate this presentation
  uint32_t* group_masks;    // scratch: this step's spiking lanes of each active group
  uint32_t* active_thresholds;  // the 4 thresholds of each active group, in its order
  // One per learning-layer neuron.
  float* post1;
  float* post2;
  uint32_t* counts;        // learning-layer spikes of the last presentation
  DeviceTally* tally_cols; // device pulses and energy of writes by column
  double* column_sums;     // scratch of the weight normalisation
  float* column_factors;
  // One each.
  uint64_t* clock;         // steps since reset (window rule)
  uint64_t* device_clock;  // steps since the instance was made: keys device noise
  SpikeTotals* totals;     // spikes of the last presentation
  ExactStats* exact_stats; // nullptr without exact IR drop
  ExactScratch exact;      // exact.g == nullptr: no exact IR drop
  // The caller's.
  float* g;                // n_inputs x n_neurons, row-major [input][neuron]
  const float* read;       // what the crossbar read adds: g, or w'
  double* theta;           // n_neurons; nullptr without adaptive threshold
};

// Elements per instance of each kind of array.
struct InstanceSizes {
  size_t neurons = 0;  // total_neurons
  size_t inputs = 0;
  size_t groups = 0;   // (inputs + 3) / 4
  size_t layer = 0;    // learning-layer neurons
  size_t exact = 0;    // exact_scratch_doubles, 0 without exact IR drop
};

MEMSNN_HOST_DEVICE inline InstanceSizes instance_sizes(const StepNetwork& net, bool exact) {
  return InstanceSizes{net.total_neurons, net.n_inputs, (net.n_inputs + 3u) / 4u, net.n_neurons,
                       exact ? exact_scratch_doubles(net.exact) : 0};
}

// Base pointers of `count` instances' arrays, each array instance-major; plus the caller's
// g, read and theta with their strides (0: shared by every instance).
struct InstanceArrays {
  float* v = nullptr;
  float* ge = nullptr;
  float* gi = nullptr;
  int32_t* since_spike = nullptr;
  int32_t* hold = nullptr;
  float* margin = nullptr;
  float* membrane_decay = nullptr;
  uint32_t* spike_list = nullptr;
  float* pre = nullptr;
  uint64_t* last_pre = nullptr;
  uint32_t* thresholds = nullptr;
  uint32_t* input_list = nullptr;
  DeviceTally* tally_rows = nullptr;
  uint32_t* active_groups = nullptr;
  uint32_t* group_masks = nullptr;
  uint32_t* active_thresholds = nullptr;
  float* post1 = nullptr;
  float* post2 = nullptr;
  uint32_t* counts = nullptr;
  DeviceTally* tally_cols = nullptr;
  double* column_sums = nullptr;
  float* column_factors = nullptr;
  uint64_t* clock = nullptr;
  uint64_t* device_clock = nullptr;
  SpikeTotals* totals = nullptr;
  ExactStats* exact_stats = nullptr;  // nullptr without exact IR drop
  double* exact_scratch = nullptr;
  float* g = nullptr;
  size_t g_stride = 0;
  const float* read = nullptr;        // nullptr: read g
  size_t read_stride = 0;
  double* theta = nullptr;
  size_t theta_stride = 0;
};

// What an array's contents mean between steps: every element defined (state carried from
// step to step, or workspace every executor rewrites alike), or a list whose length is a
// step's count (spikes, active groups), with the entries past it unspecified: executors
// may leave different leftovers there.
enum class ArrayRole { kValues, kList };

// f(pointer, elements per instance, what it holds, role) for every array an instance owns:
// the one list both the host and the GPU allocate from. The exact IR-drop arrays are
// listed only when sizes.exact > 0.
template <class F>
void for_each_instance_array(InstanceArrays& a, const InstanceSizes& s, F&& f) {
  f(a.v, s.neurons, "membrane potentials", ArrayRole::kValues);
  f(a.ge, s.neurons, "excitatory conductances", ArrayRole::kValues);
  f(a.gi, s.neurons, "inhibitory conductances", ArrayRole::kValues);
  f(a.since_spike, s.neurons, "refractory counters", ArrayRole::kValues);
  f(a.hold, s.neurons, "winner-take-all holds", ArrayRole::kValues);
  f(a.margin, s.neurons, "threshold margins", ArrayRole::kValues);
  f(a.membrane_decay, s.neurons, "membrane decay factors", ArrayRole::kValues);
  f(a.spike_list, s.neurons, "spike lists", ArrayRole::kList);
  f(a.pre, s.inputs, "pre-synaptic traces", ArrayRole::kValues);
  f(a.last_pre, s.inputs, "input spike times", ArrayRole::kValues);
  f(a.thresholds, 4 * s.groups, "input thresholds", ArrayRole::kValues);
  f(a.input_list, 4 * s.groups, "input spike lists", ArrayRole::kList);
  f(a.tally_rows, s.inputs, "device tallies by row", ArrayRole::kValues);
  f(a.active_groups, s.groups, "active input groups", ArrayRole::kList);
  f(a.group_masks, s.groups, "input spike masks", ArrayRole::kValues);
  f(a.active_thresholds, 4 * s.groups, "active input thresholds", ArrayRole::kValues);
  f(a.post1, s.layer, "post-synaptic traces", ArrayRole::kValues);
  f(a.post2, s.layer, "post-synaptic traces", ArrayRole::kValues);
  f(a.counts, s.layer, "spike counts", ArrayRole::kValues);
  f(a.tally_cols, s.layer, "device tallies by column", ArrayRole::kValues);
  f(a.column_sums, s.layer, "column sums", ArrayRole::kValues);
  f(a.column_factors, s.layer, "column factors", ArrayRole::kValues);
  f(a.clock, size_t{1}, "clocks", ArrayRole::kValues);
  f(a.device_clock, size_t{1}, "device clocks", ArrayRole::kValues);
  f(a.totals, size_t{1}, "spike totals", ArrayRole::kValues);
  if (s.exact > 0) {
    f(a.exact_stats, size_t{1}, "the exact IR-drop solver's statistics", ArrayRole::kValues);
    f(a.exact_scratch, s.exact, "the exact IR-drop solver's node voltages and line factors", ArrayRole::kValues);
  }
}

// Instance k's view (member: which copy of g, read and theta, by their strides).
MEMSNN_HOST_DEVICE inline InstanceView bind_instance(const StepNetwork& net, const InstanceArrays& a, uint32_t k) {
  const InstanceSizes s = instance_sizes(net, a.exact_scratch != nullptr);
  const size_t kk = k;
  InstanceView in;
  in.v = a.v + kk * s.neurons;
  in.ge = a.ge + kk * s.neurons;
  in.gi = a.gi + kk * s.neurons;
  in.since_spike = a.since_spike + kk * s.neurons;
  in.hold = a.hold + kk * s.neurons;
  in.margin = a.margin + kk * s.neurons;
  in.membrane_decay = a.membrane_decay + kk * s.neurons;
  in.spike_list = a.spike_list + kk * s.neurons;
  in.pre = a.pre + kk * s.inputs;
  in.last_pre = a.last_pre + kk * s.inputs;
  in.thresholds = a.thresholds + kk * 4 * s.groups;
  in.input_list = a.input_list + kk * 4 * s.groups;
  in.tally_rows = a.tally_rows + kk * s.inputs;
  in.active_groups = a.active_groups + kk * s.groups;
  in.group_masks = a.group_masks + kk * s.groups;
  in.active_thresholds = a.active_thresholds + kk * 4 * s.groups;
  in.post1 = a.post1 + kk * s.layer;
  in.post2 = a.post2 + kk * s.layer;
  in.counts = a.counts + kk * s.layer;
  in.tally_cols = a.tally_cols + kk * s.layer;
  in.column_sums = a.column_sums + kk * s.layer;
  in.column_factors = a.column_factors + kk * s.layer;
  in.clock = a.clock + kk;
  in.device_clock = a.device_clock + kk;
  in.totals = a.totals + kk;
  in.exact_stats = a.exact_stats ? a.exact_stats + kk : nullptr;
  in.exact = a.exact_scratch ? exact_scratch_at(net.exact, a.exact_scratch + kk * s.exact) : ExactScratch{};
  in.g = a.g + kk * a.g_stride;
  in.read = a.read ? a.read + kk * a.read_stride : in.g;
  in.theta = a.theta ? a.theta + kk * a.theta_stride : nullptr;
  return in;
}

// The pulses and energy an instance's tallies hold, summed in one fixed order (rows, then
// columns, ascending) so every executor reports the same bits.
inline DeviceTally sum_tallies(const DeviceTally* rows, size_t n_rows, const DeviceTally* cols, size_t n_cols) {
  DeviceTally t;
  for (size_t i = 0; i < n_rows; ++i) t.add(rows[i]);
  for (size_t j = 0; j < n_cols; ++j) t.add(cols[j]);
  return t;
}

}  // namespace memsnn
