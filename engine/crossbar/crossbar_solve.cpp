#include "crossbar/crossbar_solve.hpp"

#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "crossbar/direct_solver.hpp"

namespace memsnn {
namespace {

struct Tile {
  uint32_t row0, col0;
  CrossbarCircuit circuit;
  std::vector<double> g;
};

// Tiles in row-major order of their blocks, each with its cells copied out.
std::vector<Tile> split_tiles(const CrossbarCircuit& c, std::span<const double> g, const CrossbarSolveSpec& spec) {
  validate_circuit(c, g);
  const uint32_t th = spec.tile_rows ? std::min(spec.tile_rows, c.rows) : c.rows;
  const uint32_t tw = spec.tile_cols ? std::min(spec.tile_cols, c.cols) : c.cols;
  std::vector<Tile> tiles;
  for (uint32_t r0 = 0; r0 < c.rows; r0 += th) {
    for (uint32_t c0 = 0; c0 < c.cols; c0 += tw) {
      Tile t{r0, c0, c, {}};
      t.circuit.rows = std::min(th, c.rows - r0);
      t.circuit.cols = std::min(tw, c.cols - c0);
      t.g.resize(static_cast<size_t>(t.circuit.rows) * t.circuit.cols);
      for (uint32_t i = 0; i < t.circuit.rows; ++i) {
        std::copy_n(g.begin() + static_cast<ptrdiff_t>(r0 + i) * c.cols + c0, t.circuit.cols,
                    t.g.begin() + static_cast<ptrdiff_t>(i) * t.circuit.cols);
      }
      tiles.push_back(std::move(t));
    }
  }
  return tiles;
}

void worsen(RelaxStats& into, const RelaxStats& s) {
  into.iterations = std::max(into.iterations, s.iterations);
  into.residual = std::max(into.residual, s.residual);
  into.converged = into.converged && s.converged;
}

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

RelaxStats crossbar_currents(const CrossbarCircuit& c, std::span<const double> g, std::span<const double> v,
                             std::span<double> currents, const CrossbarSolveSpec& spec) {
  if (c.rows == 0 || v.size() % c.rows != 0 || currents.size() != v.size() / c.rows * c.cols) {
    throw BackendError("crossbar: " + std::to_string(v.size()) + " input voltages and " +
                       std::to_string(currents.size()) + " outputs do not fit a " + std::to_string(c.rows) + "x" +
                       std::to_string(c.cols) + " array");
  }
  const size_t count = v.size() / c.rows;
  std::fill(currents.begin(), currents.end(), 0.0);
  RelaxStats stats;
  for (const Tile& t : split_tiles(c, g, spec)) {
    const uint32_t m = t.circuit.rows, n = t.circuit.cols;
    std::vector<double> tv(count * m), tout(count * n);
    for (size_t k = 0; k < count; ++k) {
      std::copy_n(v.begin() + static_cast<ptrdiff_t>(k * c.rows + t.row0), m, tv.begin() + static_cast<ptrdiff_t>(k * m));
    }
    worsen(stats, array_currents(t.circuit, t.g, tv, tout, spec));
    for (size_t k = 0; k < count; ++k) {
      for (uint32_t j = 0; j < n; ++j) currents[k * c.cols + t.col0 + j] += tout[k * n + j];
    }
  }
  return stats;
}

RelaxStats effective_weights(const CrossbarCircuit& c, std::span<const double> g, std::span<double> w_eff,
                             const CrossbarSolveSpec& spec) {
  if (w_eff.size() != static_cast<size_t>(c.rows) * c.cols) {
    throw BackendError("crossbar: W_eff of " + std::to_string(w_eff.size()) + " cells for a " + std::to_string(c.rows) +
                       "x" + std::to_string(c.cols) + " array");
  }
  RelaxStats stats;
  for (const Tile& t : split_tiles(c, g, spec)) {
    const uint32_t m = t.circuit.rows, n = t.circuit.cols;
    auto place = [&](uint32_t i, uint32_t j, double value) {
      w_eff[static_cast<size_t>(t.row0 + i) * c.cols + t.col0 + j] = value;
    };
    if (m <= n) {  // one forward solve per input row
      std::vector<double> unit(static_cast<size_t>(m) * m, 0.0), out(static_cast<size_t>(m) * n);
      for (uint32_t i = 0; i < m; ++i) unit[static_cast<size_t>(i) * m + i] = 1.0;
      worsen(stats, array_currents(t.circuit, t.g, unit, out, spec));
      for (uint32_t i = 0; i < m; ++i) {
        for (uint32_t j = 0; j < n; ++j) place(i, j, out[static_cast<size_t>(i) * n + j]);
      }
    } else {  // one solve of the transposed circuit per output column
      const CrossbarCircuit tc = transposed(t.circuit);  // n x m
      std::vector<double> gt(t.g.size());
      transpose_cells(t.circuit, t.g, gt);
      std::vector<double> unit(static_cast<size_t>(n) * n, 0.0), out(static_cast<size_t>(n) * m);
      for (uint32_t a = 0; a < n; ++a) unit[static_cast<size_t>(a) * n + a] = 1.0;
      worsen(stats, array_currents(tc, gt, unit, out, spec));
      // W_eff[i][j] = W_eff_T[n-1-j][m-1-i]: drive transposed row a = n-1-j, read b = m-1-i.
      for (uint32_t a = 0; a < n; ++a) {
        for (uint32_t b = 0; b < m; ++b) place(m - 1 - b, n - 1 - a, out[static_cast<size_t>(a) * m + b]);
      }
    }
  }
  return stats;
}

}  // namespace memsnn
