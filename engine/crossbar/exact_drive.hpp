// What the shared step needs to solve the exact IR-drop drive (crossbar/ir_drop.hpp:
// ir_drop "exact", or weff_refresh "step") inside the block that runs a network instance:
// the layer's circuit and solver settings by value, the per-instance scratch it works in,
// and the work it reports. Plain C++17, read by every executor and by the block solver
// (crossbar/block_relaxation.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/host_device.hpp"
#include "crossbar/line_solve.hpp"
#include "model/device.hpp"

namespace memsnn {

// The learning layer's crossbar as IrDropCrossbar solves it every step.
struct ExactCircuit {
  uint32_t rows = 0;        // M = n_inputs
  uint32_t cols = 0;        // N = learning-layer neurons
  uint32_t tile_rows = 0;   // plan_tiles' sizes, clamped to the layer (= rows, cols untiled)
  uint32_t tile_cols = 0;
  LineWires row_wires;      // line_wires(r_row, r_source): the same in every tile
  LineWires col_wires;      // line_wires(r_col, r_sense)
  ConductanceRange range;   // G = range.to_conductance(w)
  double v_read = 0.0;      // V on a spiking row
  double tol = 0.0;         // RelaxOptions
  uint32_t max_iterations = 0;
  double omega = 1.0;       // damping
};

// One step's solve: the worst tile (crossbar_solve.hpp worsen), as RelaxStats.
struct ExactSolve {
  uint32_t iterations = 0;
  double residual = 0.0;
  bool converged = true;
};

// Work of one instance's solves since the host last cleared it (IrDropStats, per step:
// record(worst tile, 1 solve)). A solve that did not converge stops the presentation and
// is reported here instead of being counted.
struct ExactStats {
  unsigned long long solves = 0;
  unsigned long long sweeps = 0;       // sum over solves of the worst tile's sweeps
  double max_residual = 0.0;
  unsigned long long nanoseconds = 0;  // in the solver (the block's global timer)
  uint32_t failed = 0;
  uint32_t failed_iterations = 0;
  double failed_residual = 0.0;
};

// One instance's scratch, carved from one array of exact_scratch_doubles(c) doubles. The
// tile arrays hold the tile being solved (tile_rows x tile_cols at most) in
// RelaxationSolver's layout: row-major cells, row i's factors at i * n, column j's at j * m.
struct ExactScratch {
  double* g = nullptr;          // the tile's conductances [S]
  double* row_c = nullptr;      // line factors
  double* row_inv = nullptr;
  double* col_c = nullptr;
  double* col_inv = nullptr;
  double* row_nodes = nullptr;  // R(i, j) [V]
  double* col_nodes = nullptr;  // C(i, j) [V]
  double* line_scratch = nullptr;  // Thomas scratch: row i at i * n, column j at j * m
  double* v = nullptr;          // M input voltages of this step
  double* currents = nullptr;   // N output currents of the layer, tiles summed [A]
};

MEMSNN_HOST_DEVICE inline size_t exact_scratch_doubles(const ExactCircuit& c) {
  return 8 * static_cast<size_t>(c.tile_rows) * c.tile_cols + c.rows + c.cols;
}

MEMSNN_HOST_DEVICE inline ExactScratch exact_scratch_at(const ExactCircuit& c, double* base) {
  const size_t cells = static_cast<size_t>(c.tile_rows) * c.tile_cols;
  ExactScratch s;
  s.g = base;
  s.row_c = base + cells;
  s.row_inv = base + 2 * cells;
  s.col_c = base + 3 * cells;
  s.col_inv = base + 4 * cells;
  s.row_nodes = base + 5 * cells;
  s.col_nodes = base + 6 * cells;
  s.line_scratch = base + 7 * cells;
  s.v = base + 8 * cells;
  s.currents = s.v + c.rows;
  return s;
}

}  // namespace memsnn
