#include "crossbar/relaxation_solver.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <thread>

#include "core/error.hpp"
#include "crossbar/line_solve.hpp"

namespace memsnn {
namespace {

// The scale the residual is measured against: the largest ideal |current| a column could
// carry, max_j sum_i |V_i| G_ij [A]. Zero only when no cell can carry current.
double current_scale(const CrossbarCircuit& c, const double* g, const double* v) {
  double worst = 0.0;
  thread_local std::vector<double> sums;  // a solve per network step: no allocation
  sums.assign(c.cols, 0.0);
  for (uint32_t i = 0; i < c.rows; ++i) {
    const double a = std::fabs(v[i]);
    if (a == 0.0) continue;
    for (uint32_t j = 0; j < c.cols; ++j) sums[j] += a * g[static_cast<size_t>(i) * c.cols + j];
  }
  for (const double s : sums) worst = std::max(worst, s);
  return worst;
}

}  // namespace

namespace {

// Visits every cell of an m x n array in 32 x 32 blocks: the transposes below then touch
// each cache line once per block instead of once per cell.
template <class Visit>
void for_each_cell_blocked(uint32_t m, uint32_t n, Visit visit) {
  constexpr uint32_t kBlock = 32;
  for (uint32_t i0 = 0; i0 < m; i0 += kBlock) {
    for (uint32_t j0 = 0; j0 < n; j0 += kBlock) {
      for (uint32_t i = i0; i < std::min(m, i0 + kBlock); ++i) {
        for (uint32_t j = j0; j < std::min(n, j0 + kBlock); ++j) {
          visit(static_cast<size_t>(i) * n + j, static_cast<size_t>(j) * m + (m - 1 - i));
        }
      }
    }
  }
}

}  // namespace

void to_column_lines(const double* row_major, double* lines, uint32_t m, uint32_t n) {
  for_each_cell_blocked(m, n, [&](size_t cell, size_t line_at) { lines[line_at] = row_major[cell]; });
}

void from_column_lines(const double* lines, double* row_major, uint32_t m, uint32_t n) {
  for_each_cell_blocked(m, n, [&](size_t cell, size_t line_at) { row_major[cell] = lines[line_at]; });
}

void validate_relax_options(const RelaxOptions& o) {
  if (!(o.tol > 0.0) || !std::isfinite(o.tol)) {
    throw BackendError("relaxation: tol must be > 0 (got " + std::to_string(o.tol) + ")");
  }
  if (o.max_iterations == 0) throw BackendError("relaxation: max_iterations must be >= 1");
  if (!(o.damping > 0.0 && o.damping <= 1.0)) {
    throw BackendError("relaxation: damping must lie in (0, 1] (got " + std::to_string(o.damping) + ")");
  }
}

RelaxationSolver::RelaxationSolver(const CrossbarCircuit& circuit, std::span<const double> g,
                                   const RelaxOptions& options)
    : m_circuit(circuit), m_options(options) {
  validate_relax_options(options);
  set_conductances(g);
}

void RelaxationSolver::set_conductances(std::span<const double> g) {
  const CrossbarCircuit& circuit = m_circuit;
  validate_circuit(circuit, g);
  const uint32_t m = circuit.rows, n = circuit.cols;
  const size_t cells = static_cast<size_t>(m) * n;
  m_g.assign(g.begin(), g.end());  // same size again: no reallocation
  m_row_c.resize(cells);
  m_row_inv.resize(cells);
  m_col_c.resize(cells);
  m_col_inv.resize(cells);
  m_g_lines.resize(cells);
  const LineWires row_w = line_wires(circuit.r_row, circuit.r_source);
  const LineWires col_w = line_wires(circuit.r_col, circuit.r_sense);
  for (uint32_t i = 0; i < m; ++i) {
    factor_line(m_g.data(), static_cast<ptrdiff_t>(i) * n, 1, n, row_w, &m_row_c[size_t{i} * n], &m_row_inv[size_t{i} * n]);
  }
  to_column_lines(m_g.data(), m_g_lines.data(), m, n);
  for (uint32_t j = 0; j < n; ++j) {
    factor_line(m_g_lines.data(), static_cast<ptrdiff_t>(j) * m, 1, m, col_w, &m_col_c[size_t{j} * m],
                &m_col_inv[size_t{j} * m]);
  }
}

void currents_from_nodes(const CrossbarCircuit& c, std::span<const double> g, const NodeVoltages& nodes,
                         std::span<double> currents) {
  std::fill(currents.begin(), currents.begin() + c.cols, 0.0);
  for (uint32_t i = 0; i < c.rows; ++i) {
    const size_t base = static_cast<size_t>(i) * c.cols;
    for (uint32_t j = 0; j < c.cols; ++j) {
      currents[j] += g[base + j] * (nodes.row[base + j] - nodes.column[base + j]);
    }
  }
}

RelaxStats RelaxationSolver::solve(std::span<const double> v, std::span<double> currents,
                                   NodeVoltages* nodes_out) const {
  const CrossbarCircuit& c = m_circuit;
  if (v.size() != c.rows || currents.size() != c.cols) {
    throw BackendError("relaxation: " + std::to_string(c.rows) + "x" + std::to_string(c.cols) + " crossbar given " +
                       std::to_string(v.size()) + " input voltages and " + std::to_string(currents.size()) +
                       " outputs");
  }
  const size_t cells = static_cast<size_t>(c.rows) * c.cols;
  // Scratch reused by each thread's solves (allocating ~MBs per solve costs page faults).
  thread_local NodeVoltages local;
  thread_local std::vector<double> row_lines, col_lines, sd;
  NodeVoltages& nodes = nodes_out ? *nodes_out : local;
  // Start from the ideal crossbar: rows at their source voltage, columns at ground.
  nodes.row.resize(cells);
  nodes.column.assign(cells, 0.0);
  for (uint32_t i = 0; i < c.rows; ++i) {
    std::fill_n(nodes.row.begin() + static_cast<ptrdiff_t>(i) * c.cols, c.cols, v[i]);
  }
  RelaxStats stats;
  const double scale = current_scale(c, m_g.data(), v.data());
  if (scale == 0.0) {  // no cell carries current: the start is the solution
    std::fill(currents.begin(), currents.end(), 0.0);
    return stats;
  }
  // Rows are solved on the row-major arrays; columns on copies laid out one column line
  // after another (node k of line j at j * M + k, counted from the ground end), where
  // they are contiguous. The arithmetic per line is the same in either layout.
  row_lines.resize(cells);
  col_lines.assign(cells, 0.0);
  sd.resize(std::max(c.rows, c.cols));
  const LineWires row_w = line_wires(c.r_row, c.r_source);
  const LineWires col_w = line_wires(c.r_col, c.r_sense);
  const ptrdiff_t n = c.cols, m = c.rows;
  const double omega = m_options.damping;
  const double* g = m_g.data();
  const double* gl = m_g_lines.data();
  stats.converged = false;
  while (stats.iterations < m_options.max_iterations) {
    for (uint32_t i = 0; i < c.rows; ++i) {
      solve_line(g, nodes.column.data(), nodes.row.data(), i * n, 1, c.cols, row_w, v[i], omega, &m_row_c[i * n],
                 &m_row_inv[i * n], sd.data());
    }
    to_column_lines(nodes.row.data(), row_lines.data(), c.rows, c.cols);
    for (uint32_t j = 0; j < c.cols; ++j) {
      solve_line(gl, row_lines.data(), col_lines.data(), j * m, 1, c.rows, col_w, 0.0, omega, &m_col_c[j * m],
                 &m_col_inv[j * m], sd.data());
    }
    from_column_lines(col_lines.data(), nodes.column.data(), c.rows, c.cols);
    ++stats.iterations;
    double imbalance = 0.0;
    for (uint32_t i = 0; i < c.rows; ++i) {
      imbalance = std::max(imbalance, line_imbalance(g, nodes.column.data(), nodes.row.data(), i * n, 1, c.cols,
                                                     row_w, v[i]));
    }
    for (uint32_t j = 0; j < c.cols; ++j) {
      imbalance = std::max(imbalance,
                           line_imbalance(gl, row_lines.data(), col_lines.data(), j * m, 1, c.rows, col_w, 0.0));
    }
    stats.residual = imbalance / scale;
    if (stats.residual < m_options.tol) {
      stats.converged = true;
      break;
    }
  }
  currents_from_nodes(c, m_g, nodes, currents);
  return stats;
}

RelaxStats RelaxationSolver::solve_batch(std::span<const double> v, std::span<double> currents,
                                         unsigned threads) const {
  const size_t m = m_circuit.rows, n = m_circuit.cols;
  if (m == 0 || v.size() % m != 0 || currents.size() != v.size() / m * n) {
    throw BackendError("relaxation: batch of " + std::to_string(v.size()) + " input voltages and " +
                       std::to_string(currents.size()) + " outputs does not fit a " + std::to_string(m) + "x" +
                       std::to_string(n) + " crossbar");
  }
  const size_t count = v.size() / m;
  std::vector<RelaxStats> stats(count);
  const size_t workers = std::max<size_t>(1, std::min<size_t>(threads, count));
  std::vector<std::exception_ptr> errors(workers);
  auto work = [&](size_t first) noexcept {
    try {
      for (size_t k = first; k < count; k += workers) {
        stats[k] = solve(v.subspan(k * m, m), currents.subspan(k * n, n));
      }
    } catch (...) {
      errors[first] = std::current_exception();
    }
  };
  if (workers == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (size_t w = 0; w < workers; ++w) pool.emplace_back(work, w);
    for (auto& t : pool) t.join();
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  RelaxStats worst;
  for (const auto& s : stats) {
    worst.iterations = std::max(worst.iterations, s.iterations);
    worst.residual = std::max(worst.residual, s.residual);
    worst.converged = worst.converged && s.converged;
  }
  return worst;
}

}  // namespace memsnn
