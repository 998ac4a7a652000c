// Launchers of the batched crossbar relaxation (crossbar_relax.cu): alternating line
// relaxation (engine/crossbar/relaxation_solver.hpp) of one crossbar or tile for B
// right-hand sides at once, one thread per (line, right-hand side). Plain C++17 so the
// host code (cuda_crossbar.cpp) and the kernels share these views.
//
// Layout: node (i, j) of right-hand side r sits at (i * N + j) * B + r ("interleaved"),
// and so does the Thomas scratch of a line, so a warp's threads (neighbouring r, one line)
// read neighbouring doubles, while G and the line factors (row-major, as on the CPU) are
// one address per warp. The per-line arithmetic is line_solve.hpp's own (solve_line and
// line_imbalance with lanes = B), so with --fmad=false every node, current, residual and
// iteration count equals the CPU's bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>

#include <cuda_runtime.h>

#include "core/host_device.hpp"
#include "crossbar/line_solve.hpp"
#include "model/device.hpp"

namespace memsnn {

// One crossbar on the GPU: its conductances and the factors of its lines, laid out as
// RelaxationSolver keeps them (row i's at i * N, column j's at j * M counted from ground).
struct RelaxCircuitView {
  uint32_t rows = 0;  // M
  uint32_t cols = 0;  // N
  LineWires row_wires;
  LineWires col_wires;
  const double* g = nullptr;  // M x N [S], row-major
  double* row_c = nullptr;    // M x N
  double* row_inv = nullptr;
  double* col_c = nullptr;    // N x M
  double* col_inv = nullptr;
};

// One right-hand side's progress; RelaxationSolver::solve keeps the same in locals.
struct RhsStatus {
  double scale = 0.0;               // max_j sum_i |V_i| G_ij [A]; 0: nothing to solve
  double residual = 0.0;            // last sweep's max imbalance / scale
  unsigned long long imbalance = 0; // this sweep's max |imbalance| as bits: values are >= +0,
                                    // whose bit patterns order as the values do (atomicMax)
  uint32_t iterations = 0;
  int32_t active = 0;               // still sweeping
  int32_t converged = 0;
};

// B right-hand sides of one circuit. Voltage i of right-hand side r is v[r * v_stride + i],
// or, when v is null, the unit vector e_(unit_first + r) (W_eff's solves).
struct RelaxBatchView {
  uint32_t count = 0;             // B
  const double* v = nullptr;      // GPU
  size_t v_stride = 0;
  uint32_t unit_first = 0;
  double* row_nodes = nullptr;    // M x N x B interleaved: R(i, j) of rhs r at (i*N + j)*B + r
  double* col_nodes = nullptr;    // C(i, j), the same
  double* scratch = nullptr;      // M x N x B: line l's Thomas scratch at l * K * B + r, step B
  RhsStatus* status = nullptr;    // B
  uint32_t* active_count = nullptr;  // one counter: rhs still active after the last sweep
};

MEMSNN_HOST_DEVICE inline double rhs_voltage(const RelaxBatchView& b, uint32_t r, uint32_t i) {
  if (b.v) return b.v[r * b.v_stride + i];
  return i == b.unit_first + r ? 1.0 : 0.0;
}

// Factors every row and column line (factor_line, one thread per line).
void launch_relax_factor(const RelaxCircuitView& c, cudaStream_t stream);

// Each rhs's current scale and starting nodes (rows at their source, columns at ground);
// a rhs whose scale is 0 is finished at once, as on the CPU.
void launch_relax_start(const RelaxCircuitView& c, const RelaxBatchView& b, cudaStream_t stream);

// One sweep for every active rhs: all rows, then all columns, then the imbalance; a rhs
// whose residual falls below tol stops. Overwrites *b.active_count with the number still
// active. Sweeping a finished rhs is a no-op, so extra sweeps never change a result.
void launch_relax_sweep(const RelaxCircuitView& c, const RelaxBatchView& b, double omega, double tol,
                        cudaStream_t stream);

// currents (GPU, B x N) [A]: I_j = sum_i G_ij (R_ij - C_ij), i ascending (0 when scale is 0).
void launch_relax_currents(const RelaxCircuitView& c, const RelaxBatchView& b, double* currents,
                           cudaStream_t stream);

// ---- W_eff plumbing: tiles cut from a layer's conductances, results placed back ----

// A layer's M x N conductances: g [S] (double), or normalised float weights w mapped
// through range.to_conductance (in double). Exactly one of g and w is set.
struct LayerCells {
  const double* g = nullptr;
  const float* w = nullptr;
  ConductanceRange range;
  uint32_t rows = 0;
  uint32_t cols = 0;
};

// A tile's block of the layer. When transposed, the circuit solved is the tile's
// transposed circuit (circuit.hpp: cell (a, b) = tile cell (m-1-b, n-1-a)).
struct TileBlock {
  uint32_t row0 = 0, col0 = 0;
  uint32_t rows = 0, cols = 0;  // m x n of the tile itself
  int32_t transposed = 0;
};

// g_tile (GPU): the solved circuit's cells, m x n, or n x m when transposed.
void launch_tile_conductances(const LayerCells& layer, const TileBlock& tile, double* g_tile, cudaStream_t stream);

// Index of the first cell of `layer` whose conductance is negative or not finite, into
// *first_bad (GPU; left as is when every cell is good, so set it to ~0 first).
void launch_find_bad_cell(const LayerCells& layer, unsigned long long* first_bad, cudaStream_t stream);

// The layer's W_eff, M x N row-major: w [S] (double), or normalised
// float(range.to_weight(W_eff)) into w_norm. Exactly one is set.
struct LayerWeights {
  double* w = nullptr;
  float* w_norm = nullptr;
  ConductanceRange range;
  uint32_t cols = 0;
};

// Places unit solves unit_first .. unit_first + count - 1 of a tile (currents: count x n,
// or count x m when transposed) into W_eff: W[i][j] = I_j of solve i; transposed,
// W[m-1-b][n-1-a] = I_b of solve a (reciprocity, circuit.hpp).
void launch_place_weights(const double* currents, uint32_t unit_first, uint32_t count, const TileBlock& tile,
                          const LayerWeights& out, cudaStream_t stream);

}  // namespace memsnn
