#include "sim/labeling.hpp"

#include <array>

namespace memsnn {

std::vector<int32_t> assign_labels(std::span<const uint32_t> counts, std::span<const uint8_t> labels,
                                   uint32_t n_neurons) {
  const size_t n_samples = labels.size();
  std::array<uint64_t, kNumClasses> per_class{};
  std::vector<double> sums(static_cast<size_t>(kNumClasses) * n_neurons, 0.0);
  for (size_t s = 0; s < n_samples; ++s) {
    const uint8_t c = labels[s];
    ++per_class[c];
    for (uint32_t j = 0; j < n_neurons; ++j) sums[c * n_neurons + j] += counts[s * n_neurons + j];
  }
  std::vector<int32_t> assignment(n_neurons, -1);
  for (uint32_t j = 0; j < n_neurons; ++j) {
    double best = 0.0;
    for (int c = 0; c < kNumClasses; ++c) {
      if (per_class[c] == 0) continue;
      const double mean = sums[c * n_neurons + j] / static_cast<double>(per_class[c]);
      if (mean > best) {
        best = mean;
        assignment[j] = c;
      }
    }
  }
  return assignment;
}

ClassVotes class_votes(std::span<const uint32_t> counts, std::span<const int32_t> assignments) {
  ClassVotes votes;
  std::array<double, kNumClasses> sum{};
  for (size_t j = 0; j < assignments.size(); ++j) {
    const int32_t c = assignments[j];
    if (c < 0) continue;
    sum[c] += counts[j];
    ++votes.neurons[c];
  }
  for (int c = 0; c < kNumClasses; ++c) {
    if (votes.neurons[c] > 0) votes.score[c] = sum[c] / votes.neurons[c];
  }
  return votes;
}

int32_t predicted_class(const ClassVotes& votes) {
  int32_t best = -1;
  double best_score = 0.0;
  for (int c = 0; c < kNumClasses; ++c) {
    if (votes.neurons[c] == 0) continue;
    if (votes.score[c] > best_score) {
      best_score = votes.score[c];
      best = c;
    }
  }
  return best;
}

int32_t classify(std::span<const uint32_t> counts, std::span<const int32_t> assignments) {
  return predicted_class(class_votes(counts, assignments));
}

}  // namespace memsnn
