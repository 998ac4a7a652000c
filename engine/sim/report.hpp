// What a run measured, phase by phase: written to metrics.json (io/metrics.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/labeling.hpp"

namespace memsnn {

struct PhaseReport {
  uint64_t images = 0;
  uint64_t attempts = 0;        // presentations including retries
  uint64_t gave_up = 0;         // images still below min_spikes after max_retries
  uint64_t input_spikes = 0;
  uint64_t layer_spikes = 0;    // learning layer, all attempts
  uint64_t sample_steps = 0;    // simulated time steps (presentations and rests)
  double seconds = 0.0;

  double images_per_second() const { return seconds > 0 ? static_cast<double>(images) / seconds : 0.0; }
  double sample_steps_per_second() const {
    return seconds > 0 ? static_cast<double>(sample_steps) / seconds : 0.0;
  }
};

struct EvalReport {
  PhaseReport phase;
  uint64_t correct = 0;
  uint64_t no_prediction = 0;   // no assigned neuron fired
  std::array<std::array<uint64_t, kNumClasses>, kNumClasses> confusion{};  // [true][predicted]
  double accuracy() const {
    return phase.images ? static_cast<double>(correct) / static_cast<double>(phase.images) : 0.0;
  }
};

struct TrainReport {
  PhaseReport phase;
  double label_seconds = 0.0;
  uint32_t assigned_neurons = 0;
  // Accuracy of the current labels on the training images as they came, one value per
  // label_interval (the number the progress bar shows).
  std::vector<double> running_accuracy;
};

}  // namespace memsnn
