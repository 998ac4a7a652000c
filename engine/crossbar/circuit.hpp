// The crossbar circuit with wire resistance (IR drop), as badcrossbar (Joksas & Mehonic,
// SoftwareX 12:100617, 2020) and A. Chen (IEEE TED 60(4), 2013) define it:
//
//   M rows (word lines, inputs) x N columns (bit lines, outputs); cell (i, j) is a
//   conductance G[i][j] [S] between row node R(i,j) and column node C(i,j).
//   Row i: source V[i] [V] -- r_source -- r_row -- R(i,0) -- r_row -- R(i,1) ... R(i,N-1)
//          (right end open). A silent input is driven at 0 V, not left floating.
//   Column j: C(0,j) -- r_col -- C(1,j) ... C(M-1,j) -- r_col -- r_sense -- ground (0 V)
//          (top end open; row 0 is farthest from the outputs).
//   Output I[j] [A] = the current into column j's ground = sum_i G[i][j] (R(i,j) - C(i,j))
//          (the column is a tree with one exit, so every cell's current leaves there).
//
// Any resistance may be 0: that element is then an ideal short and the solvers merge the
// nodes it joins instead of dividing by zero. The circuit is linear in V, so
// I = W_eff(G)^T V with W_eff depending only on G and the resistances.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace memsnn {

struct CrossbarCircuit {
  uint32_t rows = 0;       // M
  uint32_t cols = 0;       // N
  double r_row = 0.0;      // ohm, word-line segment per cell
  double r_col = 0.0;      // ohm, bit-line segment per cell
  double r_source = 0.0;   // ohm, driver output resistance
  double r_sense = 0.0;    // ohm, sense amplifier input resistance
};

// Throws BackendError naming the problem: no rows or columns, a negative or non-finite
// resistance, a G of the wrong size, or a negative or non-finite conductance (`what`
// names the array, e.g. "G" or a file name).
void validate_circuit(const CrossbarCircuit& c, std::span<const double> g, const std::string& what = "G");

// validate_circuit's checks that need no cells: no rows or columns, a bad resistance.
void validate_sizes_and_wires(const CrossbarCircuit& c);

// validate_circuit's check of one cell: row-major cell k of value g [S], named what[i][j].
void check_conductance(const CrossbarCircuit& c, size_t k, double g, const std::string& what = "G");

// The same physics seen from the outputs: rows and columns swap roles, so the circuit
// driven at the column ends and read at the row sources is again a crossbar in the
// convention above. Cell (a, b) of the transposed circuit is cell (M-1-b, N-1-a) of this
// one (a = the column counted from the right, b = the row counted from the bottom).
// By reciprocity W_eff[i][j] = W_eff_T[N-1-j][M-1-i], so W_eff can be built from
// min(M, N) solves.
CrossbarCircuit transposed(const CrossbarCircuit& c);
void transpose_cells(const CrossbarCircuit& c, std::span<const double> g, std::span<double> g_t);

}  // namespace memsnn
