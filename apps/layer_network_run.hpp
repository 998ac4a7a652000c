// snn_gpu_train's path for layer networks trained by surrogate gradients (a config or preset
// with "layers", or a layer-network checkpoint given to --load): train and test with
// progress, and write config.json, metrics.json and checkpoint.bin into --out.
#pragma once

#include <string>

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "data/dataset.hpp"

namespace memsnn {

// --split: which split of the embedded digits (fixed or bindsnet); ConfigError for another.
inline EmbeddedSplit embedded_split(const cxxopts::ParseResult& args) {
  const std::string s = args["split"].as<std::string>();
  if (s == "fixed") return EmbeddedSplit::kFixed;
  if (s == "bindsnet") return EmbeddedSplit::kBindsnet;
  throw ConfigError("--split: unknown value \"" + s + "\"; valid: fixed, bindsnet");
}

// doc: the resolved config document (training), or empty with load_path set (evaluating).
int run_layer_network(const cxxopts::ParseResult& args, const nlohmann::json& doc, const std::string& load_path);

// Applies the command-line options that layer networks take to doc (--epochs, --train-samples,
// --test-samples, --seed, --batch-size); ConfigError for those they do not (--neurons,
// --device, --ensemble).
void apply_layer_overrides(const cxxopts::ParseResult& args, nlohmann::json& doc);

}  // namespace memsnn
