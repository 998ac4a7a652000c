// The IR-drop crossbar solvers against published circuit results, each other, and the
// ideal crossbar; W_eff against direct solves; tiling; degenerate and bad inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "crossbar/crossbar_solve.hpp"
#include "crossbar/direct_solver.hpp"
#include "crossbar/line_solve.hpp"
#include "crossbar/relaxation_solver.hpp"

using namespace memsnn;

namespace {

// badcrossbar's Qucs-verified case (Joksas & Mehonic, SoftwareX 12:100617, 2020): cell
// resistances 10..200 ohm, r_row 1 ohm, r_col 2 ohm, ideal source and sense.
CrossbarCircuit qucs_circuit() { return {5, 4, 1.0, 2.0, 0.0, 0.0}; }
std::vector<double> qucs_conductances() {
  std::vector<double> g;
  for (int r = 10; r <= 200; r += 10) g.push_back(1.0 / r);
  return g;
}
// The published currents are given to 7-8 significant figures.
constexpr double kPublishedRelTol = 1e-6;
// Two solvers of one linear system, both to ~1e-13 or better: agree to 1e-9 relative.
constexpr double kSolverRelTol = 1e-9;

void expect_rel_near(std::span<const double> got, std::span<const double> want, double rel, const char* what) {
  ASSERT_EQ(got.size(), want.size());
  double scale = 0.0;
  for (const double w : want) scale = std::max(scale, std::fabs(w));
  for (size_t k = 0; k < got.size(); ++k) {
    EXPECT_NEAR(got[k], want[k], rel * std::max(std::fabs(want[k]), 1e-12 * scale)) << what << " [" << k << "]";
  }
}

std::vector<double> random_conductances(size_t n, uint32_t key, double lo, double hi) {
  std::vector<double> g(n);
  for (size_t k = 0; k < n; ++k) g[k] = lo + (hi - lo) * u32_to_unit_float(random_u32(7, key, 0, 0, static_cast<uint32_t>(k)));
  return g;
}

RelaxOptions tight() {
  RelaxOptions o;
  o.tol = 1e-12;
  o.max_iterations = 5000;
  return o;
}

}  // namespace

TEST(CrossbarCircuit, QucsCaseDirect) {
  const DirectSolver s(qucs_circuit(), qucs_conductances());
  std::vector<double> v = {0, 1, 2, 3, 4, 3, 2, -1, 2, 3}, out(8);
  s.solve(v, out);
  expect_rel_near(std::span(out).first(4), std::vector<double>{0.0605702, 0.05932761, 0.05634874, 0.05335235},
                  kPublishedRelTol, "V=[0..4]");
  expect_rel_near(std::span(out).last(4), std::vector<double>{0.15274675, 0.10872371, 0.08719953, 0.07446608},
                  kPublishedRelTol, "V=[3,2,-1,2,3]");
}

TEST(CrossbarCircuit, QucsCaseRelaxation) {
  const RelaxationSolver s(qucs_circuit(), qucs_conductances(), tight());
  std::vector<double> v = {0, 1, 2, 3, 4}, out(4);
  const RelaxStats st = s.solve(v, out);
  EXPECT_TRUE(st.converged);
  EXPECT_LT(st.residual, tight().tol);
  expect_rel_near(out, std::vector<double>{0.0605702, 0.05932761, 0.05634874, 0.05335235}, kPublishedRelTol, "relax");
}

TEST(CrossbarCircuit, ZeroResistancesGiveTheIdealProduct) {
  const CrossbarCircuit c{5, 4, 0.0, 0.0, 0.0, 0.0};
  const auto g = qucs_conductances();
  std::vector<double> v = {0, 1, 2, 3, 4}, out(4), relax_out(4);
  DirectSolver(c, g).solve(v, out);
  RelaxationSolver(c, g).solve(v, relax_out);
  // Published ideal currents, and the exact sum.
  expect_rel_near(out, std::vector<double>{0.08882856, 0.08031746, 0.07352016, 0.06791667}, kPublishedRelTol, "ideal");
  for (uint32_t j = 0; j < 4; ++j) {
    double sum = 0.0;
    for (uint32_t i = 0; i < 5; ++i) sum += v[i] * g[i * 4 + j];
    EXPECT_NEAR(out[j], sum, 1e-15 * sum);
    EXPECT_NEAR(relax_out[j], sum, 1e-15 * sum);
  }
}

// Every combination of zero and non-zero resistances, on a non-square array: relaxation
// (to 1e-13) agrees with the direct solve.
TEST(CrossbarCircuit, RelaxationMatchesDirectForEveryShortPattern) {
  for (int pattern = 0; pattern < 16; ++pattern) {
    CrossbarCircuit c{23, 17, (pattern & 1) ? 2.5 : 0.0, (pattern & 2) ? 1.5 : 0.0, (pattern & 4) ? 30.0 : 0.0,
                      (pattern & 8) ? 20.0 : 0.0};
    const auto g = random_conductances(23 * 17, static_cast<uint32_t>(pattern), 1e-6, 1e-3);
    std::vector<double> v(23), direct(17), relax(17);
    for (uint32_t i = 0; i < 23; ++i) v[i] = (i % 3 == 0) ? 0.0 : 0.2 + 0.01 * i;
    DirectSolver(c, g).solve(v, direct);
    const RelaxStats st = RelaxationSolver(c, g, tight()).solve(v, relax);
    EXPECT_TRUE(st.converged) << "pattern " << pattern << " residual " << st.residual;
    expect_rel_near(relax, direct, kSolverRelTol, ("pattern " + std::to_string(pattern)).c_str());
  }
}

// Kirchhoff: the direct solve's node voltages balance every node.
TEST(CrossbarCircuit, DirectSolveBalancesEveryNode) {
  const CrossbarCircuit c{31, 12, 1.0, 0.7, 5.0, 3.0};
  const auto g = random_conductances(31 * 12, 99, 1e-5, 1e-2);
  std::vector<double> v(31, 0.3);
  NodeVoltages nodes;
  DirectSolver(c, g).solve_nodes(v, nodes);
  // Column j's cells all drain through its bottom wire: I_j = C(M-1, j) / (r_col + r_sense).
  std::vector<double> out(12);
  currents_from_nodes(c, g, nodes, out);
  for (uint32_t j = 0; j < 12; ++j) {
    EXPECT_NEAR(out[j], nodes.column[30 * 12 + j] / (0.7 + 3.0), 1e-10 * out[j]);
  }
  // Row i's current from its source equals the sum of its cell currents.
  for (uint32_t i = 0; i < 31; ++i) {
    double cells = 0.0;
    for (uint32_t j = 0; j < 12; ++j) cells += g[i * 12 + j] * (nodes.row[i * 12 + j] - nodes.column[i * 12 + j]);
    EXPECT_NEAR((v[i] - nodes.row[i * 12]) / (5.0 + 1.0), cells, 1e-10 * cells);
  }
}

// I = W_eff^T V for random V, for tall and wide arrays (the two ways W_eff is built),
// with both methods.
TEST(CrossbarCircuit, EffectiveWeightsReproduceSolves) {
  for (const auto& shape : {std::pair<uint32_t, uint32_t>{40, 9}, {9, 40}, {16, 16}}) {
    const auto [m, n] = shape;
    const CrossbarCircuit c{m, n, 1.0, 2.0, 10.0, 5.0};
    const auto g = random_conductances(size_t{m} * n, m * 100 + n, 1e-5, 1e-3);
    for (const CrossbarMethod method : {CrossbarMethod::kDirect, CrossbarMethod::kRelax}) {
      CrossbarSolveSpec spec;
      spec.method = method;
      spec.relax = tight();
      std::vector<double> w(size_t{m} * n);
      effective_weights(c, g, w, spec);
      std::vector<double> v(m), solved(n), via_w(n, 0.0);
      for (uint32_t i = 0; i < m; ++i) v[i] = std::sin(1.0 + i);
      DirectSolver(c, g).solve(v, solved);
      for (uint32_t i = 0; i < m; ++i) {
        for (uint32_t j = 0; j < n; ++j) via_w[j] += w[i * n + j] * v[i];
      }
      expect_rel_near(via_w, solved, kSolverRelTol, method == CrossbarMethod::kDirect ? "direct W_eff" : "relax W_eff");
    }
  }
}

// A tiled layer's currents are the digital sum of independent arrays' currents.
TEST(CrossbarCircuit, TilesAreIndependentArraysSummed) {
  const CrossbarCircuit c{10, 7, 1.0, 1.0, 0.0, 0.0};
  const auto g = random_conductances(70, 5, 1e-4, 1e-2);
  CrossbarSolveSpec spec;
  spec.method = CrossbarMethod::kDirect;
  spec.tile_rows = 4;
  spec.tile_cols = 3;
  std::vector<double> v(10), tiled(7);
  for (uint32_t i = 0; i < 10; ++i) v[i] = 0.1 * (i + 1);
  crossbar_currents(c, g, v, tiled, spec);
  std::vector<double> expect(7, 0.0);
  for (uint32_t r0 = 0; r0 < 10; r0 += 4) {
    for (uint32_t c0 = 0; c0 < 7; c0 += 3) {
      const uint32_t m = std::min(4u, 10 - r0), n = std::min(3u, 7 - c0);
      std::vector<double> tg, tv(v.begin() + r0, v.begin() + r0 + m), out(n);
      for (uint32_t i = 0; i < m; ++i) {
        for (uint32_t j = 0; j < n; ++j) tg.push_back(g[(r0 + i) * 7 + c0 + j]);
      }
      DirectSolver(CrossbarCircuit{m, n, 1.0, 1.0, 0.0, 0.0}, tg).solve(tv, out);
      for (uint32_t j = 0; j < n; ++j) expect[c0 + j] += out[j];
    }
  }
  expect_rel_near(tiled, expect, 1e-13, "tiled");
  // Tiling loses less current than one big array.
  std::vector<double> whole(7);
  spec.tile_rows = spec.tile_cols = 0;
  crossbar_currents(c, g, v, whole, spec);
  for (uint32_t j = 0; j < 7; ++j) EXPECT_GT(tiled[j], whole[j]);
}

TEST(CrossbarCircuit, SingleRowSingleColumnAndZeroInput) {
  const auto g = random_conductances(9, 3, 1e-4, 1e-3);
  for (const CrossbarCircuit c : {CrossbarCircuit{1, 9, 1.0, 2.0, 3.0, 4.0}, CrossbarCircuit{9, 1, 1.0, 2.0, 3.0, 4.0}}) {
    std::vector<double> v(c.rows, 0.5), direct(c.cols), relax(c.cols);
    DirectSolver(c, g).solve(v, direct);
    EXPECT_TRUE(RelaxationSolver(c, g, tight()).solve(v, relax).converged);
    expect_rel_near(relax, direct, kSolverRelTol, "thin array");
    std::vector<double> zero(c.rows, 0.0), out(c.cols, 1.0);
    const RelaxStats st = RelaxationSolver(c, g).solve(zero, out);
    EXPECT_EQ(st.residual, 0.0);
    for (const double x : out) EXPECT_EQ(x, 0.0);
    DirectSolver(c, g).solve(zero, out);
    for (const double x : out) EXPECT_EQ(x, 0.0);
  }
}

TEST(CrossbarCircuit, BadInputsGiveClearErrors) {
  const CrossbarCircuit c{2, 2, 1.0, 1.0, 0.0, 0.0};
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const BackendError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::vector<double> g = {1e-4, -1e-5, 1e-4, 1e-4};
  EXPECT_NE(message([&] { DirectSolver(c, g); }).find("G[0][1]"), std::string::npos);
  g[1] = std::nan("");
  EXPECT_NE(message([&] { RelaxationSolver(c, g); }).find("G[0][1]"), std::string::npos);
  g[1] = 1e-4;
  EXPECT_NE(message([&] { DirectSolver(c, std::span(g).first(3)); }).find("3 cells"), std::string::npos);
  EXPECT_NE(message([&] { DirectSolver(CrossbarCircuit{2, 2, -1.0, 1.0, 0, 0}, g); }).find("r_row"),
            std::string::npos);
  EXPECT_NE(message([&] { DirectSolver(CrossbarCircuit{0, 2, 1.0, 1.0, 0, 0}, g); }).find("rows and cols"),
            std::string::npos);
  RelaxOptions bad;
  bad.damping = 1.5;
  EXPECT_NE(message([&] { RelaxationSolver(c, g, bad); }).find("damping"), std::string::npos);
  std::vector<double> v(3), out(2);
  EXPECT_NE(message([&] { RelaxationSolver(c, g).solve(v, out); }).find("3 input voltages"), std::string::npos);
  EXPECT_NE(message([] { crossbar_method("magic"); }).find("direct, relax"), std::string::npos);
}

// Damping slows relaxation but converges to the same answer; the iteration limit is
// reported, not hidden.
TEST(CrossbarCircuit, DampingAndIterationLimit) {
  const CrossbarCircuit c{64, 32, 2.0, 2.0, 0.0, 0.0};
  const auto g = random_conductances(64 * 32, 11, 1e-5, 1e-3);
  std::vector<double> v(64, 0.2), plain(32), damped(32), direct(32);
  RelaxOptions o = tight();
  const RelaxStats a = RelaxationSolver(c, g, o).solve(v, plain);
  o.damping = 0.7;
  const RelaxStats b = RelaxationSolver(c, g, o).solve(v, damped);
  DirectSolver(c, g).solve(v, direct);
  EXPECT_TRUE(a.converged && b.converged);
  EXPECT_GT(b.iterations, a.iterations);
  expect_rel_near(damped, direct, kSolverRelTol, "damped");
  o.damping = 1.0;
  o.max_iterations = 1;
  const RelaxStats c1 = RelaxationSolver(c, g, o).solve(v, plain);
  EXPECT_FALSE(c1.converged);
  EXPECT_EQ(c1.iterations, 1u);
  EXPECT_GT(c1.residual, o.tol);
}

// line_solve.hpp on interleaved nodes (the CUDA layout, lanes > 1) gives the one-lane
// result bit for bit and touches only its own lane, for every kind of wire (plain,
// shorted, shorted at the source, no end resistance); the line walked backwards, as a column.
TEST(CrossbarCircuit, InterleavedLanesMatchOneLane) {
  constexpr uint32_t kNodes = 9, kLanes = 3, kLane = 1;
  constexpr double kJunk = -7.0;
  for (const LineWires w : {line_wires(2.0, 3.0), line_wires(0.0, 3.0), line_wires(0.0, 0.0), line_wires(1.0, 0.0)}) {
    const auto g = random_conductances(kNodes, 1, 1e-4, 1e-2);
    std::vector<double> y(kNodes), x(kNodes), c(kNodes), inv(kNodes), d(kNodes);
    for (uint32_t k = 0; k < kNodes; ++k) {
      y[k] = 0.1 * k;
      x[k] = 0.5 - 0.03 * k;
    }
    // Node k of lane kLane at k * kLanes + kLane, scratch likewise; other lanes junk.
    std::vector<double> yl(kNodes * kLanes, kJunk), xl(kNodes * kLanes, kJunk), dl(kNodes * kLanes, kJunk);
    for (uint32_t k = 0; k < kNodes; ++k) {
      yl[k * kLanes + kLane] = y[k];
      xl[k * kLanes + kLane] = x[k];
    }
    factor_line(g.data(), kNodes - 1, -1, kNodes, w, c.data(), inv.data());
    solve_line(g.data(), y.data(), x.data(), kNodes - 1, -1, kNodes, w, 0.8, 0.7, c.data(), inv.data(), d.data());
    solve_line(g.data(), yl.data() + kLane, xl.data() + kLane, kNodes - 1, -1, kNodes, w, 0.8, 0.7, c.data(),
               inv.data(), dl.data() + kLane, kLanes);
    for (uint32_t k = 0; k < kNodes; ++k) {
      EXPECT_EQ(xl[k * kLanes + kLane], x[k]) << k;
      for (uint32_t other : {0u, 2u}) {
        EXPECT_EQ(xl[k * kLanes + other], kJunk) << "node " << k << " of lane " << other << " was written";
        EXPECT_EQ(dl[k * kLanes + other], kJunk) << "scratch " << k << " of lane " << other << " was written";
      }
    }
    EXPECT_EQ(line_imbalance(g.data(), yl.data() + kLane, xl.data() + kLane, kNodes - 1, -1, kNodes, w, 0.8, kLanes),
              line_imbalance(g.data(), y.data(), x.data(), kNodes - 1, -1, kNodes, w, 0.8));
  }
}
