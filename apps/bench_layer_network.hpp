// snn_bench's supervised mode: throughput of a layer network (a config or preset with
// "layers") trained by surrogate gradients: training samples/s and sample-steps/s, and
// inference samples/s, per backend.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"

namespace memsnn {

struct LayerBenchOptions {
  std::vector<std::string> backends;
  uint32_t train_images = 0;
  uint32_t infer_images = 0;
  uint32_t batch = 0;  // 0: the config's training.batch_size
  double max_seconds = 20.0;
  bool quiet = false;
};

// Runs the cells and prints the table; returns the rows as JSON for --json.
nlohmann::json bench_layer_network(const nlohmann::json& doc, const DataSplit& data, const LayerBenchOptions& opt);

}  // namespace memsnn
