// The network time loop on the GPU. One block runs one work item on one instance; inside
// it, phases separated by __syncthreads follow CpuSimulation::step exactly:
//   draw inputs -> decay traces -> integrate populations (winner-take-all: one winner)
//   -> deliver crossbar rows, then fixed projections -> learning -> count.
// Every element is updated with the same per-element maths (engine/model/*.hpp) and the
// same order of floating-point operations as on the CPU (sums run over the spike lists
// in ascending order; the kernels build with --fmad=false), so the two backends agree
// bit for bit unless a libm exp and CUDA's exp round differently (tests/test_cuda_parity.cpp).
// With exact IR drop the crossbar read is the circuit solved by the block (block_relaxation.hpp).
// Through devices (net.device set) writes and reads go through the device model
// (device_learning.hpp) in a kernel of their own, so the plain kernels keep their registers.
#include "kernels/simulate_launch.hpp"

#include <cub/block/block_reduce.cuh>
#include <cub/block/block_scan.cuh>

#include "core/rng.hpp"
#include "kernels/block_relaxation.hpp"
#include "kernels/cuda_check.hpp"
#include "kernels/device_learning.hpp"
#include "model/device.hpp"
#include "model/poisson.hpp"
#include "model/stdp.hpp"
#include "model/window_stdp.hpp"

namespace memsnn {
namespace {

struct Margin {
  float margin;
  uint32_t index;
};

// Largest margin; on a tie the lowest index (CpuSimulation scans in ascending order).
struct LargerMargin {
  __device__ Margin operator()(const Margin& a, const Margin& b) const {
    if (a.margin != b.margin) return a.margin > b.margin ? a : b;
    return a.index < b.index ? a : b;
  }
};

template <int kThreads>
struct BlockTypes {
  using Scan = cub::BlockScan<uint32_t, kThreads>;
  using Reduce = cub::BlockReduce<Margin, kThreads>;
  union Temp {
    typename Scan::TempStorage scan;
    typename Reduce::TempStorage reduce;
  };
};

// One instance's slice of the state.
struct Instance {
  float* v;
  float* ge;
  float* gi;
  int32_t* since_spike;
  int32_t* hold;
  float* pre;
  uint64_t* last_pre;
  float* post1;
  float* post2;
  uint64_t* clock;
  float* g;
  const float* read;  // the crossbar as the network reads it: g, or W_eff's w'
  double* theta;
  uint32_t* thresholds;
  uint32_t* input_list;
  uint32_t* spike_list;
  uint32_t* counts;
  unsigned long long* totals;
  ExactScratch exact;        // exact.g == nullptr: no exact IR drop
  ExactStats* exact_stats;
  uint64_t* device_clock;    // through devices only
  DeviceTally* tally;
};

__device__ Instance bind(const DeviceNetwork& net, const DeviceState& s, uint32_t k) {
  const size_t neurons = static_cast<size_t>(k) * net.total_neurons;
  const size_t inputs = static_cast<size_t>(k) * net.n_inputs;
  const size_t layer = static_cast<size_t>(k) * net.n_neurons;
  return Instance{s.v + neurons,
                  s.ge + neurons,
                  s.gi + neurons,
                  s.since_spike + neurons,
                  s.hold + neurons,
                  s.pre + inputs,
                  s.last_pre + inputs,
                  s.post1 + layer,
                  s.post2 + layer,
                  s.clock + k,
                  s.g + static_cast<size_t>(k) * s.g_stride,
                  s.read ? s.read + static_cast<size_t>(k) * s.read_stride : s.g + static_cast<size_t>(k) * s.g_stride,
                  s.theta ? s.theta + static_cast<size_t>(k) * s.theta_stride : nullptr,
                  s.thresholds + inputs,
                  s.input_list + inputs,
                  s.spike_list + neurons,
                  s.counts + layer,
                  s.totals + 2 * static_cast<size_t>(k),
                  s.exact_scratch ? exact_scratch_at(net.exact, s.exact_scratch + k * exact_scratch_doubles(net.exact))
                                  : ExactScratch{},
                  s.exact_stats ? s.exact_stats + k : nullptr,
                  s.device_clock ? s.device_clock + k : nullptr,
                  s.tally ? s.tally + k : nullptr};
}

// block_relaxation.hpp's Block: the threads of this block.
struct DeviceBlock {
  template <class F>
  __device__ void for_each(uint32_t count, F f) {
    for (uint32_t k = threadIdx.x; k < count; k += blockDim.x) f(k);
    __syncthreads();
  }
  __device__ void sync() { __syncthreads(); }
  // Non-negative doubles order as their bit patterns do; +0 is the empty max.
  __device__ void max_into(unsigned long long* slot, double a) {
    if (a > 0.0) atomicMax(slot, static_cast<unsigned long long>(__double_as_longlong(a)));
  }
  __device__ double read_max(const unsigned long long* slot) {
    return __longlong_as_double(static_cast<long long>(*slot));
  }
};

__device__ unsigned long long global_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

// IrDropCrossbar::add_exact_drive for this step's input spikes (> 0 of them), and its
// record in the instance's stats. False when it did not converge: the CPU throws there,
// so the presentation stops and the host raises the error.
__device__ bool exact_crossbar_drive(const DeviceNetwork& net, const Instance& in, uint32_t n_input_spikes,
                                     float* target, ExactShared& shared) {
  const unsigned long long t0 = global_ns();
  DeviceBlock block;
  const ExactSolve s = exact_drive(block, net.exact, in.exact, shared, in.g, in.input_list, n_input_spikes, target);
  if (threadIdx.x == 0) {
    ExactStats& st = *in.exact_stats;
    if (!s.converged) {
      st.failed = 1;
      st.failed_iterations = s.iterations;
      st.failed_residual = s.residual;
    } else {  // IrDropStats::record(s, wall, 1)
      ++st.solves;
      st.sweeps += s.iterations;
      st.max_residual = s.residual > st.max_residual ? s.residual : st.max_residual;
      st.nanoseconds += global_ns() - t0;
    }
  }
  return s.converged;
}

// CpuSimulation::reset.
__device__ void reset_instance(const DeviceNetwork& net, const Instance& in) {
  for (uint32_t p = 0; p < net.n_populations; ++p) {
    const DevicePopulation& pop = net.populations[p];
    for (uint32_t j = threadIdx.x; j < pop.size; j += blockDim.x) {
      const uint32_t k = pop.offset + j;
      in.v[k] = pop.v_init;
      in.ge[k] = 0.0f;
      in.gi[k] = 0.0f;
      in.since_spike[k] = kLongAgo;
      in.hold[k] = 0;
    }
  }
  for (uint32_t i = threadIdx.x; i < net.n_inputs; i += blockDim.x) {
    in.pre[i] = 0.0f;
    in.last_pre[i] = 0;
  }
  for (uint32_t j = threadIdx.x; j < net.n_neurons; j += blockDim.x) {
    in.post1[j] = 0.0f;
    in.post2[j] = 0.0f;
  }
  if (threadIdx.x == 0) *in.clock = kClockAtReset;
}

// Input spikes of one step into in.input_list, ascending; returns their number. One
// thread per group of 4 inputs (one Philox block), as CpuSimulation::draw_input_spikes.
template <int kThreads>
__device__ uint32_t draw_inputs(const DeviceNetwork& net, const Instance& in, const WorkItem& w, uint32_t step,
                                typename BlockTypes<kThreads>::Temp& temp) {
  const uint32_t groups = (net.n_inputs + 3) / 4;
  uint32_t base = 0;
  for (uint32_t tile = 0; tile < groups; tile += kThreads) {
    const uint32_t group = tile + threadIdx.x;
    uint32_t mask = 0, count = 0;
    if (group < groups) {
      bool active = false;
      for (uint32_t lane = 0; lane < 4 && group * 4 + lane < net.n_inputs; ++lane) {
        active = active || in.thresholds[group * 4 + lane] != 0;
      }
      if (active) {  // a group of dark pixels cannot spike: skip its draw, as the CPU does
        const auto bits = philox_block(w.seed, w.stream, w.sample, step, group);
        for (uint32_t lane = 0; lane < 4 && group * 4 + lane < net.n_inputs; ++lane) {
          if (bits.v[lane] < in.thresholds[group * 4 + lane]) {
            mask |= 1u << lane;
            ++count;
          }
        }
      }
    }
    uint32_t offset = 0, total = 0;
    typename BlockTypes<kThreads>::Scan(temp.scan).ExclusiveSum(count, offset, total);
    for (uint32_t lane = 0; lane < 4; ++lane) {
      if (mask & (1u << lane)) in.input_list[base + offset++] = group * 4 + lane;
    }
    base += total;
    __syncthreads();  // the scan's storage is reused by the next tile
  }
  return base;
}

// Steps every neuron of population p in ascending order of spikes into its spike list;
// returns the number of spikes.
template <int kThreads>
__device__ uint32_t integrate_population(const DeviceNetwork& net, const Instance& in, uint32_t p, bool learn,
                                         typename BlockTypes<kThreads>::Temp& temp, Margin& s_winner) {
  const DevicePopulation& pop = net.populations[p];
  const NeuronConstants& c = pop.constants;
  double* theta = (p == net.learning_layer && c.adaptive) ? in.theta : nullptr;
  uint32_t* list = in.spike_list + pop.offset;
  auto ref = [&](uint32_t j) {
    const uint32_t k = pop.offset + j;
    return NeuronRef{in.v[k], in.ge[k], in.gi[k], in.since_spike[k], in.hold[k], theta ? theta + j : nullptr};
  };
  if (static_cast<int32_t>(p) != net.wta_population) {
    uint32_t base = 0;
    for (uint32_t tile = 0; tile < pop.size; tile += kThreads) {
      const uint32_t j = tile + threadIdx.x;
      const uint32_t spike = (j < pop.size && neuron_step(c, ref(j), learn)) ? 1u : 0u;
      uint32_t offset = 0, total = 0;
      typename BlockTypes<kThreads>::Scan(temp.scan).ExclusiveSum(spike, offset, total);
      if (spike) list[base + offset] = j;
      base += total;
      __syncthreads();
    }
    return base;
  }
  // Winner-take-all: each thread keeps its own best (ascending j, so its lowest index on a
  // tie), then the block's best.
  Margin best{0.0f, 0xffffffffu};
  for (uint32_t j = threadIdx.x; j < pop.size; j += kThreads) {
    const float margin = neuron_integrate(c, ref(j), learn);
    if (margin > best.margin) best = Margin{margin, j};
  }
  const Margin winner = typename BlockTypes<kThreads>::Reduce(temp.reduce).Reduce(best, LargerMargin());
  if (threadIdx.x == 0) s_winner = winner;
  __syncthreads();
  const Margin win = s_winner;
  if (!(win.margin > 0.0f)) return 0;
  for (uint32_t j = threadIdx.x; j < pop.size; j += kThreads) {
    if (j == win.index) {
      neuron_fire(c, ref(j), learn);
    } else {
      neuron_inhibit(c, ref(j), net.wta_drop, net.wta_hold_steps);
    }
  }
  if (threadIdx.x == 0) list[0] = win.index;
  __syncthreads();
  return 1;
}

// Crossbar rows of the inputs that spiked (or, with exact IR drop, the solved circuit),
// then the fixed projections in order. False when the exact solve did not converge:
// nothing more is delivered. kExact: the instance has exact scratch (a kernel of its own,
// so the solver's registers do not weigh on the ideal and W_eff kernels). kDevices: the read
// carries read noise and counts its energy, as CpuSimulation::read_crossbar (the exact
// solve reads the circuit instead, without either, as on the CPU).
template <bool kExact, bool kDevices>
__device__ bool deliver(const DeviceNetwork& net, const Instance& in, uint32_t n_input_spikes,
                        const uint32_t* spikes_of, ExactShared& exact_shared, const DeviceStepKey& key,
                        DeviceTally& mine) {
  const DevicePopulation& layer = net.populations[net.learning_layer];
  const uint32_t n = net.n_neurons;
  float* target = (net.crossbar_inhibitory ? in.gi : in.ge) + layer.offset;
  if constexpr (kExact) {
    // No spiking row, no current: the CPU skips the solve too.
    if (n_input_spikes > 0 && !exact_crossbar_drive(net, in, n_input_spikes, target, exact_shared)) return false;
  } else if constexpr (kDevices) {
    DeviceBlock block;
    device_read(block, *net.device, key, in.read, n, in.input_list, n_input_spikes, target, mine);
  } else {
    for (uint32_t j = threadIdx.x; j < n; j += blockDim.x) {
      float acc = target[j];
      for (uint32_t s = 0; s < n_input_spikes; ++s) acc += in.read[static_cast<size_t>(in.input_list[s]) * n + j];
      target[j] = acc;
    }
    __syncthreads();
  }
  for (uint32_t q = 0; q < net.n_projections; ++q) {
    const DeviceProjection& proj = net.projections[q];
    const DevicePopulation& from = net.populations[proj.from];
    const DevicePopulation& to = net.populations[proj.to];
    const uint32_t* list = in.spike_list + from.offset;
    const uint32_t count = spikes_of[proj.from];
    float* channel = (proj.inhibitory ? in.gi : in.ge) + to.offset;
    if (!proj.all_but_self) {
      for (uint32_t s = threadIdx.x; s < count; s += blockDim.x) channel[list[s]] += proj.weight;
    } else {
      for (uint32_t k = threadIdx.x; k < to.size; k += blockDim.x) {
        float acc = channel[k];
        for (uint32_t s = 0; s < count; ++s) {
          if (list[s] != k) acc += proj.weight;
        }
        channel[k] = acc;
      }
    }
    __syncthreads();
  }
  return true;
}

// Through devices: CpuSimulation's apply_stdp / apply_window_stdp with write_cell.
__device__ void device_learn_step(const DeviceNetwork& net, const Instance& in, uint32_t n_input_spikes,
                                  uint32_t n_post_spikes, uint64_t clock, const DeviceStepKey& key,
                                  DeviceTally& mine) {
  const uint32_t n = net.n_neurons;
  const uint32_t* post = in.spike_list + net.populations[net.learning_layer].offset;
  const DeviceProgramming& p = *net.device;
  DeviceBlock block;
  if (!net.window_rule) {
    device_stdp_pre_writes(block, p, key, net.stdp, in.g, n, in.input_list, n_input_spikes, in.post1, mine);
    block.for_each(n_input_spikes, [&](uint32_t s) { in.pre[in.input_list[s]] = 1.0f; });
    device_stdp_post_writes(block, p, key, net.stdp, in.g, n, net.n_inputs, post, n_post_spikes, in.pre, in.post2,
                            mine);
    block.for_each(n_post_spikes, [&](uint32_t k) {
      in.post1[post[k]] = 1.0f;
      in.post2[post[k]] = 1.0f;
    });
  } else {
    block.for_each(n_input_spikes, [&](uint32_t s) { in.last_pre[in.input_list[s]] = clock; });
    device_window_writes(block, p, key, net.window, net.window_table, clock, in.g, n, net.n_inputs, post,
                         n_post_spikes, in.last_pre, mine);
  }
}

// Trace STDP (pre spikes, then post spikes) or the window rule, as CpuSimulation.
template <bool kDevices>
__device__ void learn_step(const DeviceNetwork& net, const Instance& in, uint32_t n_input_spikes,
                           uint32_t n_post_spikes, uint64_t clock, const DeviceStepKey& key, DeviceTally& mine) {
  if constexpr (kDevices) {
    device_learn_step(net, in, n_input_spikes, n_post_spikes, clock, key, mine);
    return;
  }
  const uint32_t n = net.n_neurons;
  const uint32_t* post = in.spike_list + net.populations[net.learning_layer].offset;
  const float lo = net.w_min, hi = net.w_max;
  if (!net.window_rule) {
    if (n_input_spikes > 0) {
      for (uint32_t j = threadIdx.x; j < n; j += blockDim.x) {
        const float dw = stdp_dw_on_pre(net.stdp, in.post1[j]);
        for (uint32_t s = 0; s < n_input_spikes; ++s) {
          float& cell = in.g[static_cast<size_t>(in.input_list[s]) * n + j];
          cell = ideal_device_update(cell, dw, lo, hi);
        }
      }
      for (uint32_t s = threadIdx.x; s < n_input_spikes; s += blockDim.x) in.pre[in.input_list[s]] = 1.0f;
      __syncthreads();
    }
    for (uint32_t k = 0; k < n_post_spikes; ++k) {
      const uint32_t j = post[k];
      const float post2 = in.post2[j];
      for (uint32_t i = threadIdx.x; i < net.n_inputs; i += blockDim.x) {
        float& cell = in.g[static_cast<size_t>(i) * n + j];
        cell = ideal_device_update(cell, stdp_dw_on_post(net.stdp, in.pre[i], post2), lo, hi);
      }
    }
    __syncthreads();
    for (uint32_t k = threadIdx.x; k < n_post_spikes; k += blockDim.x) {
      in.post1[post[k]] = 1.0f;
      in.post2[post[k]] = 1.0f;
    }
  } else {
    for (uint32_t s = threadIdx.x; s < n_input_spikes; s += blockDim.x) in.last_pre[in.input_list[s]] = clock;
    __syncthreads();
    for (uint32_t k = 0; k < n_post_spikes; ++k) {
      const uint32_t j = post[k];
      for (uint32_t i = threadIdx.x; i < net.n_inputs; i += blockDim.x) {
        float& cell = in.g[static_cast<size_t>(i) * n + j];
        cell = ideal_device_update(cell, window_dw(net.window, net.window_table, clock - in.last_pre[i]), lo, hi);
      }
    }
  }
  __syncthreads();
}

// One time step; with `draw`, inputs spike (a presentation step), else none (rest).
// Returns the learning layer's spikes and adds inputs to *input_spikes. `stop` is set
// (alike on every thread) when the exact IR-drop solve did not converge. kDevices: the
// step's device clock keys the device noise, and `mine` takes this thread's pulses and energy.
template <int kThreads, bool kExact, bool kDevices>
__device__ uint32_t step(const DeviceNetwork& net, const Instance& in, const WorkItem& w, bool draw, uint32_t t,
                         uint64_t clock, bool count, typename BlockTypes<kThreads>::Temp& temp, Margin& s_winner,
                         ExactShared& exact_shared, uint32_t& input_spikes, bool& stop, uint64_t device_clock,
                         DeviceTally& mine) {
  const bool learn = w.learn != 0;
  DeviceStepKey key;
  if constexpr (kDevices) {  // CpuSimulation: the clock while learning, else the image
    key.seed = w.seed;
    key.clock = static_cast<uint32_t>(device_clock);
    key.read = learn ? clock_read_key(net.device->projection, key.clock)
                     : image_read_key(net.device->projection, w.stream, w.sample, w.steps, t);
  }
  const uint32_t n_in = draw ? draw_inputs<kThreads>(net, in, w, t, temp) : 0;
  input_spikes = n_in;
  if (learn && !net.window_rule) {
    for (uint32_t i = threadIdx.x; i < net.n_inputs; i += blockDim.x) {
      in.pre[i] = decay_and_flush(in.pre[i], net.stdp.decay_pre);
    }
    for (uint32_t j = threadIdx.x; j < net.n_neurons; j += blockDim.x) {
      in.post1[j] = decay_and_flush(in.post1[j], net.stdp.decay_post1);
      in.post2[j] = decay_and_flush(in.post2[j], net.stdp.decay_post2);
    }
  }
  uint32_t spikes_of[kMaxDevicePopulations] = {};
  for (uint32_t p = 0; p < net.n_populations; ++p) {
    spikes_of[p] = integrate_population<kThreads>(net, in, p, learn, temp, s_winner);
  }
  __syncthreads();
  if (!deliver<kExact, kDevices>(net, in, n_in, spikes_of, exact_shared, key, mine)) {
    stop = true;
    return 0;
  }
  const uint32_t n_post = spikes_of[net.learning_layer];
  if (learn && net.plastic) learn_step<kDevices>(net, in, n_in, n_post, clock, key, mine);
  if (count) {
    const uint32_t* post = in.spike_list + net.populations[net.learning_layer].offset;
    for (uint32_t k = threadIdx.x; k < n_post; k += blockDim.x) ++in.counts[post[k]];
  }
  __syncthreads();
  return n_post;
}

// The block's pulses and energy added to its instance's tally: one sum per field in cub's
// fixed order (repeatable run to run); pulses are integers, so exact.
template <int kThreads>
__device__ void add_block_tally(const DeviceTally& mine, DeviceTally* out) {
  using SumU = cub::BlockReduce<unsigned long long, kThreads>;
  using SumD = cub::BlockReduce<double, kThreads>;
  __shared__ union {
    typename SumU::TempStorage u;
    typename SumD::TempStorage d;
  } temp;
  const unsigned long long pot = SumU(temp.u).Sum(static_cast<unsigned long long>(mine.pot_pulses));
  __syncthreads();
  const unsigned long long dep = SumU(temp.u).Sum(static_cast<unsigned long long>(mine.dep_pulses));
  __syncthreads();
  const double program = SumD(temp.d).Sum(mine.program_energy_J);
  __syncthreads();
  const double read = SumD(temp.d).Sum(mine.read_energy_J);
  if (threadIdx.x == 0) out->add(DeviceTally{pot, dep, program, read});
}

template <int kThreads, bool kExact, bool kDevices>
__global__ void __launch_bounds__(kThreads) simulate_kernel(DeviceNetwork net, DeviceState state,
                                                            const WorkItem* items) {
  __shared__ typename BlockTypes<kThreads>::Temp temp;
  __shared__ Margin s_winner;
  __shared__ ExactShared s_exact;
  const WorkItem w = items[blockIdx.x];
  const Instance in = bind(net, state, w.instance);
  if (w.reset_first) {
    reset_instance(net, in);
    __syncthreads();
  }
  uint64_t clock = *in.clock;
  uint64_t device_clock = kDevices ? *in.device_clock : 0;  // every thread counts alike
  DeviceTally mine;
  uint32_t input_spikes = 0;
  bool stop = false;
  for (uint32_t t = 0; t < w.rest_steps && !stop; ++t) {
    step<kThreads, kExact, kDevices>(net, in, w, false, t, ++clock, false, temp, s_winner, s_exact, input_spikes,
                                     stop, ++device_clock, mine);
  }
  if (w.pixels != nullptr && !stop) {
    for (uint32_t i = threadIdx.x; i < net.n_inputs; i += kThreads) {
      in.thresholds[i] = pixel_threshold(w.pixels[i], w.max_rate_hz, net.dt_s);
    }
    for (uint32_t j = threadIdx.x; j < net.n_neurons; j += kThreads) in.counts[j] = 0;
    __syncthreads();
    unsigned long long layer_total = 0, input_total = 0;
    for (uint32_t t = 0; t < w.steps && !stop; ++t) {
      layer_total += step<kThreads, kExact, kDevices>(net, in, w, true, t, ++clock, true, temp, s_winner, s_exact,
                                                      input_spikes, stop, ++device_clock, mine);
      input_total += input_spikes;
    }
    if (threadIdx.x == 0) {
      in.totals[0] = layer_total;
      in.totals[1] = input_total;
    }
  }
  if constexpr (kDevices) {
    __syncthreads();  // the tally's sums are collective: every thread gets here
    add_block_tally<kThreads>(mine, in.tally);
    if (threadIdx.x == 0) *in.device_clock = device_clock;
  }
  if (threadIdx.x == 0) *in.clock = clock;
}

__global__ void reset_kernel(DeviceNetwork net, DeviceState state, uint32_t first) {
  reset_instance(net, bind(net, state, first + blockIdx.x));
}

// One thread per (instance, column): the column sum in double over ascending inputs.
__global__ void normalize_columns_kernel(float* g, uint32_t n_inputs, uint32_t n_neurons, const uint32_t* instances,
                                         uint32_t count, double target, float w_max) {
  const uint64_t id = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (id >= static_cast<uint64_t>(count) * n_neurons) return;
  const uint32_t j = static_cast<uint32_t>(id % n_neurons);
  const uint64_t slot = id / n_neurons;
  const uint64_t instance = instances ? instances[slot] : slot;
  float* column = g + instance * static_cast<size_t>(n_inputs) * n_neurons + j;
  double sum = 0.0;
  for (uint32_t i = 0; i < n_inputs; ++i) sum += column[static_cast<size_t>(i) * n_neurons];
  const float factor = normalization_factor(sum, target);
  for (uint32_t i = 0; i < n_inputs; ++i) {
    float& w = column[static_cast<size_t>(i) * n_neurons];
    w = normalized_weight(w, factor, w_max);
  }
}

// Threads per block: enough for the widest loop (neurons of a population, groups of 4
// inputs; with exact IR drop the row lines of a tile), within 128 .. 1024.
uint32_t block_size(const DeviceNetwork& net, bool exact) {
  uint32_t widest = (net.n_inputs + 3) / 4;
  for (uint32_t p = 0; p < net.n_populations; ++p) widest = widest > net.populations[p].size ? widest : net.populations[p].size;
  if (exact && net.exact.tile_rows > widest) widest = net.exact.tile_rows;
  if (widest <= 128) return 128;
  if (widest <= 256) return 256;
  if (widest <= 512) return 512;
  return 1024;
}

template <bool kExact, bool kDevices>
void launch_sized(const DeviceNetwork& net, const DeviceState& state, const WorkItem* items, uint32_t n_items,
                  cudaStream_t stream) {
  switch (block_size(net, kExact)) {
    case 128: simulate_kernel<128, kExact, kDevices><<<n_items, 128, 0, stream>>>(net, state, items); break;
    case 256: simulate_kernel<256, kExact, kDevices><<<n_items, 256, 0, stream>>>(net, state, items); break;
    case 512: simulate_kernel<512, kExact, kDevices><<<n_items, 512, 0, stream>>>(net, state, items); break;
    default: simulate_kernel<1024, kExact, kDevices><<<n_items, 1024, 0, stream>>>(net, state, items); break;
  }
}

template <bool kExact>
void launch_devices(const DeviceNetwork& net, const DeviceState& state, const WorkItem* items, uint32_t n_items,
                    cudaStream_t stream) {
  if (net.device != nullptr) {
    launch_sized<kExact, true>(net, state, items, n_items, stream);
  } else {
    launch_sized<kExact, false>(net, state, items, n_items, stream);
  }
}

}  // namespace

void launch_simulate(const DeviceNetwork& net, const DeviceState& state, const WorkItem* items, uint32_t n_items,
                     cudaStream_t stream) {
  if (n_items == 0) return;
  if (state.exact_scratch != nullptr) {
    launch_devices<true>(net, state, items, n_items, stream);
  } else {
    launch_devices<false>(net, state, items, n_items, stream);
  }
  CUDA_CHECK_LAUNCH();
}

void launch_reset(const DeviceNetwork& net, const DeviceState& state, uint32_t first, uint32_t count,
                  cudaStream_t stream) {
  if (count == 0) return;
  reset_kernel<<<count, 256, 0, stream>>>(net, state, first);
  CUDA_CHECK_LAUNCH();
}

void launch_normalize_columns(float* g, uint32_t n_inputs, uint32_t n_neurons, const uint32_t* instances,
                              uint32_t count, double target, float w_max, cudaStream_t stream) {
  const uint64_t work = static_cast<uint64_t>(count) * n_neurons;
  if (work == 0) return;
  constexpr uint32_t kThreads = 128;
  normalize_columns_kernel<<<static_cast<uint32_t>((work + kThreads - 1) / kThreads), kThreads, 0, stream>>>(
      g, n_inputs, n_neurons, instances, count, target, w_max);
  CUDA_CHECK_LAUNCH();
}

}  // namespace memsnn
