// Backend parity: one test body per backend (tests/backends_under_test.hpp: the serial
// host, the threaded host executor, CUDA), each against the serial CPU reference, in the
// parity tiers (a: one step from identical state, b: known rasters, c: long runs within a
// budget, d: solvers and ensembles). The cuda instances skip without a device; the host ones run in
// CI, so the logic a GPU block runs is tested there by the threaded host executor.
//
// Tolerances, and why:
// - kStateAtol = 0: every backend runs the same step (engine/step/stdp_step.hpp) with the
//   same per-element maths, sums over the spike lists in one order and builds without FMA
//   contraction; the step's one transcendental function, the membrane's exp, is built from
//   + - * / (core/portable_math.hpp), so no libm can differ. A difference is a bug.
// - kSpikeMismatchBudget = 1 %, kAccuracyGap = 1 point (tier c, long runs): kept as the
//   stated budget for a GPU whose arithmetic could still part from the host's somewhere;
//   the host executors are expected (and seen) to match exactly.
// - kIrDropExactAtol = 0: exact IR drop solves the circuit every step inside the step
//   (crossbar/block_relaxation.hpp) with line_solve.hpp's arithmetic, each sum on one
//   thread in one index order, maxima (order-free) for the scale and residual; so the
//   nodes, currents, residuals and sweep counts agree bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/cpu_backend.hpp"
#include "backends_under_test.hpp"
#include "config/network_config.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "data/dataset.hpp"
#include "fixtures.hpp"
#include "sim/scheduler.hpp"

using namespace memsnn;
using fixtures::TestBackendOptions;
using nlohmann::json;

namespace {

constexpr float kStateAtol = 0.0f;
constexpr double kSpikeMismatchBudget = 0.01;
constexpr double kAccuracyGap = 0.01;
constexpr float kIrDropExactAtol = 0.0f;

Network preset_network(const std::string& preset, const json& patch = json::object()) {
  json doc = preset_json(preset);
  doc.merge_patch(patch);
  return build_network(config_from_json(doc), 28, 28);
}

Network dc_network(uint32_t neurons, double presentation_ms = 100.0, double rest_ms = 20.0) {
  return preset_network("diehl_cook_2015", {{"populations", {{"exc", {{"size", neurons}}}, {"inh", {{"size", neurons}}}}},
                                            {"protocol", {{"presentation_ms", presentation_ms}, {"rest_ms", rest_ms}}}});
}

// Encoded images at the network's input size (downsampled presets take 784 -> fewer).
std::vector<uint8_t> encoded_images(const Network& net, size_t n) {
  const auto raw = fixtures::synthetic_images(n, 28 * 28);
  std::vector<uint8_t> out(n * net.n_inputs);
  for (size_t s = 0; s < n; ++s) encode_image(net, raw.data() + s * 784, 28, 28, out.data() + s * net.n_inputs);
  return out;
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float m = 0.0f;
  for (size_t k = 0; k < a.size() && k < b.size(); ++k) m = std::max(m, std::fabs(a[k] - b[k]));
  return m;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0.0;
  for (size_t k = 0; k < a.size() && k < b.size(); ++k) m = std::max(m, std::fabs(a[k] - b[k]));
  return m;
}

void expect_same_results(const std::vector<PresentationResult>& cpu, const std::vector<PresentationResult>& gpu) {
  // (gpu: the backend under test)
  ASSERT_EQ(cpu.size(), gpu.size());
  for (size_t s = 0; s < cpu.size(); ++s) {
    EXPECT_EQ(cpu[s].counts, gpu[s].counts) << "image " << s;
    EXPECT_EQ(cpu[s].attempts, gpu[s].attempts) << "image " << s;
    EXPECT_EQ(cpu[s].input_spikes, gpu[s].input_spikes) << "image " << s;
    EXPECT_EQ(cpu[s].layer_spikes, gpu[s].layer_spikes) << "image " << s;
    EXPECT_EQ(cpu[s].gave_up, gpu[s].gave_up) << "image " << s;
  }
}

class BackendParity : public fixtures::BackendParityTest {};

}  // namespace

// Tier (a): one training presentation (plus rest) from identical state; every array the
// state holds is compared.
TEST_P(BackendParity, OneTrainingImageFromIdenticalState) {
  const Network net = dc_network(100);
  const auto images = encoded_images(net, 1);
  CpuBackend cpu(net, 1);
  const auto under_test = backend(net);
  Backend& gpu = *under_test;
  const auto rc = fixtures::train_images(cpu, images, 1);
  const auto rg = fixtures::train_images(gpu, images, 1);
  expect_same_results(rc, rg);
  const NetworkState sc = cpu.state(), sg = gpu.state();
  const float dg = max_abs_diff(sc.g, sg.g);
  const double dtheta = max_abs_diff(sc.theta, sg.theta);
  std::printf("one image: max |dg| = %g, max |dtheta| = %g mV, spikes %llu\n", dg, dtheta,
              static_cast<unsigned long long>(rc[0].layer_spikes));
  EXPECT_LE(dg, kStateAtol);
  EXPECT_LE(dtheta, static_cast<double>(kStateAtol));
}

// Tier (b): a network whose raster is known exactly (tests/fixtures.hpp derives it).
TEST_P(BackendParity, KnownRasterOfAnIntegrateAndFireNeuron) {
  const Network net = fixtures::if_raster_network();
  const auto under_test = backend(net);
  Backend& gpu = *under_test;
  const PresentationResult r = fixtures::run_if_raster(gpu);
  EXPECT_EQ(r.counts[0], 9u);
  EXPECT_EQ(r.input_spikes, 4u * 30u);
}

// Tier (b) for every neuron kind, projection kind and both learning rules: short runs must
// give the same counts and the same learned state.
TEST_P(BackendParity, TrainingMatchesTheCpuForEveryPreset) {
  for (const std::string preset : {"diehl_cook_2015", "diehl_cook_2015_timer", "anddudkin_mem"}) {
    SCOPED_TRACE(preset);
    const json patch = preset == "anddudkin_mem"
                           ? json::object()
                           : json{{"populations", {{"exc", {{"size", 64}}}, {"inh", {{"size", 64}}}}},
                                  {"protocol", {{"presentation_ms", 100.0}, {"rest_ms", 20.0}}}};
    const Network net = preset_network(preset, patch);
    const auto images = encoded_images(net, 20);
    CpuBackend cpu(net, 1);
    const auto under_test = backend(net);
  Backend& gpu = *under_test;
    expect_same_results(fixtures::train_images(cpu, images, 20), fixtures::train_images(gpu, images, 20));
    const NetworkState sc = cpu.state(), sg = gpu.state();
    EXPECT_LE(max_abs_diff(sc.g, sg.g), kStateAtol);
    EXPECT_LE(max_abs_diff(sc.theta, sg.theta), static_cast<double>(kStateAtol));
  }
}

// IR drop (weff): W_eff built on the device equals the CPU's bit for bit
// (test_cuda_crossbar), so training with the refresh policies that rebuild W_eff, and
// frozen inference, give the CPU's results exactly. (`step` is exact: the next test.)
TEST_P(BackendParity, IrDropWeffMatchesTheCpu) {
  for (const std::string refresh : {"image", "images"}) {
    SCOPED_TRACE(refresh);
    const json patch = {{"populations", {{"exc", {{"size", 32}}}, {"inh", {{"size", 32}}}}},
                        {"protocol", {{"presentation_ms", 60.0}, {"rest_ms", 20.0}}},
                        {"crossbar", {{"ir_drop", "weff"}, {"r_row_ohm", 2.0}, {"r_col_ohm", 2.0},
                                      {"tile_rows", 256}, {"weff_refresh", refresh}, {"weff_refresh_images", 3}}}};
    const Network net = preset_network("diehl_cook_2015", patch);
    const auto images = encoded_images(net, 8);
    CpuBackend cpu(net, 1);
    const auto under_test = backend(net);
  Backend& gpu = *under_test;
    expect_same_results(fixtures::train_images(cpu, images, 8), fixtures::train_images(gpu, images, 8));
    EXPECT_LE(max_abs_diff(cpu.state().g, gpu.state().g), kStateAtol);
    expect_same_results(fixtures::infer_all(cpu, images, 8), fixtures::infer_all(gpu, images, 8));
    EXPECT_EQ(cpu.ir_drop_stats().weff_builds, gpu.ir_drop_stats().weff_builds);
    EXPECT_EQ(cpu.ir_drop_stats().sweeps, gpu.ir_drop_stats().sweeps);
  }
}

// IR drop (exact, and weff_refresh "step", the same path): training solves the circuit
// for the spiking rows every step, 1 ohm wires, untiled and tiled into uneven arrays
// (784 = 3 x 256 + 16 rows, 16 = 12 + 4 columns); the results, the learned weights and
// the solver's work equal the CPU's (kIrDropExactAtol). Frozen inference reads W_eff on
// both. A solve that does not converge is the CPU's error, word for word.
TEST_P(BackendParity, IrDropExactMatchesTheCpu) {
  const json variants[] = {
      {{"ir_drop", "exact"}, {"r_row_ohm", 1.0}, {"r_col_ohm", 1.0}},
      {{"ir_drop", "weff"}, {"weff_refresh", "step"}, {"r_row_ohm", 1.0}, {"r_col_ohm", 1.0}, {"r_source_ohm", 0.5},
       {"r_sense_ohm", 2.0}, {"tile_rows", 256}, {"tile_cols", 12}},
  };
  for (const json& crossbar : variants) {
    SCOPED_TRACE(crossbar.dump());
    const json patch = {{"populations", {{"exc", {{"size", 16}}}, {"inh", {{"size", 16}}}}},
                        {"protocol", {{"presentation_ms", 60.0}, {"rest_ms", 20.0}}},
                        {"crossbar", crossbar}};
    const Network net = preset_network("diehl_cook_2015", patch);
    const auto images = encoded_images(net, 4);
    CpuBackend cpu(net, 1);
    const auto under_test = backend(net);
  Backend& gpu = *under_test;
    expect_same_results(fixtures::train_images(cpu, images, 4), fixtures::train_images(gpu, images, 4));
    const NetworkState sc = cpu.state(), sg = gpu.state();
    const float dg = max_abs_diff(sc.g, sg.g);
    const double dtheta = max_abs_diff(sc.theta, sg.theta);
    const IrDropStats ic = cpu.ir_drop_stats(), ig = gpu.ir_drop_stats();
    std::printf("exact IR drop: max |dg| = %g, max |dtheta| = %g mV; solves cpu %llu gpu %llu, sweeps cpu %llu gpu "
                "%llu, max residual cpu %.3g gpu %.3g\n",
                dg, dtheta, static_cast<unsigned long long>(ic.exact_solves),
                static_cast<unsigned long long>(ig.exact_solves), static_cast<unsigned long long>(ic.sweeps),
                static_cast<unsigned long long>(ig.sweeps), ic.max_residual, ig.max_residual);
    EXPECT_LE(dg, kIrDropExactAtol);
    EXPECT_LE(dtheta, static_cast<double>(kIrDropExactAtol));
    EXPECT_GT(ic.exact_solves, 0u);
    EXPECT_EQ(ic.exact_solves, ig.exact_solves);
    EXPECT_EQ(ic.sweeps, ig.sweeps);
    EXPECT_EQ(ic.max_residual, ig.max_residual);
    EXPECT_EQ(ig.weff_builds, 0u);  // training builds no W_eff
    expect_same_results(fixtures::infer_all(cpu, images, 4), fixtures::infer_all(gpu, images, 4));
    EXPECT_EQ(cpu.ir_drop_stats().weff_builds, gpu.ir_drop_stats().weff_builds);
  }
  // Not converging: one sweep cannot meet the tolerance with 5 ohm wires.
  const Network harsh = preset_network(
      "diehl_cook_2015", {{"populations", {{"exc", {{"size", 16}}}, {"inh", {{"size", 16}}}}},
                          {"crossbar", {{"ir_drop", "exact"}, {"r_row_ohm", 5.0}, {"r_col_ohm", 5.0},
                                        {"solver_max_iterations", 1}}}});
  const auto images = encoded_images(harsh, 1);
  std::string cpu_error, gpu_error;
  try {
    CpuBackend cpu(harsh, 1);
    fixtures::train_images(cpu, images, 1);
  } catch (const BackendError& e) {
    cpu_error = e.what();
  }
  try {
    const auto gpu = backend(harsh);
    fixtures::train_images(*gpu, images, 1);
  } catch (const BackendError& e) {
    gpu_error = e.what();
  }
  EXPECT_NE(cpu_error.find("did not converge"), std::string::npos) << cpu_error;
  EXPECT_EQ(cpu_error, gpu_error);
}

// Inference batches: many frozen images at once (batch smaller than the request count, so
// several batches and retries run) give the CPU's counts image by image.
TEST_P(BackendParity, InferenceBatchMatchesTheCpu) {
  const Network net = dc_network(100);
  const auto images = encoded_images(net, 300);
  CpuBackend cpu(net, 2);
  TestBackendOptions options;
  options.threads = 2;
  options.infer_batch = 128;
  const auto under_test = backend(net, options);
  Backend& gpu = *under_test;
  expect_same_results(fixtures::infer_all(cpu, images, 300), fixtures::infer_all(gpu, images, 300));
}

// Tier (c): a longer run on real digits (the embedded MNIST split): 1,000 training and 500
// test images through the scheduler on both backends (the threaded host executor, whose
// fibers switch at every barrier, 150 and 100: about 15x the serial time per image). Spike
// counts of the training images and the test accuracy stay within the stated budgets.
TEST_P(BackendParity, LongRunOnDigitsStaysWithinTheMismatchBudget) {
  const bool threaded = GetParam() == fixtures::BackendKind::kThreadedHost;
  const DataSplit data = load_data("");
  const Network net = dc_network(100, 350.0, 150.0);
  const EncodedSet train = encode_dataset(net, data.train, threaded ? 150 : 1000);
  const EncodedSet test = encode_dataset(net, data.test, threaded ? 100 : 500);
  CpuBackend cpu(net, 2);
  TestBackendOptions options;
  options.threads = 2;
  const auto under_test = backend(net, options);
  Backend& gpu = *under_test;
  Scheduler sc(cpu, ProgressMode::kQuiet), sg(gpu, ProgressMode::kQuiet);
  sc.train(train);
  sg.train(train);
  const NetworkState a = cpu.state(), b = gpu.state();
  size_t differing_cells = 0;
  for (size_t k = 0; k < a.g.size(); ++k) differing_cells += a.g[k] != b.g[k];
  const EvalReport ec = sc.evaluate(test), eg = sg.evaluate(test);
  const double spikes_c = static_cast<double>(ec.phase.layer_spikes), spikes_g = static_cast<double>(eg.phase.layer_spikes);
  std::printf("long run: %zu of %zu conductances differ; test spikes cpu %.0f gpu %.0f; accuracy cpu %.4f gpu %.4f\n",
              differing_cells, a.g.size(), spikes_c, spikes_g, ec.accuracy(), eg.accuracy());
  EXPECT_LE(std::fabs(spikes_c - spikes_g), kSpikeMismatchBudget * spikes_c);
  EXPECT_LE(std::fabs(ec.accuracy() - eg.accuracy()), kAccuracyGap);
}

// Tier (d): ensemble member k equals a single network with seed + k, on the CPU reference
// (own initial weights, own input spikes, own retries).
TEST_P(BackendParity, EnsembleMemberKEqualsASingleRunWithSeedK) {
  constexpr uint32_t kMembers = 4;
  constexpr size_t kImages = 12;
  const Network net = dc_network(50);
  const auto images = encoded_images(net, kImages);
  TestBackendOptions options;
  options.ensemble = kMembers;
  const auto under_test = backend(net, options);
  Backend& gpu = *under_test;
  ASSERT_EQ(gpu.ensemble_size(), kMembers);
  std::vector<std::vector<PresentationResult>> per_member(kMembers, std::vector<PresentationResult>(kImages));
  for (size_t s = 0; s < kImages; ++s) {
    std::vector<PresentationResult> r(kMembers);
    gpu.train_ensemble({images.data() + s * net.n_inputs, static_cast<uint32_t>(s), Phase::kTrain}, r);
    for (uint32_t k = 0; k < kMembers; ++k) per_member[k][s] = r[k];
  }
  for (uint32_t k = 0; k < kMembers; ++k) {
    SCOPED_TRACE("member " + std::to_string(k));
    json doc = config_to_json(net.config);
    doc["seed"] = net.config.seed + k;
    const Network single = build_network(config_from_json(doc), 28, 28);
    CpuBackend cpu(single, 1);
    expect_same_results(fixtures::train_images(cpu, images, kImages), per_member[k]);
    const NetworkState sc = cpu.state(), sg = gpu.member_state(k);
    EXPECT_LE(max_abs_diff(sc.g, sg.g), kStateAtol);
    EXPECT_LE(max_abs_diff(sc.theta, sg.theta), static_cast<double>(kStateAtol));
  }
  // Members differ from each other (different seeds), so the test could fail.
  EXPECT_GT(max_abs_diff(gpu.member_state(0).g, gpu.member_state(1).g), 0.0f);
}

// Errors: a state of the wrong shape is refused with one line, as on the CPU.
TEST_P(BackendParity, RejectsStateOfTheWrongShape) {
  const Network net = dc_network(10);
  const auto under_test = backend(net);
  Backend& gpu = *under_test;
  NetworkState s = gpu.state();
  s.g.pop_back();
  EXPECT_THROW(gpu.set_state(s), BackendError);
}

MEMSNN_INSTANTIATE_BACKEND_PARITY(BackendParity);
