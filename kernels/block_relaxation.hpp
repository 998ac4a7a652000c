// The exact IR-drop drive of one network step, solved by the thread block that runs the
// network instance (simulate.cu): IrDropCrossbar::add_exact_drive, i.e. for every tile in
// plan_tiles' order RelaxationSolver::set_conductances + solve for the spiking rows at
// v_read, the tile currents summed per column, then drive[j] += the normalised read.
//
// Why inside the simulate kernel rather than per-step launches of the batched solver
// (crossbar_relax.cu): a presentation stays one launch with no host round trip per step
// or per sweep (a 350-step image would otherwise cost thousands of launches and
// synchronisations), each ensemble member solves its own conductances in its own block,
// and the code is the CPU's loop with its inner loops spread over threads. Every line is
// solved by line_solve.hpp's functions with the CPU's addressing; sums run over the CPU's
// index order on one thread each; maxima (scale, imbalance) are order-free; so with
// --fmad=false every node, current, residual and sweep count is the CPU's bit for bit.
//
// Block is the policy that stands for the block's threads (simulate.cu's DeviceBlock; a
// host emulation can run the same code):
//   b.for_each(count, f)  f(k) for every k < count, each k on one thread, then all wait
//                         (__syncthreads); f must touch only data no other k touches
//   b.sync()              all threads wait
//   b.max_into(slot, a)   *slot = max(*slot, a) atomically, a >= 0 kept as its bits
//   b.read_max(slot)      the double a slot holds
// Control flow between phases depends only on values every thread reads alike, so all
// threads take the same path through the syncs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "crossbar/line_solve.hpp"
#include "kernels/exact_drive.hpp"

#if defined(__CUDACC__)
#define MEMSNN_BLOCK_FN __device__
#else
#define MEMSNN_BLOCK_FN
#endif

namespace memsnn {

// Block-wide maxima (shared memory on the device); zero between uses.
struct ExactShared {
  unsigned long long scale;
  unsigned long long imbalance;
};

// Every thread reads the max a finished phase left in `slot`; it is cleared only after
// all have read it, and before anyone adds to it again.
template <class Block>
MEMSNN_BLOCK_FN double take_max(Block& b, unsigned long long* slot) {
  const double value = b.read_max(slot);
  b.sync();
  b.for_each(1, [&](uint32_t) { *slot = 0; });
  return value;
}

// crossbar_solve.hpp worsen.
MEMSNN_BLOCK_FN inline void worsen_exact(ExactSolve& into, const ExactSolve& s) {
  into.iterations = into.iterations < s.iterations ? s.iterations : into.iterations;
  into.residual = into.residual < s.residual ? s.residual : into.residual;
  into.converged = into.converged && s.converged;
}

// The tile of m x n cells at (r0, c0) for this step's voltages s.v: RelaxationSolver's
// solve, its currents added to s.currents[c0 ..]. Returns its stats.
template <class Block>
MEMSNN_BLOCK_FN ExactSolve solve_exact_tile(Block& b, const ExactCircuit& c, const ExactScratch& s, ExactShared& sh,
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
  b.for_each(n, [&](uint32_t j) {
    double sum = 0.0;
    for (uint32_t i = 0; i < m; ++i) {
      const double a = v[i] < 0.0 ? -v[i] : v[i];
      if (a == 0.0) continue;
      sum += a * s.g[static_cast<size_t>(i) * n + j];
    }
    b.max_into(&sh.scale, sum);
  });
  const double scale = take_max(b, &sh.scale);
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
    b.for_each(m + n, [&](uint32_t k) {
      const double a = k < m ? line_imbalance(s.g, s.col_nodes, s.row_nodes, k * pn, 1, n, c.row_wires, v[k])
                             : line_imbalance(s.g, s.row_nodes, s.col_nodes, (pm - 1) * pn + (k - m), -pn, m,
                                              c.col_wires, 0.0);
      b.max_into(&sh.imbalance, a);
    });
    st.residual = take_max(b, &sh.imbalance) / scale;
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
MEMSNN_BLOCK_FN ExactSolve exact_drive(Block& b, const ExactCircuit& c, const ExactScratch& s, ExactShared& sh,
                                       const float* w, const uint32_t* spikes, uint32_t n_spikes, float* target) {
  const uint32_t wider = c.rows > c.cols ? c.rows : c.cols;
  b.for_each(wider, [&](uint32_t k) {
    if (k < c.rows) s.v[k] = 0.0;
    if (k < c.cols) s.currents[k] = 0.0;
    if (k == 0) sh.scale = sh.imbalance = 0;  // shared memory starts undefined
  });
  b.for_each(n_spikes, [&](uint32_t k) { s.v[spikes[k]] = c.v_read; });
  ExactSolve worst;
  for (uint32_t r0 = 0; r0 < c.rows; r0 += c.tile_rows) {  // plan_tiles' order
    for (uint32_t c0 = 0; c0 < c.cols; c0 += c.tile_cols) {
      const uint32_t m = c.rows - r0 < c.tile_rows ? c.rows - r0 : c.tile_rows;
      const uint32_t n = c.cols - c0 < c.tile_cols ? c.cols - c0 : c.tile_cols;
      worsen_exact(worst, solve_exact_tile(b, c, s, sh, w, r0, c0, m, n));
    }
  }
  if (!worst.converged) return worst;
  const double reference = static_cast<double>(n_spikes) * c.v_read * c.range.g_min;
  const double scale = c.v_read * (c.range.g_max - c.range.g_min);
  b.for_each(c.cols, [&](uint32_t j) { target[j] += static_cast<float>((s.currents[j] - reference) / scale); });
  return worst;
}

}  // namespace memsnn
