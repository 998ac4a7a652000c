// GPU crossbar relaxation (kernels/cuda_crossbar.hpp) against the CPU solvers
// (crossbar/crossbar_solve.hpp): currents, statistics and W_eff, tiled and untiled, for
// many shapes and resistance sets; the device-pointer W_eff; errors. Label gpu: tests that
// run kernels skip without a device; the host-only ones (input errors, which are raised
// before any CUDA call) run everywhere this file is built.
//
// Tolerance: none (kExactUlps = 0). Every value is computed on the GPU by the same IEEE
// operations in the same order as on the CPU: the line maths of line_solve.hpp (with
// lanes = B, which test_crossbar_circuit checks against one lane), sums over i ascending,
// kernels built with --fmad=false, no transcendental functions (only + - * / and fabs, all
// correctly rounded on both), and a max, which is the same in any order. Each right-hand side stops on its
// own residual, as on the CPU, so iteration counts agree too. Any difference is a bug.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <iomanip>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "crossbar/crossbar_solve.hpp"
#include "crossbar/relaxation_solver.hpp"
#include "fixtures.hpp"
#include "kernels/cuda_crossbar.hpp"
#include "kernels/gpu_buffer.hpp"

using namespace memsnn;

namespace {

constexpr int kExactUlps = 0;  // documented above; EXPECT_EQ on doubles

class CudaCrossbar : public ::testing::Test {
 protected:
  void SetUp() override { MEMSNN_SKIP_WITHOUT_GPU(); }
};

double unit(uint32_t key, uint32_t stream, size_t k) {
  return u32_to_unit_float(random_u32(11, stream, key, 0, static_cast<uint32_t>(k)));
}

// Uniform in [lo, hi]; every `zero_every`-th cell 0 S when non-zero (cells that carry nothing).
std::vector<double> random_conductances(size_t n, uint32_t key, double lo, double hi, size_t zero_every = 0) {
  std::vector<double> g(n);
  for (size_t k = 0; k < n; ++k) g[k] = (zero_every && k % zero_every == 0) ? 0.0 : lo + (hi - lo) * unit(key, 1, k);
  return g;
}

// count x m volts in [-0.5, 1): silent inputs (0 V) among them, and vector 1 all silent,
// so some right-hand sides stop at once and the others after different sweep counts.
std::vector<double> random_voltages(size_t count, uint32_t m, uint32_t key) {
  std::vector<double> v(count * m);
  for (size_t k = 0; k < v.size(); ++k) {
    const double u = unit(key, 2, k);
    v[k] = (u < 0.3 || k / m == 1) ? 0.0 : 1.5 * u - 0.5;
  }
  return v;
}

struct Case {
  const char* name;
  CrossbarCircuit c;
  double damping = 1.0;
  uint32_t max_iterations = 200;
  double tol = 1e-10;
  double g_lo = 1e-5, g_hi = 1e-3;
  size_t zero_every = 0;
};

std::vector<Case> cases() {
  return {
      {"784x100 1 ohm, 1-10 uS", {784, 100, 1.0, 1.0, 0.0, 0.0}, 1.0, 200, 1e-10, 1e-6, 1e-5},
      {"13x7 every wire", {13, 7, 2.0, 3.0, 5.0, 7.0}, 1.0, 200, 1e-12, 1e-4, 1e-2, 5},
      {"7x13", {7, 13, 1.0, 2.0, 0.0, 0.0}, 1.0, 200, 1e-12},
      {"shorted rows", {9, 11, 0.0, 1.5, 2.0, 0.0}},
      {"shorted rows at the source", {9, 11, 0.0, 1.5, 0.0, 3.0}},
      {"shorted columns", {11, 9, 1.0, 0.0, 0.0, 2.0}},
      {"shorted columns to ground", {11, 9, 1.0, 0.0, 4.0, 0.0}},
      {"ideal", {6, 5, 0.0, 0.0, 0.0, 0.0}},
      {"one row", {1, 17, 1.0, 2.0, 3.0, 4.0}},
      {"one column", {17, 1, 1.0, 2.0, 3.0, 4.0}},
      {"damped", {64, 32, 2.0, 2.0, 0.0, 0.0}, 0.7, 5000, 1e-12},
      {"iteration limit", {64, 32, 2.0, 2.0, 0.0, 0.0}, 1.0, 3, 1e-12},
  };
}

CrossbarSolveSpec spec_of(const Case& k, uint32_t tile_rows = 0, uint32_t tile_cols = 0) {
  CrossbarSolveSpec s;
  s.relax.damping = k.damping;
  s.relax.max_iterations = k.max_iterations;
  s.relax.tol = k.tol;
  s.tile_rows = tile_rows;
  s.tile_cols = tile_cols;
  return s;
}

void expect_same_stats(const RelaxStats& gpu, const RelaxStats& cpu, const std::string& what) {
  EXPECT_EQ(gpu.iterations, cpu.iterations) << what;
  EXPECT_EQ(gpu.residual, cpu.residual) << what << std::setprecision(17) << ": " << gpu.residual << " vs "
                                        << cpu.residual;
  EXPECT_EQ(gpu.converged, cpu.converged) << what;
}

void expect_same(std::span<const double> gpu, std::span<const double> cpu, const std::string& what) {
  ASSERT_EQ(gpu.size(), cpu.size()) << what;
  size_t bad = 0;
  for (size_t k = 0; k < gpu.size(); ++k) {
    if (gpu[k] != cpu[k] && ++bad <= 5) {
      ADD_FAILURE() << what << " [" << k << "]: " << std::setprecision(17) << gpu[k] << " != " << cpu[k];
    }
  }
  EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << gpu.size() << " differ (allowed ulps " << kExactUlps << ")";
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const BackendError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

// Host only: bad inputs give the CPU's errors word for word (or say what the GPU lacks).
TEST(CudaCrossbarLines, BadInputsGiveTheSameErrors) {
  const CrossbarCircuit c{3, 2, 1.0, 1.0, 0.0, 0.0};
  const std::vector<double> good(6, 1e-4), v(3, 0.1);
  std::vector<double> out(2), w(6);
  CrossbarSolveSpec spec;
  auto both = [&](const CrossbarCircuit& cc, std::span<const double> g, std::span<const double> vv,
                  std::span<double> currents, std::span<double> weff, const CrossbarSolveSpec& s, const char* what) {
    const std::string cpu = message_of([&] { crossbar_currents(cc, g, vv, currents, s); });
    EXPECT_NE(cpu, "no error") << what;
    EXPECT_EQ(message_of([&] { cuda_crossbar_currents(cc, g, vv, currents, s); }), cpu) << what;
    const std::string cpu_w = message_of([&] { effective_weights(cc, g, weff, s); });
    EXPECT_NE(cpu_w, "no error") << what;
    EXPECT_EQ(message_of([&] { cuda_effective_weights(cc, g, weff, s); }), cpu_w) << what;
  };
  std::vector<double> bad = good;
  bad[3] = -1e-5;
  both(c, bad, v, out, w, spec, "negative G");
  bad[3] = std::nan("");
  both(c, bad, v, out, w, spec, "NaN G");
  both(c, std::span(good).first(5), v, out, w, spec, "G too short");
  both(CrossbarCircuit{3, 2, -1.0, 1.0, 0.0, 0.0}, good, v, out, w, spec, "negative r_row");
  both(CrossbarCircuit{3, 2, 1.0, 1.0, 0.0, INFINITY}, good, v, out, w, spec, "infinite r_sense");
  both(CrossbarCircuit{0, 2, 1.0, 1.0, 0.0, 0.0}, good, v, out, w, spec, "no rows");
  CrossbarSolveSpec bad_spec;
  bad_spec.relax.damping = 1.5;
  both(c, good, v, out, w, bad_spec, "damping");
  bad_spec = {};
  bad_spec.relax.tol = 0.0;
  both(c, good, v, out, w, bad_spec, "tol");
  bad_spec = {};
  bad_spec.relax.max_iterations = 0;
  both(c, good, v, out, w, bad_spec, "max_iterations");
  std::vector<double> short_v(4), short_w(5);
  EXPECT_EQ(message_of([&] { cuda_crossbar_currents(c, good, short_v, out, spec); }),
            message_of([&] { crossbar_currents(c, good, short_v, out, spec); }));
  EXPECT_EQ(message_of([&] { cuda_effective_weights(c, good, short_w, spec); }),
            message_of([&] { effective_weights(c, good, short_w, spec); }));
  spec.method = CrossbarMethod::kDirect;
  EXPECT_NE(message_of([&] { cuda_crossbar_currents(c, good, v, out, spec); }).find("relax only"), std::string::npos);
  // The device-pointer W_eff checks its range and pointers before touching them.
  const float* none = nullptr;
  spec = {};
  EXPECT_NE(message_of([&] { cuda_effective_weights(c, none, {1e-5, 1e-6}, nullptr, spec); }).find("g_min"),
            std::string::npos);
  EXPECT_NE(message_of([&] { cuda_effective_weights(c, none, {1e-6, 1e-5}, nullptr, spec); }).find("null"),
            std::string::npos);
  EXPECT_EQ(message_of([&] { cuda_effective_weights(CrossbarCircuit{3, 2, -1.0, 1.0, 0, 0}, none, {1e-6, 1e-5},
                                                    nullptr, spec); }),
            message_of([&] { effective_weights(CrossbarCircuit{3, 2, -1.0, 1.0, 0, 0}, good, w, spec); }));
}

// Currents and statistics of a batch equal the CPU's, for every case, whole and tiled.
TEST_F(CudaCrossbar, CurrentsEqualTheCpu) {
  for (const Case& k : cases()) {
    const size_t count = k.c.rows > 100 ? 6 : 9;
    const auto g = random_conductances(size_t{k.c.rows} * k.c.cols, k.c.rows * 31 + k.c.cols, k.g_lo, k.g_hi,
                                       k.zero_every);
    const auto v = random_voltages(count, k.c.rows, k.c.cols);
    // Tiles of 5 x 4 cut the small arrays into many ragged ones; 256 x 64 the large one.
    const std::pair<uint32_t, uint32_t> tiled = k.c.rows > 100 ? std::pair(256u, 64u) : std::pair(5u, 4u);
    for (const auto& tile : {std::pair<uint32_t, uint32_t>{0, 0}, tiled}) {
      const CrossbarSolveSpec spec = spec_of(k, tile.first, tile.second);
      std::vector<double> cpu(count * k.c.cols), gpu(cpu.size(), -1.0);
      const RelaxStats cs = crossbar_currents(k.c, g, v, cpu, spec);
      const RelaxStats gs = cuda_crossbar_currents(k.c, g, v, gpu, spec);
      const std::string what = std::string(k.name) + " tiles " + std::to_string(tile.first) + "x" +
                               std::to_string(tile.second);
      expect_same(gpu, cpu, what);
      expect_same_stats(gs, cs, what);
    }
  }
}

// Each right-hand side stops on its own residual: one vector at a time, the GPU's
// iteration count and residual are the CPU's for that vector.
TEST_F(CudaCrossbar, EveryVectorStopsWhereTheCpuDoes) {
  for (const Case& k : cases()) {
    if (k.c.rows > 100) continue;  // the 784 x 100 case is covered in batch
    const auto g = random_conductances(size_t{k.c.rows} * k.c.cols, k.c.rows * 31 + k.c.cols, k.g_lo, k.g_hi,
                                       k.zero_every);
    const auto v = random_voltages(4, k.c.rows, k.c.cols + 1);
    const CrossbarSolveSpec spec = spec_of(k);
    const RelaxationSolver cpu(k.c, g, spec.relax);
    for (size_t r = 0; r < 4; ++r) {
      const auto vr = std::span(v).subspan(r * k.c.rows, k.c.rows);
      std::vector<double> a(k.c.cols), b(k.c.cols);
      const RelaxStats cs = cpu.solve(vr, a);
      const RelaxStats gs = cuda_crossbar_currents(k.c, g, vr, b, spec);
      const std::string what = std::string(k.name) + " vector " + std::to_string(r);
      expect_same(b, a, what);
      expect_same_stats(gs, cs, what);
    }
  }
}

// W_eff equals the CPU's: tall arrays (transposed solves), wide ones (forward solves),
// whole and tiled (tiles of either kind and ragged edges).
TEST_F(CudaCrossbar, EffectiveWeightsEqualTheCpu) {
  struct Shape {
    CrossbarCircuit c;
    uint32_t tile_rows, tile_cols;
  };
  for (const Shape& s : {Shape{{784, 100, 1.0, 1.0, 0.0, 0.0}, 0, 0}, Shape{{784, 100, 1.0, 1.0, 0.0, 0.0}, 256, 64},
                         Shape{{40, 90, 1.0, 2.0, 10.0, 5.0}, 0, 0}, Shape{{40, 90, 1.0, 2.0, 10.0, 5.0}, 32, 32},
                         Shape{{90, 40, 0.0, 2.0, 3.0, 0.0}, 25, 0}}) {
    const auto g = random_conductances(size_t{s.c.rows} * s.c.cols, s.c.rows + s.c.cols, 1e-6, 1e-5);
    CrossbarSolveSpec spec;
    spec.tile_rows = s.tile_rows;
    spec.tile_cols = s.tile_cols;
    std::vector<double> cpu(g.size()), gpu(g.size(), -1.0);
    const RelaxStats cs = effective_weights(s.c, g, cpu, spec);
    const RelaxStats gs = cuda_effective_weights(s.c, g, gpu, spec);
    const std::string what = std::to_string(s.c.rows) + "x" + std::to_string(s.c.cols) + " tiles " +
                             std::to_string(s.tile_rows) + "x" + std::to_string(s.tile_cols);
    expect_same(gpu, cpu, what);
    expect_same_stats(gs, cs, what);
  }
}

// The device-pointer W_eff equals the CPU's effective_weights with G mapped from the
// weights and W_eff mapped back as IrDropCrossbar does (ConductanceRange); a weight whose
// G is negative is named as the CPU names the cell.
TEST_F(CudaCrossbar, GpuWeightsEqualTheMappedCpu) {
  const ConductanceRange range{1e-6, 1e-5};
  for (const auto& shape : {std::pair<CrossbarCircuit, uint32_t>{{784, 100, 1.0, 1.0, 0.0, 0.0}, 0},
                            {{100, 300, 1.0, 1.0, 0.0, 0.0}, 64}}) {
    const CrossbarCircuit c = shape.first;
    const uint32_t tile = shape.second;
    const size_t cells = size_t{c.rows} * c.cols;
    std::vector<float> w(cells);
    for (size_t k = 0; k < cells; ++k) w[k] = static_cast<float>(unit(c.cols, 3, k));
    std::vector<double> g(cells), cpu(cells);
    for (size_t k = 0; k < cells; ++k) g[k] = range.to_conductance(w[k]);
    CrossbarSolveSpec spec;
    spec.tile_rows = spec.tile_cols = tile;
    const RelaxStats cs = effective_weights(c, g, cpu, spec);
    GpuBuffer<float> d_w(cells, "test weights"), d_out(cells, "test W_eff");
    d_w.upload(w.data(), cells);
    const RelaxStats gs = cuda_effective_weights(c, d_w.data(), range, d_out.data(), spec);
    std::vector<float> gpu(cells);
    d_out.download(gpu.data(), cells);
    size_t bad = 0;
    for (size_t k = 0; k < cells; ++k) {
      if (gpu[k] != static_cast<float>(range.to_weight(cpu[k]))) ++bad;  // as IrDropCrossbar::build_weff
    }
    EXPECT_EQ(bad, 0u) << c.rows << "x" << c.cols << ": " << bad << " of " << cells << " weights differ";
    expect_same_stats(gs, cs, "device W_eff");

    w[c.cols + 2] = -0.5f;  // G = 1e-6 - 0.5 * 9e-6 < 0 at [1][2]
    d_w.upload(w.data(), cells);
    g[c.cols + 2] = range.to_conductance(w[c.cols + 2]);
    EXPECT_EQ(message_of([&] { cuda_effective_weights(c, d_w.data(), range, d_out.data(), spec); }),
              message_of([&] { effective_weights(c, g, cpu, spec); }));
  }
}
