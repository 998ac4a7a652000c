// The reference solver: the crossbar's nodal equations (circuit.hpp; up to 2 M N unknowns
// after merging the nodes joined by zero resistances) assembled as a sparse symmetric
// positive definite system K x = B V and factorised once (Eigen's sparse LDL^T with an
// approximate-minimum-degree ordering), then solved for any number of input vectors, with
// one step of iterative refinement. Accurate to near machine precision.
#pragma once

#include <memory>
#include <span>

#include "crossbar/circuit.hpp"
#include "crossbar/relaxation_solver.hpp"

namespace memsnn {

class DirectSolver {
 public:
  // g: M x N conductances [S], row-major (validated).
  DirectSolver(const CrossbarCircuit& circuit, std::span<const double> g);
  ~DirectSolver();
  DirectSolver(DirectSolver&&) noexcept;
  DirectSolver& operator=(DirectSolver&&) noexcept;

  const CrossbarCircuit& circuit() const;
  size_t unknowns() const;

  // A batch: v is count x M volts, currents count x N amperes.
  void solve(std::span<const double> v, std::span<double> currents) const;
  // One input vector, with the node voltages.
  void solve_nodes(std::span<const double> v, NodeVoltages& nodes) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace memsnn
