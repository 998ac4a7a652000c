// Topology validation and derived constants (double on the host, then float for the step).
#include "network/network.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "device/device_build.hpp"
#include "device/device_json.hpp"

namespace memsnn {
namespace {

[[noreturn]] void fail(const std::string& key, const std::string& what) {
  throw ConfigError("config key '" + key + "': " + what);
}

float decay(double dt_ms, double tau_ms) { return tau_ms > 0 ? static_cast<float>(std::exp(-dt_ms / tau_ms)) : 0.0f; }

// The device every cell is (device/device_programming.hpp): STDP goes through it unless it
// is the plain ideal device with every non-ideality off, where dw is written exactly.
void build_device(const NetworkConfig& config, Network& net) {
  const DeviceConfig& d = config.device;
  const DeviceSpec spec = d.model_json.empty() ? DeviceSpec{make_ideal_device(d.g_min_S, d.g_max_S), nullptr, ""}
                                               : device_from_json(nlohmann::json::parse(d.model_json), "device");
  net.device_table = spec.table;
  DeviceProgramming& p = net.device;
  p.model = spec.model;
  p.nonideal = d.nonideal;
  p.mapping = d.mapping == "trace_voltage" ? PulseMappingKind::kTraceVoltage : PulseMappingKind::kPulseCount;
  p.rounding = d.rounding == "deterministic" ? PulseRounding::kDeterministic : PulseRounding::kStochastic;
  p.trace_v_max_pot_V = d.trace_v_max_pot_V > 0 ? d.trace_v_max_pot_V : std::fabs(spec.model.pot_pulse.voltage_V);
  p.trace_v_max_dep_V = d.trace_v_max_dep_V > 0 ? d.trace_v_max_dep_V : std::fabs(spec.model.dep_pulse.voltage_V);
  p.v_read_V = config.crossbar.v_read_V;
  p.read_width_s = d.read_width_s;
  net.conductance = {spec.model.g_min_S, spec.model.g_max_S};
  const DeviceNonIdealities& n = d.nonideal;
  net.device_path = spec.model.kind != DeviceModelKind::kIdeal || n.c2c_sigma > 0 || n.d2d_sigma > 0 ||
                    n.read_sigma > 0 || n.any_fault() || p.mapping == PulseMappingKind::kTraceVoltage;
  if (p.mapping == PulseMappingKind::kTraceVoltage && config.learning.type != "stdp") {
    fail("device.mapping", "trace_voltage maps STDP traces to pulses: it needs learning.type \"stdp\"");
  }
  // Normalisation off: the devices are only ever written by the rule's pulses.
  if (d.normalization == "off") net.config.learning.normalize_sum = 0.0;
}

std::string number_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", x);
  return buf;
}

// Every ms -> time steps conversion: rounded, and refused when it does not fit the int32
// step counters (a cast would wrap: 2^30 ms at 0.5 ms became -2^31 steps). `key` names the
// config key in the error.
int32_t steps_of(const std::string& key, double ms, double dt_ms) {
  const double steps = std::round(ms / dt_ms);
  constexpr double kMaxSteps = std::numeric_limits<int32_t>::max();
  if (!std::isfinite(steps) || steps < 0.0 || steps > kMaxSteps) {
    fail(key, number_text(ms) + " ms is " + number_text(steps) + " time steps of " + number_text(dt_ms) +
                  " ms; at most " + number_text(kMaxSteps) + " time steps fit the step counter");
  }
  return static_cast<int32_t>(steps);
}

NeuronConstants derive(const std::string& name, const PopulationConfig& p, double dt) {
  const std::string key = "populations." + name + ".";
  NeuronConstants c;
  c.kind = p.type;
  c.v_rest = static_cast<float>(p.v_rest_mV);
  c.v_reset = static_cast<float>(p.v_reset_mV);
  c.v_thresh = static_cast<float>(p.v_thresh_mV);
  c.e_exc = static_cast<float>(p.e_exc_mV);
  c.e_inh = static_cast<float>(p.e_inh_mV);
  c.dt_over_tau_m = static_cast<float>(dt / p.tau_m_ms);
  c.decay_v = decay(dt, p.tau_m_ms);
  c.decay_ge = p.type == NeuronKind::kIf ? 0.0f : decay(dt, p.tau_ge_ms);
  c.decay_gi = p.type == NeuronKind::kIf ? 0.0f : decay(dt, p.tau_gi_ms);
  c.refractory_steps = steps_of(key + "refractory_ms", p.refractory_ms, dt);
  c.block_steps = steps_of(key + "spike_block_ms", p.spike_block_ms, dt);
  c.refractory_leak = p.refractory_leak;
  c.v_floor = static_cast<float>(p.v_floor_mV);
  const auto& t = p.adaptive_threshold;
  c.adaptive = t.enabled;
  c.theta_offset = static_cast<float>(t.offset_mV);
  c.theta_plus = t.theta_plus_mV;
  c.theta_decay = std::exp(-dt / t.tau_theta_ms);
  c.theta_min = t.theta_min_mV;
  c.theta_max = t.theta_max_mV;
  return c;
}

}  // namespace

Network build_network(const NetworkConfig& config, uint32_t image_rows, uint32_t image_cols) {
  Network net;
  net.config = config;
  const double dt = config.dt_ms;
  net.dt_s = dt * 1e-3;

  // Input population and the image shape it implies.
  const uint32_t k = config.encoder.downsample;
  if (image_rows % k != 0 || image_cols % k != 0) {
    fail("encoder.downsample", std::to_string(k) + " does not divide the " + std::to_string(image_rows) + "x" +
                                   std::to_string(image_cols) + " images");
  }
  net.image_rows = image_rows / k;
  net.downsample_nearest = config.encoder.downsample_mode == "nearest";
  net.image_cols = image_cols / k;
  net.n_inputs = net.image_rows * net.image_cols;
  auto in = config.populations.find("input");
  if (in == config.populations.end() || in->second.type != NeuronKind::kPoisson) {
    fail("populations.input", "a population named \"input\" of type \"poisson\" is required");
  }
  if (in->second.size != net.n_inputs) {
    fail("populations.input.size", std::to_string(in->second.size) + " does not match the " +
                                       std::to_string(net.n_inputs) + " inputs of the (downsampled) images");
  }

  std::map<std::string, uint32_t> index;
  for (const auto& [name, p] : config.populations) {
    if (p.type == NeuronKind::kPoisson) {
      if (name != "input") fail("populations." + name + ".type", "only the population \"input\" may be poisson");
      continue;
    }
    index[name] = static_cast<uint32_t>(net.populations.size());
    PopulationSpec spec;
    spec.name = name;
    spec.size = p.size;
    spec.constants = derive(name, p, dt);
    spec.v_init = static_cast<float>(p.v_rest_mV);
    net.populations.push_back(spec);
  }
  if (net.populations.empty()) fail("populations", "at least one neuron population is required");

  int crossbars = 0;
  for (const auto& [name, p] : config.projections) {
    const std::string key = "projections." + name;
    if (p.type == ProjectionKind::kDenseCrossbar) {
      if (p.from != "input") fail(key + ".from", "a dense_crossbar must start at \"input\"");
      auto to = index.find(p.to);
      if (to == index.end()) fail(key + ".to", "no neuron population named \"" + p.to + "\"");
      net.learning_layer = to->second;
      net.crossbar_target = p.target;
      net.plastic = p.plastic && config.learning.type != "none";
      ++crossbars;
      continue;
    }
    auto from = index.find(p.from);
    auto to = index.find(p.to);
    if (from == index.end()) fail(key + ".from", "no neuron population named \"" + p.from + "\"");
    if (to == index.end()) fail(key + ".to", "no neuron population named \"" + p.to + "\"");
    if (p.type == ProjectionKind::kWinnerTakeAll && p.from != p.to) {
      fail(key + ".to", "a winner_take_all projection must end where it starts");
    }
    if (net.populations[from->second].size != net.populations[to->second].size) {
      fail(key, "one_to_one and all_but_self need populations of equal size");
    }
    FixedProjectionSpec spec{name, p.type, from->second, to->second, p.target, static_cast<float>(p.weight), 0};
    if (p.type == ProjectionKind::kWinnerTakeAll) {
      if (net.wta_population >= 0) fail(key, "at most one winner_take_all projection is supported");
      spec.hold_steps = steps_of(key + ".refractory_ms", p.refractory_ms, dt);
      net.wta = spec;
      net.wta_population = static_cast<int32_t>(from->second);
      continue;
    }
    net.fixed_projections.push_back(spec);
  }
  if (crossbars != 1) fail("projections", "exactly one dense_crossbar from \"input\" is required (found " +
                                              std::to_string(crossbars) + ")");
  for (uint32_t i = 0; i < net.populations.size(); ++i) {
    if (i != net.learning_layer && net.populations[i].constants.adaptive) {
      fail("populations." + net.populations[i].name + ".adaptive_threshold",
           "only the population the crossbar feeds may have an adaptive threshold");
    }
  }

  const auto& l = config.learning;
  net.stdp.decay_pre = decay(dt, l.tau_pre_ms);
  net.stdp.decay_post1 = decay(dt, l.tau_post1_ms);
  net.stdp.decay_post2 = decay(dt, l.tau_post2_ms);
  net.stdp.nu_pre = static_cast<float>(l.nu_pre);
  net.stdp.nu_post = static_cast<float>(l.nu_post);
  if (l.type == "window") {
    net.rule = LearningRule::kWindowStdp;
    net.window.window_steps = static_cast<uint32_t>(steps_of("learning.window_ms", l.window_ms, dt));
    net.window.a_minus = static_cast<float>(l.a_minus);
    if (net.window.window_steps > kMaxWindowSteps) {
      fail("learning.window_ms", "spans more than " + std::to_string(kMaxWindowSteps) + " time steps");
    }
    for (uint32_t s = 0; s <= net.window.window_steps; ++s) {
      net.window_potentiation.push_back(static_cast<float>(l.a_plus * std::exp(-static_cast<double>(s) * dt / l.tau_plus_ms)));
    }
  }
  net.w_min = static_cast<float>(l.w_min);
  net.w_max = static_cast<float>(l.w_max);
  if (l.normalize_sum > 0 && l.normalize_sum > l.w_max * net.n_inputs) {
    fail("learning.normalize_sum", "cannot exceed w_max x inputs = " + std::to_string(l.w_max * net.n_inputs));
  }
  build_device(config, net);
  net.presentation_steps = static_cast<uint32_t>(steps_of("protocol.presentation_ms", config.protocol.presentation_ms, dt));
  net.rest_steps = static_cast<uint32_t>(steps_of("protocol.rest_ms", config.protocol.rest_ms, dt));
  net.between = config.protocol.between == "reset" ? BetweenImages::kReset : BetweenImages::kRest;
  if (net.presentation_steps == 0) fail("protocol.presentation_ms", "shorter than one time step");
  const double test_ms = config.protocol.test_presentation_ms;
  net.test_presentation_steps = test_ms > 0 ? static_cast<uint32_t>(steps_of("protocol.test_presentation_ms", test_ms, dt)) : net.presentation_steps;
  if (net.test_presentation_steps == 0) fail("protocol.test_presentation_ms", "shorter than one time step");
  return net;
}

NetworkState initial_state(const Network& net) { return initial_state(net, net.config.seed); }

NetworkState initial_state(const Network& net, uint64_t seed) {
  NetworkState s;
  s.n_inputs = net.n_inputs;
  s.n_neurons = net.n_neurons();
  s.g.resize(static_cast<size_t>(s.n_inputs) * s.n_neurons);
  const auto& proj = net.config.projections;
  ProjectionConfig crossbar;
  for (const auto& [name, p] : proj) {
    if (p.type == ProjectionKind::kDenseCrossbar) crossbar = p;
  }
  const bool normal = crossbar.init_distribution == "normal";
  const auto stream = static_cast<uint32_t>(Stream::kWeightInit);
  for (uint32_t i = 0; i < s.n_inputs; ++i) {
    for (uint32_t j = 0; j < s.n_neurons; ++j) {
      double w;
      if (normal) {  // Box-Muller on lanes 0 and 1 of the cell's own block (sample 1)
        const auto bits = philox_block(seed, stream, 1, i, j);
        const double u1 = (static_cast<double>(bits.v[0]) + 1.0) / 4294967296.0;  // (0, 1]
        const double u2 = static_cast<double>(bits.v[1]) / 4294967296.0;
        const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
        w = crossbar.init_mean + crossbar.init_std * z;
      } else {
        const float u = u32_to_unit_float(random_u32(seed, stream, 0, i, j));
        w = crossbar.init_scale * (u + crossbar.init_offset);
      }
      const auto cell = static_cast<uint32_t>(i * s.n_neurons + j);
      float clipped = static_cast<float>(std::fmin(std::fmax(w, net.w_min), net.w_max));
      // Through devices a cell starts on a state it can hold (or stuck).
      if (net.device_path) clipped = program_initial_weight(net.device, seed, cell, clipped);
      s.g[cell] = clipped;
    }
  }
  const auto& c = net.learning_constants();
  if (c.adaptive) {
    const auto& pops = net.config.populations;
    s.theta.assign(s.n_neurons, pops.at(net.populations[net.learning_layer].name).adaptive_threshold.theta_init_mV);
  }
  s.labels.assign(s.n_neurons, -1);
  return s;
}

void encode_image(const Network& net, const uint8_t* pixels, uint32_t rows, uint32_t cols, uint8_t* out) {
  const uint32_t k = net.config.encoder.downsample;
  const bool nearest = net.downsample_nearest;
  (void)rows;
  for (uint32_t r = 0; r < net.image_rows; ++r) {
    for (uint32_t c = 0; c < net.image_cols; ++c) {
      uint32_t value;
      if (nearest || k == 1) {
        value = pixels[(r * k) * cols + c * k];
      } else {
        uint32_t sum = 0;
        for (uint32_t dr = 0; dr < k; ++dr)
          for (uint32_t dc = 0; dc < k; ++dc) sum += pixels[(r * k + dr) * cols + c * k + dc];
        value = (sum + k * k / 2) / (k * k);
      }
      out[r * net.image_cols + c] = static_cast<uint8_t>(value);
    }
  }
}

}  // namespace memsnn
