// Editing a config document before config_from_json reads it (command-line and sweep
// overrides, the settings an app puts into a checkpoint's config): an object on the way that
// is not an object is a ConfigError naming the key, never nlohmann's type_error.
#pragma once

#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace memsnn {

// doc[key] as an object to set keys in; created when absent or null.
inline nlohmann::json& config_object(nlohmann::json& doc, const std::string& key) {
  if (!doc.is_object()) throw ConfigError("config: the document must be a JSON object");
  nlohmann::json& v = doc[key];
  if (v.is_null()) v = nlohmann::json::object();
  if (!v.is_object()) {
    throw ConfigError("config key '" + key + "': must be a JSON object, not a " + std::string(v.type_name()));
  }
  return v;
}

// Sets "size" of every population but the poisson input. A population whose "type" is not a
// string counts as a neuron population: config_from_json then reports the key.
inline void set_neuron_population_sizes(nlohmann::json& doc, uint64_t size) {
  if (!doc.is_object()) return;
  const auto pops = doc.find("populations");
  if (pops == doc.end() || !pops->is_object()) return;  // config_from_json reports it
  for (auto& [name, pop] : pops->items()) {
    if (!pop.is_object()) continue;
    const auto type = pop.find("type");
    const bool poisson = type != pop.end() && type->is_string() && type->get<std::string>() == "poisson";
    if (!poisson) pop["size"] = size;
  }
}

// Runs `f` (which edits or reads a config document); a ConfigError gets `source` (the file the
// document came from, e.g. "run/checkpoint.bin: checkpoint config") in front, unless empty
// or named already.
template <typename F>
auto with_config_source(const std::string& source, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (const ConfigError& e) {
    if (source.empty() || std::string(e.what()).rfind(source, 0) == 0) throw;
    throw ConfigError(source + ": " + e.what());
  }
}

}  // namespace memsnn
