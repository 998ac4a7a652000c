// Launchers of the CUDA network simulation: plain C++ (C++17) so the backend's host code
// and the kernels share these structs. Everything a kernel reads is a trivially copyable
// view: the network's constants by value, state and work items through device pointers.
//
// One thread block simulates one network instance for one work item (a presentation, a
// rest, or both): the whole time loop runs inside the kernel, so a presentation costs one
// launch. Instances are independent: a launch with many items fills the GPU (inference
// batches, ensembles); exact training is one item on one instance.
#pragma once

#include <cstddef>
#include <cstdint>

#include <cuda_runtime.h>

#include "device/device_programming.hpp"
#include "kernels/exact_drive.hpp"
#include "model/neuron.hpp"
#include "model/stdp.hpp"
#include "model/window_stdp.hpp"

namespace memsnn {

constexpr uint32_t kMaxDevicePopulations = 4;
constexpr uint32_t kMaxDeviceProjections = 8;

struct DevicePopulation {
  NeuronConstants constants;
  uint32_t size = 0;
  uint32_t offset = 0;     // first neuron of this population in an instance's neuron arrays
  float v_init = 0.0f;     // mV
};

struct DeviceProjection {  // one_to_one or all_but_self
  int32_t all_but_self = 0;
  uint32_t from = 0;       // population indices
  uint32_t to = 0;
  int32_t inhibitory = 0;  // adds to gi (else ge)
  float weight = 0.0f;
};

// The constants of a Network (network/network.hpp) as kernels see them.
struct DeviceNetwork {
  uint32_t n_inputs = 0;
  uint32_t n_populations = 0;
  uint32_t total_neurons = 0;          // all populations of one instance
  uint32_t learning_layer = 0;         // population index the crossbar feeds
  uint32_t n_neurons = 0;              // its size
  int32_t crossbar_inhibitory = 0;     // crossbar adds to gi (else ge)
  DevicePopulation populations[kMaxDevicePopulations];
  uint32_t n_projections = 0;
  DeviceProjection projections[kMaxDeviceProjections];
  int32_t wta_population = -1;
  float wta_drop = 0.0f;               // mV
  int32_t wta_hold_steps = 0;
  int32_t plastic = 0;
  int32_t window_rule = 0;             // 1: window STDP, 0: trace STDP
  StdpConstants stdp;
  WindowStdpConstants window;
  const float* window_table = nullptr; // device, window_steps + 1 values
  float w_min = 0.0f;
  float w_max = 1.0f;
  double dt_s = 0.0;
  ExactCircuit exact;                  // the circuit an instance with exact scratch solves
  // Learning through devices (kernels/device_learning.hpp): writes through program_cell,
  // reads with read noise and energy. The programming lives in device memory (table
  // devices point at uploaded tables); nullptr: the plain ideal update.
  const DeviceProgramming* device = nullptr;
};

// State of many instances, instance-major (instance k's neuron j of population p is at
// k * total_neurons + offset_p + j). g and theta may be shared by all instances (stride 0,
// frozen inference) or one copy each (stride = size, ensembles).
struct DeviceState {
  float* v = nullptr;
  float* ge = nullptr;
  float* gi = nullptr;
  int32_t* since_spike = nullptr;
  int32_t* hold = nullptr;
  float* pre = nullptr;                // n_inputs per instance
  uint64_t* last_pre = nullptr;        // n_inputs per instance (window rule)
  float* post1 = nullptr;              // n_neurons per instance
  float* post2 = nullptr;
  uint64_t* clock = nullptr;           // one per instance
  float* g = nullptr;                  // n_inputs x n_neurons, row-major [input][neuron]
  size_t g_stride = 0;
  const float* read = nullptr;         // what the crossbar read adds instead of g (IR drop:
  size_t read_stride = 0;              // w' of crossbar/ir_drop.hpp); nullptr: g
  double* theta = nullptr;             // n_neurons (nullptr without adaptive threshold)
  size_t theta_stride = 0;
  uint32_t* thresholds = nullptr;      // scratch: n_inputs per instance
  uint32_t* input_list = nullptr;      // scratch: n_inputs per instance
  uint32_t* spike_list = nullptr;      // scratch: total_neurons per instance
  uint32_t* counts = nullptr;          // out: learning-layer spikes, n_neurons per instance
  unsigned long long* totals = nullptr;  // out: {layer, inputs} spikes per instance
  // IR drop solved every step (block_relaxation.hpp), training only: the crossbar read is
  // net.exact's circuit solved for the spiking rows of g. nullptr: read `read` (or g).
  double* exact_scratch = nullptr;     // exact_scratch_doubles(net.exact) per instance
  ExactStats* exact_stats = nullptr;   // out, one per instance, accumulated
  // Through devices: steps since the instance was created (every step, rests included;
  // reset() leaves it), keying write and read noise as CpuSimulation's device clock; and
  // the pulses and energy of every step, accumulated.
  uint64_t* device_clock = nullptr;    // one per instance
  DeviceTally* tally = nullptr;        // one per instance
};

// What one block does: optionally reset its instance, optionally rest, then present.
struct WorkItem {
  uint32_t instance = 0;
  int32_t reset_first = 0;             // jump to the resting state first
  uint32_t rest_steps = 0;             // steps without input before the presentation
  const uint8_t* pixels = nullptr;     // device, n_inputs; nullptr: no presentation
  uint32_t steps = 0;                  // presentation steps
  double max_rate_hz = 0.0;
  uint64_t seed = 0;
  uint32_t stream = 0;                 // input_stream(phase, attempt)
  uint32_t sample = 0;
  int32_t learn = 0;                   // learning rule and theta on (rest too)
};

// Runs items[0 .. n_items) (device array), one block each; counts and totals of an item
// with a presentation are overwritten with that presentation's.
void launch_simulate(const DeviceNetwork& net, const DeviceState& state, const WorkItem* items, uint32_t n_items,
                     cudaStream_t stream);

// Resting state for instances [first, first + count).
void launch_reset(const DeviceNetwork& net, const DeviceState& state, uint32_t first, uint32_t count,
                  cudaStream_t stream);

// Scales each neuron's input conductances to sum to `target`, clipped to w_max
// (CpuSimulation::normalize_columns), in the copies of g (stride n_inputs x n_neurons)
// named by `instances` (device, `count` of them; nullptr: copies 0 .. count-1).
void launch_normalize_columns(float* g, uint32_t n_inputs, uint32_t n_neurons, const uint32_t* instances,
                              uint32_t count, double target, float w_max, cudaStream_t stream);

}  // namespace memsnn
