#include "crossbar/direct_solver.hpp"

#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>

#include "core/error.hpp"
#include "crossbar/line_solve.hpp"

namespace memsnn {
namespace {

constexpr int64_t kGround = -1;  // a node fixed at 0 V
// Other negative ids -2 - i: a node fixed at input voltage V_i.
constexpr int64_t fixed_at_input(uint32_t i) { return -2 - static_cast<int64_t>(i); }

}  // namespace

struct DirectSolver::Impl {
  CrossbarCircuit circuit;
  std::vector<double> g;
  std::vector<int64_t> row_id, col_id;  // per cell: unknown index, or where it is fixed
  size_t n_unknowns = 0;
  Eigen::SparseMatrix<double> k;
  // b = sum over entries of coef * V[input] at unknown `at`.
  struct Source {
    int64_t at;
    uint32_t input;
    double coef;
  };
  std::vector<Source> sources;
  Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> ldlt;

  double fixed_value(int64_t id, std::span<const double> v) const {
    return id == kGround ? 0.0 : v[static_cast<size_t>(-2 - id)];
  }

  void number_nodes() {
    const uint32_t m = circuit.rows, n = circuit.cols;
    const LineWires rw = line_wires(circuit.r_row, circuit.r_source);
    const LineWires cw = line_wires(circuit.r_col, circuit.r_sense);
    row_id.resize(static_cast<size_t>(m) * n);
    col_id.resize(row_id.size());
    int64_t next = 0;
    // Row i's unknowns, then column j's: neighbours along a wire get neighbouring ids.
    for (uint32_t i = 0; i < m; ++i) {
      const int64_t shared = rw.fixed ? fixed_at_input(i) : (rw.shorted ? next++ : 0);
      for (uint32_t j = 0; j < n; ++j) row_id[static_cast<size_t>(i) * n + j] = rw.shorted ? shared : next++;
    }
    for (uint32_t j = 0; j < n; ++j) {
      const int64_t shared = cw.fixed ? kGround : (cw.shorted ? next++ : 0);
      for (uint32_t i = 0; i < m; ++i) col_id[static_cast<size_t>(i) * n + j] = cw.shorted ? shared : next++;
    }
    n_unknowns = static_cast<size_t>(next);
  }

  void assemble() {
    const uint32_t m = circuit.rows, n = circuit.cols;
    const LineWires rw = line_wires(circuit.r_row, circuit.r_source);
    const LineWires cw = line_wires(circuit.r_col, circuit.r_sense);
    std::vector<Eigen::Triplet<double>> t;
    t.reserve(n_unknowns * 5);
    // A conductance between nodes a and b; fixed ends feed the right-hand side.
    auto stamp = [&](int64_t a, int64_t b, double cond) {
      if (cond == 0.0 || a == b) return;
      if (a >= 0) t.emplace_back(a, a, cond);
      if (b >= 0) t.emplace_back(b, b, cond);
      if (a >= 0 && b >= 0) {
        t.emplace_back(a, b, -cond);
        t.emplace_back(b, a, -cond);
      } else if (a >= 0 && b < kGround) {
        sources.push_back({a, static_cast<uint32_t>(-2 - b), cond});
      } else if (b >= 0 && a < kGround) {
        sources.push_back({b, static_cast<uint32_t>(-2 - a), cond});
      }
    };
    for (uint32_t i = 0; i < m; ++i) {
      const size_t base = static_cast<size_t>(i) * n;
      if (!rw.fixed) stamp(fixed_at_input(i), row_id[base], rw.g_end);
      if (!rw.shorted) {
        for (uint32_t j = 1; j < n; ++j) stamp(row_id[base + j - 1], row_id[base + j], rw.g_seg);
      }
    }
    for (uint32_t j = 0; j < n; ++j) {
      if (!cw.fixed) stamp(col_id[static_cast<size_t>(m - 1) * n + j], kGround, cw.g_end);
      if (!cw.shorted) {
        for (uint32_t i = 1; i < m; ++i) {
          stamp(col_id[static_cast<size_t>(i - 1) * n + j], col_id[static_cast<size_t>(i) * n + j], cw.g_seg);
        }
      }
    }
    for (size_t cell = 0; cell < g.size(); ++cell) stamp(row_id[cell], col_id[cell], g[cell]);
    k.resize(static_cast<Eigen::Index>(n_unknowns), static_cast<Eigen::Index>(n_unknowns));
    k.setFromTriplets(t.begin(), t.end());  // duplicates are summed
  }

  void solve_one(std::span<const double> v, NodeVoltages& nodes) const {
    Eigen::VectorXd x;
    if (n_unknowns > 0) {
      Eigen::VectorXd b = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n_unknowns));
      for (const Source& s : sources) b[s.at] += s.coef * v[s.input];
      x = ldlt.solve(b);
      const Eigen::VectorXd r = b - k * x;  // one step of iterative refinement
      x += ldlt.solve(r);
    }
    auto value = [&](int64_t id) { return id >= 0 ? x[id] : fixed_value(id, v); };
    nodes.row.resize(g.size());
    nodes.column.resize(g.size());
    for (size_t cell = 0; cell < g.size(); ++cell) {
      nodes.row[cell] = value(row_id[cell]);
      nodes.column[cell] = value(col_id[cell]);
    }
  }
};

DirectSolver::DirectSolver(const CrossbarCircuit& circuit, std::span<const double> g)
    : m_impl(std::make_unique<Impl>()) {
  validate_circuit(circuit, g);
  m_impl->circuit = circuit;
  m_impl->g.assign(g.begin(), g.end());
  m_impl->number_nodes();
  m_impl->assemble();
  if (m_impl->n_unknowns > 0) {
    m_impl->ldlt.compute(m_impl->k);
    if (m_impl->ldlt.info() != Eigen::Success) {
      throw BackendError("crossbar: direct factorisation of the " + std::to_string(m_impl->n_unknowns) +
                         "-node system failed (a node without a path to a source or ground?)");
    }
  }
}

DirectSolver::~DirectSolver() = default;
DirectSolver::DirectSolver(DirectSolver&&) noexcept = default;
DirectSolver& DirectSolver::operator=(DirectSolver&&) noexcept = default;

const CrossbarCircuit& DirectSolver::circuit() const { return m_impl->circuit; }
size_t DirectSolver::unknowns() const { return m_impl->n_unknowns; }

void DirectSolver::solve_nodes(std::span<const double> v, NodeVoltages& nodes) const {
  const CrossbarCircuit& c = m_impl->circuit;
  if (v.size() != c.rows) {
    throw BackendError("crossbar: " + std::to_string(c.rows) + "-row array given " + std::to_string(v.size()) +
                       " input voltages");
  }
  m_impl->solve_one(v, nodes);
}

void DirectSolver::solve(std::span<const double> v, std::span<double> currents) const {
  const CrossbarCircuit& c = m_impl->circuit;
  const size_t m = c.rows, n = c.cols;
  if (v.size() % m != 0 || currents.size() != v.size() / m * n) {
    throw BackendError("crossbar: batch of " + std::to_string(v.size()) + " input voltages and " +
                       std::to_string(currents.size()) + " outputs does not fit a " + std::to_string(m) + "x" +
                       std::to_string(n) + " array");
  }
  NodeVoltages nodes;
  for (size_t k = 0; k < v.size() / m; ++k) {
    m_impl->solve_one(v.subspan(k * m, m), nodes);
    currents_from_nodes(c, m_impl->g, nodes, currents.subspan(k * n, n));
  }
}

}  // namespace memsnn
