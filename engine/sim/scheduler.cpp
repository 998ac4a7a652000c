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
  phase.device.add(r.device);
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

// One member's latest `window` training responses, as a ring, for label assignment.
class LabelRing {
 public:
  LabelRing(size_t window, uint32_t n_neurons) : m_n(n_neurons), m_counts(window * n_neurons), m_labels(window) {}
  void push(const std::vector<uint32_t>& counts, uint8_t label) {
    if (m_labels.empty()) return;
    std::copy(counts.begin(), counts.end(), m_counts.begin() + static_cast<ptrdiff_t>(m_next * m_n));
    m_labels[m_next] = label;
    m_next = (m_next + 1) % m_labels.size();
    m_fill = std::min(m_fill + 1, m_labels.size());
  }
  std::vector<int32_t> assign() const {
    return assign_labels({m_counts.data(), m_fill * m_n}, {m_labels.data(), m_fill}, m_n);
  }

 private:
  uint32_t m_n;
  std::vector<uint32_t> m_counts;
  std::vector<uint8_t> m_labels;
  size_t m_fill = 0, m_next = 0;
};

// What the scheduler tracks per ensemble member while it learns.
struct MemberLearning {
  MemberLearning(size_t window, uint32_t n_neurons) : ring(window, n_neurons), labels(n_neurons, -1) {}
  LabelRing ring;
  std::vector<int32_t> labels;
  uint64_t correct = 0;  // this label interval, with the current labels
};

}  // namespace

uint64_t sample_steps(const Network& net, const PresentationResult& r, bool training) {
  const uint64_t rest = net.between == BetweenImages::kRest ? net.rest_steps : 0;
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

std::vector<TrainReport> Scheduler::train_members(const EncodedSet& train) {
  const Network& net = m_backend.network();
  const ProtocolConfig& proto = net.config.protocol;
  const uint32_t n_neurons = net.n_neurons();
  const uint32_t members = m_backend.ensemble_size();
  const uint32_t selected = m_backend.selected_member();
  const size_t n = train.size();
  std::vector<TrainReport> reports(members);
  std::vector<MemberLearning> learning(members, MemberLearning(std::min<size_t>(proto.label_window, n * proto.epochs),
                                                               n_neurons));
  bool labelled = false;  // running accuracy starts once labels exist
  auto reassign = [&] {
    for (uint32_t k = 0; k < members; ++k) {
      const auto t0 = std::chrono::steady_clock::now();
      learning[k].labels = learning[k].ring.assign();
      m_backend.select_member(k);
      m_backend.set_labels(learning[k].labels);
      reports[k].label_seconds += seconds_since(t0);
    }
    m_backend.select_member(selected);
    labelled = true;
  };

  Progress progress(members > 1 ? "train x" + std::to_string(members) : "train", n * proto.epochs, m_progress);
  std::vector<PresentationResult> results(members);
  uint64_t done = 0, interval_seen = 0;
  std::string note = "acc --";
  const auto t0 = std::chrono::steady_clock::now();
  for (uint32_t epoch = 0; epoch < proto.epochs; ++epoch) {
    const std::vector<uint32_t> order = epoch_order(net, n, epoch);
    for (size_t s = 0; s < n; ++s) {
      const uint32_t i = order[s];
      const PresentationRequest request{train.image(i), static_cast<uint32_t>(done), Phase::kTrain};
      m_backend.train_ensemble(request, results);
      for (uint32_t k = 0; k < members; ++k) {
        add(reports[k].phase, results[k], net, true);
        // Score with the labels assigned so far, then remember the response.
        if (labelled) learning[k].correct += classify(results[k].counts, learning[k].labels) == train.labels[i] ? 1 : 0;
        learning[k].ring.push(results[k].counts, train.labels[i]);
      }
      interval_seen += labelled ? 1 : 0;
      ++done;
      if (done % proto.label_interval == 0) {
        if (interval_seen > 0) {
          double sum = 0.0;
          for (uint32_t k = 0; k < members; ++k) {
            const double acc = static_cast<double>(learning[k].correct) / static_cast<double>(interval_seen);
            reports[k].running_accuracy.push_back(acc);
            sum += acc;
          }
          char buf[64];
          std::snprintf(buf, sizeof buf, "acc %.1f%%%s (last %llu)", 100.0 * sum / members,
                        members > 1 ? " mean" : "", static_cast<unsigned long long>(interval_seen));
          note = buf;
        }
        for (auto& m : learning) m.correct = 0;
        interval_seen = 0;
        reassign();
      }
      progress.update(done, note);
    }
  }
  double label_seconds = 0.0;
  for (const auto& r : reports) label_seconds += r.label_seconds;
  const double seconds = seconds_since(t0) - label_seconds;
  reassign();
  for (uint32_t k = 0; k < members; ++k) {
    reports[k].phase.seconds = seconds;
    reports[k].assigned_neurons = static_cast<uint32_t>(
        std::count_if(learning[k].labels.begin(), learning[k].labels.end(), [](int32_t c) { return c >= 0; }));
  }
  progress.finish(note);
  return reports;
}

EvalReport Scheduler::evaluate(const EncodedSet& test, Phase phase) {
  return evaluate_selected(test, phase, phase == Phase::kTest ? "test" : "label");
}

std::vector<EvalReport> Scheduler::evaluate_members(const EncodedSet& test, Phase phase) {
  const uint32_t members = m_backend.ensemble_size();
  const uint32_t selected = m_backend.selected_member();
  std::vector<EvalReport> reports;
  for (uint32_t k = 0; k < members; ++k) {
    m_backend.select_member(k);
    const std::string label = phase == Phase::kTest ? "test" : "label";
    reports.push_back(evaluate_selected(test, phase, members > 1 ? label + " " + std::to_string(k) : label));
  }
  m_backend.select_member(selected);
  return reports;
}

EvalReport Scheduler::evaluate_selected(const EncodedSet& test, Phase phase, const std::string& label) {
  const Network& net = m_backend.network();
  const std::vector<int32_t> labels = m_backend.labels();
  EvalReport report;
  Progress progress(label, test.size(), m_progress);
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
