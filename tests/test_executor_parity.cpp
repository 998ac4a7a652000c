// The shared step on the threaded host executor against the serial executor, every array
// after every step, bit for bit (docs/executors.md; parity tier (a), "one step from
// identical state, every array compared", at every step).
//
// The threaded executor (exec/host_block.hpp) runs the step as B cooperative threads with
// real barriers, each primitive handing out its indices in forward, reverse or shuffled
// order, as a CUDA thread block would run it. So a missing barrier, a racy shared write or
// an order-dependent sum in the step shows up here as a differing array, without a GPU.
//
// Tolerance: none (kBitExact). Every value is written by one thread with the same
// arithmetic, sums run in one fixed order, reductions are order-free (exec/block_policy.hpp,
// step/stdp_step.hpp), so any difference is a bug.
//
// Each case runs a scenario on one instance: the weights normalised, two training
// presentations with a rest after each (learning on), then frozen presentations of further
// images with a reset between them (inference), as the backends drive the step. The
// observer hashes every array of the instance (instance_state.hpp's one list) plus the
// caller's g and theta after every step; the threaded run must reproduce the serial run's
// hash sequence exactly. The first differing step and array are named on failure.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/cpu_simulation.hpp"
#include "config/network_config.hpp"
#include "crossbar/ir_drop.hpp"
#include "fixtures.hpp"
#include "model/poisson.hpp"

using namespace memsnn;
using nlohmann::json;

namespace {

// FNV-1a over the bytes: equal hashes mean equal bits (up to a 2^-64 collision).
uint64_t fnv(const void* data, size_t bytes, uint64_t h = 1469598103934665603ull) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t k = 0; k < bytes; ++k) h = (h ^ p[k]) * 1099511628211ull;
  return h;
}

struct Snapshot {
  std::vector<uint64_t> hashes;  // one per array, in `names` order
};

// Hashes every array of the simulation's (single) instance, and g and theta.
class Recorder {
 public:
  static constexpr bool kActive = true;
  Recorder(const CpuSimulation& sim, const float* g, size_t g_size, const double* theta, size_t theta_size,
           const std::vector<Snapshot>* reference)
      : m_sim(sim), m_g(g), m_g_size(g_size), m_theta(theta), m_theta_size(theta_size), m_reference(reference) {}

  void operator()(const StepEvent& e) {
    Snapshot s = snapshot();
    if (m_reference == nullptr) {
      m_steps.push_back(s);
    } else if (m_mismatch.empty()) {
      if (m_index >= m_reference->size()) {
        m_mismatch = "the threaded run took more steps than the serial one";
      } else {
        const Snapshot& r = (*m_reference)[m_index];
        for (size_t a = 0; a < s.hashes.size(); ++a) {
          if (s.hashes[a] != r.hashes[a]) {
            m_mismatch = "step " + std::to_string(m_index) + " (" +
                         (e.kind == StepKind::kRest ? "rest" : "presentation") + " step " + std::to_string(e.t) +
                         "): array '" + m_names[a] + "' differs";
            break;
          }
        }
      }
    }
    ++m_index;
  }

  const std::vector<Snapshot>& steps() const { return m_steps; }
  const std::string& mismatch() const { return m_mismatch; }
  size_t observed() const { return m_index; }

 private:
  Snapshot snapshot() {
    Snapshot s;
    InstanceArrays a = m_sim.instances().arrays();
    const bool name = m_names.empty();
    for_each_instance_array(a, m_sim.instances().sizes(), [&](auto* ptr, size_t per, const char* what, ArrayRole role) {
      // A list's entries past its step's count are leftovers, which executors may leave
      // differently; what the list held is compared through everything it fed.
      s.hashes.push_back(role == ArrayRole::kList ? 0 : fnv(ptr, per * sizeof(*ptr)));
      if constexpr (std::is_same_v<std::remove_cv_t<std::remove_reference_t<decltype(*ptr)>>, ExactStats>) {
        ExactStats st = *ptr;  // the solver's wall time is the one field that may differ
        st.nanoseconds = 0;
        s.hashes.back() = fnv(&st, sizeof st);
      }
      if (name) m_names.push_back(what);
    });
    s.hashes.push_back(fnv(m_g, m_g_size * sizeof(float)));
    s.hashes.push_back(fnv(m_theta, m_theta_size * sizeof(double)));
    if (name) {
      m_names.push_back("g (crossbar weights)");
      m_names.push_back("theta (adaptive thresholds)");
    }
    return s;
  }

  const CpuSimulation& m_sim;
  const float* m_g;
  size_t m_g_size;
  const double* m_theta;
  size_t m_theta_size;
  const std::vector<Snapshot>* m_reference;
  std::vector<Snapshot> m_steps;
  std::vector<std::string> m_names;
  std::string m_mismatch;
  size_t m_index = 0;
};

struct Case {
  std::string name;
  std::string preset;
  json patch;
  bool exact = false;       // crossbar.ir_drop exact: the step solves the circuit
  bool weff_read = false;   // read a W_eff-like matrix instead of g
  uint32_t train_images = 2;
  uint32_t infer_images = 2;
  uint64_t seed_offset = 0;  // an ensemble member: seed + k
};

Network case_network(const Case& c) {
  json doc = preset_json(c.preset);
  doc.merge_patch(c.patch);
  return build_network(config_from_json(doc), 28, 28);
}

struct ScenarioResult {
  std::vector<Snapshot> steps;
  std::string mismatch;
  size_t observed = 0;
  DeviceTally tally;
  IrDropStats exact;
  uint64_t layer_spikes = 0;  // learning layer, all presentations
  bool learned = false;       // g changed
};

ScenarioResult scenario(const Case& c, const Network& net, const HostExecutorOptions& exec,
                        const std::vector<Snapshot>* reference) {
  const uint64_t seed = net.config.seed + c.seed_offset;
  CpuSimulation sim(net, seed, exec);
  const IrDropSettings ir = ir_drop_settings(net.config, net.n_inputs, net.n_neurons(), 1);
  if (c.exact) sim.solve_crossbar_exactly(make_exact_circuit(ir));
  NetworkState state = initial_state(net, seed);
  std::vector<float> w_eff;
  if (c.weff_read) {  // any fixed matrix will do: the read must add its rows, not g's
    w_eff = state.g;
    for (size_t k = 0; k < w_eff.size(); ++k) w_eff[k] = 0.9f * w_eff[k] + 0.01f * static_cast<float>(k % 7);
    sim.read_crossbar_from(w_eff.data());
  }
  const auto raw = fixtures::synthetic_images(c.train_images + c.infer_images, 28 * 28);
  std::vector<uint8_t> image(net.n_inputs);
  const std::vector<float> g0 = state.g;
  Recorder rec(sim, state.g.data(), state.g.size(), state.theta.data(), state.theta.size(), reference);
  ScenarioResult out;
  const double norm = net.config.learning.normalize_sum;
  for (uint32_t s = 0; s < c.train_images + c.infer_images; ++s) {
    const bool learn = s < c.train_images && net.plastic;
    encode_image(net, raw.data() + static_cast<size_t>(s) * 784, 28, 28, image.data());
    if (learn && norm > 0) sim.normalize(state.g.data(), norm);
    WorkItem w;
    w.reset_first = learn ? 0 : 1;
    w.pixels = image.data();
    w.steps = learn ? net.presentation_steps : net.test_presentation_steps;
    w.max_rate_hz = net.config.encoder.max_rate_hz * 2;  // busy: spikes and learning in few steps
    w.seed = seed;
    w.stream = input_stream(learn ? 0 : 1, 0);
    w.sample = s;
    w.learn = learn ? 1 : 0;
    sim.run(w, state.g.data(), state.theta.data(), rec);
    out.layer_spikes += sim.instances().arrays().totals->layer;
    if (learn && net.rest_steps > 0) {
      WorkItem r;
      r.rest_steps = net.rest_steps;
      r.seed = seed;
      r.learn = 1;
      sim.run(r, state.g.data(), state.theta.data(), rec);
    }
    out.tally.add(sim.take_device_tally());
    if (c.exact) record_exact_stats(sim.take_exact_stats(), ir.solve.relax, out.exact);
  }
  out.learned = state.g != g0;
  out.steps = rec.steps();
  out.mismatch = rec.mismatch();
  out.observed = rec.observed();
  return out;
}

// Short presentations keep the suite fast; rates are doubled in the scenario so neurons
// fire and learn within them.
json short_protocol(double presentation_ms, double rest_ms) {
  return {{"protocol", {{"presentation_ms", presentation_ms}, {"rest_ms", rest_ms}}}};
}

json merged(json a, const json& b) {
  a.merge_patch(b);
  return a;
}

// `patch` with a device preset in place of the preset's ideal device (the nulls remove its
// keys when the patch is merged into the preset; set by assignment so they survive here).
json with_device(json patch, const std::string& preset, const json& nonideal,
                 const std::string& mapping = "pulse_count") {
  json d = {{"type", nullptr}, {"g_min_S", nullptr}, {"g_max_S", nullptr}, {"preset", preset}, {"mapping", mapping}};
  if (!nonideal.empty()) d["nonideal"] = nonideal;
  patch["device"] = d;
  return patch;
}

std::vector<Case> cases() {
  const json dc_small = merged({{"populations", {{"exc", {{"size", 40}}}, {"inh", {{"size", 40}}}}}},
                               short_protocol(40.0, 10.0));
  std::vector<Case> v;
  v.push_back({"dc_ideal", "diehl_cook_2015", dc_small});
  v.push_back({"dc_timer", "diehl_cook_2015_timer", dc_small});
  v.push_back({"dc_full_size", "diehl_cook_2015",
               merged({{"populations", {{"exc", {{"size", 100}}}, {"inh", {{"size", 100}}}}}}, short_protocol(25, 5)),
               false, false, 1, 1});
  v.push_back({"dc_ensemble_member_3", "diehl_cook_2015", dc_small, false, false, 2, 1, 3});
  v.push_back({"dc_weff_read", "diehl_cook_2015", dc_small, false, true});
  v.push_back({"anddudkin_window_wta", "anddudkin_mem", short_protocol(40.0, 0.0)});
  // Exact IR drop, untiled and tiled into uneven arrays (784 = 3 x 256 + 16, 40 = 12 x 3 + 4).
  const json exact_untiled = merged(dc_small, {{"crossbar", {{"ir_drop", "exact"}, {"r_row_ohm", 1.0}, {"r_col_ohm", 1.0}}}});
  const json exact_tiled =
      merged(dc_small, {{"crossbar", {{"ir_drop", "exact"}, {"r_row_ohm", 1.0}, {"r_col_ohm", 1.0}, {"r_source_ohm", 0.5},
                                      {"r_sense_ohm", 2.0}, {"tile_rows", 256}, {"tile_cols", 12}}}});
  v.push_back({"exact_ir_drop_untiled", "diehl_cook_2015", merged(exact_untiled, short_protocol(40, 5)), true, false, 1, 0});
  v.push_back({"exact_ir_drop_tiled", "diehl_cook_2015", merged(exact_tiled, short_protocol(40, 5)), true, false, 1, 0});
  // Every device model, with every non-ideality the model allows switched on.
  const json noisy = {{"c2c_sigma", 0.02}, {"d2d_sigma", 0.05}, {"read_sigma", 0.03}, {"stuck_at_min", 0.02},
                      {"stuck_at_max", 0.02}, {"drift_nu", 0.05}, {"drift_time_s", 100.0}};
  for (const std::string device : {"neurosim_ag_a_si", "neurosim_epiram", "anddudkin_20", "chen2015", "vteam_memtorch"}) {
    v.push_back({"device_" + device, "diehl_cook_2015",
                 with_device(dc_small, device, noisy)});
  }
  v.push_back({"device_trace_voltage", "diehl_cook_2015",
               with_device(dc_small, "neurosim_ag_a_si", json::object(), "trace_voltage")});
  v.push_back({"device_window_rule", "anddudkin_mem",
               with_device(short_protocol(40.0, 0.0), "anddudkin_20", noisy)});
  return v;
}

struct ExecutorParam {
  uint32_t threads;
  HostThreadOrder order;
};

HostExecutorOptions threaded(const ExecutorParam& p, uint64_t shuffle_seed = 17) {
  HostExecutorOptions o;
  o.threaded = true;
  o.block.threads = p.threads;
  o.block.order = p.order;
  o.block.shuffle_seed = shuffle_seed;
  return o;
}

// The blocks every case runs on: B = 32, 128 and 256 threads (a CUDA block's sizes), each
// primitive's indices handed out forward, reverse or shuffled.
const ExecutorParam kBlocks[] = {{32, HostThreadOrder::kForward},
                                 {32, HostThreadOrder::kShuffled},
                                 {128, HostThreadOrder::kReverse},
                                 {256, HostThreadOrder::kShuffled}};

std::string order_name(HostThreadOrder o) {
  return o == HostThreadOrder::kForward ? "forward" : o == HostThreadOrder::kReverse ? "reverse" : "shuffled";
}

class ExecutorParity : public ::testing::TestWithParam<std::tuple<size_t, ExecutorParam>> {};

}  // namespace

TEST_P(ExecutorParity, EveryArrayAfterEveryStepMatchesTheSerialExecutor) {
  const Case c = cases()[std::get<0>(GetParam())];
  const HostExecutorOptions exec = threaded(std::get<1>(GetParam()));
  SCOPED_TRACE(c.name + " on " + describe(exec));
  const Network net = case_network(c);
  const ScenarioResult serial = scenario(c, net, {}, nullptr);
  ASSERT_GT(serial.steps.size(), 0u);
  const ScenarioResult t = scenario(c, net, exec, &serial.steps);
  EXPECT_EQ(t.mismatch, "");
  EXPECT_EQ(t.observed, serial.steps.size());
  // The tallies: pulses exactly, energies too (summed in one fixed order).
  EXPECT_EQ(t.tally.pot_pulses, serial.tally.pot_pulses);
  EXPECT_EQ(t.tally.dep_pulses, serial.tally.dep_pulses);
  EXPECT_EQ(t.tally.program_energy_J, serial.tally.program_energy_J);
  EXPECT_EQ(t.tally.read_energy_J, serial.tally.read_energy_J);
  EXPECT_EQ(t.exact.exact_solves, serial.exact.exact_solves);
  EXPECT_EQ(t.exact.sweeps, serial.exact.sweeps);
  EXPECT_EQ(t.exact.max_residual, serial.exact.max_residual);
}

INSTANTIATE_TEST_SUITE_P(Steps, ExecutorParity,
                         ::testing::Combine(::testing::Range<size_t>(0, cases().size()), ::testing::ValuesIn(kBlocks)),
                         [](const ::testing::TestParamInfo<std::tuple<size_t, ExecutorParam>>& p) {
                           const ExecutorParam& e = std::get<1>(p.param);
                           return cases()[std::get<0>(p.param)].name + "_B" + std::to_string(e.threads) + "_" +
                                  order_name(e.order);
                         });

// The scenarios are not vacuous: learning happened, neurons spiked, devices were written
// and the exact solver ran (a test that compares nothing could not fail).
TEST(ExecutorScenarios, ExerciseWhatTheyName) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const Network net = case_network(c);
    const ScenarioResult serial = scenario(c, net, {}, nullptr);
    EXPECT_GT(serial.steps.size(), 10u);
    EXPECT_GT(serial.layer_spikes, 0u);
    EXPECT_TRUE(serial.learned);
    if (c.name.rfind("device_", 0) == 0) {
      EXPECT_GT(serial.tally.pot_pulses + serial.tally.dep_pulses, 0u);
    }
    if (c.exact) {
      EXPECT_GT(serial.exact.exact_solves, 0u);
    }
  }
}
