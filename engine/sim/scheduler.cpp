#include "sim/scheduler.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>

#include "core/rng.hpp"
#include "sim/labeling.hpp"

namespace memsnn {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void add(PhaseReport& phase, const PresentationResult& r, const Network& net, bool rests_after) {
  ++phase.images;
  phase.attempts += r.attempts;
  phase.gave_up += r.gave_up ? 1 : 0;
  phase.input_spikes += r.input_spikes;
  phase.layer_spikes += r.layer_spikes;
  phase.sample_steps += sample_steps(net, r, rests_after);
}

// Training order of one epoch: the data's own order first, reshuffled afterwards if asked.
std::vector<uint32_t> epoch_order(const Network& net, size_t n, uint32_t epoch) {
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  if (!net.config.protocol.shuffle_epochs || epoch == 0) return order;
  for (size_t i = n - 1; i > 0; --i) {
    const uint32_t r = random_u32(net.config.seed, static_cast<uint32_t>(Stream::kShuffle), epoch, 0,
                                  static_cast<uint32_t>(i));
    const size_t j = static_cast<size_t>((static_cast<uint64_t>(r) * (i + 1)) >> 32);
    std::swap(order[i], order[j]);
  }
  return order;
}

}  // namespace

uint64_t sample_steps(const Network& net, const PresentationResult& r, bool training) {
  const uint64_t rest = net.config.protocol.between == "rest" ? net.rest_steps : 0;
  const uint64_t rests = r.attempts - 1 + (training ? 1 : 0);
  const uint64_t steps = training ? net.presentation_steps : net.test_presentation_steps;
  return static_cast<uint64_t>(r.attempts) * steps + rests * rest;
}

EncodedSet encode_dataset(const Network& net, const Dataset& data, size_t limit) {
  const auto& classes = net.config.protocol.classes;
  std::vector<size_t> chosen;
  for (size_t i = 0; i < data.size() && (limit == 0 || chosen.size() < limit); ++i) {
    if (classes.empty() || std::find(classes.begin(), classes.end(), data.labels[i]) != classes.end()) {
      chosen.push_back(i);
    }
  }
  EncodedSet set;
  set.n_inputs = net.n_inputs;
  set.pixels.resize(chosen.size() * net.n_inputs);
  for (size_t k = 0; k < chosen.size(); ++k) {
    set.labels.push_back(data.labels[chosen[k]]);
    encode_image(net, data.image(chosen[k]).data(), data.rows, data.cols, set.pixels.data() + k * net.n_inputs);
  }
  return set;
}

TrainReport Scheduler::train(const EncodedSet& train) {
  const Network& net = m_backend.network();
  const ProtocolConfig& proto = net.config.protocol;
  const uint32_t n_neurons = net.n_neurons();
  const size_t n = train.size();
  TrainReport report;
  std::vector<int32_t> labels(n_neurons, -1);

  // The latest label_window responses, as a ring, for label assignment.
  const size_t window = std::min<size_t>(proto.label_window, n * proto.epochs);
  std::vector<uint32_t> ring_counts(window * n_neurons);
  std::vector<uint8_t> ring_labels(window);
  size_t ring_fill = 0, ring_next = 0;
  bool labelled = false;  // running accuracy starts once labels exist
  auto reassign = [&] {
    const auto t0 = std::chrono::steady_clock::now();
    labels = assign_labels({ring_counts.data(), ring_fill * n_neurons}, {ring_labels.data(), ring_fill}, n_neurons);
    m_backend.set_labels(labels);
    labelled = true;
    report.label_seconds += seconds_since(t0);
  };

  Progress progress("train", n * proto.epochs, m_progress);
  PresentationResult result;
  uint64_t done = 0, interval_correct = 0, interval_seen = 0;
  std::string note = "acc --";
  const auto t0 = std::chrono::steady_clock::now();
  for (uint32_t epoch = 0; epoch < proto.epochs; ++epoch) {
    const std::vector<uint32_t> order = epoch_order(net, n, epoch);
    for (size_t k = 0; k < n; ++k) {
      const uint32_t i = order[k];
      const PresentationRequest request{train.image(i), static_cast<uint32_t>(done), Phase::kTrain};
      m_backend.train(request, result);
      add(report.phase, result, net, true);
      // Score with the labels assigned so far, then remember the response.
      if (labelled) {
        interval_correct += classify(result.counts, labels) == train.labels[i] ? 1 : 0;
        ++interval_seen;
      }
      std::copy(result.counts.begin(), result.counts.end(), ring_counts.begin() + ring_next * n_neurons);
      ring_labels[ring_next] = train.labels[i];
      ring_next = (ring_next + 1) % window;
      ring_fill = std::min(ring_fill + 1, window);
      ++done;
      if (done % proto.label_interval == 0) {
        if (interval_seen > 0) {
          const double acc = static_cast<double>(interval_correct) / static_cast<double>(interval_seen);
          report.running_accuracy.push_back(acc);
          char buf[64];
          std::snprintf(buf, sizeof buf, "acc %.1f%% (last %llu)", 100.0 * acc,
                        static_cast<unsigned long long>(interval_seen));
          note = buf;
        }
        interval_correct = interval_seen = 0;
        reassign();
      }
      progress.update(done, note);
    }
  }
  report.phase.seconds = seconds_since(t0) - report.label_seconds;
  reassign();
  report.assigned_neurons =
      static_cast<uint32_t>(std::count_if(labels.begin(), labels.end(), [](int32_t c) { return c >= 0; }));
  progress.finish(note);
  return report;
}

EvalReport Scheduler::evaluate(const EncodedSet& test, Phase phase) {
  const Network& net = m_backend.network();
  const std::vector<int32_t> labels = m_backend.labels();
  EvalReport report;
  Progress progress(phase == Phase::kTest ? "test" : "label", test.size(), m_progress);
  constexpr size_t kChunk = 256;  // progress granularity; results do not depend on it
  std::vector<PresentationRequest> requests;
  std::vector<PresentationResult> results;
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t first = 0; first < test.size(); first += kChunk) {
    const size_t count = std::min(kChunk, test.size() - first);
    requests.resize(count);
    results.resize(count);
    for (size_t k = 0; k < count; ++k) {
      requests[k] = {test.image(first + k), static_cast<uint32_t>(first + k), phase};
    }
    m_backend.infer(requests, results);
    for (size_t k = 0; k < count; ++k) {
      add(report.phase, results[k], net, false);
      const int32_t predicted = classify(results[k].counts, labels);
      const uint8_t truth = test.labels[first + k];
      if (predicted < 0) {
        ++report.no_prediction;
      } else {
        ++report.confusion[truth][predicted];
        report.correct += predicted == truth ? 1 : 0;
      }
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "acc %.1f%%",
                  100.0 * static_cast<double>(report.correct) / static_cast<double>(report.phase.images));
    progress.update(first + count, buf);
  }
  report.phase.seconds = seconds_since(t0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "acc %.2f%%", 100.0 * report.accuracy());
  progress.finish(buf);
  return report;
}

}  // namespace memsnn
