// Parameter sweeps (apps/snn_sweep): a sweep file names a base config, a grid of dotted
// config paths with the values each takes, and the seeds. These pure functions parse it,
// expand the grid into one config document per point and check every point's config, so a
// typo fails before anything runs. The file format is in docs/devices.md ("Sweeps").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace memsnn {

// Most points one sweep may expand to (a guard against a grid typed with one zero too many).
constexpr size_t kMaxSweepPoints = 100000;

// One swept parameter: a dotted path into the config document and its values, in file order.
struct SweepAxis {
  std::string path;
  std::vector<nlohmann::json> values;
  bool numeric = false;  // every value is a number: plots use the value, else its index
};

// Consecutive seeds run as one ensemble: member k has seed + k (protocol.ensemble).
struct SeedGroup {
  uint64_t seed = 0;
  uint32_t members = 1;
};

struct Sweep {
  nlohmann::json base;          // the resolved base document with the sweep's overrides
  std::vector<SweepAxis> axes;  // in the order of the file's "grid"
  std::vector<uint64_t> seeds;  // ascending, distinct
  std::vector<SeedGroup> groups;
  nlohmann::json overrides;     // train_samples, test_samples, neurons, epochs as given
};

// One combination of axis values; the last axis varies fastest (nested loops in file order).
struct SweepPoint {
  size_t index = 0;
  std::vector<size_t> value_index;  // per axis
  nlohmann::json config;            // base with the values set; no seed or ensemble yet
};

// Parses a sweep document. `base_dir` resolves a "base" that is a file path rather than a
// preset. Unknown keys, wrong types, empty lists, duplicate seeds: ConfigError naming the
// key ("sweep key 'grid.device.count': ...").
Sweep parse_sweep(const nlohmann::ordered_json& doc, const std::string& base_dir);

// Reads and parses a sweep file: every error (unreadable, bad JSON, a bad key) is a
// ConfigError that starts with the file name.
Sweep read_sweep_file(const std::string& path);

// Every combination of the axes' values (first axis slowest).
std::vector<SweepPoint> expand_grid(const Sweep& sweep);

// The config document one ensemble of a point runs: seed and protocol.ensemble set
// (ConfigError naming the key when "protocol" is not an object).
nlohmann::json run_document(const SweepPoint& point, const SeedGroup& group);

// config_from_json on every point and seed group; the first failure throws ConfigError
// naming the point and its values, then the config's own message (which names the key).
void validate_points(const Sweep& sweep, const std::vector<SweepPoint>& points);

// Sets doc at a dotted path ("device.nonideal.c2c_sigma"), creating missing objects; a
// string on the way (a device preset name) becomes {"preset": name} so its keys can be
// set. `key` names the grid key in errors (a number or list on the way, an empty segment).
void set_dotted(nlohmann::json& doc, const std::string& path, const nlohmann::json& value, const std::string& key);

// A value as a CSV field or a label: numbers and strings as they read, else compact JSON.
std::string value_text(const nlohmann::json& value);

// "device.count=32 device.nonideal.c2c_sigma=0", for progress lines.
std::string point_label(const Sweep& sweep, const SweepPoint& point);

}  // namespace memsnn
