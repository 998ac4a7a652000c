// The snn_device app (one device under pulse trains) against closed forms and hand-computed
// values: NeuroSim's LTP/LTD curves, the Chen model's read formula and SET direction, the
// anddudkin levels; CSV, PNG, the seed of the write noise, cell spread, and bad inputs. Also
// the line plot writer (engine/io/line_plot_png.hpp) it draws with.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "fixtures.hpp"
#include "io/line_plot_png.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
#pragma GCC diagnostic pop

using namespace memsnn;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// NeuroSim: the app steps the curve pulse by pulse through a float state (inverting the curve
// each time); against the closed form in double the error stays below this fraction of
// G_max - G_min (measured: 9.8e-8 over 50 up + 50 down pulses).
constexpr double kClosedFormTol = 1e-6;
// Chen read formula in double against the app's printed double.
constexpr double kReadRelTol = 1e-12;

using memsnn::fixtures::TempDir;

struct AppRun {
  int rc = -1;
  std::string out;  // --output file ("" if not written)
  std::string err;  // standard error
  bool out_exists = false;
};

// Runs snn_device on `input` (written to in.json) with --output out.txt and `args`.
AppRun run_app(const TempDir& dir, const std::string& input, const std::string& args = "") {
  const fs::path in = dir.path() / "in.json", out = dir.path() / "out.txt", err = dir.path() / "err.txt";
  std::ofstream(in) << input;
  fs::remove(out);
  const std::string cmd = std::string(MEMSNN_APPS_DIR) + "/snn_device --input '" + in.string() + "' --output '" +
                          out.string() + "' " + args + " 2> '" + err.string() + "'";
  AppRun r;
  r.rc = fixtures::run_command(cmd);
  r.out_exists = fs::exists(out);
  r.out = fixtures::read_text(out.string());
  r.err = fixtures::read_text(err.string());
  return r;
}

json run_json(const TempDir& dir, const std::string& input, const std::string& args = "") {
  const AppRun r = run_app(dir, input, args);
  EXPECT_EQ(r.rc, 0) << r.err;
  return json::parse(r.out);
}

// NeuroSim's closed forms (MLP+NeuroSim V3.0 manual), P pulses on the
// common axis P in [0, P_max]: G_LTP(P) = B (1 - exp(-P/A)) + G_min,
// G_LTD(P) = -B' (1 - exp((P - P_max)/A')) + G_max, B = (G_max - G_min) / (1 - exp(-P_max/A)).
struct NeuroSimCurves {
  double g_min, g_max, p_max, a_ltp, a_ltd;
  double b(double a) const { return (g_max - g_min) / (1.0 - std::exp(-p_max / a)); }
  double ltp(double p) const { return b(a_ltp) * (1.0 - std::exp(-p / a_ltp)) + g_min; }
  double ltd(double p) const { return -b(a_ltd) * (1.0 - std::exp((p - p_max) / a_ltd)) + g_max; }
  double ltd_inverse(double g) const { return p_max + a_ltd * std::log(1.0 - (g_max - g) / b(a_ltd)); }
};

TEST(SnnDevice, NeuroSimFollowsTheClosedFormUpThenDown) {
  TempDir dir;
  const json out = run_json(dir, R"({"device": "neurosim_ag_a_si", "pulses": [
      {"voltage": 1, "width": 1e-8, "count": 50}, {"voltage": -1, "width": 1e-8, "count": 50}]})");
  // Ag:a-Si: 97 states, NL 2.4 / -4.88 -> A/P_max 0.499 / 0.200 (table entries), R_on 26 MOhm, on/off 12.5.
  const double g_max = 1.0 / 26e6;
  const NeuroSimCurves c{g_max / 12.5, g_max, 97.0, 0.499 * 97.0, 0.200 * 97.0};
  EXPECT_NEAR(out["g_min_S"].get<double>(), c.g_min, 1e-12 * c.g_max);
  EXPECT_NEAR(out["g_max_S"].get<double>(), c.g_max, 1e-12 * c.g_max);
  EXPECT_EQ(out["preset"], "neurosim_ag_a_si");
  EXPECT_EQ(out["device_type"], "neurosim");
  EXPECT_DOUBLE_EQ(out["initial_conductance_S"].get<double>(), c.g_min);
  const auto g = out["conductance"].get<std::vector<double>>();
  const auto s = out["state"].get<std::vector<double>>();
  ASSERT_EQ(g.size(), 100u);
  ASSERT_EQ(s.size(), 100u);
  const double tol = kClosedFormTol * (c.g_max - c.g_min);
  double worst = 0.0;
  for (int p = 1; p <= 50; ++p) {
    EXPECT_NEAR(g[p - 1], c.ltp(p), tol) << "potentiation pulse " << p;
    worst = std::max(worst, std::fabs(g[p - 1] - c.ltp(p)));
  }
  // Depression starts where potentiation ended, on the LTD curve.
  const double p0 = c.ltd_inverse(c.ltp(50));
  for (int k = 1; k <= 50; ++k) {
    EXPECT_NEAR(g[49 + k], c.ltd(std::max(p0 - k, 0.0)), tol) << "depression pulse " << k;
    worst = std::max(worst, std::fabs(g[49 + k] - c.ltd(std::max(p0 - k, 0.0))));
  }
  std::printf("NeuroSim Ag:a-Si, 50 up + 50 down: worst |G - closed form| = %.3g of G_max - G_min\n",
              worst / (c.g_max - c.g_min));
  for (size_t i = 0; i < g.size(); ++i) {
    EXPECT_GE(g[i], c.g_min);
    EXPECT_LE(g[i], c.g_max);
    if (i == 0) continue;
    if (i < 50) {
      EXPECT_GT(g[i], g[i - 1]) << i;
    } else {
      EXPECT_LT(g[i], g[i - 1]) << i;
    }
    // The state is the normalised conductance.
    EXPECT_NEAR(s[i], (g[i] - c.g_min) / (c.g_max - c.g_min), 1e-6);
  }
}

TEST(SnnDevice, ChenSetShrinksTheGapAndReadsByTheFormula) {
  TempDir dir;
  const json out = run_json(dir, R"({"device": "chen2015", "initial_state": 1.0,
      "pulses": [{"voltage": 1.37, "width": 1e-8, "count": 3}, {"voltage": -1.45, "width": 1e-9}]})");
  EXPECT_EQ(out["initial_state"].get<double>(), 1.0);
  // I0 exp(-g/g0) sinh(V_read/V0) / V_read at g = 1 nm (Spikelearn's constants).
  const double g_read = 61.4e-6 * std::exp(-1.0 / 0.27505) * std::sinh(0.7 / 0.43) / 0.7;
  EXPECT_NEAR(out["initial_conductance_S"].get<double>(), g_read, kReadRelTol * g_read);
  const auto s = out["state"].get<std::vector<double>>();
  const auto g = out["conductance"].get<std::vector<double>>();
  ASSERT_EQ(s.size(), 4u);
  EXPECT_LT(s[0], 1.0);  // SET narrows the gap
  EXPECT_LT(s[1], s[0]);
  EXPECT_GT(g[0], g_read);
  EXPECT_GT(s[3], s[2]);  // RESET widens it
  for (size_t i = 0; i < s.size(); ++i) {
    const double expect = 61.4e-6 * std::exp(-s[i] / 0.27505) * std::sinh(0.7 / 0.43) / 0.7;
    EXPECT_NEAR(g[i], expect, 1e-6 * expect) << i;  // the printed state is a float
  }
}

TEST(SnnDevice, AnddudkinClimbsOneLevelPerPulseAndStaysAtTheTop) {
  TempDir dir;
  const json out = run_json(dir, R"({"device": "anddudkin_20", "pulses": [{"voltage": 1, "width": 1e-8, "count": 25}]})");
  const std::vector<double> r = {11177, 9352, 8041, 7053, 6282, 5663, 5155, 4731, 4371, 4063,
                                 3795,  3560, 3352, 3168, 3002, 2853, 2719, 2596, 2484, 2381};
  EXPECT_DOUBLE_EQ(out["initial_conductance_S"].get<double>(), 1.0 / r[0]);
  EXPECT_EQ(out["initial_state"].get<double>(), 0.0);
  const auto g = out["conductance"].get<std::vector<double>>();
  const auto s = out["state"].get<std::vector<double>>();
  ASSERT_EQ(g.size(), 25u);
  for (size_t i = 0; i < g.size(); ++i) {
    const size_t level = std::min<size_t>(i + 1, 19);
    EXPECT_DOUBLE_EQ(g[i], 1.0 / r[level]) << "pulse " << i + 1;
    EXPECT_EQ(s[i], static_cast<double>(level));
  }
  EXPECT_DOUBLE_EQ(g.back(), out["g_max_S"].get<double>());
}

TEST(SnnDevice, CsvHasOneLinePerPulse) {
  TempDir dir;
  const std::string input = R"({"device": "neurosim_epiram", "pulses": [{"voltage": 1, "width": 1e-8, "count": 3},
      {"voltage": -1, "width": 2e-8, "count": 4}, {"voltage": 1, "width": 1e-8, "count": 5}]})";
  const AppRun r = run_app(dir, input, "--csv");
  ASSERT_EQ(r.rc, 0) << r.err;
  std::istringstream in(r.out);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 13u);  // header + 12 pulses
  EXPECT_EQ(lines[0], "pulse,voltage_V,width_s,conductance_S,state");
  EXPECT_EQ(lines[4].substr(0, 13), "4,-1.0,2e-08,");
  EXPECT_EQ(lines[12].substr(0, 3), "12,");
  // The CSV's conductances are the JSON's.
  const auto g = run_json(dir, input)["conductance"].get<std::vector<double>>();
  for (size_t i = 0; i < g.size(); ++i) {
    std::istringstream row(lines[i + 1]);
    std::string field;
    for (int f = 0; f < 4; ++f) std::getline(row, field, ',');
    EXPECT_EQ(std::stod(field), g[i]) << lines[i + 1];
  }
}

// The number of pixels of one colour in a decoded RGB picture.
size_t count_colour(const unsigned char* px, int w, int h, int r, int g, int b) {
  size_t n = 0;
  for (int i = 0; i < w * h; ++i) n += px[3 * i] == r && px[3 * i + 1] == g && px[3 * i + 2] == b ? 1 : 0;
  return n;
}

TEST(SnnDevice, PlotWritesAPngOfTheCurve) {
  TempDir dir;
  const fs::path png = dir.path() / "curve.png";
  const AppRun r = run_app(dir, R"({"device": "neurosim_ag_a_si", "pulses": [{"voltage": 1, "width": 1e-8, "count": 60}]})",
                           "--plot '" + png.string() + "'");
  ASSERT_EQ(r.rc, 0) << r.err;
  std::ifstream f(png, std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(f), {}};
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  int w = 0, h = 0, ch = 0;
  unsigned char* px = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                                            static_cast<int>(bytes.size()), &w, &h, &ch, 3);
  ASSERT_NE(px, nullptr);
  EXPECT_EQ(w, 640);
  EXPECT_EQ(h, 400);
  EXPECT_GT(count_colour(px, w, h, 31, 119, 180), 500u);  // the curve, first palette colour
  EXPECT_GT(count_colour(px, w, h, 0, 0, 0), 1000u);      // frame, ticks, labels
  stbi_image_free(px);
}

TEST(LinePlotPng, DrawsSeveralSeriesWithErrorBarsAndRejectsBadSeries) {
  PlotSeries a, b;
  for (int i = 0; i < 10; ++i) {
    a.x.push_back(i);
    a.y.push_back(0.5 + 0.04 * i);
    b.x.push_back(i);
    b.y.push_back(0.9 - 0.03 * i);
  }
  const auto orange = [](const std::string& bytes) {
    int w = 0, h = 0, ch = 0;
    unsigned char* px = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                                              static_cast<int>(bytes.size()), &w, &h, &ch, 3);
    EXPECT_NE(px, nullptr);
    const size_t n = px ? count_colour(px, w, h, 255, 127, 14) : 0;
    stbi_image_free(px);
    return n;
  };
  const size_t plain = orange(line_plot_png({a, b}));
  EXPECT_GT(plain, 200u);  // the second series is drawn in the second colour
  b.y_err.assign(10, 0.05);
  EXPECT_GT(orange(line_plot_png({a, b})), plain + 200);  // bars add pixels of its colour
  b.y_err.assign(9, 0.05);
  EXPECT_THROW(line_plot_png({a, b}), DataError);
  b.y_err.assign(10, -0.05);
  EXPECT_THROW(line_plot_png({a, b}), DataError);
  EXPECT_THROW(line_plot_png({}), DataError);
  PlotSeries nan;
  nan.x = {0.0};
  nan.y = {NAN};
  EXPECT_THROW(line_plot_png({nan}), DataError);
}

TEST(SnnDevice, SeedKeysTheWriteNoise) {
  TempDir dir;
  std::string trains;
  for (int k = 0; k < 20; ++k) trains += std::string(k ? "," : "") + R"({"voltage": )" + (k % 3 == 2 ? "-1" : "1") + R"(, "width": 1e-8, "count": 2})";
  const std::string noisy = R"({"device": {"preset": "neurosim_taox_hfox", "nonideal": {"c2c_sigma": 0.05}}, "pulses": [)" + trains + "]}";
  const AppRun a = run_app(dir, noisy, "--seed 1");
  const AppRun b = run_app(dir, noisy, "--seed 1");
  const AppRun c = run_app(dir, noisy, "--seed 2");
  ASSERT_EQ(a.rc, 0) << a.err;
  ASSERT_EQ(c.rc, 0) << c.err;
  EXPECT_EQ(a.out, b.out);
  const auto ga = json::parse(a.out)["conductance"].get<std::vector<double>>();
  const auto gc = json::parse(c.out)["conductance"].get<std::vector<double>>();
  EXPECT_NE(ga, gc);
  // Noise lands after each train's last pulse: its first pulse (no noise yet) matches the clean run.
  const std::string clean = R"({"device": "neurosim_taox_hfox", "pulses": [)" + trains + "]}";
  const auto g0 = run_json(dir, clean, "--seed 1")["conductance"].get<std::vector<double>>();
  EXPECT_EQ(ga[0], g0[0]);
  EXPECT_NE(ga[1], g0[1]);
  EXPECT_EQ(run_json(dir, clean, "--seed 2")["conductance"].get<std::vector<double>>(), g0);  // no noise: seed unused
  const json ja = json::parse(a.out);
  for (double g : ga) {
    EXPECT_GE(g, ja["g_min_S"].get<double>());
    EXPECT_LE(g, ja["g_max_S"].get<double>());
  }
}

TEST(SnnDevice, DeviceSpreadMovesTheCellRange) {
  TempDir dir;
  const json out = run_json(dir, R"({"device": {"preset": "neurosim_epiram", "mapping": "pulse_count",
      "nonideal": {"d2d_sigma": 0.2, "read_sigma": 0, "drift_t0_s": 1}},
      "pulses": [{"voltage": 1, "width": 1e-8, "count": 70}]})", "--seed 3");
  const double lo = out["cell_g_min_S"].get<double>(), hi = out["cell_g_max_S"].get<double>();
  EXPECT_NE(lo, out["g_min_S"].get<double>());
  EXPECT_NE(hi, out["g_max_S"].get<double>());
  EXPECT_DOUBLE_EQ(out["initial_conductance_S"].get<double>(), lo);
  EXPECT_NEAR(out["conductance"].back().get<double>(), hi, 1e-9 * hi);  // 70 > 64 states: at the top
}

// Each bad input: exit 1, one line on stderr naming `needle`, and no output file.
void expect_rejected(const std::string& input, const std::string& needle, const std::string& args = "") {
  TempDir dir;
  const AppRun r = run_app(dir, input, args);
  EXPECT_EQ(r.rc, 1) << input;
  EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(r.out_exists) << input;
}

TEST(SnnDevice, RejectsBadInputsNamingTheKey) {
  const std::string p = R"("pulses": [{"voltage": 1, "width": 1e-8}])";
  expect_rejected(R"({"device": "ideal", "pulse": [], )" + p + "}", "'pulse'");
  expect_rejected(R"({"device": "ideal", "pulses": [{"voltage": 1, "widht": 1e-8}]})", "pulses[0].widht");
  expect_rejected(R"({"device": "ideal", "pulses": [{"voltage": 1, "width": 1e-8, "count": 0}]})", "pulses[0].count");
  expect_rejected(R"({"device": "ideal", "pulses": [{"voltage": 1, "width": 1e-8, "count": 10000001}]})", "pulses[0].count");
  expect_rejected(R"({"device": "ideal", "pulses": [{"voltage": 1, "width": -1e-8}]})", "pulses[0].width");
  expect_rejected(R"({"device": "ideal", "pulses": [{"voltage": "1", "width": 1e-8}]})", "pulses[0].voltage");
  expect_rejected(R"({"device": "ideal", "initial_conductance": 1e-5, "initial_state": 0.5, )" + p + "}", "initial_state");
  expect_rejected(R"({"device": "ideal", "initial_conductance": 1e-5, "initial_state": 0.5, )" + p + "}", "initial_conductance");
  expect_rejected(R"({"device": "ideal", "initial_conductance": 2e-4, )" + p + "}", "initial_conductance");
  expect_rejected(R"({"device": "chen2015", "initial_state": 2.0, )" + p + "}", "initial_state");
  expect_rejected(R"({"device": "anddudkin_20", "initial_state": 2.5, )" + p + "}", "initial_state");
  expect_rejected(R"({"device": {"preset": "ideal", "nonideal": {"read_sigma": 0.1}}, )" + p + "}", "device.nonideal.read_sigma");
  expect_rejected(R"({"device": {"type": "neurosim", "nl_ltq": 1}, )" + p + "}", "device.nl_ltq");
  expect_rejected(R"({"device": "no_such_device", )" + p + "}", "device");
  expect_rejected(R"({"device": "ideal", )", "invalid JSON");
  expect_rejected(R"({)" + p + "}", "'device'");
}

TEST(SnnDevice, MissingFileAndUsageErrors) {
  TempDir dir;
  const fs::path err = dir.path() / "err.txt", missing = dir.path() / "no_such_input.json";
  const std::string app = std::string(MEMSNN_APPS_DIR) + "/snn_device";
  EXPECT_EQ(fixtures::run_command(app + " --input '" + missing.string() + "' 2> '" + err.string() + "'"), 1);
  EXPECT_NE(fixtures::read_text(err.string()).find("no_such_input.json"), std::string::npos);
  EXPECT_EQ(fixtures::run_command(app + " 2> '" + err.string() + "'"), 2);
  EXPECT_NE(fixtures::read_text(err.string()).find("--input"), std::string::npos);
  EXPECT_EQ(fixtures::run_command(app + " --input x.json --seed abc 2> '" + err.string() + "'"), 2);
  // A plot into a missing folder: nothing at all is written, not even the output.
  const AppRun r = run_app(dir, R"({"device": "ideal", "pulses": [{"voltage": 1, "width": 1e-8}]})",
                           "--plot '" + (dir.path() / "nowhere" / "p.png").string() + "'");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("nowhere"), std::string::npos);
  EXPECT_FALSE(r.out_exists);
}

}  // namespace
