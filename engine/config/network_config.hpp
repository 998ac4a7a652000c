// The network description: plain structs with defaults, read from JSON (config_json.cpp).
// Every key, default, unit and source is documented in docs/config.md.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "device/device_noise.hpp"
#include "model/neuron.hpp"

namespace memsnn {

struct AdaptiveThresholdConfig {
  bool enabled = false;
  double theta_init_mV = 20.0;   // D&C: theta starts at 20 mV
  double theta_plus_mV = 0.05;   // per spike
  double tau_theta_ms = 1e7;
  double offset_mV = 20.0;       // threshold = v_thresh + theta - offset
  double theta_min_mV = 0.0;     // theta clamped to [theta_min, theta_max] while learning
  double theta_max_mV = 1e6;
};

struct PopulationConfig {
  NeuronKind type = NeuronKind::kLifConductance;
  uint32_t size = 100;
  double v_rest_mV = -65.0;
  double v_reset_mV = -65.0;
  double v_thresh_mV = -52.0;
  double tau_m_ms = 100.0;
  double refractory_ms = 5.0;
  double spike_block_ms = 0.0;   // no spike until this long after the last (D&C timer quirk)
  double e_exc_mV = 0.0;
  double e_inh_mV = -100.0;
  double tau_ge_ms = 1.0;        // 0: delta synapses (current and IF kinds)
  double tau_gi_ms = 2.0;
  bool refractory_leak = false;  // refractory v relaxes toward v_rest instead of being held
  double v_floor_mV = -1000.0;   // v is clamped to at least this (default: never binds)
  AdaptiveThresholdConfig adaptive_threshold;
};

enum class ProjectionKind { kDenseCrossbar, kOneToOne, kAllButSelf, kWinnerTakeAll };
enum class Channel { kExcitatory, kInhibitory };

struct ProjectionConfig {
  ProjectionKind type = ProjectionKind::kDenseCrossbar;
  std::string from;
  std::string to;
  Channel target = Channel::kExcitatory;
  double weight = 1.0;           // fixed weight (one_to_one, all_but_self); winner_take_all:
                                 // the drop of the losers' v (mV)
  double refractory_ms = 0.0;    // winner_take_all: how long the losers are held
  bool plastic = true;           // dense_crossbar: learns with the learning rule
  std::string init_distribution = "uniform";  // dense_crossbar initial weights:
  double init_scale = 0.3;       // uniform: w = init_scale * (U[0,1) + init_offset)
  double init_offset = 0.01;
  double init_mean = 0.5;        // normal: w ~ N(init_mean, init_std), clipped to [w_min, w_max]
  double init_std = 0.1;
};

struct LearningConfig {
  std::string type = "stdp";     // "stdp" (D&C trace rule), "window" (post-triggered window
                                 // rule, model/window_stdp.hpp) or "none"
  double tau_pre_ms = 20.0;
  double tau_post1_ms = 20.0;
  double tau_post2_ms = 40.0;
  double nu_pre = 1e-4;
  double nu_post = 1e-2;
  double w_min = 0.0;
  double w_max = 1.0;
  double normalize_sum = 78.0;   // each neuron's input weights scaled to this sum before
                                 // each training image; 0 = off
  double a_plus = 0.005;         // window rule: potentiation at dt = 0
  double a_minus = 0.003;        // window rule: depression outside the window
  double tau_plus_ms = 4.0;      // window rule: decay of the potentiation with dt
  double window_ms = 10.0;       // window rule: inputs that spiked this recently potentiate
};

// The memristor device of the crossbar's cells (device/, docs/devices.md): the model (a
// preset or a model object, device/device_json.hpp), how learning programs it, and its
// non-idealities.
struct DeviceConfig {
  std::string type = "ideal";         // the model's type, as resolved
  double g_min_S = 1e-6;              // the model's read range (for the ideal device: set here)
  double g_max_S = 1e-4;
  std::string model_json;             // the resolved model (device_to_json); empty: ideal
  std::string mapping = "pulse_count";   // "pulse_count" or "trace_voltage" (Spikelearn)
  std::string rounding = "stochastic";   // pulse count: "stochastic" or "deterministic"
  double trace_v_max_pot_V = 0.0;     // trace mapping: amplitude at trace 1; 0 = the model's pulse
  double trace_v_max_dep_V = 0.0;
  std::string normalization = "reprogram";  // "reprogram" (write-and-verify) or "off"
  double read_width_s = 1e-8;         // read pulse, for the read energy
  DeviceNonIdealities nonideal;
};

// IR drop (crossbar/ir_drop.hpp, docs/crossbar.md): wire resistances of the circuit in
// crossbar/circuit.hpp, how the network reads it, and the relaxation solver's settings.
struct CrossbarConfig {
  std::string type = "ideal";
  double v_read_V = 0.2;
  std::string ir_drop = "none";       // "none", "exact" (solve every step) or "weff"
  double r_row_ohm = 1.0;             // word-line segment per cell
  double r_col_ohm = 1.0;             // bit-line segment per cell
  double r_source_ohm = 0.0;
  double r_sense_ohm = 0.0;
  uint32_t tile_rows = 0;             // arrays of at most this many rows; 0 = one array
  uint32_t tile_cols = 0;
  std::string weff_refresh = "image"; // while learning: "step" (= exact), "image", "images"
  uint32_t weff_refresh_images = 100; // "images": rebuild W_eff every this many images
  double solver_tol = 1e-9;           // relaxation residual (crossbar/relaxation_solver.hpp)
  uint32_t solver_max_iterations = 200;
  double solver_damping = 1.0;
};

struct EncoderConfig {
  std::string type = "poisson";
  double max_rate_hz = 63.75;        // pixel 255 -> this rate
  double retry_rate_step_hz = 32.0;  // added to max_rate per retry
  uint32_t min_spikes = 5;           // retry while the learning layer fires fewer
  uint32_t max_retries = 20;         // then give up on the image (counted in metrics)
  uint32_t downsample = 1;           // k x k pixels become one input
  std::string downsample_mode = "mean";  // "mean" of the block, or "nearest" (its top-left)
};

// Most ensemble members one run may ask for (memory grows with it: one crossbar each).
constexpr uint32_t kMaxEnsemble = 1024;

struct ProtocolConfig {
  double presentation_ms = 350.0;
  double test_presentation_ms = 0.0; // labelling and testing; 0 = presentation_ms
  double rest_ms = 150.0;
  std::string between = "rest";      // "rest": simulate rest_ms without input; "reset"
  uint32_t epochs = 1;
  uint32_t train_samples = 0;        // 0 = the whole training set
  uint32_t test_samples = 0;         // 0 = the whole test set
  uint32_t label_window = 10000;     // latest training responses used to assign labels
  uint32_t label_interval = 1000;    // reassign labels this often while training (progress)
  bool shuffle_epochs = false;       // reshuffle training order after the first epoch
  std::vector<uint32_t> classes;     // train and test on these classes only; empty = all
  uint32_t ensemble = 1;             // networks learning the same images, member k with seed + k
};

struct NetworkConfig {
  std::string name = "unnamed";
  double dt_ms = 0.5;
  uint64_t seed = 0;
  std::map<std::string, PopulationConfig> populations;   // "input" must be kPoisson
  std::map<std::string, ProjectionConfig> projections;
  LearningConfig learning;
  DeviceConfig device;
  CrossbarConfig crossbar;
  EncoderConfig encoder;
  ProtocolConfig protocol;
};

// Parses and validates a full description. Unknown keys, wrong types and out-of-range
// values throw ConfigError naming the key path and the allowed range.
NetworkConfig config_from_json(const nlohmann::json& j);
nlohmann::json config_to_json(const NetworkConfig& c);

// Resolves a config document: {"base": "<preset>", ...overrides} is the preset with the
// rest merged over it (RFC 7386 merge patch); a document without "base" is used as is.
nlohmann::json resolve_config_document(const nlohmann::json& doc);

// Reads a JSON file. ConfigError naming the file on any parse failure, with the key being
// read ("invalid JSON at key 'dt_ms': number overflow ..."), raw bytes escaped.
nlohmann::json read_json_file(const std::string& path);

// Presets compiled into the binary from engine/presets/*.json.
nlohmann::json preset_json(const std::string& name);
std::string preset_names();  // "a, b, c" for error messages and --help

const char* neuron_kind_name(NeuronKind k);

}  // namespace memsnn
