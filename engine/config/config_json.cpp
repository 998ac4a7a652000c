// JSON <-> NetworkConfig with strict validation: every key is known, typed and in range.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/network_config.hpp"
#include "core/error.hpp"
#include "core/json_parse.hpp"
#include "core/json_fields.hpp"
#include "device/device_build.hpp"
#include "device/device_json.hpp"

namespace memsnn {
namespace {

using nlohmann::json;

constexpr double kHuge = 1e12;

// device: the model's keys go to device_from_json (which checks them); the programming and
// non-ideality keys are read here. A string names a preset.
void read_device(const json& d, DeviceConfig& x) {
  json model = d;
  if (d.is_object()) {
    json own = json::object();
    for (const char* k : {"mapping", "rounding", "trace_v_max_pot_V", "trace_v_max_dep_V", "normalization",
                          "read_width_s", "nonideal"}) {
      if (d.contains(k)) {
        own[k] = d.at(k);
        model.erase(k);
      }
    }
    JsonFields dr(own, "device");
    dr.choice("mapping", x.mapping, {"pulse_count", "trace_voltage"});
    dr.choice("rounding", x.rounding, {"stochastic", "deterministic"});
    dr.number("trace_v_max_pot_V", x.trace_v_max_pot_V, 0, 100, "V");
    dr.number("trace_v_max_dep_V", x.trace_v_max_dep_V, 0, 100, "V");
    dr.choice("normalization", x.normalization, {"reprogram", "off"});
    dr.number("read_width_s", x.read_width_s, 0, 1, "s", true);
    if (const json* n = dr.object("nonideal")) {
      JsonFields nr(*n, "device.nonideal");
      auto& q = x.nonideal;
      nr.number("c2c_sigma", q.c2c_sigma, 0, 1);
      nr.number("d2d_sigma", q.d2d_sigma, 0, kMaxD2dSigma);
      nr.number("read_sigma", q.read_sigma, 0, 1);
      nr.number("stuck_at_min", q.stuck_at_min, 0, 1);
      nr.number("stuck_at_max", q.stuck_at_max, 0, 1);
      nr.number("drift_nu", q.drift_nu, 0, 1);
      nr.number("drift_t0_s", q.drift_t0_s, 0, kHuge, "s", true);
      nr.number("drift_time_s", q.drift_time_s, 0, kHuge, "s");
      nr.finish();
      if (q.stuck_at_min + q.stuck_at_max > 1.0) {
        JsonFields::fail("device.nonideal.stuck_at_max", "stuck_at_min + stuck_at_max must not exceed 1");
      }
    }
    dr.finish();
  } else if (!d.is_string()) {
    JsonFields::fail("device", "must be a preset name or a JSON object");
  }
  const DeviceSpec spec = device_from_json(model, "device");
  x.type = device_kind_name(spec.model.kind);
  x.g_min_S = spec.model.g_min_S;
  x.g_max_S = spec.model.g_max_S;
  x.model_json = device_to_json(spec).dump();
}

const std::map<std::string, NeuronKind> kNeuronKinds = {
    {"poisson", NeuronKind::kPoisson},
    {"lif_conductance", NeuronKind::kLifConductance},
    {"lif_current", NeuronKind::kLifCurrent},
    {"if", NeuronKind::kIf}};
const std::map<std::string, ProjectionKind> kProjectionKinds = {
    {"dense_crossbar", ProjectionKind::kDenseCrossbar},
    {"one_to_one", ProjectionKind::kOneToOne},
    {"all_but_self", ProjectionKind::kAllButSelf},
    {"winner_take_all", ProjectionKind::kWinnerTakeAll}};

template <typename E>
std::vector<std::string> names_of(const std::map<std::string, E>& m) {
  std::vector<std::string> s;
  for (const auto& [k, v] : m) s.push_back(k);
  return s;
}

template <typename E>
std::string name_of(const std::map<std::string, E>& m, E value) {
  for (const auto& [k, v] : m) {
    if (v == value) return k;
  }
  return "?";
}

PopulationConfig read_population(const json& j, const std::string& path) {
  JsonFields r(j, path);
  PopulationConfig p;
  std::string type = "lif_conductance";
  r.choice("type", type, names_of(kNeuronKinds));
  p.type = kNeuronKinds.at(type);
  r.integer("size", p.size, 1, 1u << 20);
  if (p.type != NeuronKind::kPoisson) {
    r.number("v_rest_mV", p.v_rest_mV, -1000, 1000, "mV");
    r.number("v_reset_mV", p.v_reset_mV, -1000, 1000, "mV");
    r.number("v_thresh_mV", p.v_thresh_mV, -1000, 1000, "mV");
    r.number("tau_m_ms", p.tau_m_ms, 0, kHuge, "ms", true);
    r.number("refractory_ms", p.refractory_ms, 0, kHuge, "ms");
    r.number("spike_block_ms", p.spike_block_ms, 0, kHuge, "ms");
    r.number("e_exc_mV", p.e_exc_mV, -1000, 1000, "mV");
    r.number("e_inh_mV", p.e_inh_mV, -1000, 1000, "mV");
    r.number("tau_ge_ms", p.tau_ge_ms, 0, kHuge, "ms");
    r.number("tau_gi_ms", p.tau_gi_ms, 0, kHuge, "ms");
    r.boolean("refractory_leak", p.refractory_leak);
    r.number("v_floor_mV", p.v_floor_mV, -1000, 1000, "mV");
    if (p.type == NeuronKind::kLifConductance && (p.tau_ge_ms == 0 || p.tau_gi_ms == 0)) {
      JsonFields::fail(r.path("tau_ge_ms"), "conductance synapses need tau_ge_ms and tau_gi_ms > 0");
    }
    if (const json* a = r.object("adaptive_threshold")) {
      JsonFields ar(*a, r.path("adaptive_threshold"));
      auto& t = p.adaptive_threshold;
      ar.boolean("enabled", t.enabled);
      ar.number("theta_init_mV", t.theta_init_mV, 0, 1000, "mV");
      ar.number("theta_plus_mV", t.theta_plus_mV, 0, 1000, "mV");
      ar.number("tau_theta_ms", t.tau_theta_ms, 0, 1e300, "ms", true);
      ar.number("offset_mV", t.offset_mV, -1000, 1000, "mV");
      ar.number("theta_min_mV", t.theta_min_mV, 0, 1e6, "mV");
      ar.number("theta_max_mV", t.theta_max_mV, 0, 1e6, "mV");
      ar.finish();
      if (t.theta_min_mV > t.theta_max_mV) {
        JsonFields::fail(ar.path("theta_max_mV"), "must be at least theta_min_mV");
      }
      if (t.enabled && (t.theta_init_mV < t.theta_min_mV || t.theta_init_mV > t.theta_max_mV)) {
        JsonFields::fail(ar.path("theta_init_mV"), JsonFields::fmt(t.theta_init_mV) + " is outside [theta_min_mV, theta_max_mV] = [" +
                                                        JsonFields::fmt(t.theta_min_mV) + ", " + JsonFields::fmt(t.theta_max_mV) + "]");
      }
    }
  }
  r.finish();
  return p;
}

ProjectionConfig read_projection(const json& j, const std::string& path) {
  JsonFields r(j, path);
  ProjectionConfig p;
  std::string type = "dense_crossbar";
  r.choice("type", type, names_of(kProjectionKinds));
  p.type = kProjectionKinds.at(type);
  r.string("from", p.from);
  r.string("to", p.to);
  if (p.from.empty()) JsonFields::fail(r.path("from"), "is required");
  if (p.to.empty()) JsonFields::fail(r.path("to"), "is required");
  std::string target = "exc";
  r.choice("target", target, {"exc", "inh"});
  p.target = target == "exc" ? Channel::kExcitatory : Channel::kInhibitory;
  if (p.type == ProjectionKind::kDenseCrossbar) {
    r.boolean("plastic", p.plastic);
    r.choice("init_distribution", p.init_distribution, {"uniform", "normal"});
    r.number("init_scale", p.init_scale, 0, 1);
    r.number("init_offset", p.init_offset, 0, 1);
    r.number("init_mean", p.init_mean, 0, 1);
    r.number("init_std", p.init_std, 0, 1);
  } else {
    p.plastic = false;
    r.number("weight", p.weight, 0, kHuge, p.type == ProjectionKind::kWinnerTakeAll ? "mV" : "");
    if (p.type == ProjectionKind::kWinnerTakeAll) r.number("refractory_ms", p.refractory_ms, 0, kHuge, "ms");
  }
  r.finish();
  return p;
}

}  // namespace

const char* neuron_kind_name(NeuronKind k) {
  switch (k) {
    case NeuronKind::kPoisson: return "poisson";
    case NeuronKind::kLifConductance: return "lif_conductance";
    case NeuronKind::kLifCurrent: return "lif_current";
    case NeuronKind::kIf: return "if";
  }
  return "?";
}

namespace {

NetworkConfig read_config(const json& j) {
  JsonFields r(j, "");
  NetworkConfig c;
  r.string("name", c.name);
  r.number("dt_ms", c.dt_ms, 0, 100, "ms", true);
  r.integer("seed", c.seed, 0, std::numeric_limits<uint64_t>::max());
  std::string description;  // free text, ignored
  r.string("description", description);

  if (const json* pops = r.object("populations")) {
    for (const auto& [name, value] : pops->items()) {
      c.populations[name] = read_population(value, "populations." + name);
    }
  }
  if (c.populations.empty()) JsonFields::fail("populations", "at least one population is required");
  if (const json* projs = r.object("projections")) {
    for (const auto& [name, value] : projs->items()) {
      c.projections[name] = read_projection(value, "projections." + name);
    }
  }
  if (const json* l = r.object("learning")) {
    JsonFields lr(*l, "learning");
    auto& x = c.learning;
    lr.choice("type", x.type, {"stdp", "window", "none"});
    lr.number("tau_pre_ms", x.tau_pre_ms, 0, kHuge, "ms", true);
    lr.number("tau_post1_ms", x.tau_post1_ms, 0, kHuge, "ms", true);
    lr.number("tau_post2_ms", x.tau_post2_ms, 0, kHuge, "ms", true);
    lr.number("nu_pre", x.nu_pre, 0, 1);
    lr.number("nu_post", x.nu_post, 0, 1);
    lr.number("w_min", x.w_min, 0, 1);
    lr.number("w_max", x.w_max, 0, 1);
    lr.number("normalize_sum", x.normalize_sum, 0, kHuge);
    lr.number("a_plus", x.a_plus, 0, 1);
    lr.number("a_minus", x.a_minus, 0, 1);
    lr.number("tau_plus_ms", x.tau_plus_ms, 0, kHuge, "ms", true);
    lr.number("window_ms", x.window_ms, 0, 10000, "ms");
    lr.finish();
    if (x.w_min >= x.w_max) JsonFields::fail("learning.w_max", "must be greater than learning.w_min");
  }
  if (const json* d = r.any("device")) read_device(*d, c.device);
  if (const json* xj = r.object("crossbar")) {
    JsonFields xr(*xj, "crossbar");
    auto& x = c.crossbar;
    xr.choice("type", x.type, {"ideal"});
    xr.number("v_read_V", x.v_read_V, 0, 10, "V", true);
    xr.choice("ir_drop", x.ir_drop, {"none", "exact", "weff"});
    xr.number("r_row_ohm", x.r_row_ohm, 0, 1e6, "ohm");
    xr.number("r_col_ohm", x.r_col_ohm, 0, 1e6, "ohm");
    xr.number("r_source_ohm", x.r_source_ohm, 0, 1e6, "ohm");
    xr.number("r_sense_ohm", x.r_sense_ohm, 0, 1e6, "ohm");
    xr.integer("tile_rows", x.tile_rows, 0, 1u << 20);
    xr.integer("tile_cols", x.tile_cols, 0, 1u << 20);
    xr.choice("weff_refresh", x.weff_refresh, {"step", "image", "images"});
    xr.integer("weff_refresh_images", x.weff_refresh_images, 1, 1u << 30);
    xr.number("solver_tol", x.solver_tol, 0, 1e-2, "", true);
    xr.integer("solver_max_iterations", x.solver_max_iterations, 1, 1000000);
    xr.number("solver_damping", x.solver_damping, 0, 1, "", true);
    xr.finish();
  }
  if (const json* e = r.object("encoder")) {
    JsonFields er(*e, "encoder");
    auto& x = c.encoder;
    er.choice("type", x.type, {"poisson"});
    er.number("max_rate_hz", x.max_rate_hz, 0, 1e6, "Hz", true);
    er.number("retry_rate_step_hz", x.retry_rate_step_hz, 0, 1e6, "Hz");
    er.integer("min_spikes", x.min_spikes, 0, 1000000);
    er.integer("max_retries", x.max_retries, 0, 1000);
    er.integer("downsample", x.downsample, 1, 28);
    er.choice("downsample_mode", x.downsample_mode, {"mean", "nearest"});
    er.finish();
  }
  if (const json* p = r.object("protocol")) {
    JsonFields pr(*p, "protocol");
    auto& x = c.protocol;
    pr.number("presentation_ms", x.presentation_ms, 0, 1e6, "ms", true);
    pr.number("test_presentation_ms", x.test_presentation_ms, 0, 1e6, "ms");
    pr.number("rest_ms", x.rest_ms, 0, 1e6, "ms");
    pr.choice("between", x.between, {"rest", "reset"});
    pr.integer("epochs", x.epochs, 0, 100000);
    pr.integer("train_samples", x.train_samples, 0, 100000000);
    pr.integer("test_samples", x.test_samples, 0, 100000000);
    pr.integer("label_window", x.label_window, 1, 100000000);
    pr.integer("label_interval", x.label_interval, 1, 100000000);
    pr.boolean("shuffle_epochs", x.shuffle_epochs);
    pr.class_list("classes", x.classes);
    pr.integer("ensemble", x.ensemble, 1, kMaxEnsemble);
    pr.finish();
  }
  r.finish();
  return c;
}

}  // namespace

NetworkConfig config_from_json(const json& j) {
  if (j.is_object() && j.contains("layers")) {  // deep/layer_net_config.hpp reads those
    throw ConfigError("config key 'layers': a layer network (trained by surrogate gradients), not an STDP network; "
                      "snn_gpu_train trains it (docs/supervised.md), this program takes STDP networks");
  }
  try {
    return read_config(j);
  } catch (const json::exception& e) {  // an access JsonFields does not guard: still a config error
    throw ConfigError("config: " + json_exception_text(e));
  }
}

json config_to_json(const NetworkConfig& c) {
  json j;
  j["name"] = c.name;
  j["dt_ms"] = c.dt_ms;
  j["seed"] = c.seed;
  for (const auto& [name, p] : c.populations) {
    json q;
    q["type"] = neuron_kind_name(p.type);
    q["size"] = p.size;
    if (p.type != NeuronKind::kPoisson) {
      q["v_rest_mV"] = p.v_rest_mV;
      q["v_reset_mV"] = p.v_reset_mV;
      q["v_thresh_mV"] = p.v_thresh_mV;
      q["tau_m_ms"] = p.tau_m_ms;
      q["refractory_ms"] = p.refractory_ms;
      q["spike_block_ms"] = p.spike_block_ms;
      q["e_exc_mV"] = p.e_exc_mV;
      q["e_inh_mV"] = p.e_inh_mV;
      q["tau_ge_ms"] = p.tau_ge_ms;
      q["tau_gi_ms"] = p.tau_gi_ms;
      q["refractory_leak"] = p.refractory_leak;
      q["v_floor_mV"] = p.v_floor_mV;
      const auto& t = p.adaptive_threshold;
      q["adaptive_threshold"] = {{"enabled", t.enabled},           {"theta_init_mV", t.theta_init_mV},
                                 {"theta_plus_mV", t.theta_plus_mV}, {"tau_theta_ms", t.tau_theta_ms},
                                 {"offset_mV", t.offset_mV},         {"theta_min_mV", t.theta_min_mV},
                                 {"theta_max_mV", t.theta_max_mV}};
    }
    j["populations"][name] = q;
  }
  for (const auto& [name, p] : c.projections) {
    json q;
    q["type"] = name_of(kProjectionKinds, p.type);
    q["from"] = p.from;
    q["to"] = p.to;
    q["target"] = p.target == Channel::kExcitatory ? "exc" : "inh";
    if (p.type == ProjectionKind::kDenseCrossbar) {
      q["plastic"] = p.plastic;
      q["init_distribution"] = p.init_distribution;
      q["init_scale"] = p.init_scale;
      q["init_offset"] = p.init_offset;
      q["init_mean"] = p.init_mean;
      q["init_std"] = p.init_std;
    } else {
      q["weight"] = p.weight;
      if (p.type == ProjectionKind::kWinnerTakeAll) q["refractory_ms"] = p.refractory_ms;
    }
    j["projections"][name] = q;
  }
  const auto& l = c.learning;
  j["learning"] = {{"type", l.type},         {"tau_pre_ms", l.tau_pre_ms}, {"tau_post1_ms", l.tau_post1_ms},
                   {"tau_post2_ms", l.tau_post2_ms}, {"nu_pre", l.nu_pre}, {"nu_post", l.nu_post},
                   {"w_min", l.w_min},       {"w_max", l.w_max},           {"normalize_sum", l.normalize_sum},
                   {"a_plus", l.a_plus},     {"a_minus", l.a_minus},       {"tau_plus_ms", l.tau_plus_ms},
                   {"window_ms", l.window_ms}};
  const auto& dv = c.device;
  j["device"] = dv.model_json.empty() ? json{{"type", dv.type}, {"g_min_S", dv.g_min_S}, {"g_max_S", dv.g_max_S}}
                                      : json::parse(dv.model_json);
  j["device"].update({{"mapping", dv.mapping},
                      {"rounding", dv.rounding},
                      {"trace_v_max_pot_V", dv.trace_v_max_pot_V},
                      {"trace_v_max_dep_V", dv.trace_v_max_dep_V},
                      {"normalization", dv.normalization},
                      {"read_width_s", dv.read_width_s},
                      {"nonideal",
                       {{"c2c_sigma", dv.nonideal.c2c_sigma},
                        {"d2d_sigma", dv.nonideal.d2d_sigma},
                        {"read_sigma", dv.nonideal.read_sigma},
                        {"stuck_at_min", dv.nonideal.stuck_at_min},
                        {"stuck_at_max", dv.nonideal.stuck_at_max},
                        {"drift_nu", dv.nonideal.drift_nu},
                        {"drift_t0_s", dv.nonideal.drift_t0_s},
                        {"drift_time_s", dv.nonideal.drift_time_s}}}});
  const auto& x = c.crossbar;
  j["crossbar"] = {{"type", x.type},
                   {"v_read_V", x.v_read_V},
                   {"ir_drop", x.ir_drop},
                   {"r_row_ohm", x.r_row_ohm},
                   {"r_col_ohm", x.r_col_ohm},
                   {"r_source_ohm", x.r_source_ohm},
                   {"r_sense_ohm", x.r_sense_ohm},
                   {"tile_rows", x.tile_rows},
                   {"tile_cols", x.tile_cols},
                   {"weff_refresh", x.weff_refresh},
                   {"weff_refresh_images", x.weff_refresh_images},
                   {"solver_tol", x.solver_tol},
                   {"solver_max_iterations", x.solver_max_iterations},
                   {"solver_damping", x.solver_damping}};
  const auto& e = c.encoder;
  j["encoder"] = {{"type", e.type},
                  {"max_rate_hz", e.max_rate_hz},
                  {"retry_rate_step_hz", e.retry_rate_step_hz},
                  {"min_spikes", e.min_spikes},
                  {"max_retries", e.max_retries},
                  {"downsample", e.downsample},
                  {"downsample_mode", e.downsample_mode}};
  const auto& p = c.protocol;
  j["protocol"] = {{"presentation_ms", p.presentation_ms}, {"test_presentation_ms", p.test_presentation_ms},
                   {"rest_ms", p.rest_ms},
                   {"between", p.between},                 {"epochs", p.epochs},
                   {"train_samples", p.train_samples},     {"test_samples", p.test_samples},
                   {"label_window", p.label_window},       {"label_interval", p.label_interval},
                   {"shuffle_epochs", p.shuffle_epochs},   {"classes", p.classes},
                   {"ensemble", p.ensemble}};
  return j;
}

json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open config file");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw ConfigError(path + ": cannot read config file");
  json doc;
  const std::string error = parse_json_text(text, doc);
  if (!error.empty()) throw ConfigError(path + ": " + error);
  return doc;
}

json resolve_config_document(const json& doc) {
  if (!doc.is_object()) throw ConfigError("config: the document must be a JSON object");
  auto it = doc.find("base");
  if (it == doc.end()) return doc;
  if (!it->is_string()) throw ConfigError("config key 'base': must be a preset name");
  json merged = preset_json(it->get<std::string>());
  json patch = doc;
  patch.erase("base");
  merged.merge_patch(patch);
  return merged;
}

}  // namespace memsnn
