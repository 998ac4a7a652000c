// The scheduler runs the protocol on a backend: the training sequence (epochs, order),
// label assignment every label_interval images and at the end, and evaluation with
// learning and thresholds frozen.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "data/dataset.hpp"
#include "sim/progress.hpp"
#include "sim/report.hpp"

namespace memsnn {

// A data set reduced to the network's inputs once, before any simulation.
struct EncodedSet {
  uint32_t n_inputs = 0;
  std::vector<uint8_t> pixels;  // size() * n_inputs
  std::vector<uint8_t> labels;
  size_t size() const { return labels.size(); }
  const uint8_t* image(size_t i) const { return pixels.data() + i * n_inputs; }
};

// The first `limit` images (0 = all) of the classes in protocol.classes (empty = all),
// encoded for `net`.
EncodedSet encode_dataset(const Network& net, const Dataset& data, size_t limit);

// Simulated steps of one image, as metrics.json counts them: every attempt's presentation
// (training or test length), the rests between attempts, and in training the rest after
// the image.
uint64_t sample_steps(const Network& net, const PresentationResult& r, bool training);

// Ensembles: every member sees the same images in the same order (the shuffle follows
// config.seed), with its own label ring and labels, so member k reports what a single
// network with seed + k reports (shuffle_epochs aside: a single run would shuffle with its
// own seed).
class Scheduler {
 public:
  Scheduler(Backend& backend, ProgressMode progress) : m_backend(backend), m_progress(progress) {}

  // Every ensemble member learns from `train` for protocol.epochs epochs (train_ensemble
  // per image) and keeps its assigned labels in the backend; one report per member.
  std::vector<TrainReport> train_members(const EncodedSet& train);
  // train_members for a single network: member 0's report.
  TrainReport train(const EncodedSet& train) { return train_members(train).front(); }

  // Frozen evaluation of the selected member (member 0 unless changed) with its labels.
  EvalReport evaluate(const EncodedSet& test, Phase phase = Phase::kTest);
  // evaluate() for every member in turn; the selection is restored afterwards.
  std::vector<EvalReport> evaluate_members(const EncodedSet& test, Phase phase = Phase::kTest);

 private:
  EvalReport evaluate_selected(const EncodedSet& test, Phase phase, const std::string& label);

  Backend& m_backend;
  ProgressMode m_progress;
};

}  // namespace memsnn
