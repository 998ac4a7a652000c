// Conductance mapping and the ideal crossbar against the software matrix product.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "crossbar/crossbar.hpp"
#include "model/device.hpp"

using namespace memsnn;

// Double sums of <= 784 terms of similar sign: relative error stays far below 1e-12.
constexpr double kCurrentRelTol = 1e-12;
// A float weight mapped to siemens in double and back loses only double rounding.
constexpr double kRoundTripTol = 1e-15;

TEST(ConductanceRange, RoundTripAndEnds) {
  const ConductanceRange r{1e-6, 1e-4};
  EXPECT_DOUBLE_EQ(r.to_conductance(0.0), 1e-6);
  EXPECT_DOUBLE_EQ(r.to_conductance(1.0), 1e-4);
  for (double w = 0.0; w <= 1.0; w += 0.01) EXPECT_NEAR(r.to_weight(r.to_conductance(w)), w, kRoundTripTol);
  const ConductanceRange wide{4.4434e-7, 1.4930e-4};  // the 1T1R device's range
  for (double w = 0.0; w <= 1.0; w += 0.125) EXPECT_NEAR(wide.to_weight(wide.to_conductance(w)), w, kRoundTripTol);
}

TEST(IdealDevice, ClipsToRange) {
  EXPECT_EQ(ideal_device_update(0.5f, 0.25f, 0.0f, 1.0f), 0.75f);
  EXPECT_EQ(ideal_device_update(0.9f, 0.5f, 0.0f, 1.0f), 1.0f);
  EXPECT_EQ(ideal_device_update(0.1f, -0.5f, 0.0f, 1.0f), 0.0f);
}

TEST(IdealCrossbar, DifferentialReadEqualsSoftwareMatrixProduct) {
  constexpr uint32_t kRows = 784, kCols = 37;
  const ConductanceRange range{1e-6, 1e-4};
  const double v_read = 0.2;
  std::vector<float> g(kRows * kCols);
  for (uint32_t k = 0; k < g.size(); ++k) g[k] = u32_to_unit_float(random_u32(1, 99, 0, 0, k));
  // Spiking rows at V_read, others at 0 V (driven, not floating).
  std::vector<double> v(kRows, 0.0);
  for (uint32_t i = 0; i < kRows; i += 7) v[i] = v_read;

  IdealCrossbar xbar;
  std::vector<double> currents(kCols);
  xbar.column_currents(g, kRows, kCols, range, v, currents);
  const double ref = xbar.reference_current(range, v);
  for (uint32_t j = 0; j < kCols; ++j) {
    double software = 0.0;  // sum of the spiking rows' weights
    for (uint32_t i = 0; i < kRows; i += 7) software += g[i * kCols + j];
    const double drive = drive_from_current(currents[j], ref, v_read, range);
    // Subtracting the reference current cancels ~G_min/dG of the signal: allow that factor.
    EXPECT_NEAR(drive, software, kCurrentRelTol * 1e3 * software) << "column " << j;
    // And the physical current itself: I = sum V G.
    double physical = 0.0;
    for (uint32_t i = 0; i < kRows; ++i) physical += v[i] * range.to_conductance(g[i * kCols + j]);
    EXPECT_NEAR(currents[j], physical, kCurrentRelTol * physical);
  }
}

TEST(IdealCrossbar, RejectsMismatchedShapesAndUnknownTypes) {
  IdealCrossbar xbar;
  std::vector<float> g(6);
  std::vector<double> v(3), out(2);
  EXPECT_THROW(xbar.column_currents(g, 2, 2, {}, v, out), BackendError);
  CrossbarConfig bad;
  bad.type = "memristive_magic";
  try {
    make_crossbar(bad);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("crossbar.type"), std::string::npos);
  }
}
