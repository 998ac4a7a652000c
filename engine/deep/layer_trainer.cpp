// Epochs, batches and evaluation of the layer networks (deep/layer_trainer.hpp).
#include "deep/layer_trainer.hpp"

#include <algorithm>
#include <numeric>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "deep/layer_loss.hpp"

namespace memsnn {
namespace {

// The training order of an epoch: a Fisher-Yates shuffle from Philox keyed by (seed, shuffle
// stream, 1000 + epoch), or the data's order when shuffling is off.
std::vector<uint32_t> epoch_order(const LayerNetConfig& config, uint32_t n, uint32_t epoch) {
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  if (!config.training.shuffle) return order;
  for (uint32_t i = n; i > 1; --i) {
    const uint32_t r = random_u32(config.seed, static_cast<uint32_t>(Stream::kShuffle), 1000u + epoch, 0, n - i);
    std::swap(order[i - 1], order[static_cast<uint32_t>((static_cast<uint64_t>(r) * i) >> 32)]);
  }
  return order;
}

// Adds one batch's predictions and spikes to an evaluation.
void tally(const LayerNetConfig& config, const ForwardTrace& trace, std::span<const uint8_t> labels, uint32_t classes,
           LayerEvaluation& e) {
  const std::vector<float> by_spikes = spike_count_scores(trace);
  const std::vector<float> by_membrane = membrane_scores(config, trace);
  for (uint32_t b = 0; b < trace.batch; ++b) {
    const uint32_t p = predicted_class(by_spikes, classes, b);
    e.accuracy_spikes += p == labels[b] ? 1.0 : 0.0;
    e.accuracy_membrane += predicted_class(by_membrane, classes, b) == labels[b] ? 1.0 : 0.0;
    ++e.confusion[static_cast<size_t>(labels[b]) * classes + p];
  }
  const std::vector<double> totals = spike_totals(trace);
  if (e.spikes_per_neuron_step.empty()) e.spikes_per_neuron_step.assign(totals.size(), 0.0);
  for (size_t l = 0; l < totals.size(); ++l) e.spikes_per_neuron_step[l] += totals[l];
  e.images += trace.batch;
}

// Turns the sums of tally (and the loss sum) into means.
void finish(const LayerNetConfig& config, LayerEvaluation& e) {
  if (e.images == 0) return;
  const double n = static_cast<double>(e.images);
  e.loss /= n;
  e.accuracy_spikes /= n;
  e.accuracy_membrane /= n;
  for (size_t l = 0; l < e.spikes_per_neuron_step.size(); ++l) {
    e.spikes_per_neuron_step[l] /= n * config.steps;  // spike_totals gives spikes per neuron
  }
}

}  // namespace

uint32_t images_used(uint32_t asked, const Dataset& data) {
  return asked == 0 || asked > data.size() ? static_cast<uint32_t>(data.size()) : asked;
}

TensorShape image_shape(const Dataset& data) { return {1, data.rows, data.cols}; }

void check_layer_shapes(const LayerNetConfig& config, TensorShape input, uint32_t n_classes) {
  if (input.size() == 0) throw ConfigError("layer network: the data has images of 0 pixels");
  const uint64_t last = layer_shapes(config, input).back().out.size();
  if (last != n_classes) {
    throw ConfigError("config key 'layers[" + std::to_string(config.layers.size() - 1) + "].size': the output layer has " +
                      std::to_string(last) + " neurons, the data has " + std::to_string(n_classes) + " classes");
  }
}

LayerTrainer::LayerTrainer(LayerNetConfig config, TensorShape input, uint32_t n_classes)
    : LayerTrainer(config, init_layer_net(config, input), n_classes) {}

LayerTrainer::LayerTrainer(LayerNetConfig config, LayerNetParams params, uint32_t n_classes)
    : m_config(std::move(config)), m_params(std::move(params)), m_classes(n_classes), m_optimizer(m_config, m_params) {
  check_layer_shapes(m_config, m_params.input, n_classes);
}

LayerEvaluation LayerTrainer::train_epoch(const Dataset& train, uint32_t epoch, const LayerProgress& progress) {
  const uint32_t n = images_used(m_config.training.train_samples, train);
  const std::vector<uint32_t> order = epoch_order(m_config, n, epoch);
  const double lr = scheduled_lr(m_config.training, epoch);
  LayerEvaluation e;
  e.confusion.assign(static_cast<size_t>(m_classes) * m_classes, 0);
  ForwardTrace trace;
  LayerNetParams grads = zeros_like(m_params);
  std::vector<uint32_t> ordinals;
  std::vector<uint8_t> labels;
  for (uint32_t first = 0; first < n; first += m_config.training.batch_size) {
    const uint32_t count = std::min(m_config.training.batch_size, n - first);
    const std::span<const uint32_t> images(order.data() + first, count);
    ordinals.resize(count);
    labels.resize(count);
    for (uint32_t b = 0; b < count; ++b) {
      ordinals[b] = epoch * n + first + b;  // a new draw of rate-coded spikes for every presentation
      labels[b] = train.labels[images[b]];
    }
    encode_batch(m_config, train, images, ordinals, 0, trace);
    forward(m_config, m_params, trace);
    const BatchLoss loss = layer_loss(m_config, trace, labels);
    backward(m_config, m_params, trace, loss.g_s, loss.g_u, grads);
    m_optimizer.step(m_params, grads, lr);
    e.loss += loss.loss * count;
    tally(m_config, trace, labels, m_classes, e);
    if (progress) progress(e.images, n, e.accuracy_spikes / static_cast<double>(e.images));
  }
  finish(m_config, e);
  return e;
}

LayerEvaluation LayerTrainer::evaluate(const Dataset& data, uint32_t asked, const LayerProgress& progress) const {
  const uint32_t n = images_used(asked, data);
  LayerEvaluation e;
  e.confusion.assign(static_cast<size_t>(m_classes) * m_classes, 0);
  ForwardTrace trace;
  std::vector<uint32_t> images;
  std::vector<uint8_t> labels;
  for (uint32_t first = 0; first < n; first += m_config.training.batch_size) {
    const uint32_t count = std::min(m_config.training.batch_size, n - first);
    images.resize(count);
    labels.resize(count);
    for (uint32_t b = 0; b < count; ++b) {
      images[b] = first + b;
      labels[b] = data.labels[first + b];
    }
    encode_batch(m_config, data, images, images, 1, trace);
    forward(m_config, m_params, trace);
    e.loss += layer_loss(m_config, trace, labels).loss * count;
    tally(m_config, trace, labels, m_classes, e);
    if (progress) progress(e.images, n, e.accuracy_spikes / static_cast<double>(e.images));
  }
  finish(m_config, e);
  return e;
}

}  // namespace memsnn
