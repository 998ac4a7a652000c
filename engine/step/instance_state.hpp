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

// The arrays an instance owns: for one instance (InstanceView) or the base of many,
// instance-major (InstanceArrays). for_each_instance_array below is the one list of them.
struct InstanceOwned {
  // Every neuron of every population (population p's neuron j at offset_p + j).
  float* v = nullptr;
  float* ge = nullptr;
  float* gi = nullptr;
  int32_t* since_spike = nullptr;
  int32_t* hold = nullptr;            // winner-take-all hold (steps left)
  float* margin = nullptr;            // workspace: this step's threshold, then distance above it
  float* membrane_decay = nullptr;    // workspace: this step's exp factor (conductance kind)
  uint32_t* spike_list = nullptr;     // list: this step's spikes, population p's at offset_p
  // One per input.
  float* pre = nullptr;               // trace STDP's pre trace
  uint64_t* last_pre = nullptr;       // window rule: step of the input's last spike
  uint32_t* thresholds = nullptr;     // this presentation's Bernoulli thresholds (model/poisson.hpp),
                                      // padded to a whole last group of 4 with 0 (never spikes)
  uint32_t* input_list = nullptr;     // list: inputs that spiked this step, ascending (room for
                                      // every lane of every group)
  DeviceTally* tally_rows = nullptr;  // device pulses and energy of writes by input row (and reads)
  // One per group of 4 inputs (one Philox block).
  uint32_t* active_groups = nullptr;      // list: groups with a non-zero rate this presentation
  uint32_t* group_masks = nullptr;        // workspace: this step's spiking lanes of each active group
  uint32_t* active_thresholds = nullptr;  // the 4 thresholds of each active group, in its order
  // One per learning-layer neuron.
  float* post1 = nullptr;
  float* post2 = nullptr;
  uint32_t* counts = nullptr;         // learning-layer spikes of the last presentation
  DeviceTally* tally_cols = nullptr;  // device pulses and energy of writes by column
  double* column_sums = nullptr;      // workspace of the weight normalisation
  float* column_factors = nullptr;
  // One each.
  uint64_t* clock = nullptr;          // steps since reset (window rule)
  uint64_t* device_clock = nullptr;   // steps since the instance was made: keys device noise
  SpikeTotals* totals = nullptr;      // spikes of the last presentation
  ExactStats* exact_stats = nullptr;  // exact IR drop only
  double* exact_scratch = nullptr;    // exact IR drop only: the solver's arrays
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

// What an array's contents mean between steps: every element defined (state carried from
// step to step, or workspace every executor rewrites alike), or a list whose length is a
// step's count (spikes, active groups), with the entries past it unspecified: executors
// may leave different leftovers there.
enum class ArrayRole { kValues, kList };

// f(pointer, elements per instance, what it holds, role) for every array an instance owns:
// the one list the host and the GPU allocate from and every view is bound by. The exact
// IR-drop arrays are listed only when sizes.exact > 0.
template <class Owned, class F>
MEMSNN_HOST_DEVICE void for_each_instance_array(Owned& a, const InstanceSizes& s, F&& f) {
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

// Base pointers of `count` instances' arrays; plus the caller's g, read and theta with
// their strides (0: shared by every instance).
struct InstanceArrays : InstanceOwned {
  float* g = nullptr;
  size_t g_stride = 0;
  const float* read = nullptr;  // nullptr: read g
  size_t read_stride = 0;
  double* theta = nullptr;
  size_t theta_stride = 0;
};

// What the step sees of one instance: its own arrays, the exact solver's scratch carved
// from them, and the caller's g, read and theta.
struct InstanceView : InstanceOwned {
  ExactScratch exact;           // exact.g == nullptr: no exact IR drop
  float* g = nullptr;           // n_inputs x n_neurons, row-major [input][neuron]
  const float* read = nullptr;  // what the crossbar read adds: g, or w'
  double* theta = nullptr;      // n_neurons; nullptr without adaptive threshold
};

// Instance k's view: every owned array advanced by k of its own size, and copy
// (member + k x stride) of g, read and theta.
MEMSNN_HOST_DEVICE inline InstanceView bind_instance(const StepNetwork& net, const InstanceArrays& a, uint32_t k) {
  const InstanceSizes s = instance_sizes(net, a.exact_scratch != nullptr);
  InstanceView in;
  static_cast<InstanceOwned&>(in) = a;
  for_each_instance_array(in, s, [&](auto*& p, size_t per_instance, const char*, ArrayRole) {
    p += static_cast<size_t>(k) * per_instance;
  });
  in.exact = in.exact_scratch ? exact_scratch_at(net.exact, in.exact_scratch) : ExactScratch{};
  in.g = a.g + static_cast<size_t>(k) * a.g_stride;
  in.read = a.read ? a.read + static_cast<size_t>(k) * a.read_stride : in.g;
  in.theta = a.theta ? a.theta + static_cast<size_t>(k) * a.theta_stride : nullptr;
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
