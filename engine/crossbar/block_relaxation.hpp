// The exact IR-drop drive of one network step, solved by the block of threads that runs
// the network instance (the shared step, step/stdp_step.hpp): IrDropCrossbar's
// add_exact_drive, i.e. for every tile in plan_tiles' order the alternating line
// relaxation of RelaxationSolver for the spiking rows at v_read, the tile currents summed
// per column, then drive[j] += the normalised read.
//
// Why inside the step rather than per-step launches of the batched solver
// (kernels/crossbar_relax.cu): a presentation stays one launch with no host round trip per
// step or per sweep (a 350-step image would otherwise cost thousands of launches and
// synchronisations), and each ensemble member solves its own conductances in its own
// block. Every line is solved by line_solve.hpp's functions with RelaxationSolver's
// addressing; sums run over one index order on one thread each; maxima (scale,
// imbalance) are order-free; so with --fmad=false every node, current, residual and sweep
// count is the same bit for bit on every executor, and equal to RelaxationSolver's
// (tests/test_ir_drop.cpp).
//
// Block is exec/block_policy.hpp's policy. Control flow between primitives depends only on
// values every thread holds alike, so all threads take the same path through the barriers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/host_device.hpp"
#include "crossbar/exact_drive.hpp"
#include "crossbar/line_solve.hpp"

namespace memsnn {

// crossbar_solve.hpp worsen.
MEMSNN_BLOCK_FN inline void worsen_exact(ExactSolve& into, const ExactSolve& s) {
  into.iterations = into.iterations < s.iterations ? s.iterations : into.iterations;
  into.residual = into.residual < s.residual ? s.residual : into.residual;
  into.converged = into.converged && s.converged;
}

// The tile of m x n cells at (r0, c0) for this step's voltages s.v: RelaxationSolver's
// solve, its currents added to s.currents[c0 ..]. Returns its stats.
template <class Block>
MEMSNN_BLOCK_FN ExactSolve solve_exact_tile(Block& b, const ExactCircuit& c, const ExactScratch& s,
                                            const float* w, uint32_t r0, uint32_t c0, uint32_t m, uint32_t n) {
  const ptrdiff_t pm = m, pn = n;
  const double* v = s.v + r0;
  // copy_tile_cells of G = to_conductance(w) (refreshed every step: learning changes w),
  // and the start: rows at their source, columns at ground.
  b.for_each(m * n, [&](uint32_t k) {
    const uint32_t i = k / n, j = k % n;
    s.g[k] = c.range.to_conductance(w[static_cast<size_t>(r0 + i) * c.cols + c0 + j]);
    s.row_nodes[k] = v[i];
    s.col_nodes[k] = 0.0;
  });
  // current_scale: column sums over i ascending, skipping silent rows, then their max.
  const double scale = b.max_of(n, [&](uint32_t j) {
    double sum = 0.0;
    for (uint32_t i = 0; i < m; ++i) {
      const double a = v[i] < 0.0 ? -v[i] : v[i];
      if (a == 0.0) continue;
      sum += a * s.g[static_cast<size_t>(i) * n + j];
    }
    return sum;
  });
  ExactSolve st;
  if (scale == 0.0) return st;  // no cell carries current: zero currents (adding 0 changes nothing)
  // set_conductances: every line's factors from this step's G.
  b.for_each(m + n, [&](uint32_t k) {
    if (k < m) {
      factor_line(s.g, k * pn, 1, n, c.row_wires, s.row_c + static_cast<size_t>(k) * n,
                  s.row_inv + static_cast<size_t>(k) * n);
    } else {
      const uint32_t j = k - m;
      factor_line(s.g, (pm - 1) * pn + j, -pn, m, c.col_wires, s.col_c + static_cast<size_t>(j) * m,
                  s.col_inv + static_cast<size_t>(j) * m);
    }
  });
  // Sweeps: rows with the columns held, then columns (from the ground end, step -n) with
  // the rows held, then the largest node imbalance; as RelaxationSolver::solve.
  st.converged = false;
  while (st.iterations < c.max_iterations) {
    b.for_each(m, [&](uint32_t i) {
      const size_t base = static_cast<size_t>(i) * n;
      solve_line(s.g, s.col_nodes, s.row_nodes, static_cast<ptrdiff_t>(base), 1, n, c.row_wires, v[i], c.omega,
                 s.row_c + base, s.row_inv + base, s.line_scratch + base);
    });
    b.for_each(n, [&](uint32_t j) {
      const size_t line = static_cast<size_t>(j) * m;
      solve_line(s.g, s.row_nodes, s.col_nodes, (pm - 1) * pn + j, -pn, m, c.col_wires, 0.0, c.omega, s.col_c + line,
                 s.col_inv + line, s.line_scratch + line);
    });
    ++st.iterations;
    const double imbalance = b.max_of(m + n, [&](uint32_t k) {
      return k < m ? line_imbalance(s.g, s.col_nodes, s.row_nodes, k * pn, 1, n, c.row_wires, v[k])
                   : line_imbalance(s.g, s.row_nodes, s.col_nodes, (pm - 1) * pn + (k - m), -pn, m, c.col_wires, 0.0);
    });
    st.residual = imbalance / scale;
    if (st.residual < c.tol) {
      st.converged = true;
      break;
    }
  }
  // currents_from_nodes (i ascending), added to the layer's column as crossbar tiles are.
  b.for_each(n, [&](uint32_t j) {
    double sum = 0.0;
    for (uint32_t i = 0; i < m; ++i) {
      const size_t cell = static_cast<size_t>(i) * n + j;
      sum += s.g[cell] * (s.row_nodes[cell] - s.col_nodes[cell]);
    }
    s.currents[c0 + j] += sum;
  });
  return st;
}

// IrDropCrossbar::add_exact_drive for the weights w (M x N, row-major) and the n_spikes
// rows in `spikes` (> 0 of them): target[j] += d_j, unless some tile did not converge
// (then target is untouched; the caller stops). Returns the worst tile's stats.
template <class Block>
MEMSNN_BLOCK_FN ExactSolve exact_drive(Block& b, const ExactCircuit& c, const ExactScratch& s, const float* w,
                                        const uint32_t* spikes, uint32_t n_spikes, float* target) {
  const uint32_t wider = c.rows > c.cols ? c.rows : c.cols;
  b.for_each(wider, [&](uint32_t k) {
    if (k < c.rows) s.v[k] = 0.0;
    if (k < c.cols) s.currents[k] = 0.0;
  });
  b.for_each(n_spikes, [&](uint32_t k) { s.v[spikes[k]] = c.v_read; });
  ExactSolve worst;
  for (uint32_t r0 = 0; r0 < c.rows; r0 += c.tile_rows) {  // plan_tiles' order
    for (uint32_t c0 = 0; c0 < c.cols; c0 += c.tile_cols) {
      const uint32_t m = c.rows - r0 < c.tile_rows ? c.rows - r0 : c.tile_rows;
      const uint32_t n = c.cols - c0 < c.tile_cols ? c.cols - c0 : c.tile_cols;
      worsen_exact(worst, solve_exact_tile(b, c, s, w, r0, c0, m, n));
    }
  }
  if (!worst.converged) return worst;
  const double reference = static_cast<double>(n_spikes) * c.v_read * c.range.g_min;
  const double scale = c.v_read * (c.range.g_max - c.range.g_min);
  b.for_each(c.cols, [&](uint32_t j) { target[j] += static_cast<float>((s.currents[j] - reference) / scale); });
  return worst;
}

}  // namespace memsnn
