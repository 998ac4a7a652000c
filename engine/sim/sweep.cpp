// Sweep files: parsing, grid expansion and validation (sweep.hpp, docs/devices.md "Sweeps").
#include "sim/sweep.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "config/config_document.hpp"
#include "config/network_config.hpp"
#include "core/error.hpp"
#include "core/json_parse.hpp"

namespace memsnn {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

[[noreturn]] void fail(const std::string& key, const std::string& what) {
  throw ConfigError("sweep key '" + key + "': " + what);
}

// The sweep file keeps its key order (the first grid path is the plot's x axis); config
// documents are plain json like everywhere else.
json plain(const ordered_json& j) { return json::parse(j.dump()); }

const std::set<std::string> kSweepKeys = {"base",          "grid",         "seeds", "train_samples",
                                          "test_samples",  "neurons",      "epochs", "description"};

// "base": a preset name, a config file (relative to the sweep file), or a config document.
json resolve_base(const ordered_json& b, const std::string& base_dir) {
  if (b.is_object()) {
    try {
      return resolve_config_document(plain(b));
    } catch (const ConfigError& e) {
      fail("base", e.what());
    }
  }
  if (!b.is_string()) fail("base", "must be a preset name, a config file or a config object");
  const std::string name = b.get<std::string>();
  try {
    return preset_json(name);
  } catch (const ConfigError&) {
  }
  std::filesystem::path file(name);
  if (file.is_relative() && !base_dir.empty()) file = std::filesystem::path(base_dir) / file;
  if (!std::filesystem::is_regular_file(file)) {
    fail("base", "\"" + name + "\" is neither a preset (" + preset_names() + ") nor a config file");
  }
  try {
    return resolve_config_document(read_json_file(file.string()));
  } catch (const ConfigError& e) {
    fail("base", e.what());
  }
}

uint64_t unsigned_value(const ordered_json& v, const std::string& key) {
  if (!v.is_number_unsigned()) fail(key, "must be a non-negative integer");
  return v.get<uint64_t>();
}

// train_samples, test_samples, epochs and neurons, as snn_gpu_train's options set them.
void apply_overrides(const ordered_json& doc, json& base, json& echo) {
  for (const char* key : {"train_samples", "test_samples", "epochs"}) {
    if (!doc.contains(key)) continue;
    const uint64_t v = unsigned_value(doc[key], key);
    try {
      config_object(base, "protocol")[key] = v;
    } catch (const ConfigError& e) {
      fail("base", e.what());
    }
    echo[key] = v;
  }
  if (doc.contains("neurons")) {
    const uint64_t n = unsigned_value(doc["neurons"], "neurons");
    if (n == 0) fail("neurons", "must be at least 1");
    set_neuron_population_sizes(base, n);
    echo["neurons"] = n;
  }
}

std::vector<SweepAxis> parse_grid(const ordered_json& grid) {
  if (!grid.is_object() || grid.empty()) fail("grid", "must be an object of at least one \"path\": [values]");
  std::vector<SweepAxis> axes;
  size_t points = 1;
  for (const auto& [path, values] : grid.items()) {
    const std::string key = "grid." + path;
    if (path == "seed" || path == "protocol.ensemble") fail(key, "the seeds and ensembles come from \"seeds\"");
    if (!values.is_array() || values.empty()) fail(key, "must be a non-empty list of values");
    SweepAxis axis{path, {}, true};
    for (const auto& v : values) {
      axis.values.push_back(plain(v));
      if (!v.is_number()) axis.numeric = false;
    }
    points *= axis.values.size();
    if (points > kMaxSweepPoints) fail("grid", "more than " + std::to_string(kMaxSweepPoints) + " points");
    axes.push_back(std::move(axis));
  }
  return axes;
}

// "seeds": a count (the base seed and the next ones) or a list of distinct seeds.
std::vector<uint64_t> parse_seeds(const ordered_json* seeds, const json& base) {
  uint64_t first = 0;
  if (base.contains("seed")) {
    if (!base["seed"].is_number_unsigned()) fail("base", "config key 'seed': must be a non-negative integer");
    first = base["seed"].get<uint64_t>();
  }
  if (!seeds) return {first};
  std::vector<uint64_t> out;
  if (seeds->is_number()) {
    const uint64_t n = unsigned_value(*seeds, "seeds");
    if (n < 1 || n > kMaxEnsemble) fail("seeds", std::to_string(n) + " is out of range [1, " + std::to_string(kMaxEnsemble) + "]");
    for (uint64_t k = 0; k < n; ++k) out.push_back(first + k);
    return out;
  }
  if (!seeds->is_array() || seeds->empty()) fail("seeds", "must be a count or a non-empty list of seeds");
  for (const auto& s : *seeds) out.push_back(unsigned_value(s, "seeds"));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) fail("seeds", "lists a seed twice");
  return out;
}

std::vector<SeedGroup> group_seeds(const std::vector<uint64_t>& seeds) {
  std::vector<SeedGroup> groups;
  for (const uint64_t s : seeds) {
    if (!groups.empty() && groups.back().seed + groups.back().members == s && groups.back().members < kMaxEnsemble) {
      ++groups.back().members;
    } else {
      groups.push_back({s, 1});
    }
  }
  return groups;
}

size_t depth(const std::string& path) { return static_cast<size_t>(std::count(path.begin(), path.end(), '.')); }

}  // namespace

Sweep parse_sweep(const ordered_json& doc, const std::string& base_dir) {
  if (!doc.is_object()) fail("sweep", "the document must be a JSON object");
  for (const auto& [key, value] : doc.items()) {
    if (!kSweepKeys.count(key)) {
      std::string valid;
      for (const auto& k : kSweepKeys) valid += (valid.empty() ? "" : ", ") + k;
      fail(key, "unknown; valid: " + valid);
    }
  }
  if (!doc.contains("base")) fail("base", "required: a preset name, a config file or a config object");
  if (!doc.contains("grid")) fail("grid", "required: {\"path\": [values], ...}");
  Sweep s;
  s.base = resolve_base(doc["base"], base_dir);
  s.base.erase("description");
  s.overrides = json::object();
  apply_overrides(doc, s.base, s.overrides);
  s.axes = parse_grid(doc["grid"]);
  s.seeds = parse_seeds(doc.contains("seeds") ? &doc["seeds"] : nullptr, s.base);
  s.groups = group_seeds(s.seeds);
  return s;
}

Sweep read_sweep_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open sweep file");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ordered_json doc;
  const std::string error = parse_json_text(text, doc);
  if (!error.empty()) throw ConfigError(path + ": " + error);
  try {
    return parse_sweep(doc, std::filesystem::path(path).parent_path().string());
  } catch (const ConfigError& e) {
    throw ConfigError(path + ": " + e.what());
  } catch (const nlohmann::json::exception& e) {  // an access not guarded above
    throw ConfigError(path + ": " + json_exception_text(e));
  }
}

void set_dotted(json& doc, const std::string& path, const json& value, const std::string& key) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (parts.back().empty()) fail(key, "empty name in the dotted path \"" + path + "\"");
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  json* cur = &doc;
  std::string walked;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    walked += (walked.empty() ? "" : ".") + parts[i];
    json& next = (*cur)[parts[i]];
    if (next.is_null()) next = json::object();
    if (next.is_string()) next = json{{"preset", next.get<std::string>()}};  // a preset, then its keys
    if (!next.is_object()) fail(key, "'" + walked + "' is a " + next.type_name() + ", not an object");
    cur = &next;
  }
  (*cur)[parts.back()] = value;
}

std::vector<SweepPoint> expand_grid(const Sweep& sweep) {
  // Shallow paths first, so a whole "device" (a preset) and "device.nonideal.c2c_sigma"
  // combine whatever their order in the file.
  std::vector<size_t> order(sweep.axes.size());
  for (size_t a = 0; a < order.size(); ++a) order[a] = a;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return depth(sweep.axes[x].path) < depth(sweep.axes[y].path); });

  size_t total = 1;
  for (const SweepAxis& a : sweep.axes) total *= a.values.size();
  std::vector<SweepPoint> points;
  points.reserve(total);
  std::vector<size_t> idx(sweep.axes.size(), 0);
  for (size_t p = 0; p < total; ++p) {
    SweepPoint point{p, idx, sweep.base};
    for (const size_t a : order) {
      set_dotted(point.config, sweep.axes[a].path, sweep.axes[a].values[idx[a]], "grid." + sweep.axes[a].path);
    }
    points.push_back(std::move(point));
    for (size_t a = idx.size(); a-- > 0;) {  // odometer: the last axis turns fastest
      if (++idx[a] < sweep.axes[a].values.size()) break;
      idx[a] = 0;
    }
  }
  return points;
}

json run_document(const SweepPoint& point, const SeedGroup& group) {
  json doc = point.config;
  if (doc.is_object()) doc["seed"] = group.seed;
  config_object(doc, "protocol")["ensemble"] = group.members;
  return doc;
}

void validate_points(const Sweep& sweep, const std::vector<SweepPoint>& points) {
  SeedGroup widest = sweep.groups.front();
  for (const SeedGroup& g : sweep.groups) widest = g.members > widest.members ? g : widest;
  for (const SweepPoint& p : points) {
    try {
      (void)config_from_json(run_document(p, widest));
    } catch (const std::exception& e) {
      throw ConfigError("grid point " + std::to_string(p.index + 1) + " of " + std::to_string(points.size()) + " (" +
                        point_label(sweep, p) + "): " + e.what());
    }
  }
}

std::string value_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string point_label(const Sweep& sweep, const SweepPoint& point) {
  std::string s;
  for (size_t a = 0; a < sweep.axes.size(); ++a) {
    s += (a ? " " : "") + sweep.axes[a].path + "=" + value_text(sweep.axes[a].values[point.value_index[a]]);
  }
  return s;
}

}  // namespace memsnn
