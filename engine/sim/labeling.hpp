// Label assignment and voting (Diehl & Cook 2015, as in the authors' code).
//
// Assignment: for each neuron, its mean spike count over the samples of each class
// (normalised by how often the class occurs); the neuron takes the class with the highest
// mean, or stays unassigned (-1) if it never fired.
// Voting: a sample's score for class c is the mean spike count of the neurons assigned to
// c; the prediction is the class with the highest score (ties: the lowest class). A sample
// with no spike at an assigned neuron gets no prediction (-1) and counts as wrong.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace memsnn {

constexpr int kNumClasses = 10;

// counts: n_samples x n_neurons row-major; labels: n_samples.
std::vector<int32_t> assign_labels(std::span<const uint32_t> counts, std::span<const uint8_t> labels,
                                   uint32_t n_neurons);

int32_t classify(std::span<const uint32_t> counts, std::span<const int32_t> assignments);

}  // namespace memsnn
