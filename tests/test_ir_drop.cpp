// The network's view of a crossbar with IR drop (crossbar/ir_drop.hpp): the effective
// weights, the exact per-step drive, and their agreement.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "crossbar/ir_drop.hpp"

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
