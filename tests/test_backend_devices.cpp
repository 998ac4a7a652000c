// Parity of learning through memristor devices, one test body per backend
// (tests/backends_under_test.hpp: serial host, threaded host executor, CUDA; cuda skips
// without a device): device models, non-idealities, drift, IR drop and ensembles
// (engine/step/device_step.hpp, docs/devices.md), against the serial CPU reference.
//
// Tolerances, and why:
// - kWeightAtol = 0 (0 ulp): every cell is written by the same write_cell with the same
//   request and the same counter-based draws, reads sum in one order, the kernels build
//   without FMA contraction, and the device models' exp, log, expm1, log1p and pow are
//   built from + - * / (core/portable_math.hpp). A difference is a bug.
// - spike counts, pulse counts and energies: equal. Pulses and energy are tallied per
//   crossbar row or column by the one thread that owns it and summed in one fixed order
//   (step/instance_state.hpp sum_tallies), so even the energies' sums match bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/cpu_backend.hpp"
#include "backends_under_test.hpp"
#include "config/network_config.hpp"
#include "device/device_drift.hpp"
#include "fixtures.hpp"

using namespace memsnn;
using fixtures::TestBackendOptions;
using nlohmann::json;

namespace {

constexpr float kWeightAtol = 0.0f;
constexpr double kEnergyRtol = 0.0;
constexpr size_t kImages = 5;

const std::string kTableMeta = std::string(MEMSNN_TEST_DATA_DIR) + "/devices/spikelearn_1t1r_Paiyu_15_meta.json";

// A small Diehl & Cook network (16 neurons, short presentations) learning through `device`.
Network device_network(const json& device, const json& patch = json::object()) {
  json doc = preset_json("diehl_cook_2015");
  doc["seed"] = 11;
  doc["populations"]["exc"]["size"] = 16;
  doc["populations"]["inh"]["size"] = 16;
  doc["protocol"]["presentation_ms"] = 60.0;
  doc["protocol"]["rest_ms"] = 20.0;
  doc["device"] = device;
  doc.merge_patch(patch);
  return build_network(config_from_json(doc), 28, 28);
}

// The devices every parity test runs: discrete levels, NeuroSim with every write and cell
// non-ideality, Chen's gap model under Spikelearn's trace-to-voltage mapping, read noise,
// drift at read-out, and the measured 1T1R table (tests/data/devices).
std::vector<json> devices() {
  std::vector<json> d = {
      {{"preset", "anddudkin_20"}},
      {{"preset", "neurosim_epiram"},
       {"nonideal", {{"c2c_sigma", 0.02}, {"d2d_sigma", 0.05}, {"stuck_at_min", 0.05}, {"stuck_at_max", 0.05}}}},
      {{"preset", "chen2015"}, {"mapping", "trace_voltage"}},
      {{"preset", "neurosim_epiram"}, {"nonideal", {{"read_sigma", 0.02}}}},
      {{"preset", "anddudkin_20"}, {"nonideal", {{"read_sigma", 0.02}, {"drift_nu", 0.05}, {"drift_time_s", 1000.0}}}},
  };
  d.push_back({{"type", "table"}, {"meta_json", kTableMeta}, {"nonideal", {{"c2c_sigma", 0.01}}}});
  return d;
}

std::vector<uint8_t> images_for(const Network& net, size_t n) { return fixtures::synthetic_images(n, net.n_inputs); }

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  float m = 0.0f;
  for (size_t k = 0; k < a.size() && k < b.size(); ++k) m = std::max(m, std::fabs(a[k] - b[k]));
  return m;
}

void expect_near_rel(double cpu, double gpu, const char* what, size_t s) {
  EXPECT_LE(std::fabs(cpu - gpu), kEnergyRtol * std::fabs(cpu)) << what << ", image " << s << ": cpu " << cpu
                                                                << " other " << gpu;
}

// Counts, attempts, spike totals and pulses equal; energies within kEnergyRtol.
void expect_same_results(const std::vector<PresentationResult>& cpu, const std::vector<PresentationResult>& gpu) {
  ASSERT_EQ(cpu.size(), gpu.size());
  for (size_t s = 0; s < cpu.size(); ++s) {
    EXPECT_EQ(cpu[s].counts, gpu[s].counts) << "image " << s;
    EXPECT_EQ(cpu[s].attempts, gpu[s].attempts) << "image " << s;
    EXPECT_EQ(cpu[s].input_spikes, gpu[s].input_spikes) << "image " << s;
    EXPECT_EQ(cpu[s].layer_spikes, gpu[s].layer_spikes) << "image " << s;
    EXPECT_EQ(cpu[s].device.pot_pulses, gpu[s].device.pot_pulses) << "image " << s;
    EXPECT_EQ(cpu[s].device.dep_pulses, gpu[s].device.dep_pulses) << "image " << s;
    expect_near_rel(cpu[s].device.program_energy_J, gpu[s].device.program_energy_J, "program energy", s);
    expect_near_rel(cpu[s].device.read_energy_J, gpu[s].device.read_energy_J, "read energy", s);
  }
}

// Trains kImages on the reference and on `gpu` (the backend under test, same network),
// then infers them; everything must agree.
void expect_parity(const Network& net, Backend& gpu, uint32_t cpu_threads = 1) {
  ASSERT_TRUE(net.device_path || drift_applies(net.device.nonideal));
  const auto images = images_for(net, kImages);
  CpuBackend cpu(net, cpu_threads);
  EXPECT_TRUE(same_bits(cpu.state().g, gpu.state().g)) << "initial states differ";
  const auto rc = fixtures::train_images(cpu, images, kImages);
  const auto rg = fixtures::train_images(gpu, images, kImages);
  expect_same_results(rc, rg);
  const NetworkState sc = cpu.state(), sg = gpu.state();
  const float dg = max_abs_diff(sc.g, sg.g);
  uint64_t pulses = 0;
  for (const auto& r : rc) pulses += r.device.pot_pulses + r.device.dep_pulses;
  std::printf("device kind %d: max |dg| = %g, pulses %llu\n", static_cast<int>(net.device.model.kind), dg,
              static_cast<unsigned long long>(pulses));
  EXPECT_LE(dg, kWeightAtol);
  EXPECT_TRUE(same_bits(sc.g, sg.g) || kWeightAtol > 0.0f);
  EXPECT_EQ(sc.theta, sg.theta);
  expect_same_results(fixtures::infer_all(cpu, images, kImages), fixtures::infer_all(gpu, images, kImages));
  // Inference read a drifted copy: the stored weights stay as programmed.
  EXPECT_TRUE(same_bits(gpu.state().g, sg.g));
}

class BackendDevices : public fixtures::BackendParityTest {
 protected:
  void expect_parity(const Network& net) {
    const auto under_test = backend(net);
    ::expect_parity(net, *under_test);
  }
};

}  // namespace

TEST_P(BackendDevices, TrainingAndInferenceMatchTheCpuForEveryDevice) {
  for (const json& device : devices()) {
    SCOPED_TRACE(device.dump());
    expect_parity(device_network(device));
  }
}

// The window rule writes through devices on post spikes only.
TEST_P(BackendDevices, WindowRuleThroughDevicesMatchesTheCpu) {
  json doc = preset_json("anddudkin_mem");
  doc["device"] = {{"preset", "anddudkin_20"}, {"nonideal", {{"c2c_sigma", 0.01}}}};
  expect_parity(build_network(config_from_json(doc), 28, 28));
}

// Inference keys read noise by the image, so CPU workers (any number) and GPU blocks agree.
TEST_P(BackendDevices, InferenceReadNoiseDoesNotDependOnTheWorkers) {
  const Network net = device_network({{"preset", "neurosim_epiram"}, {"nonideal", {{"read_sigma", 0.05}}}});
  const auto images = images_for(net, 12);
  CpuBackend one(net, 1), three(net, 3);
  TestBackendOptions small;
  small.threads = 2;
  small.infer_batch = 5;  // several batches
  const auto under_test = backend(net, small);
  Backend& gpu = *under_test;
  const auto r1 = fixtures::infer_all(one, images, 12);
  expect_same_results(r1, fixtures::infer_all(three, images, 12));
  expect_same_results(r1, fixtures::infer_all(gpu, images, 12));
}

// The same seed gives the same devices on both backends: the initial (snapped, stuck)
// weights are equal, and stuck cells never move on the GPU either.
TEST_P(BackendDevices, TheSeedGivesTheSameDevicesOnBothBackends) {
  const Network net = device_network(
      {{"preset", "neurosim_epiram"}, {"nonideal", {{"d2d_sigma", 0.05}, {"stuck_at_min", 0.05}, {"stuck_at_max", 0.05}}}});
  const auto under_test = backend(net);
  Backend& gpu = *under_test;
  const NetworkState initial = initial_state(net);
  EXPECT_TRUE(same_bits(initial.g, gpu.state().g));
  const auto images = images_for(net, kImages);
  fixtures::train_images(gpu, images, kImages);
  const NetworkState s = gpu.state();
  size_t stuck = 0;
  for (uint32_t c = 0; c < s.g.size(); ++c) {
    if (cell_fault(net.config.seed, net.device.projection, c, net.device.nonideal) == CellFault::kNone) continue;
    ++stuck;
    EXPECT_EQ(s.g[c], initial.g[c]) << "cell " << c;
  }
  EXPECT_GT(stuck, 0u);
}

// Ensemble member k: seed + k and its own device clock, on both backends.
TEST_P(BackendDevices, EnsembleMembersMatchTheCpu) {
  const Network net =
      device_network({{"preset", "neurosim_epiram"}, {"nonideal", {{"c2c_sigma", 0.02}, {"read_sigma", 0.02}}}});
  const auto images = images_for(net, 3);
  CpuBackend cpu(net, 2, 3);
  TestBackendOptions options;
  options.threads = 2;
  options.ensemble = 3;
  const auto under_test = backend(net, options);
  Backend& gpu = *under_test;
  for (uint32_t s = 0; s < 3; ++s) {
    std::vector<PresentationResult> rc(3), rg(3);
    const PresentationRequest req{images.data() + s * net.n_inputs, s, Phase::kTrain};
    cpu.train_ensemble(req, rc);
    gpu.train_ensemble(req, rg);
    expect_same_results(rc, rg);
  }
  for (uint32_t k = 0; k < 3; ++k) EXPECT_TRUE(same_bits(cpu.member_state(k).g, gpu.member_state(k).g)) << k;
}

// IR drop with devices: exact (solved every step; no read noise on either backend) and
// weff with drift (W_eff of the drifted weights at inference).
TEST_P(BackendDevices, IrDropThroughDevicesMatchesTheCpu) {
  expect_parity(device_network({{"preset", "anddudkin_20"}},
                               {{"crossbar", {{"ir_drop", "exact"}, {"r_row_ohm", 1.0}, {"r_col_ohm", 1.0}}}}));
  expect_parity(device_network(
      {{"preset", "anddudkin_20"}, {"nonideal", {{"read_sigma", 0.02}, {"drift_nu", 0.05}, {"drift_time_s", 1000.0}}}},
      {{"crossbar", {{"ir_drop", "weff"}, {"r_row_ohm", 1.0}, {"r_col_ohm", 1.0}}}}));
}

MEMSNN_INSTANTIATE_BACKEND_PARITY(BackendDevices);
