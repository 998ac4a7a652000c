#include "crossbar/crossbar_solve.hpp"

#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "crossbar/direct_solver.hpp"

namespace memsnn {
namespace {

// One array's currents for a batch.
RelaxStats array_currents(const CrossbarCircuit& c, std::span<const double> g, std::span<const double> v,
                          std::span<double> out, const CrossbarSolveSpec& spec) {
  if (spec.method == CrossbarMethod::kDirect) {
    DirectSolver(c, g).solve(v, out);
    return {};
  }
  return RelaxationSolver(c, g, spec.relax).solve_batch(v, out, spec.threads);
}

}  // namespace

CrossbarMethod crossbar_method(const std::string& name) {
  if (name == "direct") return CrossbarMethod::kDirect;
  if (name == "relax") return CrossbarMethod::kRelax;
  throw BackendError("crossbar: unknown solver method \"" + name + "\"; valid: direct, relax");
}

size_t check_currents_args(const CrossbarCircuit& c, std::span<const double> g, std::span<const double> v,
                           std::span<const double> currents) {
  if (c.rows == 0 || v.size() % c.rows != 0 || currents.size() != v.size() / c.rows * c.cols) {
    throw BackendError("crossbar: " + std::to_string(v.size()) + " input voltages and " +
                       std::to_string(currents.size()) + " outputs do not fit a " + std::to_string(c.rows) + "x" +
                       std::to_string(c.cols) + " array");
  }
  validate_circuit(c, g);
  return v.size() / c.rows;
}

void check_weff_args(const CrossbarCircuit& c, std::span<const double> g, std::span<const double> w_eff) {
  if (w_eff.size() != static_cast<size_t>(c.rows) * c.cols) {
    throw BackendError("crossbar: W_eff of " + std::to_string(w_eff.size()) + " cells for a " + std::to_string(c.rows) +
                       "x" + std::to_string(c.cols) + " array");
  }
  validate_circuit(c, g);
}

TilePlan plan_tiles(const CrossbarCircuit& c, const CrossbarSolveSpec& spec) {
  TilePlan p;
  p.tile_rows = spec.tile_rows ? std::min(spec.tile_rows, c.rows) : c.rows;
  p.tile_cols = spec.tile_cols ? std::min(spec.tile_cols, c.cols) : c.cols;
  for (uint32_t r0 = 0; r0 < c.rows; r0 += p.tile_rows) {
    for (uint32_t c0 = 0; c0 < c.cols; c0 += p.tile_cols) {
      p.tiles.push_back({r0, c0, std::min(p.tile_rows, c.rows - r0), std::min(p.tile_cols, c.cols - c0)});
    }
  }
  return p;
}

CrossbarCircuit tile_circuit(const CrossbarCircuit& c, const CrossbarTile& t) {
  CrossbarCircuit tc = c;
  tc.rows = t.rows;
  tc.cols = t.cols;
  return tc;
}

void copy_tile_cells(const CrossbarCircuit& c, std::span<const double> g, const CrossbarTile& t,
                     std::span<double> g_tile) {
  for (uint32_t i = 0; i < t.rows; ++i) {
    std::copy_n(g.begin() + static_cast<ptrdiff_t>(t.row0 + i) * c.cols + t.col0, t.cols,
                g_tile.begin() + static_cast<ptrdiff_t>(i) * t.cols);
  }
}

void worsen(RelaxStats& into, const RelaxStats& s) {
  into.iterations = std::max(into.iterations, s.iterations);
  into.residual = std::max(into.residual, s.residual);
  into.converged = into.converged && s.converged;
}

RelaxStats crossbar_currents(const CrossbarCircuit& c, std::span<const double> g, std::span<const double> v,
                             std::span<double> currents, const CrossbarSolveSpec& spec) {
  const size_t count = check_currents_args(c, g, v, currents);
  std::fill(currents.begin(), currents.end(), 0.0);
  RelaxStats stats;
  const TilePlan plan = plan_tiles(c, spec);
  for (const CrossbarTile& t : plan.tiles) {
    const uint32_t m = t.rows, n = t.cols;
    std::vector<double> tg(static_cast<size_t>(m) * n), tv(count * m), tout(count * n);
    copy_tile_cells(c, g, t, tg);
    for (size_t k = 0; k < count; ++k) {
      std::copy_n(v.begin() + static_cast<ptrdiff_t>(k * c.rows + t.row0), m, tv.begin() + static_cast<ptrdiff_t>(k * m));
    }
    worsen(stats, array_currents(tile_circuit(c, t), tg, tv, tout, spec));
    for (size_t k = 0; k < count; ++k) {
      for (uint32_t j = 0; j < n; ++j) currents[k * c.cols + t.col0 + j] += tout[k * n + j];
    }
  }
  return stats;
}

RelaxStats effective_weights(const CrossbarCircuit& c, std::span<const double> g, std::span<double> w_eff,
                             const CrossbarSolveSpec& spec) {
  check_weff_args(c, g, w_eff);
  RelaxStats stats;
  const TilePlan plan = plan_tiles(c, spec);
  for (const CrossbarTile& t : plan.tiles) {
    const uint32_t m = t.rows, n = t.cols;
    const CrossbarCircuit tc = tile_circuit(c, t);
    std::vector<double> tg(static_cast<size_t>(m) * n);
    copy_tile_cells(c, g, t, tg);
    auto place = [&](uint32_t i, uint32_t j, double value) {
      w_eff[static_cast<size_t>(t.row0 + i) * c.cols + t.col0 + j] = value;
    };
    if (!weff_by_transpose(t)) {  // one forward solve per input row
      std::vector<double> unit(static_cast<size_t>(m) * m, 0.0), out(static_cast<size_t>(m) * n);
      for (uint32_t i = 0; i < m; ++i) unit[static_cast<size_t>(i) * m + i] = 1.0;
      worsen(stats, array_currents(tc, tg, unit, out, spec));
      for (uint32_t i = 0; i < m; ++i) {
        for (uint32_t j = 0; j < n; ++j) place(i, j, out[static_cast<size_t>(i) * n + j]);
      }
    } else {  // one solve of the transposed circuit per output column
      std::vector<double> gt(tg.size());
      transpose_cells(tc, tg, gt);
      std::vector<double> unit(static_cast<size_t>(n) * n, 0.0), out(static_cast<size_t>(n) * m);
      for (uint32_t a = 0; a < n; ++a) unit[static_cast<size_t>(a) * n + a] = 1.0;
      worsen(stats, array_currents(transposed(tc), gt, unit, out, spec));
      // W_eff[i][j] = W_eff_T[n-1-j][m-1-i]: drive transposed row a = n-1-j, read b = m-1-i.
      for (uint32_t a = 0; a < n; ++a) {
        for (uint32_t b = 0; b < m; ++b) place(m - 1 - b, n - 1 - a, out[static_cast<size_t>(a) * m + b]);
      }
    }
  }
  return stats;
}

}  // namespace memsnn
