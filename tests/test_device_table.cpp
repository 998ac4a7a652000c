// Tests for the data-driven dG(G, V) device: the CSV loader's errors (each names the file),
// bilinear interpolation against hand computations, clipping, and the real Spikelearn 1T1R
// tables (tests/data/devices, README.md there names their source).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "device/device_json.hpp"
#include "device/device_model.hpp"
#include "device/device_spec.hpp"
#include "device/device_table.hpp"
#include "fixtures.hpp"

namespace {

using namespace memsnn;
namespace fs = std::filesystem;

// Bilinear arithmetic on values ~1e-7 S: a few ulps of double.
constexpr double kInterpRelTol = 1e-12;
// State w is a float: 2^-24 of the range per rounding.
constexpr double kFloatStateTol = 1e-7;

const std::string kDevices = std::string(MEMSNN_TEST_DATA_DIR) + "/devices";

class TableFiles : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = m_dir.file(name);
    std::ofstream(path) << text;
    return path;
  }

  // pot: G 1, 5, 10 uS x V 0.1, 0.2, 0.4; dep: the same grid, negated values.
  std::string pot() {
    return write("pot.csv",
                 "# dG per 10 ns pulse\nG_S\\V_V,0.1,0.2,0.4\n1e-6,0,1e-7,3e-7\n5e-6,1e-8,2e-7,5e-7\n1e-5,2e-8,3e-7,9e-7\n");
  }
  std::string dep() {
    return write("dep.csv", "G_S\\V_V,0.1,0.2,0.4\n1e-6,0,-1e-7,-3e-7\n5e-6,-1e-8,-2e-7,-5e-7\n1e-5,-2e-8,-3e-7,-9e-7\n");
  }

  fixtures::TempDir m_dir{"memsnn_table"};  // one per test: gtest builds a fixture per test
};

TEST_F(TableFiles, GridPointsExactMidpointBilinear) {
  const DeviceSpec spec = make_table_device(load_device_table(pot(), dep(), 10e-9, 1e-9, 1e-6, 1e-5));
  const TableParams& t = spec.model.table;
  ASSERT_EQ(t.pot.n_g, 3);
  ASSERT_EQ(t.pot.n_v, 3);
  const double g[] = {1e-6, 5e-6, 1e-5}, v[] = {0.1, 0.2, 0.4};
  const double pot_values[3][3] = {{0, 1e-7, 3e-7}, {1e-8, 2e-7, 5e-7}, {2e-8, 3e-7, 9e-7}};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      EXPECT_EQ(table_lookup(t.pot, g[i], v[j]), pot_values[i][j]) << i << "," << j;
      EXPECT_EQ(table_lookup(t.dep, g[i], v[j]), -pot_values[i][j]) << i << "," << j;
    }
  }
  // Centre of the cell G in [1, 5] uS, V in [0.2, 0.4]: (1e-7 + 3e-7 + 2e-7 + 5e-7) / 4.
  EXPECT_NEAR(table_lookup(t.pot, 3e-6, 0.3), 2.75e-7, 2.75e-7 * kInterpRelTol);
  // A quarter in G, three quarters in V, cell [5, 10] uS x [0.1, 0.2]:
  // (1-s)(1-u) 1e-8 + (1-s) u 2e-7 + s (1-u) 2e-8 + s u 3e-7, s = 0.25, u = 0.75.
  const double hand = 0.75 * 0.25 * 1e-8 + 0.75 * 0.75 * 2e-7 + 0.25 * 0.25 * 2e-8 + 0.25 * 0.75 * 3e-7;
  EXPECT_NEAR(table_lookup(t.pot, 6.25e-6, 0.175), hand, hand * kInterpRelTol);
  // Outside the grids: G clamped; V above the grid uses the last column.
  EXPECT_EQ(table_lookup(t.pot, 2e-5, 0.4), 9e-7);
  EXPECT_EQ(table_lookup(t.pot, 5e-6, 3.0), 5e-7);
}

TEST_F(TableFiles, PulsesScaleWithWidthAndClip) {
  const DeviceSpec spec = make_table_device(load_device_table(pot(), dep(), 10e-9, 1e-9, 1e-6, 1e-5));
  const DeviceModel& m = spec.model;
  const double range = 9e-6;
  const float s = device_state_for_conductance(m, 5e-6);
  const double g0 = device_read_conductance(m, s);
  // One 10 ns pulse at 0.2 V adds 2e-7 S; a 20 ns pulse twice that; depression with |V|.
  EXPECT_NEAR(device_read_conductance(m, device_apply_pulse(m, s, 0.2, 10e-9)) - g0, 2e-7, kFloatStateTol * range);
  EXPECT_NEAR(device_read_conductance(m, device_apply_pulse(m, s, 0.2, 20e-9)) - g0, 4e-7, kFloatStateTol * range);
  EXPECT_NEAR(device_read_conductance(m, device_apply_pulse(m, s, -0.2, 1e-9)) - g0, -2e-7, kFloatStateTol * range);
  // Below the voltage grid: no change.
  EXPECT_EQ(device_apply_pulse(m, s, 0.05, 10e-9), s);
  EXPECT_EQ(device_apply_pulse(m, s, -0.05, 1e-9), s);
  // Long pulses stop exactly at the bounds.
  EXPECT_EQ(device_apply_pulses(m, s, Pulse{0.4, 1e-6, 3}), 1.0f);
  EXPECT_EQ(device_apply_pulses(m, s, Pulse{-0.4, 1e-6, 3}), 0.0f);
  EXPECT_EQ(device_read_conductance(m, 1.0f), 1e-5);
}

// Issue 17: a nominal pulse below the table's voltage grid, or a table flat (dG = 0) at mid
// range, changes nothing: training would run with 0 pulses per image. Both are errors that
// name the pulse and the threshold.
TEST_F(TableFiles, NominalPulsesThatChangeNothingAreErrors) {
  const auto error_of = [](const nlohmann::json& j) {
    try {
      device_from_json(j, "device");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  nlohmann::json j = {{"type", "table"},          {"pot_csv", pot()},       {"dep_csv", dep()},
                      {"pot_width_s", 10e-9},     {"dep_width_s", 1e-9},    {"g_min_S", 1e-6},
                      {"g_max_S", 1e-5}};
  EXPECT_EQ(error_of(j), "");  // the default pulses (0.42 V, -1.42 V) lie on the grid
  j["pot_pulse"] = {{"voltage_V", 0.05}, {"width_s", 1e-8}};
  std::string msg = error_of(j);
  for (const char* e : {"pot_pulse", "0.05 V", "0.1 V"}) EXPECT_NE(msg.find(e), std::string::npos) << msg;
  j.erase("pot_pulse");
  j["dep_pulse"] = {{"voltage_V", 0.3}, {"width_s", 1e-9}};  // positive: it would potentiate
  msg = error_of(j);
  EXPECT_NE(msg.find("dep_pulse"), std::string::npos) << msg;
  j.erase("dep_pulse");
  // Flat at mid range: every dG zero.
  j["pot_csv"] = write("flat_pot.csv", "G_S\\V_V,0.1,0.2,0.4\n1e-6,0,0,0\n5e-6,0,0,0\n1e-5,0,0,0\n");
  msg = error_of(j);
  for (const char* e : {"pot_pulse", "0.42 V", "mid range"}) EXPECT_NE(msg.find(e), std::string::npos) << msg;
}

// Each bad file: DataError whose message names the file and the problem.
TEST_F(TableFiles, BadFilesFailNamingTheFile) {
  struct Case {
    const char* name;
    const char* text;
    DgSign sign;
    const char* expect;
  };
  const Case cases[] = {
      {"ragged.csv", "G,0.1,0.2\n1e-6,0,1e-7\n2e-6,0\n", DgSign::kNonNegative, "ragged"},
      {"nan.csv", "G,0.1,0.2\n1e-6,0,nan\n2e-6,0,1e-7\n", DgSign::kNonNegative, "not finite"},
      {"inf.csv", "G,0.1,0.2\n1e-6,0,1e-7\n2e-6,0,inf\n", DgSign::kNonNegative, "not finite"},
      {"text.csv", "G,0.1,0.2\n1e-6,0,abc\n2e-6,0,1e-7\n", DgSign::kNonNegative, "not a number"},
      {"empty_cell.csv", "G,0.1,0.2\n1e-6,0,\n2e-6,0,1e-7\n", DgSign::kNonNegative, "not a number"},
      {"g_order.csv", "G,0.1,0.2\n2e-6,0,1e-7\n1e-6,0,1e-7\n", DgSign::kNonNegative, "G grid is not strictly increasing"},
      {"g_repeat.csv", "G,0.1,0.2\n1e-6,0,1e-7\n1e-6,0,1e-7\n", DgSign::kNonNegative, "G grid is not strictly increasing"},
      {"v_order.csv", "G,0.2,0.1\n1e-6,0,1e-7\n2e-6,0,1e-7\n", DgSign::kNonNegative, "voltage grid is not strictly increasing"},
      {"pot_sign.csv", "G,0.1,0.2\n1e-6,0,-1e-7\n2e-6,0,1e-7\n", DgSign::kNonNegative, "negative"},
      {"dep_sign.csv", "G,0.1,0.2\n1e-6,0,-1e-7\n2e-6,0,1e-7\n", DgSign::kNonPositive, "positive"},
      {"one_row.csv", "G,0.1,0.2\n1e-6,0,1e-7\n", DgSign::kNonNegative, "at least 2 G rows"},
      {"one_v.csv", "G,0.1\n1e-6,0\n2e-6,0\n", DgSign::kNonNegative, "at least 2 voltages"},
      {"empty.csv", "# nothing\n", DgSign::kNonNegative, "no header"},
  };
  for (const Case& c : cases) {
    const std::string path = write(c.name, c.text);
    try {
      read_dg_table_csv(path, c.sign, 1e-8);
      ADD_FAILURE() << c.name << " was accepted";
    } catch (const DataError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(path), std::string::npos) << msg;
      EXPECT_NE(msg.find(c.expect), std::string::npos) << c.name << " -> " << msg;
    }
  }
  const std::string missing = m_dir.file("missing.csv");
  try {
    load_device_table(missing, dep(), 1e-8, 1e-9, 1e-6, 1e-5);
    ADD_FAILURE() << "a missing file was accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos) << e.what();
  }
  // Through JSON the message also names the key.
  const nlohmann::json j = {{"type", "table"}, {"pot_csv", write("bad.csv", "G,0.1,0.2\n1e-6,0,nan\n2e-6,0,0\n")},
                            {"dep_csv", dep()}, {"pot_width_s", 1e-8}, {"dep_width_s", 1e-9},
                            {"g_min_S", 1e-6}, {"g_max_S", 1e-5}};
  try {
    device_from_json(j, "network.device");
    ADD_FAILURE() << "a NaN table was accepted through JSON";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("'network.device.pot_csv'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad.csv"), std::string::npos) << e.what();
  }
}

TEST(RealTable, Spikelearn1T1RLoads) {
  const std::string meta = kDevices + "/spikelearn_1t1r_Paiyu_15_meta.json";
  ASSERT_TRUE(fs::exists(meta)) << "test data missing: " << meta;
  const DeviceSpec spec = device_from_json(nlohmann::json{{"type", "table"}, {"meta_json", meta}}, "device");
  ASSERT_TRUE(spec.table);
  const DeviceTable& t = *spec.table;
  // Shapes from the meta file's description: 346 G points, 400 / 500 voltages.
  EXPECT_EQ(t.pot.g_grid.size(), 346u);
  EXPECT_EQ(t.pot.v_grid.size(), 400u);
  EXPECT_EQ(t.dep.v_grid.size(), 500u);
  EXPECT_EQ(t.pot.width_s, 1e-8);
  EXPECT_EQ(t.dep.width_s, 1e-9);
  // Cross-check against the meta file's own ranges (read here independently).
  std::ifstream in(meta);
  const nlohmann::json mj = nlohmann::json::parse(in);
  EXPECT_EQ(spec.model.g_min_S, mj["gmin_S"].get<double>());
  EXPECT_EQ(spec.model.g_max_S, mj["gmax_S"].get<double>());
  double pot_max = 0, dep_min = 0;
  for (double d : t.pot.values) pot_max = std::max(pot_max, d);
  for (double d : t.dep.values) dep_min = std::min(dep_min, d);
  // The CSV prints dG to 7 significant digits, the meta file to 17: half a unit of the 7th.
  EXPECT_NEAR(pot_max, mj["pot_dG_range"][1].get<double>(), 5e-7 * pot_max);
  EXPECT_NEAR(dep_min, mj["dep_dG_range"][0].get<double>(), 5e-7 * -dep_min);
  EXPECT_EQ(t.pot.v_grid.front(), 0.002);
  EXPECT_NEAR(t.pot.v_grid.back(), 0.8, 1e-12);
  // The interpolation reproduces the stored entries at grid points.
  const TableParams& v = spec.model.table;
  for (int i : {0, 99, 100, 200, 345}) {
    for (int j : {0, 150, 210, 399}) {
      EXPECT_EQ(table_lookup(v.pot, t.pot.g_grid[i], t.pot.v_grid[j]), t.pot.values[i * 400 + j]);
    }
  }
  // Nominal pulses: about 1 % of the range from mid range; potentiation raises G, depression lowers it.
  EXPECT_GT(device_nominal_pulse_weight(spec.model, +1), 0.003f);
  EXPECT_LT(device_nominal_pulse_weight(spec.model, +1), 0.03f);
  EXPECT_GT(device_nominal_pulse_weight(spec.model, -1), 0.003f);
  EXPECT_LT(device_nominal_pulse_weight(spec.model, -1), 0.03f);
  std::printf("1T1R nominal pulse weights: pot %.4f, dep %.4f\n", device_nominal_pulse_weight(spec.model, +1),
              device_nominal_pulse_weight(spec.model, -1));
  // A pulse train never leaves [G_min, G_max].
  float s = 0.5f;
  for (int i = 0; i < 400; ++i) {
    const int polarity = (i / 7) % 2 ? -1 : +1;
    Pulse p = device_nominal_pulse(spec.model, polarity);
    p.voltage_V *= 1.0 + 0.02 * (i % 5);
    s = device_apply_pulses(spec.model, s, p);
    ASSERT_GE(s, 0.0f);
    ASSERT_LE(s, 1.0f);
  }
  // The resolved JSON names the files and reloads to the same model.
  const DeviceSpec again = device_from_json(device_to_json(spec), "device");
  EXPECT_EQ(device_apply_pulse(again.model, 0.3f, 0.45, 1e-8), device_apply_pulse(spec.model, 0.3f, 0.45, 1e-8));
}

}  // namespace
