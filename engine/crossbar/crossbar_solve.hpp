// What the rest of memsnn asks of the crossbar circuit: output currents for input
// vectors, and the effective-weight matrix W_eff with I = W_eff^T V, optionally tiled.
//
// Tiling: a layer of M x N cells is split into arrays of at most tile_rows x tile_cols,
// each a complete crossbar with its own drivers and sense amplifiers (circuit.hpp); the
// outputs of the arrays that share columns are summed digitally, as real hardware does.
// So W_eff of the layer is the block matrix of the tiles' W_eff. The tile plan and the
// argument checks are public so the CUDA solver (kernels/cuda_crossbar.hpp) shares them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

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

// ---- the pieces both backends use ----

// crossbar_currents' argument checks (BackendError): v and currents sizes, then
// validate_circuit. Returns the number of input vectors.
size_t check_currents_args(const CrossbarCircuit& c, std::span<const double> g, std::span<const double> v,
                           std::span<const double> currents);
// effective_weights' argument checks: the W_eff size, then validate_circuit.
void check_weff_args(const CrossbarCircuit& c, std::span<const double> g, std::span<const double> w_eff);

// One array of a tiled layer: its block of the layer's cells.
struct CrossbarTile {
  uint32_t row0 = 0, col0 = 0;  // the block's first cell
  uint32_t rows = 0, cols = 0;  // its size; tiles at the far edges may be smaller
};

// The tiles of the layer in row-major order of their blocks (the order outputs are
// summed in); each fits in tile_rows x tile_cols, the spec's sizes clamped to the layer.
struct TilePlan {
  uint32_t tile_rows = 0, tile_cols = 0;
  std::vector<CrossbarTile> tiles;
};
TilePlan plan_tiles(const CrossbarCircuit& c, const CrossbarSolveSpec& spec);

// The tile's own circuit: c's resistances at the tile's size.
CrossbarCircuit tile_circuit(const CrossbarCircuit& c, const CrossbarTile& t);
// The tile's cells of the layer's g (c.rows x c.cols) into g_tile (t.rows x t.cols), row-major.
void copy_tile_cells(const CrossbarCircuit& c, std::span<const double> g, const CrossbarTile& t,
                     std::span<double> g_tile);
// W_eff of a tile is built from the transposed circuit when that needs fewer solves.
inline bool weff_by_transpose(const CrossbarTile& t) { return t.rows > t.cols; }

// into becomes the worse of the two: most iterations, largest residual, converged if both.
void worsen(RelaxStats& into, const RelaxStats& s);

}  // namespace memsnn
