// Training and testing of a layer network by surrogate gradients on the CPU: seeded shuffle
// per epoch, mini-batches, BPTT, the optimiser, the learning-rate schedule, and the
// per-epoch figures that metrics.json records.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "data/dataset.hpp"
#include "deep/layer_net.hpp"
#include "deep/layer_optimizer.hpp"

namespace memsnn {

struct LayerEvaluation {
  uint64_t images = 0;
  double loss = 0.0;                          // mean over images
  double accuracy_spikes = 0.0;               // prediction by the output spike counts
  double accuracy_membrane = 0.0;             // prediction by the membrane readout
  std::vector<double> spikes_per_neuron_step;  // per layer
  std::vector<uint64_t> confusion;            // [label][predicted by spikes], C x C
};

struct LayerEpoch {
  uint32_t epoch = 0;  // from 1
  double lr = 0.0;
  double train_seconds = 0.0;
  double test_seconds = 0.0;
  LayerEvaluation train;  // over the epoch's batches, with the weights as they were for each
  LayerEvaluation test;
};

// done, total images of the current pass, and the running accuracy by spikes.
using LayerProgress = std::function<void(uint64_t done, uint64_t total, double accuracy)>;

class LayerTrainer {
 public:
  // n_classes: the data's classes; the last layer must have that many neurons (ConfigError
  // naming the layer otherwise).
  // input: the shape of one image (image_shape of the data).
  LayerTrainer(LayerNetConfig config, TensorShape input, uint32_t n_classes);
  LayerTrainer(LayerNetConfig config, LayerNetParams params, uint32_t n_classes);
  LayerTrainer(const LayerTrainer&) = delete;  // the optimiser refers to m_config
  LayerTrainer& operator=(const LayerTrainer&) = delete;

  // One epoch (from 0) over the first `n` images of train (0: all) in a shuffled order.
  LayerEvaluation train_epoch(const Dataset& train, uint32_t epoch, const LayerProgress& progress = {});
  // Forward passes only, over the first `n` images of data (0: all).
  LayerEvaluation evaluate(const Dataset& data, uint32_t n, const LayerProgress& progress = {}) const;

  const LayerNetConfig& config() const { return m_config; }
  const LayerNetParams& params() const { return m_params; }
  uint32_t classes() const { return m_classes; }

 private:
  LayerNetConfig m_config;
  LayerNetParams m_params;
  uint32_t m_classes;
  LayerOptimizer m_optimizer;
};

// The images a pass over data takes when asked for `asked` (0: all; more than there are: all).
uint32_t images_used(uint32_t asked, const Dataset& data);

// Checks that every layer fits its input and the last layer has n_classes outputs;
// ConfigError naming the layer otherwise.
void check_layer_shapes(const LayerNetConfig& config, TensorShape input, uint32_t n_classes);

// The shape of the data's images: one channel, rows x cols.
TensorShape image_shape(const Dataset& data);

}  // namespace memsnn
