// One wire of the crossbar solved with the other layer's voltages held: the step of
// alternating line relaxation, shared by the CPU solver and the CUDA kernels.
//
// A line is K nodes x_0 .. x_{K-1}; node 0 is nearest its source s [V], joined to it by
// g_end [S]; neighbours are joined by g_seg [S]; node k is tied through its cell G_k [S] to
// the other layer's node y_k [V]. Kirchhoff's current law at node k:
//   g_end (x_0 - s)[k = 0] + g_seg (x_k - x_{k-1})[k > 0] + g_seg (x_k - x_{k+1})[k < K-1]
//   + G_k (x_k - y_k) = 0
// a diagonally dominant tridiagonal system (Thomas algorithm, no pivoting needed).
// A row is a line with s = V_i, nodes R(i, 0..N-1); a column is a line with s = 0 (ground),
// nodes C(M-1..0, j), counted from the ground end. Both address the row-major M x N arrays
// G, R, C as base + k * stride.
//
// Lanes: node arrays may interleave several right-hand sides (the CUDA layout,
// kernels/crossbar_launch.hpp: cell `at` of lane r at at * lanes + r). solve_line and
// line_imbalance then take x, y (and the scratch d) already offset to the lane and read
// node `at` at x[at * lanes], scratch step k at d[k * lanes]; G and the factors are
// per cell and indexed as above. lanes = 1 is the plain layout; the arithmetic is the same
// for any lanes, so every lane's result is the one-lane result bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/host_device.hpp"

namespace memsnn {

struct LineWires {
  double g_end = 0.0;    // S, source to node 0 (unused when `fixed`)
  double g_seg = 0.0;    // S, between neighbours (unused when `shorted`)
  bool shorted = false;  // zero segment resistance: the line is one node
  bool fixed = false;    // shorted and zero end resistance: the line sits at its source
};

// Wires of a line from its segment and end resistances [ohm] (either may be 0).
MEMSNN_HOST_DEVICE inline LineWires line_wires(double r_segment, double r_end) {
  LineWires w;
  if (r_segment > 0.0) {
    w.g_seg = 1.0 / r_segment;
    w.g_end = 1.0 / (r_end + r_segment);  // the first segment lies between source and node 0
  } else {
    w.shorted = true;
    w.fixed = !(r_end > 0.0);
    w.g_end = w.fixed ? 0.0 : 1.0 / r_end;
  }
  return w;
}

// The line's elimination factors, which depend only on G and the wires (not on y or the
// source), so they are computed once per conductance matrix and shared by every sweep and
// input vector. `c` and `inv` receive K doubles each (contiguous). Unused when shorted.
MEMSNN_HOST_DEVICE inline void factor_line(const double* g, ptrdiff_t base, ptrdiff_t stride, uint32_t k_nodes,
                                           const LineWires& w, double* c, double* inv) {
  if (w.shorted) return;
  // Row k of the system:  -g_seg x_{k-1} + diag_k x_k - g_seg x_{k+1} = rhs_k.
  for (uint32_t k = 0; k < k_nodes; ++k) {
    const double left = k == 0 ? w.g_end : w.g_seg;
    const double right = k + 1 < k_nodes ? w.g_seg : 0.0;
    double diag = g[base + static_cast<ptrdiff_t>(k) * stride] + left + right;
    if (k > 0) diag -= w.g_seg * c[k - 1];
    inv[k] = 1.0 / diag;
    c[k] = right * inv[k];  // sign folded: x_k = d_k + c_k x_{k+1}
  }
}

// Solves the line for x given y and relaxes: x <- x + omega (x_solved - x). `c`, `inv`
// from factor_line; `d` is scratch of K doubles (step `lanes`).
MEMSNN_HOST_DEVICE inline void solve_line(const double* g, const double* y, double* x, ptrdiff_t base,
                                          ptrdiff_t stride, uint32_t k_nodes, const LineWires& w, double source,
                                          double omega, const double* c, const double* inv, double* d,
                                          ptrdiff_t lanes = 1) {
  if (w.shorted) {
    double value = source;
    if (!w.fixed) {
      double num = w.g_end * source, den = w.g_end;
      for (uint32_t k = 0; k < k_nodes; ++k) {
        const ptrdiff_t at = base + static_cast<ptrdiff_t>(k) * stride;
        num += g[at] * y[at * lanes];
        den += g[at];
      }
      value = num / den;  // den >= g_end > 0
    }
    for (uint32_t k = 0; k < k_nodes; ++k) {
      double& xk = x[(base + static_cast<ptrdiff_t>(k) * stride) * lanes];
      xk += omega * (value - xk);
    }
    return;
  }
  double prev = w.g_end * source;  // forward elimination (Thomas)
  for (uint32_t k = 0; k < k_nodes; ++k) {
    const ptrdiff_t at = base + static_cast<ptrdiff_t>(k) * stride;
    const double dk = (g[at] * y[at * lanes] + prev) * inv[k];
    d[k * lanes] = dk;
    prev = w.g_seg * dk;
  }
  double next = 0.0;  // back substitution
  for (uint32_t k = k_nodes; k-- > 0;) {
    const double solved = d[k * lanes] + c[k] * next;
    double& xk = x[(base + static_cast<ptrdiff_t>(k) * stride) * lanes];
    xk += omega * (solved - xk);
    next = solved;
  }
}

// The largest |current imbalance| [A] at the line's unknown nodes (a shorted line's node
// is the sum over its members); 0 for a fixed line. Lanes as solve_line.
MEMSNN_HOST_DEVICE inline double line_imbalance(const double* g, const double* y, const double* x, ptrdiff_t base,
                                                ptrdiff_t stride, uint32_t k_nodes, const LineWires& w,
                                                double source, ptrdiff_t lanes = 1) {
  if (w.fixed) return 0.0;
  if (w.shorted) {
    const double v = x[base * lanes];
    double sum = w.g_end * (v - source);
    for (uint32_t k = 0; k < k_nodes; ++k) {
      const ptrdiff_t at = base + static_cast<ptrdiff_t>(k) * stride;
      sum += g[at] * (v - y[at * lanes]);
    }
    return sum < 0 ? -sum : sum;
  }
  double worst = 0.0;
  double prev = source;
  for (uint32_t k = 0; k < k_nodes; ++k) {
    const ptrdiff_t at = base + static_cast<ptrdiff_t>(k) * stride;
    const double xk = x[at * lanes];
    double sum = (k == 0 ? w.g_end : w.g_seg) * (xk - prev) + g[at] * (xk - y[at * lanes]);
    if (k + 1 < k_nodes) sum += w.g_seg * (xk - x[(at + stride) * lanes]);
    const double a = sum < 0 ? -sum : sum;
    worst = a > worst ? a : worst;
    prev = xk;
  }
  return worst;
}

}  // namespace memsnn
