// Ensembles on the CPU reference: member k of an ensemble is, bit for bit, a single
// network with seed + k (training results, weights, thresholds, labels, test responses);
// the thread count changes nothing; the scheduler's per-member reports equal single runs';
// member indices out of range are one-line errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/backend_factory.hpp"
#include "backend/cpu_backend.hpp"
#include "config/network_config.hpp"
#include "core/error.hpp"
#include "fixtures.hpp"
#include "sim/scheduler.hpp"

using namespace memsnn;
using nlohmann::json;

namespace {

constexpr uint32_t kMembers = 3;
constexpr size_t kImages = 20;

// A small D&C network with short presentations keeps every test well under a second.
Network small_network(uint64_t seed, const json& patch = json::object()) {
  json doc = preset_json("diehl_cook_2015");
  doc["seed"] = seed;
  doc["populations"]["exc"]["size"] = 20;
  doc["populations"]["inh"]["size"] = 20;
  doc["protocol"]["presentation_ms"] = 100.0;
  doc["protocol"]["rest_ms"] = 20.0;
  doc.merge_patch(patch);
  return build_network(config_from_json(doc), 28, 28);
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void expect_same_result(const PresentationResult& a, const PresentationResult& b) {
  EXPECT_EQ(a.counts, b.counts);
  EXPECT_EQ(a.attempts, b.attempts);
  EXPECT_EQ(a.input_spikes, b.input_spikes);
  EXPECT_EQ(a.layer_spikes, b.layer_spikes);
  EXPECT_EQ(a.gave_up, b.gave_up);
}

void expect_same_state(const NetworkState& a, const NetworkState& b) {
  EXPECT_TRUE(same_bits(a.g, b.g));
  EXPECT_EQ(a.theta, b.theta);  // doubles, compared exactly
  EXPECT_EQ(a.labels, b.labels);
}

// Trains every member on the first n images; results[k][s] is member k's on image s.
std::vector<std::vector<PresentationResult>> train_ensemble(Backend& backend, const std::vector<uint8_t>& images,
                                                            size_t n) {
  const uint32_t members = backend.ensemble_size();
  std::vector<std::vector<PresentationResult>> out(members, std::vector<PresentationResult>(n));
  std::vector<PresentationResult> r(members);
  for (size_t s = 0; s < n; ++s) {
    backend.train_ensemble({images.data() + s * backend.network().n_inputs, static_cast<uint32_t>(s), Phase::kTrain},
                           r);
    for (uint32_t k = 0; k < members; ++k) out[k][s] = r[k];
  }
  return out;
}

std::vector<PresentationResult> infer_all(Backend& backend, const std::vector<uint8_t>& images, size_t n) {
  std::vector<PresentationRequest> req(n);
  std::vector<PresentationResult> res(n);
  for (size_t s = 0; s < n; ++s) {
    req[s] = {images.data() + s * backend.network().n_inputs, static_cast<uint32_t>(s), Phase::kTest};
  }
  backend.infer(req, res);
  return res;
}

EncodedSet synthetic_set(uint32_t n_inputs, size_t n, uint32_t offset) {
  EncodedSet set;
  set.n_inputs = n_inputs;
  set.pixels = fixtures::synthetic_images(n + offset, n_inputs);
  set.pixels.erase(set.pixels.begin(), set.pixels.begin() + static_cast<ptrdiff_t>(offset) * n_inputs);
  for (size_t s = 0; s < n; ++s) set.labels.push_back(static_cast<uint8_t>((s + offset) % 10));
  return set;
}

}  // namespace

TEST(CpuEnsemble, MemberKEqualsASingleRunWithSeedPlusK) {
  const Network net = small_network(7);
  const auto images = fixtures::synthetic_images(kImages, net.n_inputs);
  CpuBackend ensemble(net, 2, kMembers);
  ASSERT_EQ(ensemble.ensemble_size(), kMembers);
  const auto results = train_ensemble(ensemble, images, kImages);
  for (uint32_t k = 0; k < kMembers; ++k) {
    SCOPED_TRACE("member " + std::to_string(k));
    const Network single_net = small_network(7 + k);
    CpuBackend single(single_net, 1);
    const auto expected = fixtures::train_images(single, images, kImages);
    for (size_t s = 0; s < kImages; ++s) expect_same_result(results[k][s], expected[s]);
    expect_same_state(ensemble.member_state(k), single.state());
    // Frozen inference on member k draws member k's input spikes.
    ensemble.select_member(k);
    EXPECT_EQ(ensemble.selected_member(), k);
    expect_same_state(ensemble.state(), single.state());
    const auto inferred = infer_all(ensemble, images, 8), expected_inferred = infer_all(single, images, 8);
    for (size_t s = 0; s < inferred.size(); ++s) expect_same_result(inferred[s], expected_inferred[s]);
  }
  // The members differ (so the comparison above could fail).
  EXPECT_FALSE(same_bits(ensemble.member_state(0).g, ensemble.member_state(1).g));
}

TEST(CpuEnsemble, ResultsDoNotDependOnThreadCount) {
  const Network net = small_network(0);
  const auto images = fixtures::synthetic_images(8, net.n_inputs);
  CpuBackend one(net, 1, kMembers), many(net, kMembers + 1, kMembers);
  const auto r1 = train_ensemble(one, images, 8), rn = train_ensemble(many, images, 8);
  for (uint32_t k = 0; k < kMembers; ++k) {
    for (size_t s = 0; s < 8; ++s) expect_same_result(r1[k][s], rn[k][s]);
    expect_same_state(one.member_state(k), many.member_state(k));
  }
}

TEST(CpuEnsemble, TrainAdvancesEveryMemberAndLabelsStayPerMember) {
  const Network net = small_network(1);
  const auto images = fixtures::synthetic_images(4, net.n_inputs);
  CpuBackend a(net, 2, 2), b(net, 2, 2);
  const auto via_train = fixtures::train_images(a, images, 4);  // train(): member 0's result
  const auto via_ensemble = train_ensemble(b, images, 4);
  for (size_t s = 0; s < 4; ++s) expect_same_result(via_train[s], via_ensemble[0][s]);
  expect_same_state(a.member_state(1), b.member_state(1));
  // Labels belong to the selected member only.
  std::vector<int32_t> labels(net.n_neurons(), 3);
  a.select_member(1);
  a.set_labels(labels);
  EXPECT_EQ(a.labels(), labels);
  EXPECT_EQ(a.member_state(1).labels, labels);
  EXPECT_EQ(a.member_state(0).labels, std::vector<int32_t>(net.n_neurons(), -1));
  // set_state gives every member the state, as when a checkpoint is loaded.
  a.set_state(b.member_state(0));
  expect_same_state(a.member_state(1), b.member_state(0));
}

TEST(CpuEnsemble, MemberIndicesAndSizesAreCheckedInOneLine) {
  const Network net = small_network(0);
  CpuBackend backend(net, 1, 2);
  EXPECT_THROW(backend.select_member(2), BackendError);
  EXPECT_THROW((void)backend.member_state(2), BackendError);
  std::vector<PresentationResult> wrong(3);
  const auto images = fixtures::synthetic_images(1, net.n_inputs);
  EXPECT_THROW(backend.train_ensemble({images.data(), 0, Phase::kTrain}, wrong), BackendError);
  try {
    backend.select_member(5);
  } catch (const BackendError& e) {
    EXPECT_STREQ(e.what(), "ensemble member 5 does not exist (ensemble of 2)");
  }
  EXPECT_THROW(CpuBackend(net, 1, 0), BackendError);
}

TEST(CpuEnsemble, FactoryBuildsCpuEnsembles) {
  const Network net = small_network(0);
  BackendOptions options;
  options.threads = 1;
  options.ensemble = 4;
  const BackendChoice choice = make_backend("cpu", net, options);
  EXPECT_EQ(choice.backend->name(), "cpu");
  EXPECT_EQ(choice.backend->ensemble_size(), 4u);
}

TEST(SchedulerEnsemble, PerMemberReportsEqualSingleRuns) {
  const json patch = {{"protocol", {{"label_interval", 10}, {"label_window", 20}}}};
  const Network net = small_network(11, patch);
  const EncodedSet train = synthetic_set(net.n_inputs, 30, 0);
  const EncodedSet test = synthetic_set(net.n_inputs, 20, 100);
  CpuBackend ensemble(net, 2, kMembers);
  Scheduler scheduler(ensemble, ProgressMode::kQuiet);
  const std::vector<TrainReport> trained = scheduler.train_members(train);
  const std::vector<EvalReport> tested = scheduler.evaluate_members(test);
  ASSERT_EQ(trained.size(), kMembers);
  ASSERT_EQ(tested.size(), kMembers);
  EXPECT_EQ(ensemble.selected_member(), 0u);  // restored
  std::vector<EvalReport> singles;
  for (uint32_t k = 0; k < kMembers; ++k) {
    SCOPED_TRACE("member " + std::to_string(k));
    CpuBackend single(small_network(11 + k, patch), 1);
    Scheduler s(single, ProgressMode::kQuiet);
    const TrainReport tr = s.train(train);
    const EvalReport ev = s.evaluate(test);
    singles.push_back(ev);
    EXPECT_EQ(trained[k].phase.attempts, tr.phase.attempts);
    EXPECT_EQ(trained[k].phase.layer_spikes, tr.phase.layer_spikes);
    EXPECT_EQ(trained[k].phase.sample_steps, tr.phase.sample_steps);
    EXPECT_EQ(trained[k].running_accuracy, tr.running_accuracy);
    EXPECT_EQ(trained[k].assigned_neurons, tr.assigned_neurons);
    EXPECT_EQ(tested[k].correct, ev.correct);
    EXPECT_EQ(tested[k].no_prediction, ev.no_prediction);
    EXPECT_EQ(tested[k].confusion, ev.confusion);
    EXPECT_EQ(tested[k].phase.layer_spikes, ev.phase.layer_spikes);
    expect_same_state(ensemble.member_state(k), single.state());
  }
  // The spread: mean and sample standard deviation of the members' accuracies.
  const AccuracySpread spread = accuracy_spread(tested);
  double mean = 0.0, ss = 0.0;
  for (const auto& e : singles) mean += e.accuracy() / kMembers;
  for (const auto& e : singles) ss += (e.accuracy() - mean) * (e.accuracy() - mean);
  ASSERT_EQ(spread.members.size(), kMembers);
  EXPECT_DOUBLE_EQ(spread.mean, mean);
  EXPECT_DOUBLE_EQ(spread.std, std::sqrt(ss / (kMembers - 1)));
  // train() on an ensemble is member 0's report.
  CpuBackend again(net, 1, kMembers);
  Scheduler s0(again, ProgressMode::kQuiet);
  EXPECT_EQ(s0.train(train).running_accuracy, trained[0].running_accuracy);
}

TEST(SchedulerEnsemble, AccuracySpreadOfOneMemberHasNoDeviation) {
  EvalReport r;
  r.phase.images = 4;
  r.correct = 3;
  const AccuracySpread one = accuracy_spread({r});
  EXPECT_DOUBLE_EQ(one.mean, 0.75);
  EXPECT_EQ(one.std, 0.0);
  EXPECT_TRUE(accuracy_spread({}).members.empty());
}
