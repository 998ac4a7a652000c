#include "crossbar/circuit.hpp"

#include <cmath>

#include "core/error.hpp"

namespace memsnn {
namespace {

void check_resistance(double r, const char* name) {
  if (!(r >= 0.0) || !std::isfinite(r)) {
    throw BackendError(std::string("crossbar: ") + name + " must be a finite resistance >= 0 ohm (got " +
                       std::to_string(r) + ")");
  }
}

}  // namespace

void validate_sizes_and_wires(const CrossbarCircuit& c) {
  if (c.rows == 0 || c.cols == 0) {
    throw BackendError("crossbar: " + std::to_string(c.rows) + "x" + std::to_string(c.cols) +
                       " array: rows and cols must be >= 1");
  }
  check_resistance(c.r_row, "r_row");
  check_resistance(c.r_col, "r_col");
  check_resistance(c.r_source, "r_source");
  check_resistance(c.r_sense, "r_sense");
}

void check_conductance(const CrossbarCircuit& c, size_t k, double g, const std::string& what) {
  if (!(g >= 0.0) || !std::isfinite(g)) {
    throw BackendError("crossbar: " + what + "[" + std::to_string(k / c.cols) + "][" + std::to_string(k % c.cols) +
                       "] = " + std::to_string(g) + " S is out of range (a conductance must be finite and >= 0)");
  }
}

void validate_circuit(const CrossbarCircuit& c, std::span<const double> g, const std::string& what) {
  validate_sizes_and_wires(c);
  const size_t cells = static_cast<size_t>(c.rows) * c.cols;
  if (g.size() != cells) {
    throw BackendError("crossbar: " + what + " has " + std::to_string(g.size()) + " cells, expected " +
                       std::to_string(c.rows) + "x" + std::to_string(c.cols) + " = " + std::to_string(cells));
  }
  for (size_t k = 0; k < cells; ++k) check_conductance(c, k, g[k], what);
}

CrossbarCircuit transposed(const CrossbarCircuit& c) {
  return CrossbarCircuit{c.cols, c.rows, c.r_col, c.r_row, c.r_sense, c.r_source};
}

void transpose_cells(const CrossbarCircuit& c, std::span<const double> g, std::span<double> g_t) {
  const uint32_t m = c.rows, n = c.cols;  // the transposed circuit is n x m
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = 0; b < m; ++b) {
      g_t[static_cast<size_t>(a) * m + b] = g[static_cast<size_t>(m - 1 - b) * n + (n - 1 - a)];
    }
  }
}

}  // namespace memsnn
