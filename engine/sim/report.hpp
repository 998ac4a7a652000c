// What a run measured, phase by phase: written to metrics.json (io/metrics.cpp).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "device/device_programming.hpp"
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
  DeviceTally device;           // programming pulses and energy (devices only)

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

// One network's training; in an ensemble, one member's (its own presentations and
// spikes; seconds: the whole ensemble's training time, label assignment excluded).
struct TrainReport {
  PhaseReport phase;
  double label_seconds = 0.0;
  uint32_t assigned_neurons = 0;
  // Accuracy of the current labels on the training images as they came, one value per
  // label_interval (the number the progress bar shows).
  std::vector<double> running_accuracy;
};

// Test accuracy across ensemble members: each member's, their mean and sample standard
// deviation (0 for a single member).
struct AccuracySpread {
  std::vector<double> members;
  double mean = 0.0;
  double std = 0.0;
};

inline AccuracySpread accuracy_spread(const std::vector<EvalReport>& reports) {
  AccuracySpread a;
  for (const EvalReport& r : reports) a.members.push_back(r.accuracy());
  if (a.members.empty()) return a;
  for (const double x : a.members) a.mean += x;
  a.mean /= static_cast<double>(a.members.size());
  if (a.members.size() < 2) return a;
  double ss = 0.0;
  for (const double x : a.members) ss += (x - a.mean) * (x - a.mean);
  a.std = std::sqrt(ss / static_cast<double>(a.members.size() - 1));
  return a;
}

}  // namespace memsnn
