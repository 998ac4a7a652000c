// A network ready to simulate: the validated topology of a NetworkConfig and the constants
// derived from it once, in double, on the host. Backends take this and never re-read the
// config.
//
// Supported shape: one Poisson input population feeding one neuron population (the
// "learning layer") through a dense crossbar; any number of fixed one-to-one and
// all-but-self projections among neuron populations (lateral inhibition); at most one
// winner-take-all projection of a population onto itself.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/network_config.hpp"
#include "device/device_programming.hpp"
#include "device/device_table.hpp"
#include "model/device.hpp"
#include "model/neuron.hpp"
#include "model/stdp.hpp"
#include "model/window_stdp.hpp"

namespace memsnn {

struct PopulationSpec {
  std::string name;
  uint32_t size = 0;
  NeuronConstants constants;
  float v_init = 0.0f;           // mV, the resting potential
};

struct FixedProjectionSpec {
  std::string name;
  ProjectionKind kind = ProjectionKind::kOneToOne;
  uint32_t from = 0;             // index into Network::populations
  uint32_t to = 0;
  Channel target = Channel::kExcitatory;
  float weight = 0.0f;           // winner_take_all: the losers' drop of v (mV)
  int32_t hold_steps = 0;        // winner_take_all: steps the losers are held
};

enum class LearningRule { kTraceStdp, kWindowStdp };

// What happens between two presentations (protocol.between, resolved once).
enum class BetweenImages { kRest, kReset };

struct Network {
  NetworkConfig config;          // the resolved description it came from
  uint32_t n_inputs = 0;         // after downsampling
  uint32_t image_rows = 0;       // input image shape after downsampling
  uint32_t image_cols = 0;
  bool downsample_nearest = false;  // encoder.downsample_mode "nearest" (else "mean"), resolved once
  std::vector<PopulationSpec> populations;   // neuron populations (input excluded)
  uint32_t learning_layer = 0;               // index of the crossbar's target population
  Channel crossbar_target = Channel::kExcitatory;
  bool plastic = true;                       // crossbar learns (learning.type != none)
  std::vector<FixedProjectionSpec> fixed_projections;  // winner-take-all excluded
  int32_t wta_population = -1;              // population a winner-take-all acts on, -1: none
  FixedProjectionSpec wta;                  // its spec
  LearningRule rule = LearningRule::kTraceStdp;
  StdpConstants stdp;
  WindowStdpConstants window;
  std::vector<float> window_potentiation;    // window rule table, window_steps + 1 values
  float w_min = 0.0f;
  float w_max = 1.0f;
  ConductanceRange conductance;             // the device model's read range
  // Learning through devices (device/device_programming.hpp, docs/devices.md): on unless the
  // device is the plain ideal one with every non-ideality off (then STDP writes dw exactly).
  bool device_path = false;
  DeviceProgramming device;
  std::shared_ptr<const DeviceTable> device_table;  // owns what device.model's table points to
  uint32_t presentation_steps = 0;          // training
  uint32_t test_presentation_steps = 0;     // labelling and testing
  uint32_t rest_steps = 0;
  BetweenImages between = BetweenImages::kRest;
  double dt_s = 0.0;

  uint32_t n_neurons() const { return populations[learning_layer].size; }
  const NeuronConstants& learning_constants() const { return populations[learning_layer].constants; }
};

// Validates the topology against the data's image shape and derives every constant.
// Throws ConfigError naming the offending key.
Network build_network(const NetworkConfig& config, uint32_t image_rows, uint32_t image_cols);

// State that learning changes and a checkpoint keeps.
struct NetworkState {
  uint32_t n_inputs = 0;
  uint32_t n_neurons = 0;
  std::vector<float> g;          // crossbar cells, normalised conductance, [input][neuron]
  std::vector<double> theta;     // learning layer adaptive threshold (mV); empty if none
  std::vector<int32_t> labels;   // assigned class per learning-layer neuron, -1 = none
};

// Initial weights from the counter-based generator (stream kWeightInit): uniform, or normal
// by Box-Muller from two draws; theta_init.
NetworkState initial_state(const Network& net);
NetworkState initial_state(const Network& net, uint64_t seed);  // as if config.seed were `seed`

// Pixel intensities (0..255) of one image reduced to the network's input grid.
void encode_image(const Network& net, const uint8_t* pixels, uint32_t rows, uint32_t cols, uint8_t* out);

}  // namespace memsnn
