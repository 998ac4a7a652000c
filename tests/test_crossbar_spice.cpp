// memsnn's crossbar solvers against an independent circuit simulator: random arrays are
// written as SPICE netlists (crossbar/spice_netlist.hpp), solved by ngspice, and every
// output current compared with the direct and relaxation solvers. Then the snn_crossbar
// app: badcrossbar's Qucs case with each method, bad inputs, non-convergence, --spice.
//
// ngspice's ordering (Sparse 1.3) grows about quadratically with the node count: 64 x 64
// takes ~4 s, 128 x 128 ~2-3 min (its own CTest case, so ctest -j runs it beside the
// rest). MEMSNN_SPICE_SKIP_LARGE=1 skips it for quick local runs; CI runs it.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/rng.hpp"
#include "crossbar/direct_solver.hpp"
#include "crossbar/relaxation_solver.hpp"
#include "crossbar/spice_netlist.hpp"
#include "fixtures.hpp"

using namespace memsnn;
namespace fs = std::filesystem;

namespace {

// memsnn against ngspice, on every output current (both solve the same linear system to
// ~1e-12 or better; ngspice prints 16 digits).
constexpr double kSpiceRelTol = 1e-6;
// A current this small against the largest output of its vector (cancellation between
// positive and negative inputs) is compared against that floor instead of itself.
constexpr double kRelFloor = 1e-9;
// badcrossbar's published currents have 7-8 significant figures.
constexpr double kPublishedRelTol = 1e-6;
// Relaxation is run to tol 1e-12, but with 0.1 ohm wires against 1 MOhm cells its
// residual (node imbalance over the largest output current) stalls near 1e-12 from
// rounding alone (eps * V / r_wire ~ 2e-15 A against ~1e-3 A), so the test asks for 1e-10.
constexpr double kRelaxTol = 1e-12;
constexpr double kRelaxResidual = 1e-10;

const char* const kNoNgspice = "ngspice not found in PATH: install the Debian package ngspice (apt-get install ngspice)";

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t colon = std::min(dirs.find(':', start), dirs.size());
    const fs::path candidate = fs::path(dirs.substr(start, colon - start)) / name;
    if (colon > start && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = colon + 1;
  }
  return "";
}

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

std::string shell_quote(const fs::path& p) { return "'" + p.string() + "'"; }

using memsnn::fixtures::TempDir;

// ngspice's output currents for one netlist, in column order (empty on failure, with the
// reason added as a test failure).
std::vector<double> run_ngspice(const std::string& ngspice, const std::string& netlist, uint32_t cols,
                                const fs::path& dir) {
  const fs::path cir = dir / "crossbar.cir", log = dir / "ngspice.log";
  write_text(cir, netlist);
  const int rc = fixtures::run_command(shell_quote(ngspice) + " -b " + shell_quote(cir) + " > " + shell_quote(log) + " 2>&1");
  const std::string out = fixtures::read_text(log);
  std::vector<double> currents(cols, std::nan(""));
  static const std::regex line(R"(^i\(vout(\d+)\) = (\S+))", std::regex::multiline);
  uint32_t found = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), line); it != std::sregex_iterator(); ++it) {
    const unsigned long j = std::stoul((*it)[1]);
    if (j < cols && std::isnan(currents[j])) ++found;
    if (j < cols) currents[j] = std::strtod((*it)[2].str().c_str(), nullptr);
  }
  if (rc != 0 || found != cols) {
    ADD_FAILURE() << "ngspice exit " << rc << ", " << found << " of " << cols << " currents; output tail:\n"
                  << out.substr(out.size() > 2000 ? out.size() - 2000 : 0);
    return {};
  }
  return currents;
}

// Uniform in (0, 1), reproducible everywhere.
double unit(uint32_t stream, uint32_t key, uint32_t k) {
  return (random_u32(11, stream, key, 0, k) + 0.5) / 4294967296.0;
}

// Cells log-uniform in 1 kOhm .. 1 MOhm, about 5 % of them absent (G = 0).
std::vector<double> random_cells(uint32_t m, uint32_t n, uint32_t key) {
  std::vector<double> g(size_t{m} * n);
  for (uint32_t k = 0; k < g.size(); ++k) {
    g[k] = unit(1, key, k) < 0.05 ? 0.0 : 1e-6 * std::pow(10.0, 3.0 * unit(2, key, k));
  }
  return g;
}

// Input patterns: 0 uniform in [-1, 1] V; 1 every third row at 0 V, the others 0.2..1 V
// with alternate signs; 2 one row at 1 V, the rest at 0 V (only sneak paths elsewhere).
std::vector<double> input_vector(uint32_t m, int pattern, uint32_t key) {
  std::vector<double> v(m, 0.0);
  for (uint32_t i = 0; i < m; ++i) {
    if (pattern == 0) v[i] = 2.0 * unit(3, key, i) - 1.0;
    if (pattern == 1 && i % 3 != 0) v[i] = (i % 2 ? -1.0 : 1.0) * (0.2 + 0.8 * unit(4, key, i));
  }
  if (pattern == 2) v[m / 2] = 1.0;
  return v;
}

struct Wires {
  double r_row, r_col, r_source, r_sense;
};
// Zero source and sense, r_row != r_col, both ends of the 0.1-5 ohm range, zero wires.
const Wires kWireSets[] = {{1.0, 2.0, 0.0, 0.0}, {0.1, 5.0, 10.0, 20.0}, {2.5, 0.3, 0.0, 15.0},
                           {0.0, 1.5, 5.0, 0.0}, {0.5, 0.0, 0.0, 0.0}};

// Largest |a - b| / max(|b|, kRelFloor * max|b|) over a vector.
double max_rel_diff(const std::vector<double>& got, const std::vector<double>& want) {
  double scale = 0.0, worst = 0.0;
  for (const double w : want) scale = std::max(scale, std::fabs(w));
  for (size_t k = 0; k < want.size(); ++k) {
    worst = std::max(worst, std::fabs(got[k] - want[k]) / std::max({std::fabs(want[k]), kRelFloor * scale, 1e-300}));
  }
  return worst;
}

struct Worst {
  double direct = 0.0, relax = 0.0;
};

// One array, solved by ngspice and both memsnn solvers for each input pattern; returns
// the largest relative differences seen.
Worst compare_with_ngspice(const std::string& ngspice, uint32_t m, uint32_t n, const Wires& w,
                            const std::vector<int>& patterns, uint32_t key) {
  const CrossbarCircuit c{m, n, w.r_row, w.r_col, w.r_source, w.r_sense};
  const auto g = random_cells(m, n, key);
  const DirectSolver direct(c, g);
  RelaxOptions ro;
  ro.tol = kRelaxTol;
  ro.max_iterations = 500;
  const RelaxationSolver relax(c, g, ro);
  const TempDir dir;
  Worst worst;
  for (const int pattern : patterns) {
    const auto v = input_vector(m, pattern, key);
    const auto spice = run_ngspice(ngspice, spice_netlist(c, g, v), n, dir.path());
    if (spice.empty()) return worst;
    std::vector<double> d(n), r(n);
    direct.solve(v, d);
    const RelaxStats st = relax.solve(v, r);
    EXPECT_LT(st.residual, kRelaxResidual) << m << "x" << n << " after " << st.iterations << " sweeps";
    const double dd = max_rel_diff(d, spice), dr = max_rel_diff(r, spice);
    EXPECT_LE(dd, kSpiceRelTol) << m << "x" << n << " direct, wires " << w.r_row << "/" << w.r_col << "/"
                                << w.r_source << "/" << w.r_sense << " pattern " << pattern;
    EXPECT_LE(dr, kSpiceRelTol) << m << "x" << n << " relax, wires " << w.r_row << "/" << w.r_col << "/"
                                << w.r_source << "/" << w.r_sense << " pattern " << pattern;
    worst.direct = std::max(worst.direct, dd);
    worst.relax = std::max(worst.relax, dr);
  }
  return worst;
}

Worst worse(const Worst& a, const Worst& b) { return {std::max(a.direct, b.direct), std::max(a.relax, b.relax)}; }

void report(uint32_t m, uint32_t n, const Worst& w) {
  std::printf("%ux%u: largest relative difference from ngspice: direct %.3g, relaxation %.3g\n", m, n, w.direct,
              w.relax);
}

}  // namespace

// The netlist itself: no 0-ohm resistors, absent cells left out, one ammeter per column.
TEST(CrossbarSpice, NetlistMergesShortsAndOmitsEmptyCells) {
  const CrossbarCircuit c{3, 2, 0.0, 2.0, 0.0, 0.0};
  const std::vector<double> g = {1e-3, 0.0, 2e-3, 1e-4, 5e-4, 1e-5}, v = {1.0, 0.0, -0.5};
  const std::string net = spice_netlist(c, g, v);
  EXPECT_EQ(net.find("Rrow"), std::string::npos);
  EXPECT_EQ(net.find("Rsrc"), std::string::npos);
  EXPECT_EQ(net.find("Rsense"), std::string::npos);
  EXPECT_EQ(net.find("Rcell0_1"), std::string::npos);
  EXPECT_NE(net.find("Rcell0_0 in0 c0_0 1000\n"), std::string::npos) << net;
  EXPECT_NE(net.find("Rcol2_1 out1 c2_1 2\n"), std::string::npos) << net;
  EXPECT_NE(net.find("Vin2 in2 0 DC -0.5\n"), std::string::npos) << net;
  EXPECT_NE(net.find("Vout1 out1 0 DC 0\n"), std::string::npos) << net;
  EXPECT_NE(net.find("print i(vout1)\n"), std::string::npos) << net;
  EXPECT_THROW(spice_netlist(c, g, std::vector<double>{1.0, 2.0}), std::exception);
}

TEST(CrossbarSpice, SmallArraysMatchNgspice) {
  const std::string ngspice = find_in_path("ngspice");
  if (ngspice.empty()) GTEST_SKIP() << kNoNgspice;
  for (const auto& [m, n] : {std::pair<uint32_t, uint32_t>{3, 2}, {8, 5}, {16, 33}}) {
    Worst worst;
    uint32_t key = m * 1000 + n;
    for (const Wires& w : kWireSets) worst = worse(worst, compare_with_ngspice(ngspice, m, n, w, {0, 1, 2}, key++));
    report(m, n, worst);
  }
}

TEST(CrossbarSpice, Array64x64MatchesNgspice) {
  const std::string ngspice = find_in_path("ngspice");
  if (ngspice.empty()) GTEST_SKIP() << kNoNgspice;
  const Worst worst = worse(compare_with_ngspice(ngspice, 64, 64, kWireSets[0], {0}, 64),
                            compare_with_ngspice(ngspice, 64, 64, kWireSets[1], {1}, 65));
  report(64, 64, worst);
}

TEST(CrossbarSpice, TallAndWide128MatchNgspice) {
  const std::string ngspice = find_in_path("ngspice");
  if (ngspice.empty()) GTEST_SKIP() << kNoNgspice;
  report(128, 16, compare_with_ngspice(ngspice, 128, 16, kWireSets[1], {1}, 128));
  report(16, 128, compare_with_ngspice(ngspice, 16, 128, kWireSets[2], {0}, 129));
}

TEST(CrossbarSpice, Array128x128MatchesNgspice) {
  const char* skip = std::getenv("MEMSNN_SPICE_SKIP_LARGE");
  if (skip && std::string(skip) == "1") GTEST_SKIP() << "MEMSNN_SPICE_SKIP_LARGE=1: 128x128 against ngspice skipped";
  const std::string ngspice = find_in_path("ngspice");
  if (ngspice.empty()) GTEST_SKIP() << kNoNgspice;
  report(128, 128, compare_with_ngspice(ngspice, 128, 128, kWireSets[1], {0}, 130));
}

// ---- snn_crossbar ----

namespace {

const std::string kApp = std::string(MEMSNN_APPS_DIR) + "/snn_crossbar";

// badcrossbar's Qucs case (Joksas & Mehonic, SoftwareX 12:100617, 2020), G as nested rows.
nlohmann::json qucs_input() {
  nlohmann::json g = nlohmann::json::array();
  for (int i = 0; i < 5; ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (int j = 0; j < 4; ++j) row.push_back(1.0 / (10.0 * (4 * i + j + 1)));
    g.push_back(row);
  }
  return {{"rows", 5},         {"cols", 4}, {"r_row", 1.0}, {"r_col", 2.0}, {"r_source", 0.0}, {"r_sense", 0.0},
          {"G", g},            {"inputs", {{0, 1, 2, 3, 4}, {3, 2, -1, 2, 3}}},
          {"comment", "ignored"}};
}
const std::vector<std::vector<double>> kQucsCurrents = {{0.0605702, 0.05932761, 0.05634874, 0.05335235},
                                                        {0.15274675, 0.10872371, 0.08719953, 0.07446608}};

struct AppRun {
  int rc;
  std::string err;
};

AppRun run_app(const TempDir& dir, const std::string& input_text, const std::string& args) {
  const fs::path in = dir.path() / "in.json", err = dir.path() / "err.txt";
  write_text(in, input_text);
  const int rc = fixtures::run_command(kApp + " --input " + shell_quote(in) + " " + args + " 2> " + shell_quote(err));
  return {rc, fixtures::read_text(err)};
}

}  // namespace

TEST(SnnCrossbarApp, QucsCaseWithEveryMethod) {
  const TempDir dir;
  for (const std::string method : {"direct", "relax", "weff"}) {
    const fs::path out = dir.path() / (method + ".json");
    nlohmann::json input = qucs_input();
    if (method == "weff") {  // G as one flat list of rows*cols values
      nlohmann::json flat = nlohmann::json::array();
      for (const auto& row : input["G"]) {
        for (const auto& x : row) flat.push_back(x);
      }
      input["G"] = flat;
    }
    const AppRun r = run_app(dir, input.dump(), "--backend cpu --method " + method + " --output " + shell_quote(out));
    ASSERT_EQ(r.rc, 0) << method << ": " << r.err;
    const auto doc = nlohmann::json::parse(fixtures::read_text(out));
    ASSERT_TRUE(doc.contains("currents")) << method;
    ASSERT_EQ(doc["currents"].size(), 2u);
    for (size_t k = 0; k < 2; ++k) {
      ASSERT_EQ(doc["currents"][k].size(), 4u);
      for (size_t j = 0; j < 4; ++j) {
        const double want = kQucsCurrents[k][j];
        EXPECT_NEAR(doc["currents"][k][j].get<double>(), want, kPublishedRelTol * want) << method << " " << k << "," << j;
      }
    }
    const bool iterative = method != "direct";
    EXPECT_EQ(doc.contains("iterations"), iterative) << method;
    EXPECT_EQ(doc.contains("residual"), iterative) << method;
    EXPECT_EQ(doc.contains("converged"), iterative) << method;
    if (iterative) {
      EXPECT_TRUE(doc["converged"].get<bool>());
      EXPECT_GT(doc["iterations"].get<int>(), 0);
      EXPECT_LT(doc["residual"].get<double>(), 1e-10);
    }
  }
}

TEST(SnnCrossbarApp, ReadsStdinWritesStdoutAndSaysWhichBackend) {
  const TempDir dir;
  const fs::path in = dir.path() / "in.json", out = dir.path() / "out.json", err = dir.path() / "err.txt";
  write_text(in, qucs_input().dump());
  ASSERT_EQ(fixtures::run_command(kApp + " --input - --method direct < " + shell_quote(in) + " > " + shell_quote(out) + " 2> " + shell_quote(err)), 0)
      << fixtures::read_text(err);
  EXPECT_NE(fixtures::read_text(err).find("using cpu"), std::string::npos) << fixtures::read_text(err);
  const auto doc = nlohmann::json::parse(fixtures::read_text(out));
  EXPECT_NEAR(doc["currents"][0][0].get<double>(), kQucsCurrents[0][0], kPublishedRelTol * kQucsCurrents[0][0]);
}

TEST(SnnCrossbarApp, BadInputsExitOneNamingTheKey) {
  const TempDir dir;
  struct Bad {
    std::string what;
    nlohmann::json input;  // null: write `text` instead
    std::string text;
    std::vector<std::string> mentions;
  };
  auto with = [](const char* key, nlohmann::json value) {
    nlohmann::json j = qucs_input();
    j[key] = std::move(value);
    return j;
  };
  nlohmann::json no_rcol = qucs_input();
  no_rcol.erase("r_col");
  nlohmann::json neg_g = qucs_input();
  neg_g["G"][2][3] = -1e-3;
  const std::vector<Bad> cases = {
      {"missing key", no_rcol, "", {"'r_col'", "missing"}},
      {"G too short", with("G", std::vector<double>(19, 1e-3)), "", {"'G'", "19", "5 x 4 = 20"}},
      {"G row too short", with("G", {{1, 2, 3, 4}, {1, 2, 3, 4}, {1, 2, 3}, {1, 2, 3, 4}, {1, 2, 3, 4}}), "",
       {"G[2]", "3 values", "cols = 4"}},
      {"input too short", with("inputs", {{0, 1, 2, 3, 4}, {1, 2, 3, 4}}), "", {"inputs[1]", "4 values", "rows = 5"}},
      {"negative G", neg_g, "", {"G[2][3]", "-0.001"}},
      {"negative resistance", with("r_row", -1.0), "", {"'r_row'", "-1"}},
      {"rows = 0", with("rows", 0), "", {"'rows'", ">= 1"}},
      {"G not a number", with("G", std::vector<std::string>(20, "x")), "", {"G[0][0]", "number"}},
      {"invalid JSON", nullptr, "{\"rows\": 5,", {"in.json", "invalid JSON"}},
  };
  for (const Bad& b : cases) {
    const AppRun r = run_app(dir, b.input.is_null() ? b.text : b.input.dump(), "--backend cpu");
    EXPECT_EQ(r.rc, 1) << b.what << ": " << r.err;
    EXPECT_EQ(r.err.rfind("snn_crossbar: error: ", 0), 0u) << b.what << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << b.what << ": " << r.err;
    for (const std::string& m : b.mentions) EXPECT_NE(r.err.find(m), std::string::npos) << b.what << ": " << r.err;
  }
  const AppRun missing = AppRun{fixtures::run_command(kApp + " --input " + shell_quote(dir.path() / "nope.json") + " 2> " +
                                            shell_quote(dir.path() / "err.txt")),
                                fixtures::read_text(dir.path() / "err.txt")};
  EXPECT_EQ(missing.rc, 1);
  EXPECT_NE(missing.err.find("nope.json"), std::string::npos) << missing.err;
  // A bad option value is a usage error (status 2), as in the other apps.
  EXPECT_EQ(run_app(dir, qucs_input().dump(), "--method lu").rc, 2);
}

// Issue 17: with rows = cols = 100000 and a one-element G the reader reserved rows x cols
// doubles before the length check and died with std::bad_alloc. Sizes are checked first.
TEST(SnnCrossbarApp, HugeSizesWithAShortGSayThatGHasTheWrongSize) {
  const TempDir dir;
  for (const nlohmann::json& g : {nlohmann::json::array({1e-3}), nlohmann::json::array({nlohmann::json::array({1e-3})})}) {
    nlohmann::json j = qucs_input();
    j["rows"] = 100000;
    j["cols"] = 100000;
    j["G"] = g;
    const AppRun r = run_app(dir, j.dump(), "--backend cpu");
    EXPECT_EQ(r.rc, 1) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("'G' has 1 "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("100000"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("bad_alloc"), std::string::npos) << r.err;
  }
}

// Issue 17: a number beyond double (nlohmann's out_of_range) escaped as "[json.exception...]"
// without the file or the key.
TEST(SnnCrossbarApp, NumberOverflowNamesTheFileAndKey) {
  const TempDir dir;
  std::string text = qucs_input().dump();
  const std::string r_row = "\"r_row\":1.0";
  ASSERT_NE(text.find(r_row), std::string::npos) << text;
  text.replace(text.find(r_row), r_row.size(), "\"r_row\":1e999");
  const AppRun r = run_app(dir, text, "--backend cpu");
  EXPECT_EQ(r.rc, 1) << r.err;
  EXPECT_NE(r.err.find("in.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'r_row'"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("json.exception"), std::string::npos) << r.err;
}

TEST(SnnCrossbarApp, NotConvergedWritesOutputAndExitsThree) {
  const TempDir dir;
  const fs::path out = dir.path() / "out.json";
  const AppRun r = run_app(dir, qucs_input().dump(), "--backend cpu --max-iterations 1 --output " + shell_quote(out));
  EXPECT_EQ(r.rc, 3) << r.err;
  EXPECT_NE(r.err.find("residual"), std::string::npos) << r.err;
  const auto doc = nlohmann::json::parse(fixtures::read_text(out));
  EXPECT_FALSE(doc["converged"].get<bool>());
  EXPECT_EQ(doc["iterations"].get<int>(), 1);
  EXPECT_EQ(doc["currents"].size(), 2u);
}

TEST(SnnCrossbarApp, SpiceNetlistReproducesTheCurrents) {
  const std::string ngspice = find_in_path("ngspice");
  if (ngspice.empty()) GTEST_SKIP() << kNoNgspice;
  const TempDir dir;
  const fs::path out = dir.path() / "out.json", cir = dir.path() / "qucs.cir";
  const AppRun r = run_app(dir, qucs_input().dump(), "--backend cpu --method direct --output " + shell_quote(out) +
                                                          " --spice " + shell_quote(cir));
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto spice = run_ngspice(ngspice, fixtures::read_text(cir), 4, dir.path());
  ASSERT_EQ(spice.size(), 4u);
  const auto doc = nlohmann::json::parse(fixtures::read_text(out));
  EXPECT_LE(max_rel_diff(doc["currents"][0].get<std::vector<double>>(), spice), kSpiceRelTol);
  EXPECT_LE(max_rel_diff(spice, kQucsCurrents[0]), kPublishedRelTol);
}
