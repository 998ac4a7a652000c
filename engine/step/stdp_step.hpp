// The STDP network's time step, written once for every executor (docs/executors.md):
// the serial host executor of the CPU backend, the threaded host executor of the tests,
// and a CUDA thread block (kernels/simulate.cu is only a launcher around run_work_item).
//
// Step order (Brian2's default, as the authors' code):
//   1. draw the input spikes (one Philox block per group of 4 inputs, dark groups skipped)
//      and compact them into an ascending list;
//   2. decay the STDP traces (trace rule, while learning);
//   3. integrate every population and test thresholds (reset at once); in a winner-take-all
//      population only the neuron furthest above its threshold (lowest index on a tie)
//      spikes and every other neuron is inhibited at once;
//   4. deliver: the crossbar rows of the inputs that spiked (ideal, W_eff's w', the exact
//      IR-drop circuit, or through devices with read noise), then the fixed projections;
//   5. learn: trace STDP on pre spikes, then on post spikes, or the window rule on post
//      spikes (ideal writes, or pulses through the device model);
//   6. count the learning layer's spikes.
//
// Why every executor gets the same bits: each float is written by one thread with the same
// per-element maths (engine/model/*.hpp, HOST_DEVICE); every sum runs over one fixed index
// order on one thread (a column over the spike list in ascending order, a row over its
// columns); reductions are max or arg-max (order-free, ties to the lowest index); the
// random numbers are counters (Philox); the kernels build without FMA contraction and the
// host compiler does not contract; and the step calls no libm function whose last bit
// could differ (core/portable_math.hpp). tests/test_executor_parity.cpp checks every array
// after every step on the threaded host executor against the serial one.
//
// Block is exec/block_policy.hpp's policy; every function here is called by all threads of
// the block alike.
#pragma once

#include <cstdint>

#include "core/host_device.hpp"
#include "core/rng.hpp"
#include "crossbar/block_relaxation.hpp"
#include "exec/block_policy.hpp"
#include "model/device.hpp"
#include "model/neuron.hpp"
#include "model/poisson.hpp"
#include "model/stdp.hpp"
#include "model/window_stdp.hpp"
#include "step/device_step.hpp"
#include "step/instance_state.hpp"
#include "step/step_network.hpp"
#include "step/work_item.hpp"

namespace memsnn {

// What an observer hears after every step (it runs on one thread while the others wait).
enum class StepKind : uint32_t { kRest = 0, kPresentation = 1 };
struct StepEvent {
  StepKind kind;
  uint32_t t;  // step within the rest or presentation
};

// The observer of an ordinary run: compiled out.
struct NoStepObserver {
  static constexpr bool kActive = false;
  MEMSNN_HOST_DEVICE void operator()(const StepEvent&) const {}
};

// The resting state: v = v_init, synaptic variables and traces 0, not refractory, the
// clock 2^62 steps after every input's "last spike".
template <class Block>
MEMSNN_BLOCK_FN void reset_instance(Block& b, const StepNetwork& net, const InstanceView& in) {
  for (uint32_t p = 0; p < net.n_populations; ++p) {
    const StepPopulation& pop = net.populations[p];
    b.for_each(pop.size, [&](uint32_t j) {
      const uint32_t k = pop.offset + j;
      in.v[k] = pop.v_init;
      in.ge[k] = 0.0f;
      in.gi[k] = 0.0f;
      in.since_spike[k] = kLongAgo;
      in.hold[k] = 0;
    });
  }
  b.for_each(net.n_inputs, [&](uint32_t i) {
    in.pre[i] = 0.0f;
    in.last_pre[i] = 0;
  });
  b.for_each(net.n_neurons, [&](uint32_t j) {
    in.post1[j] = 0.0f;
    in.post2[j] = 0.0f;
  });
  b.for_each(1, [&](uint32_t) { *in.clock = kClockAtReset; });
}

// Before a presentation: each input's Bernoulli threshold, the groups of 4 inputs that can
// spike at all (most MNIST pixels are 0: their draws are skipped), counts cleared. Returns
// the number of active groups.
template <class Block>
MEMSNN_BLOCK_FN uint32_t prepare_presentation(Block& b, const StepNetwork& net, const InstanceView& in,
                                              const WorkItem& w) {
  const uint32_t n_in = net.n_inputs;
  const uint32_t groups = (n_in + 3u) / 4u;
  b.for_each(4 * groups, [&](uint32_t i) {
    in.thresholds[i] = i < n_in ? pixel_threshold(w.pixels[i], w.max_rate_hz, net.dt_s) : 0u;
  });
  b.for_each(net.n_neurons, [&](uint32_t j) { in.counts[j] = 0; });
  const uint32_t* thresholds = in.thresholds;
  const uint32_t n_active = b.template compact<1>(
      groups,
      [&](uint32_t group) {
        const uint32_t* t = thresholds + 4 * group;
        return (t[0] | t[1] | t[2] | t[3]) != 0 ? 1u : 0u;
      },
      [](uint32_t group, uint32_t) { return group; }, in.active_groups);
  // The active groups' thresholds side by side, so each step reads them in order.
  b.for_each(4 * n_active, [&](uint32_t k) { in.active_thresholds[k] = thresholds[4 * in.active_groups[k / 4] + k % 4]; });
  return n_active;
}

// Step t's input spikes into in.input_list (ascending); returns their number. Each
// active group's draw goes to its lane mask first (a loop of independent Philox blocks,
// which the serial executor vectorises), then the masks are compacted.
template <class Block>
MEMSNN_BLOCK_FN uint32_t draw_inputs(Block& b, const InstanceView& in, const WorkItem& w, uint32_t t,
                                     uint32_t n_active) {
  const uint32_t* groups = in.active_groups;
  const uint32_t* thresholds = in.active_thresholds;
  uint32_t* masks = in.group_masks;
  const uint64_t seed = w.seed;  // locals: the loop's stores cannot change them
  const uint32_t stream = w.stream, sample = w.sample;
  b.for_each(n_active, [&](uint32_t k) {
    const auto bits = philox_block(seed, stream, sample, t, groups[k]);
    const uint32_t* th = thresholds + 4 * size_t{k};  // padded: lanes past the last input are 0
    masks[k] = (bits.v[0] < th[0] ? 1u : 0u) | (bits.v[1] < th[1] ? 2u : 0u) | (bits.v[2] < th[2] ? 4u : 0u) |
               (bits.v[3] < th[3] ? 8u : 0u);
  });
  return b.template compact<4>(
      n_active, [&](uint32_t k) { return masks[k]; }, [&](uint32_t k, uint32_t lane) { return groups[k] * 4 + lane; },
      in.input_list);
}

template <class Block>
MEMSNN_BLOCK_FN void decay_traces(Block& b, const StepNetwork& net, const InstanceView& in) {
  const StdpConstants& c = net.stdp;
  b.for_each(net.n_inputs, [&](uint32_t i) { in.pre[i] = decay_and_flush(in.pre[i], c.decay_pre); });
  b.for_each(net.n_neurons, [&](uint32_t j) {
    in.post1[j] = decay_and_flush(in.post1[j], c.decay_post1);
    in.post2[j] = decay_and_flush(in.post2[j], c.decay_post2);
  });
}

// Integrates and fires every neuron of a population of kind K that fires whenever it
// crosses; its spikes go to `list` in ascending order; returns their number. Separate
// passes, each a plain loop the serial executor vectorises (one fused loop mixing float,
// double and int lanes ran 1.6x slower): the adaptive thresholds (into `margin`), the
// membrane decay where it needs exp, the float update (margins into `margin`), then the
// spikes' resets. The constants and arrays are copied to locals so the compiler knows the
// loops' stores cannot change them.
template <NeuronKind K, bool kAdaptive, bool kPlasticTheta, class Block>
MEMSNN_BLOCK_FN uint32_t integrate_and_fire(Block& b, const NeuronConstants& constants, const NeuronArrays& arrays,
                                            uint32_t size, float* margin, float* decay, uint32_t* list) {
  const NeuronConstants c = constants;
  const NeuronArrays x = arrays;
  if constexpr (kAdaptive) {
    b.for_each(size, [&](uint32_t j) {
      double th = x.theta[j];
      if constexpr (kPlasticTheta) {
        th = decayed_theta(c, th);
        x.theta[j] = th;
      }
      margin[j] = adaptive_threshold(c, th);
    });
  }
  if constexpr (K == NeuronKind::kLifConductance) {
    // exp only matters where there is synaptic input. A mostly idle population (the
    // inhibitory one of Diehl & Cook) takes it neuron by neuron; a busy one for every
    // neuron in one vectorised loop (the values of idle neurons are never read).
    const uint32_t driven = b.count_if(size, [&](uint32_t j) { return has_synaptic_input(x.ge[j], x.gi[j]); });
    if (driven > 0 && driven * 4 < size) {
      b.for_each(size, [&](uint32_t j) {
        if (has_synaptic_input(x.ge[j], x.gi[j])) decay[j] = conductance_decay(c, x.ge[j], x.gi[j]);
      });
    } else if (driven > 0) {
      b.for_each(size, [&](uint32_t j) { decay[j] = conductance_decay(c, x.ge[j], x.gi[j]); });
    }
  }
  b.for_each(size, [&](uint32_t j) {
    const float threshold = kAdaptive ? margin[j] : c.v_thresh;
    const float d = K == NeuronKind::kLifConductance ? decay[j] : 1.0f;
    margin[j] = neuron_integrate_with<K>(c, x.v[j], x.ge[j], x.gi[j], x.since_spike[j], x.hold[j], threshold, d);
  });
  // Most steps no neuron spikes: a count (a vectorised loop) spares the compaction then.
  if (b.count_if(size, [&](uint32_t j) { return margin[j] > 0.0f; }) == 0) return 0;
  const uint32_t spikes = b.template compact<1>(
      size, [&](uint32_t j) { return margin[j] > 0.0f ? 1u : 0u; }, [](uint32_t j, uint32_t) { return j; }, list);
  b.for_each(spikes, [&](uint32_t k) { neuron_fire(c, x.ref(list[k]), kPlasticTheta); });
  return spikes;
}

template <NeuronKind K, class Block>
MEMSNN_BLOCK_FN uint32_t integrate_and_fire(Block& b, const NeuronConstants& c, const NeuronArrays& x, uint32_t size,
                                            float* margin, float* decay, uint32_t* list, bool learn) {
  if (x.theta == nullptr) return integrate_and_fire<K, false, false>(b, c, x, size, margin, decay, list);
  if (learn) return integrate_and_fire<K, true, true>(b, c, x, size, margin, decay, list);
  return integrate_and_fire<K, true, false>(b, c, x, size, margin, decay, list);
}

// Integrates population p; its spikes go to its spike list in ascending order. Returns
// their number.
template <class Block>
MEMSNN_BLOCK_FN uint32_t integrate_population(Block& b, const StepNetwork& net, const InstanceView& in, uint32_t p,
                                              bool learn) {
  const StepPopulation& pop = net.populations[p];
  const NeuronConstants& c = pop.constants;
  const NeuronArrays x{in.v + pop.offset,           in.ge + pop.offset,   in.gi + pop.offset,
                       in.since_spike + pop.offset, in.hold + pop.offset,
                       (p == net.learning_layer && c.adaptive) ? in.theta : nullptr};
  float* margin = in.margin + pop.offset;
  uint32_t* list = in.spike_list + pop.offset;
  if (static_cast<int32_t>(p) != net.wta_population) {
    float* decay = in.membrane_decay + pop.offset;
    switch (c.kind) {
      case NeuronKind::kLifConductance:
        return integrate_and_fire<NeuronKind::kLifConductance>(b, c, x, pop.size, margin, decay, list, learn);
      case NeuronKind::kLifCurrent:
        return integrate_and_fire<NeuronKind::kLifCurrent>(b, c, x, pop.size, margin, decay, list, learn);
      case NeuronKind::kIf:
        return integrate_and_fire<NeuronKind::kIf>(b, c, x, pop.size, margin, decay, list, learn);
      case NeuronKind::kPoisson:
        break;
    }
    return 0;
  }
  // Winner-take-all: only the neuron furthest above its threshold (lowest index on a tie)
  // spikes; every other one is inhibited.
  b.for_each(pop.size, [&](uint32_t j) { margin[j] = neuron_integrate(c, x.ref(j), learn); });
  const ArgMax win = b.arg_max(pop.size, [&](uint32_t j) { return margin[j]; });
  if (win.index == kNoIndex) return 0;
  b.for_each(pop.size, [&](uint32_t j) {
    if (j == win.index) {
      neuron_fire(c, x.ref(j), learn);
      list[0] = j;
    } else {
      neuron_inhibit(c, x.ref(j), net.wta_drop, net.wta_hold_steps);
    }
  });
  return 1;
}

// The exact IR-drop read of this step's spiking rows (> 0 of them), recorded in the
// instance's stats. False when it did not converge: nothing is added and the caller stops
// (the host then raises the solver's error).
template <class Block>
MEMSNN_BLOCK_FN bool exact_crossbar_drive(Block& b, const StepNetwork& net, const InstanceView& in, uint32_t n_in,
                                          float* target) {
  const uint64_t t0 = b.timer_ns();
  const ExactSolve s = exact_drive(b, net.exact, in.exact, in.g, in.input_list, n_in, target);
  const uint64_t t1 = b.timer_ns();
  b.for_each(1, [&](uint32_t) {
    ExactStats& st = *in.exact_stats;
    if (!s.converged) {
      st.failed = 1;
      st.failed_iterations = s.iterations;
      st.failed_residual = s.residual;
      return;
    }
    ++st.solves;
    st.sweeps += s.iterations;
    st.max_residual = s.residual > st.max_residual ? s.residual : st.max_residual;
    st.nanoseconds += t1 - t0;
  });
  return s.converged;
}

// Crossbar rows of the inputs that spiked, then the fixed projections in order. False
// when the exact solve did not converge.
template <class Block>
MEMSNN_BLOCK_FN bool deliver(Block& b, const StepNetwork& net, const InstanceView& in, uint32_t n_in,
                             const uint32_t* spikes_of, const DeviceStepKey& key) {
  const StepPopulation& layer = net.populations[net.learning_layer];
  const uint32_t n = net.n_neurons;
  float* target = (net.crossbar_inhibitory ? in.gi : in.ge) + layer.offset;
  if (in.exact.g != nullptr) {  // no spiking row, no current: no solve
    if (n_in > 0 && !exact_crossbar_drive(b, net, in, n_in, target)) return false;
  } else if (net.device != nullptr) {
    device_read(b, *net.device, key, in.read, n, in.input_list, n_in, target, in.tally_rows);
  } else {
    const float* read = in.read;
    const uint32_t* inputs = in.input_list;
    b.for_each_column(n_in, n, [&](uint32_t s, uint32_t j) { target[j] += read[static_cast<size_t>(inputs[s]) * n + j]; });
  }
  for (uint32_t q = 0; q < net.n_projections; ++q) {
    const StepProjection& proj = net.projections[q];
    const StepPopulation& to = net.populations[proj.to];
    const uint32_t* list = in.spike_list + net.populations[proj.from].offset;
    const uint32_t count = spikes_of[proj.from];
    float* channel = (proj.inhibitory ? in.gi : in.ge) + to.offset;
    const float weight = proj.weight;
    if (!proj.all_but_self) {
      b.for_each(count, [&](uint32_t s) { channel[list[s]] += weight; });
    } else {
      b.for_each_column(count, to.size, [&](uint32_t s, uint32_t k) {
        if (list[s] != k) channel[k] += weight;
      });
    }
  }
  return true;
}

// Trace STDP (pre spikes, then post spikes) or the window rule.
template <class Block>
MEMSNN_BLOCK_FN void learn_step(Block& b, const StepNetwork& net, const InstanceView& in, uint32_t n_in,
                                uint32_t n_post, uint64_t clock, const DeviceStepKey& key) {
  const uint32_t n = net.n_neurons;
  const uint32_t n_inputs = net.n_inputs;
  const uint32_t* post = in.spike_list + net.populations[net.learning_layer].offset;
  const uint32_t* inputs = in.input_list;
  float* g = in.g;
  const float lo = net.w_min, hi = net.w_max;
  if (!net.window_rule) {
    const StdpConstants& c = net.stdp;
    if (net.device != nullptr) {
      device_stdp_pre_writes(b, *net.device, key, c, g, n, inputs, n_in, in.post1, in.tally_cols);
    } else {
      const float* post1 = in.post1;
      b.for_each_column(n_in, n, [&](uint32_t s, uint32_t j) {
        float& cell = g[static_cast<size_t>(inputs[s]) * n + j];
        cell = ideal_device_update(cell, stdp_dw_on_pre(c, post1[j]), lo, hi);
      });
    }
    b.for_each(n_in, [&](uint32_t s) { in.pre[inputs[s]] = 1.0f; });
    if (net.device != nullptr) {
      device_stdp_post_writes(b, *net.device, key, c, g, n, n_inputs, post, n_post, in.pre, in.post2, in.tally_rows);
    } else if (n_post > 0) {
      b.for_each(n_inputs, [&](uint32_t i) {
        for (uint32_t k = 0; k < n_post; ++k) {
          float& cell = g[static_cast<size_t>(i) * n + post[k]];
          cell = ideal_device_update(cell, stdp_dw_on_post(c, in.pre[i], in.post2[post[k]]), lo, hi);
        }
      });
    }
    b.for_each(n_post, [&](uint32_t k) {
      in.post1[post[k]] = 1.0f;
      in.post2[post[k]] = 1.0f;
    });
    return;
  }
  b.for_each(n_in, [&](uint32_t s) { in.last_pre[inputs[s]] = clock; });
  if (net.device != nullptr) {
    device_window_writes(b, *net.device, key, net.window, net.window_table, clock, g, n, n_inputs, post, n_post,
                         in.last_pre, in.tally_rows);
  } else if (n_post > 0) {
    b.for_each(n_inputs, [&](uint32_t i) {
      const float dw = window_dw(net.window, net.window_table, clock - in.last_pre[i]);
      for (uint32_t k = 0; k < n_post; ++k) {
        float& cell = g[static_cast<size_t>(i) * n + post[k]];
        cell = ideal_device_update(cell, dw, lo, hi);
      }
    });
  }
}

// One time step at `clock` (steps since reset) and `device_clock`; a presentation step t
// draws inputs and counts spikes into in.counts and `totals`, a rest step does neither.
// False when the exact IR-drop solve did not converge (the work item stops).
template <class Block>
MEMSNN_BLOCK_FN bool network_step(Block& b, const StepNetwork& net, const InstanceView& in, const WorkItem& w,
                                  StepKind kind, uint32_t t, uint32_t n_active, uint64_t clock, uint64_t device_clock,
                                  SpikeTotals& totals) {
  const bool learn = w.learn != 0;
  const bool present = kind == StepKind::kPresentation;
  DeviceStepKey key;
  if (net.device != nullptr) {  // reads follow the clock while learning, else the image
    key.seed = w.seed;
    key.clock = static_cast<uint32_t>(device_clock);
    key.read = learn ? clock_read_key(net.device->projection, key.clock)
                     : image_read_key(net.device->projection, w.stream, w.sample, w.steps, t);
  }
  const uint32_t n_in = present ? draw_inputs(b, in, w, t, n_active) : 0;
  if (learn && !net.window_rule) decay_traces(b, net, in);
  uint32_t spikes_of[kMaxStepPopulations] = {};
  for (uint32_t p = 0; p < net.n_populations; ++p) spikes_of[p] = integrate_population(b, net, in, p, learn);
  if (!deliver(b, net, in, n_in, spikes_of, key)) return false;
  const uint32_t n_post = spikes_of[net.learning_layer];
  if (learn && net.plastic) learn_step(b, net, in, n_in, n_post, clock, key);
  if (present) {
    const uint32_t* post = in.spike_list + net.populations[net.learning_layer].offset;
    b.for_each(n_post, [&](uint32_t k) { ++in.counts[post[k]]; });
    totals.layer += n_post;
    totals.inputs += n_in;
  }
  return true;
}

// A whole work item: reset, rest, presentation. The presentation's spike counts and totals
// land in in.counts and *in.totals. A failed exact solve stops the item (in.exact_stats
// says so).
template <class Block, class Observer>
MEMSNN_BLOCK_FN void run_work_item(Block& b, const StepNetwork& net, const InstanceView& in, const WorkItem& w,
                                   Observer& observe) {
  if (w.reset_first) reset_instance(b, net, in);
  uint64_t clock = *in.clock;
  uint64_t device_clock = *in.device_clock;
  b.sync();  // every thread has read the clocks before one of them writes them back
  SpikeTotals totals;
  bool ok = true;
  for (uint32_t t = 0; t < w.rest_steps && ok; ++t) {
    ok = network_step(b, net, in, w, StepKind::kRest, t, 0, ++clock, ++device_clock, totals);
    if constexpr (Observer::kActive) b.for_each(1, [&](uint32_t) { observe(StepEvent{StepKind::kRest, t}); });
  }
  if (w.pixels != nullptr && ok) {
    const uint32_t n_active = prepare_presentation(b, net, in, w);
    for (uint32_t t = 0; t < w.steps && ok; ++t) {
      ok = network_step(b, net, in, w, StepKind::kPresentation, t, n_active, ++clock, ++device_clock, totals);
      if constexpr (Observer::kActive) b.for_each(1, [&](uint32_t) { observe(StepEvent{StepKind::kPresentation, t}); });
    }
    b.for_each(1, [&](uint32_t) { *in.totals = totals; });
  }
  b.for_each(1, [&](uint32_t) {
    *in.clock = clock;
    *in.device_clock = device_clock;
  });
}

template <class Block>
MEMSNN_BLOCK_FN void run_work_item(Block& b, const StepNetwork& net, const InstanceView& in, const WorkItem& w) {
  NoStepObserver none;
  run_work_item(b, net, in, w, none);
}

// Weight normalisation (Diehl & Cook) before a training presentation: each learning-layer
// neuron's input weights scaled to sum to `target` (the column summed in double over
// ascending inputs), clipped to w_max; through devices each cell is then reprogrammed to the
// nearest state it can hold (stuck cells keep theirs), keyed by the member's `seed`.
template <class Block>
MEMSNN_BLOCK_FN void normalize_columns(Block& b, const StepNetwork& net, const InstanceView& in, double target,
                                       uint64_t seed) {
  const uint32_t m = net.n_inputs, n = net.n_neurons;
  float* g = in.g;
  double* sums = in.column_sums;
  float* factors = in.column_factors;
  const float w_max = net.w_max;
  b.for_each(n, [&](uint32_t j) { sums[j] = 0.0; });
  b.for_each_column(m, n, [&](uint32_t i, uint32_t j) { sums[j] += g[static_cast<size_t>(i) * n + j]; });
  b.for_each(n, [&](uint32_t j) { factors[j] = normalization_factor(sums[j], target); });
  if (net.device == nullptr) {
    b.for_each_column(m, n, [&](uint32_t i, uint32_t j) {
      float& w = g[static_cast<size_t>(i) * n + j];
      w = normalized_weight(w, factors[j], w_max);
    });
    return;
  }
  const DeviceProgramming& p = *net.device;
  b.for_each_column(m, n, [&](uint32_t i, uint32_t j) {
    const uint32_t cell = i * n + j;
    g[cell] = program_initial_weight(p, seed, cell, normalized_weight(g[cell], factors[j], w_max));
  });
}

}  // namespace memsnn
