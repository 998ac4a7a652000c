// The constants of a Network (network/network.hpp) as the shared time step reads them:
// plain, trivially copyable values, so a CUDA kernel takes them by value and the serial
// and threaded host executors read the very same struct.
//
// Pointers (the window table, the device programming, tables inside it) point at host
// memory when built by make_step_network; the CUDA backend repoints them at device copies.
#pragma once

#include <cstdint>

#include "crossbar/exact_drive.hpp"
#include "device/device_programming.hpp"
#include "model/neuron.hpp"
#include "model/stdp.hpp"
#include "model/window_stdp.hpp"

namespace memsnn {

struct Network;
struct IrDropSettings;

constexpr uint32_t kMaxStepPopulations = 4;
constexpr uint32_t kMaxStepProjections = 8;

struct StepPopulation {
  NeuronConstants constants;
  uint32_t size = 0;
  uint32_t offset = 0;  // first neuron of this population in an instance's neuron arrays
  float v_init = 0.0f;  // mV
};

struct StepProjection {  // one_to_one or all_but_self
  int32_t all_but_self = 0;
  uint32_t from = 0;       // population indices
  uint32_t to = 0;
  int32_t inhibitory = 0;  // adds to gi (else ge)
  float weight = 0.0f;
};

struct StepNetwork {
  uint32_t n_inputs = 0;
  uint32_t n_populations = 0;
  uint32_t total_neurons = 0;      // all populations of one instance
  uint32_t learning_layer = 0;     // population index the crossbar feeds
  uint32_t n_neurons = 0;          // its size
  int32_t crossbar_inhibitory = 0; // crossbar adds to gi (else ge)
  StepPopulation populations[kMaxStepPopulations];
  uint32_t n_projections = 0;
  StepProjection projections[kMaxStepProjections];
  int32_t wta_population = -1;
  float wta_drop = 0.0f;           // mV
  int32_t wta_hold_steps = 0;
  int32_t plastic = 0;
  int32_t window_rule = 0;         // 1: window STDP, 0: trace STDP
  StdpConstants stdp;
  WindowStdpConstants window;
  const float* window_table = nullptr;  // window_steps + 1 values
  float w_min = 0.0f;
  float w_max = 1.0f;
  double dt_s = 0.0;
  // Exact IR drop (crossbar/block_relaxation.hpp): the circuit an instance with exact
  // scratch solves every step.
  ExactCircuit exact;
  // Learning through devices (step/device_step.hpp): writes through program_cell, reads
  // with read noise and energy; nullptr: the plain ideal update.
  const DeviceProgramming* device = nullptr;
};

// BackendError when the network exceeds the step's fixed limits (populations, projections).
// Pointers refer to `net`, which must outlive the result.
StepNetwork make_step_network(const Network& net);

// The layer's circuit as the step solves it every step (ir_drop "exact" or weff_refresh
// "step"); BackendError for an invalid circuit or range.
ExactCircuit make_exact_circuit(const IrDropSettings& ir);

}  // namespace memsnn
