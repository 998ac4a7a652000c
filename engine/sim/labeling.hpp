// Label assignment and voting (Diehl & Cook 2015, as in the authors' code).
//
// Assignment: for each neuron, its mean spike count over the samples of each class
// (normalised by how often the class occurs); the neuron takes the class with the highest
// mean, or stays unassigned (-1) if it never fired.
// Voting: a sample's score for class c is the mean spike count of the neurons assigned to
// c; the prediction is the class with the highest score (ties: the lowest class). A sample
// with no spike at an assigned neuron gets no prediction (-1) and counts as wrong.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace memsnn {

constexpr int kNumClasses = 10;

// counts: n_samples x n_neurons row-major; labels: n_samples.
std::vector<int32_t> assign_labels(std::span<const uint32_t> counts, std::span<const uint8_t> labels,
                                   uint32_t n_neurons);

// The votes behind classify(): per class, the mean spike count of its assigned neurons and
// how many neurons it has (a class without neurons has no vote).
struct ClassVotes {
  std::array<double, kNumClasses> score{};
  std::array<uint32_t, kNumClasses> neurons{};
};
ClassVotes class_votes(std::span<const uint32_t> counts, std::span<const int32_t> assignments);

// The class with the highest vote (ties: the lowest class); -1 when no vote is above 0.
int32_t predicted_class(const ClassVotes& votes);

// predicted_class(class_votes(counts, assignments)).
int32_t classify(std::span<const uint32_t> counts, std::span<const int32_t> assignments);

}  // namespace memsnn
