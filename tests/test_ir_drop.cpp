// The network's view of a crossbar with IR drop (crossbar/ir_drop.hpp): the effective
// weights, the exact per-step drive, and their agreement.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "crossbar/crossbar_solve.hpp"
#include "crossbar/ir_drop.hpp"
#include "crossbar/relaxation_solver.hpp"

using namespace memsnn;

namespace {

IrDropSettings settings(uint32_t rows, uint32_t cols, double r_wire) {
  NetworkConfig config;
  config.crossbar.ir_drop = "exact";
  config.crossbar.r_row_ohm = config.crossbar.r_col_ohm = r_wire;
  config.crossbar.solver_tol = 1e-10;  // above the rounding floor (~1e-16 g_wire / G)
  return ir_drop_settings(config, rows, cols, 2);
}

std::vector<float> weights(size_t n, uint32_t key) {
  std::vector<float> w(n);
  for (size_t k = 0; k < n; ++k) w[k] = u32_to_unit_float(random_u32(3, key, 0, 0, static_cast<uint32_t>(k)));
  return w;
}

std::vector<uint32_t> every_third(uint32_t rows) {
  std::vector<uint32_t> s;
  for (uint32_t i = 0; i < rows; i += 3) s.push_back(i);
  return s;
}

}  // namespace

// Without wire resistance the circuit is the ideal crossbar: w' is w exactly (the
// double round trip through siemens is far below float resolution), and the exact drive
// is the sum of the spiking rows' weights.
TEST(IrDrop, ZeroResistanceIsTheIdealCrossbar) {
  constexpr uint32_t kRows = 50, kCols = 12;
  IrDropCrossbar x(settings(kRows, kCols, 0.0));
  const auto w = weights(kRows * kCols, 1);
  std::vector<float> w_eff(w.size());
  x.build_weff(w, w_eff);
  for (size_t k = 0; k < w.size(); ++k) EXPECT_EQ(w_eff[k], w[k]) << k;
  std::vector<float> drive(kCols, 0.0f);
  const auto spiking = every_third(kRows);
  x.add_exact_drive(w, spiking, drive.data());
  for (uint32_t j = 0; j < kCols; ++j) {
    double sum = 0.0;
    for (const uint32_t i : spiking) sum += w[i * kCols + j];
    EXPECT_NEAR(drive[j], sum, 1e-6 * sum);  // one float rounding of a double sum
  }
}

// The exact per-step solve and the sum of W_eff rows are the same linear map; they agree
// to the solver tolerance plus float rounding (1e-5 relative of the drive).
TEST(IrDrop, ExactDriveEqualsWeffSum) {
  constexpr uint32_t kRows = 120, kCols = 30;
  for (const uint32_t tile : {0u, 32u}) {
    IrDropSettings s = settings(kRows, kCols, 2.0);
    s.solve.tile_rows = s.solve.tile_cols = tile;
    IrDropCrossbar x(s);
    const auto w = weights(kRows * kCols, 2);
    std::vector<float> w_eff(w.size()), drive(kCols, 0.0f);
    x.build_weff(w, w_eff);
    const auto spiking = every_third(kRows);
    x.add_exact_drive(w, spiking, drive.data());
    for (uint32_t j = 0; j < kCols; ++j) {
      double sum = 0.0, ideal = 0.0;
      for (const uint32_t i : spiking) {
        sum += w_eff[i * kCols + j];
        ideal += w[i * kCols + j];
      }
      EXPECT_NEAR(drive[j], sum, 1e-5 * std::fabs(sum)) << "tile " << tile << " column " << j;
      EXPECT_LT(drive[j], ideal) << "IR drop must lose current";
    }
    EXPECT_EQ(x.stats().weff_builds, 1u);
    EXPECT_EQ(x.stats().exact_solves, 1u);
    EXPECT_GT(x.stats().sweeps, 0u);
  }
}

// Smaller tiles lose less: the drive approaches the ideal one.
TEST(IrDrop, TilingReducesTheLoss) {
  constexpr uint32_t kRows = 256, kCols = 64;
  const auto w = weights(kRows * kCols, 3);
  const auto spiking = every_third(kRows);
  double previous = 0.0;
  for (const uint32_t tile : {0u, 128u, 32u}) {
    IrDropSettings s = settings(kRows, kCols, 5.0);
    s.solve.tile_rows = s.solve.tile_cols = tile;
    IrDropCrossbar x(s);
    std::vector<float> drive(kCols, 0.0f);
    x.add_exact_drive(w, spiking, drive.data());
    double total = 0.0;
    for (const float d : drive) total += d;
    EXPECT_GT(total, previous) << "tile " << tile;
    previous = total;
  }
}

TEST(IrDrop, NonConvergenceNamesTheKeys) {
  IrDropSettings s = settings(64, 16, 3.0);
  s.solve.relax.max_iterations = 1;
  IrDropCrossbar x(s);
  const auto w = weights(64 * 16, 4);
  std::vector<float> drive(16);
  try {
    x.add_exact_drive(w, every_third(64), drive.data());
    FAIL() << "expected an error";
  } catch (const BackendError& e) {
    EXPECT_NE(std::string(e.what()).find("solver_max_iterations"), std::string::npos) << e.what();
  }
  std::vector<float> short_w(10), out(10);
  EXPECT_THROW(x.build_weff(short_w, out), BackendError);
}

// The step's exact drive (block_relaxation.hpp, here on the serial executor) is
// RelaxationSolver's relaxation, tile by tile, with its currents summed per column: the
// same drive bit for bit, the same sweep count and residual. Untiled and tiled into uneven
// arrays, 1 and 5 ohm, source and sense resistance, damping.
TEST(IrDrop, TheStepsBlockSolverEqualsRelaxationSolver) {
  struct Case {
    uint32_t rows, cols, tile_rows, tile_cols;
    double r_wire, r_source, r_sense, damping;
  };
  const Case cases[] = {{96, 20, 0, 0, 1.0, 0.0, 0.0, 1.0},
                        {96, 20, 40, 7, 5.0, 0.5, 2.0, 1.0},
                        {130, 33, 64, 16, 2.0, 1.0, 0.0, 0.7}};
  for (const Case& k : cases) {
    SCOPED_TRACE(std::to_string(k.rows) + "x" + std::to_string(k.cols) + " tiles " + std::to_string(k.tile_rows));
    IrDropSettings s = settings(k.rows, k.cols, k.r_wire);
    s.circuit.r_source = k.r_source;
    s.circuit.r_sense = k.r_sense;
    s.solve.tile_rows = k.tile_rows;
    s.solve.tile_cols = k.tile_cols;
    s.solve.relax.damping = k.damping;
    const auto w = weights(size_t{k.rows} * k.cols, 5);
    const auto spiking = every_third(k.rows);
    IrDropCrossbar x(s);
    std::vector<float> drive(k.cols, 0.25f);
    x.add_exact_drive(w, spiking, drive.data());
    // The reference: RelaxationSolver on every tile of plan_tiles.
    const CrossbarCircuit& c = s.circuit;
    std::vector<double> g(w.size()), v(k.rows, 0.0), currents(k.cols, 0.0);
    for (size_t i = 0; i < w.size(); ++i) g[i] = s.range.to_conductance(w[i]);
    for (const uint32_t i : spiking) v[i] = s.v_read;
    RelaxStats worst;
    const TilePlan plan = plan_tiles(c, s.solve);
    for (const CrossbarTile& tile : plan.tiles) {
      std::vector<double> tile_g(size_t{tile.rows} * tile.cols), tile_i(tile.cols);
      copy_tile_cells(c, g, tile, tile_g);
      const RelaxationSolver solver(tile_circuit(c, tile), tile_g, s.solve.relax);
      const std::vector<double> tile_v(v.begin() + tile.row0, v.begin() + tile.row0 + tile.rows);
      worsen(worst, solver.solve(tile_v, tile_i));
      for (uint32_t j = 0; j < tile.cols; ++j) currents[tile.col0 + j] += tile_i[j];
    }
    const double reference = static_cast<double>(spiking.size()) * s.v_read * s.range.g_min;
    const double scale = s.v_read * (s.range.g_max - s.range.g_min);
    for (uint32_t j = 0; j < k.cols; ++j) {
      EXPECT_EQ(drive[j], 0.25f + static_cast<float>((currents[j] - reference) / scale)) << "column " << j;
    }
    EXPECT_EQ(x.stats().sweeps, worst.iterations);
    EXPECT_EQ(x.stats().max_residual, worst.residual);
    EXPECT_GT(worst.iterations, 1u);
  }
}

TEST(IrDrop, SettingsFromConfig) {
  NetworkConfig config;
  config.crossbar.ir_drop = "weff";
  config.crossbar.weff_refresh = "images";
  config.crossbar.weff_refresh_images = 25;
  config.crossbar.r_source_ohm = 7.0;
  config.device.g_min_S = 2e-6;
  const IrDropSettings s = ir_drop_settings(config, 784, 100, 0);
  EXPECT_EQ(s.mode, IrDropMode::kWeff);
  EXPECT_EQ(s.refresh_images, 25u);
  EXPECT_FALSE(s.refresh_every_step);
  EXPECT_EQ(s.circuit.rows, 784u);
  EXPECT_EQ(s.circuit.r_source, 7.0);
  EXPECT_EQ(s.range.g_min, 2e-6);
  EXPECT_EQ(s.solve.threads, 1u);
  config.crossbar.weff_refresh = "step";
  EXPECT_TRUE(IrDropCrossbar(ir_drop_settings(config, 4, 4, 1)).solves_every_step());
}

// ---- the network with IR drop (CpuBackend) ----

#include "backend/cpu_backend.hpp"
#include "fixtures.hpp"

namespace {

Network small_dc(const nlohmann::json& crossbar) {
  nlohmann::json doc = preset_json("diehl_cook_2015");
  doc["populations"]["exc"]["size"] = 24;
  doc["populations"]["inh"]["size"] = 24;
  doc["protocol"]["presentation_ms"] = 60.0;
  doc["protocol"]["rest_ms"] = 20.0;
  doc["crossbar"].merge_patch(crossbar);
  return build_network(config_from_json(doc), 28, 28);
}

}  // namespace

// Zero wire resistance: w' is w bit for bit, so whenever W_eff is current (frozen weights,
// or a network that does not learn) the weff network is the ideal one exactly. (While
// learning, w' lags the weights until the next refresh: that is the policy's error,
// measured by benchmarks/ir_drop_refresh.)
TEST(IrDropNetwork, ZeroResistanceWeffEqualsTheIdealNetworkWhenCurrent) {
  const auto images = fixtures::synthetic_images(6, 784);
  const nlohmann::json zero = {{"ir_drop", "weff"}, {"r_row_ohm", 0.0}, {"r_col_ohm", 0.0}};
  CpuBackend ideal(small_dc(nlohmann::json::object()), 1);
  CpuBackend weff(small_dc(zero), 1);
  fixtures::train_images(ideal, images, 6);
  weff.set_state(ideal.state());
  const auto ia = fixtures::infer_all(ideal, images, 6), ib = fixtures::infer_all(weff, images, 6);
  for (size_t s = 0; s < ia.size(); ++s) EXPECT_EQ(ia[s].counts, ib[s].counts) << s;
  EXPECT_EQ(weff.ir_drop_stats().weff_builds, 1u);

  // A frozen crossbar trained "with learning off": refreshed per presentation, never stale.
  auto frozen = [&](const nlohmann::json& x) {
    nlohmann::json doc = preset_json("diehl_cook_2015");
    doc["populations"]["exc"]["size"] = 24;
    doc["populations"]["inh"]["size"] = 24;
    doc["protocol"]["presentation_ms"] = 60.0;
    doc["projections"]["input_exc"]["plastic"] = false;
    doc["crossbar"].merge_patch(x);
    return build_network(config_from_json(doc), 28, 28);
  };
  CpuBackend a(frozen(nlohmann::json::object()), 1), b(frozen(zero), 1);
  const auto ra = fixtures::train_images(a, images, 4), rb = fixtures::train_images(b, images, 4);
  for (size_t s = 0; s < ra.size(); ++s) {
    EXPECT_EQ(ra[s].counts, rb[s].counts) << s;
    EXPECT_EQ(ra[s].layer_spikes, rb[s].layer_spikes) << s;
  }
}

// Frozen weights with IR drop read W_eff: the same counts as an ideal network whose weights
// are w' (built by IrDropCrossbar from the same weights), in both modes.
TEST(IrDropNetwork, FrozenInferenceReadsTheEffectiveWeights) {
  const nlohmann::json wires = {{"r_row_ohm", 2.0}, {"r_col_ohm", 2.0}, {"r_source_ohm", 10.0}};
  const auto images = fixtures::synthetic_images(5, 784);
  for (const std::string mode : {"weff", "exact"}) {
    nlohmann::json x = wires;
    x["ir_drop"] = mode;
    const Network net = small_dc(x);
    CpuBackend with_ir(net, 2);
    IrDropCrossbar circuit(ir_drop_settings(net.config, net.n_inputs, net.n_neurons(), 1));
    NetworkState mapped = with_ir.state();
    circuit.build_weff(with_ir.state().g, mapped.g);
    CpuBackend ideal(small_dc(nlohmann::json::object()), 2);
    ideal.set_state(mapped);
    const auto a = fixtures::infer_all(with_ir, images, 5), b = fixtures::infer_all(ideal, images, 5);
    for (size_t s = 0; s < a.size(); ++s) EXPECT_EQ(a[s].counts, b[s].counts) << mode << " image " << s;
    EXPECT_EQ(with_ir.ir_drop_stats().weff_builds, 1u) << mode;
  }
}

// While learning, "images" rebuilds every k-th image; exact solves every driven step and
// never builds W_eff during training. IR drop lowers the drive, so learning differs.
TEST(IrDropNetwork, RefreshPoliciesWhileLearning) {
  const auto images = fixtures::synthetic_images(6, 784);
  CpuBackend every3(small_dc({{"ir_drop", "weff"}, {"weff_refresh", "images"}, {"weff_refresh_images", 3}}), 1);
  fixtures::train_images(every3, images, 6);
  EXPECT_EQ(every3.ir_drop_stats().weff_builds, 2u);  // images 0 and 3
  CpuBackend exact(small_dc({{"ir_drop", "exact"}}), 1);
  fixtures::train_images(exact, images, 1);
  EXPECT_EQ(exact.ir_drop_stats().weff_builds, 0u);
  EXPECT_GT(exact.ir_drop_stats().exact_solves, 0u);
  EXPECT_LE(exact.ir_drop_stats().max_residual, 1e-9);
  CpuBackend ideal(small_dc(nlohmann::json::object()), 1);
  fixtures::train_images(ideal, images, 1);
  EXPECT_NE(ideal.state().g, exact.state().g);
}
