// What the rest of memsnn asks of the crossbar circuit: output currents for input
// vectors, and the effective-weight matrix W_eff with I = W_eff^T V, optionally tiled.
//
// Tiling: a layer of M x N cells is split into arrays of at most tile_rows x tile_cols,
// each a complete crossbar with its own drivers and sense amplifiers (circuit.hpp); the
// outputs of the arrays that share columns are summed digitally, as real hardware does.
// So W_eff of the layer is the block matrix of the tiles' W_eff.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "crossbar/circuit.hpp"
#include "crossbar/relaxation_solver.hpp"

namespace memsnn {

enum class CrossbarMethod { kDirect, kRelax };

struct CrossbarSolveSpec {
  CrossbarMethod method = CrossbarMethod::kRelax;
  RelaxOptions relax;
  uint32_t tile_rows = 0;  // 0: the whole layer is one array
  uint32_t tile_cols = 0;
  unsigned threads = 1;
};

// "direct" or "relax" (BackendError naming the valid ones otherwise).
CrossbarMethod crossbar_method(const std::string& name);

// v: count x M volts, currents: count x N amperes (tile outputs summed). The stats are the
// worst over tiles and vectors (zero iterations for the direct method).
RelaxStats crossbar_currents(const CrossbarCircuit& c, std::span<const double> g, std::span<const double> v,
                             std::span<double> currents, const CrossbarSolveSpec& spec);

// W_eff [S], M x N row-major, from min(M, N) solves per tile (circuit.hpp: reciprocity).
RelaxStats effective_weights(const CrossbarCircuit& c, std::span<const double> g, std::span<double> w_eff,
                             const CrossbarSolveSpec& spec);

}  // namespace memsnn
