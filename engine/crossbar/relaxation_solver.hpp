// Alternating line relaxation for the crossbar circuit (circuit.hpp): every row solved as
// a tridiagonal system with the column voltages held, then every column with the rows
// held, repeated until the current imbalance is below the tolerance. On a 784 x 100 array
// with realistic wires it converges in a few sweeps (docs/benchmarks.md, bench_crossbar)
// where point Jacobi does not converge in 20,000.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crossbar/circuit.hpp"

namespace memsnn {

struct RelaxOptions {
  double tol = 1e-10;            // stop when residual() < tol
  uint32_t max_iterations = 200; // sweeps (rows then columns)
  double damping = 1.0;          // omega in (0, 1]: x <- x + omega (x_line - x)
};

// residual = max node |current imbalance| / max_j |I_j| [dimensionless]; 0 when every
// output current is 0 and the nodes balance.
struct RelaxStats {
  uint32_t iterations = 0;
  double residual = 0.0;
  bool converged = true;
};

// Row-major M x N node voltages [V].
struct NodeVoltages {
  std::vector<double> row;     // R(i, j)
  std::vector<double> column;  // C(i, j)
};

// Checks RelaxOptions (BackendError naming the bad field).
void validate_relax_options(const RelaxOptions& o);

class RelaxationSolver {
 public:
  // g: M x N conductances [S], row-major (validated; copied).
  RelaxationSolver(const CrossbarCircuit& circuit, std::span<const double> g, const RelaxOptions& options = {});

  const CrossbarCircuit& circuit() const { return m_circuit; }

  // New conductances for the same circuit (validated): refactors the lines in place, so a
  // solver reused step after step (learning changes G) allocates nothing.
  void set_conductances(std::span<const double> g);

  // One input vector v (M volts) -> currents (N amperes). `nodes`, if given, receives the
  // node voltages; its contents on entry are ignored.
  RelaxStats solve(std::span<const double> v, std::span<double> currents, NodeVoltages* nodes = nullptr) const;

  // A batch: v is count x M, currents count x N, spread over `threads` (results do not
  // depend on it). Returns the largest residual and iteration count of the batch;
  // converged only if every vector converged.
  RelaxStats solve_batch(std::span<const double> v, std::span<double> currents, unsigned threads = 1) const;

 private:
  CrossbarCircuit m_circuit;
  std::vector<double> m_g;
  RelaxOptions m_options;
  std::vector<double> m_g_lines;  // G as column lines: cell (M-1-k, j) at j*M + k
  // Elimination factors (line_solve.hpp): rows i*N + k, columns j*M + k.
  std::vector<double> m_row_c, m_row_inv, m_col_c, m_col_inv;
};

// Row-major M x N <-> column lines (cell (M-1-k, j) at j*M + k: each column contiguous,
// counted from its ground end).
void to_column_lines(const double* row_major, double* lines, uint32_t m, uint32_t n);
void from_column_lines(const double* lines, double* row_major, uint32_t m, uint32_t n);

// I_j = sum_i G_ij (R_ij - C_ij) [A] from node voltages.
void currents_from_nodes(const CrossbarCircuit& c, std::span<const double> g, const NodeVoltages& nodes,
                         std::span<double> currents);

}  // namespace memsnn
