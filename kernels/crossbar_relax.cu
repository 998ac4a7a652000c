// Batched alternating line relaxation of a crossbar on the GPU (crossbar_launch.hpp).
// One sweep is four launches, the CPU's loop body split where it waits on other lines:
//   rows (thread per (row, rhs)) -> columns (thread per (column, rhs))
//   -> imbalance (thread per (line, rhs), atomicMax per rhs) -> finish (thread per rhs).
// Each thread runs line_solve.hpp's arithmetic on its own line and rhs, so the result is
// independent of scheduling; rows read only columns and columns only rows, so doing
// every row at once is the CPU's row loop exactly. A max is the same in any order.
// Nothing here calls a transcendental function, and the kernels build with --fmad=false:
// every double is the CPU's.
#include "kernels/crossbar_launch.hpp"

#include <cub/block/block_reduce.cuh>

#include "kernels/cuda_check.hpp"

namespace memsnn {
namespace {

constexpr uint32_t kThreads = 256;
constexpr uint32_t kScaleThreads = 128;

uint32_t blocks_for(size_t work) { return static_cast<uint32_t>((work + kThreads - 1) / kThreads); }

__device__ size_t thread_index() { return static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; }

struct MaxOp {  // std::max(a, b): a unless a < b
  __device__ double operator()(double a, double b) const { return a < b ? b : a; }
};

__global__ void factor_kernel(RelaxCircuitView c) {
  const size_t t = thread_index();
  const size_t n = c.cols, m = c.rows;
  if (t < m) {
    factor_line(c.g, static_cast<ptrdiff_t>(t * n), 1, c.cols, c.row_wires, c.row_c + t * n, c.row_inv + t * n);
  } else if (t < m + n) {
    const size_t j = t - m;
    factor_line(c.g, static_cast<ptrdiff_t>((m - 1) * n + j), -static_cast<ptrdiff_t>(n), c.rows, c.col_wires,
                c.col_c + j * m, c.col_inv + j * m);
  }
}

// One block per rhs: column sums over i ascending (relaxation_solver.cpp current_scale),
// then their max.
__global__ void scale_kernel(RelaxCircuitView c, RelaxBatchView b) {
  using Reduce = cub::BlockReduce<double, kScaleThreads>;
  __shared__ typename Reduce::TempStorage temp;
  const uint32_t r = blockIdx.x;
  double worst = 0.0;
  for (uint32_t j = threadIdx.x; j < c.cols; j += kScaleThreads) {
    double sum = 0.0;
    for (uint32_t i = 0; i < c.rows; ++i) {
      const double a = fabs(rhs_voltage(b, r, i));
      if (a == 0.0) continue;
      sum += a * c.g[static_cast<size_t>(i) * c.cols + j];
    }
    worst = worst < sum ? sum : worst;
  }
  worst = Reduce(temp).Reduce(worst, MaxOp());
  if (threadIdx.x == 0) {
    RhsStatus s;
    s.scale = worst;
    s.active = worst != 0.0;
    s.converged = worst == 0.0;  // nothing flows: the start is the solution
    b.status[r] = s;
  }
}

__global__ void start_nodes_kernel(RelaxCircuitView c, RelaxBatchView b) {
  const size_t t = thread_index();
  if (t >= static_cast<size_t>(c.rows) * c.cols * b.count) return;
  const auto r = static_cast<uint32_t>(t % b.count);
  const auto i = static_cast<uint32_t>(t / b.count / c.cols);
  b.row_nodes[t] = rhs_voltage(b, r, i);
  b.col_nodes[t] = 0.0;
}

// Thread t's work in a (line, rhs) grid of `lines` lines: rhs r = t % B, line t / B.
// False when t is past the grid or its rhs has stopped.
__device__ bool active_line(size_t lines, const RelaxBatchView& b, size_t& line, uint32_t& r) {
  const size_t t = thread_index();
  if (t >= lines * b.count) return false;
  r = static_cast<uint32_t>(t % b.count);
  line = t / b.count;
  return b.status[r].active != 0;
}

// Rows and columns as relaxation_solver.cpp addresses them: row i from node (i, 0), step 1;
// column j from its ground end (M-1, j), step -N. Nodes and scratch are interleaved
// (lanes = B), so x, y and d are offset to rhs r.
__global__ void row_sweep_kernel(RelaxCircuitView c, RelaxBatchView b, double omega) {
  size_t i = 0;
  uint32_t r = 0;
  if (!active_line(c.rows, b, i, r)) return;
  const size_t base = i * c.cols;
  solve_line(c.g, b.col_nodes + r, b.row_nodes + r, static_cast<ptrdiff_t>(base), 1, c.cols, c.row_wires,
             rhs_voltage(b, r, static_cast<uint32_t>(i)), omega, c.row_c + base, c.row_inv + base,
             b.scratch + base * b.count + r, b.count);
}

__global__ void column_sweep_kernel(RelaxCircuitView c, RelaxBatchView b, double omega) {
  size_t j = 0;
  uint32_t r = 0;
  if (!active_line(c.cols, b, j, r)) return;
  const size_t m = c.rows, n = c.cols;
  solve_line(c.g, b.row_nodes + r, b.col_nodes + r, static_cast<ptrdiff_t>((m - 1) * n + j),
             -static_cast<ptrdiff_t>(n), c.rows, c.col_wires, 0.0, omega, c.col_c + j * m, c.col_inv + j * m,
             b.scratch + j * m * b.count + r, b.count);
}

// Lines 0 .. M-1 are rows, M .. M+N-1 columns.
__global__ void imbalance_kernel(RelaxCircuitView c, RelaxBatchView b) {
  const size_t m = c.rows, n = c.cols;
  size_t line = 0;
  uint32_t r = 0;
  if (!active_line(m + n, b, line, r)) return;
  const double a =
      line < m ? line_imbalance(c.g, b.col_nodes + r, b.row_nodes + r, static_cast<ptrdiff_t>(line * n), 1, c.cols,
                                c.row_wires, rhs_voltage(b, r, static_cast<uint32_t>(line)), b.count)
               : line_imbalance(c.g, b.row_nodes + r, b.col_nodes + r, static_cast<ptrdiff_t>((m - 1) * n + (line - m)),
                                -static_cast<ptrdiff_t>(n), c.rows, c.col_wires, 0.0, b.count);
  // Zeros (either sign) leave the +0 the sweep started from: the CPU's max of 0 and -0 is 0.
  if (a > 0.0) atomicMax(&b.status[r].imbalance, static_cast<unsigned long long>(__double_as_longlong(a)));
}

__global__ void finish_kernel(RelaxBatchView b, double tol) {
  const size_t r = thread_index();
  if (r >= b.count) return;
  RhsStatus& s = b.status[r];
  if (!s.active) return;
  const double imbalance = __longlong_as_double(static_cast<long long>(s.imbalance));
  s.imbalance = 0;
  ++s.iterations;
  s.residual = imbalance / s.scale;
  if (s.residual < tol) {
    s.converged = 1;
    s.active = 0;
  } else {
    atomicAdd(b.active_count, 1u);
  }
}

__global__ void currents_kernel(RelaxCircuitView c, RelaxBatchView b, double* currents) {
  const size_t t = thread_index();
  if (t >= static_cast<size_t>(c.cols) * b.count) return;
  const auto r = static_cast<uint32_t>(t % b.count);
  const size_t j = t / b.count, n = c.cols;
  double sum = 0.0;
  if (b.status[r].scale != 0.0) {
    for (size_t i = 0; i < c.rows; ++i) {
      const size_t cell = i * n + j, node = cell * b.count + r;
      sum += c.g[cell] * (b.row_nodes[node] - b.col_nodes[node]);
    }
  }
  currents[r * n + j] = sum;
}

__global__ void tile_conductances_kernel(LayerCells layer, TileBlock tile, double* g_tile) {
  const size_t t = thread_index();
  const size_t m = tile.rows, n = tile.cols;
  if (t >= m * n) return;
  const size_t q_count = tile.transposed ? m : n;  // columns of the solved circuit
  const size_t p = t / q_count, q = t % q_count;
  const size_t row = tile.row0 + (tile.transposed ? m - 1 - q : p);
  const size_t col = tile.col0 + (tile.transposed ? n - 1 - p : q);
  const size_t at = row * layer.cols + col;
  g_tile[t] = layer.g ? layer.g[at] : layer.range.to_conductance(layer.w[at]);
}

__global__ void find_bad_cell_kernel(LayerCells layer, unsigned long long* first_bad) {
  const size_t t = thread_index();
  if (t >= static_cast<size_t>(layer.rows) * layer.cols) return;
  const double g = layer.g ? layer.g[t] : layer.range.to_conductance(layer.w[t]);
  if (!(g >= 0.0) || !isfinite(g)) atomicMin(first_bad, static_cast<unsigned long long>(t));
}

__global__ void place_weights_kernel(const double* currents, uint32_t unit_first, uint32_t count, TileBlock tile,
                                     LayerWeights out) {
  const size_t t = thread_index();
  const size_t m = tile.rows, n = tile.cols, k_count = tile.transposed ? m : n;
  if (t >= count * k_count) return;
  const size_t unit = unit_first + t / k_count, k = t % k_count;
  const size_t row = tile.row0 + (tile.transposed ? m - 1 - k : unit);
  const size_t col = tile.col0 + (tile.transposed ? n - 1 - unit : k);
  const size_t at = row * out.cols + col;
  if (out.w) {
    out.w[at] = currents[t];
  } else {
    out.w_norm[at] = static_cast<float>(out.range.to_weight(currents[t]));
  }
}

}  // namespace

void launch_relax_factor(const RelaxCircuitView& c, cudaStream_t stream) {
  const size_t lines = static_cast<size_t>(c.rows) + c.cols;
  factor_kernel<<<blocks_for(lines), kThreads, 0, stream>>>(c);
  CUDA_CHECK_LAUNCH();
}

void launch_relax_start(const RelaxCircuitView& c, const RelaxBatchView& b, cudaStream_t stream) {
  if (b.count == 0) return;
  scale_kernel<<<b.count, kScaleThreads, 0, stream>>>(c, b);
  CUDA_CHECK_LAUNCH();
  start_nodes_kernel<<<blocks_for(static_cast<size_t>(c.rows) * c.cols * b.count), kThreads, 0, stream>>>(c, b);
  CUDA_CHECK_LAUNCH();
}

void launch_relax_sweep(const RelaxCircuitView& c, const RelaxBatchView& b, double omega, double tol,
                        cudaStream_t stream) {
  CUDA_CHECK(cudaMemsetAsync(b.active_count, 0, sizeof(uint32_t), stream));
  if (b.count == 0) return;
  row_sweep_kernel<<<blocks_for(static_cast<size_t>(c.rows) * b.count), kThreads, 0, stream>>>(c, b, omega);
  CUDA_CHECK_LAUNCH();
  column_sweep_kernel<<<blocks_for(static_cast<size_t>(c.cols) * b.count), kThreads, 0, stream>>>(c, b, omega);
  CUDA_CHECK_LAUNCH();
  const size_t lines = static_cast<size_t>(c.rows) + c.cols;
  imbalance_kernel<<<blocks_for(lines * b.count), kThreads, 0, stream>>>(c, b);
  CUDA_CHECK_LAUNCH();
  finish_kernel<<<blocks_for(b.count), kThreads, 0, stream>>>(b, tol);
  CUDA_CHECK_LAUNCH();
}

void launch_relax_currents(const RelaxCircuitView& c, const RelaxBatchView& b, double* currents,
                           cudaStream_t stream) {
  if (b.count == 0) return;
  currents_kernel<<<blocks_for(static_cast<size_t>(c.cols) * b.count), kThreads, 0, stream>>>(c, b, currents);
  CUDA_CHECK_LAUNCH();
}

void launch_tile_conductances(const LayerCells& layer, const TileBlock& tile, double* g_tile, cudaStream_t stream) {
  const size_t cells = static_cast<size_t>(tile.rows) * tile.cols;
  if (cells == 0) return;
  tile_conductances_kernel<<<blocks_for(cells), kThreads, 0, stream>>>(layer, tile, g_tile);
  CUDA_CHECK_LAUNCH();
}

void launch_find_bad_cell(const LayerCells& layer, unsigned long long* first_bad, cudaStream_t stream) {
  const size_t cells = static_cast<size_t>(layer.rows) * layer.cols;
  if (cells == 0) return;
  find_bad_cell_kernel<<<blocks_for(cells), kThreads, 0, stream>>>(layer, first_bad);
  CUDA_CHECK_LAUNCH();
}

void launch_place_weights(const double* currents, uint32_t unit_first, uint32_t count, const TileBlock& tile,
                          const LayerWeights& out, cudaStream_t stream) {
  const size_t work = static_cast<size_t>(count) * (tile.transposed ? tile.rows : tile.cols);
  if (work == 0) return;
  place_weights_kernel<<<blocks_for(work), kThreads, 0, stream>>>(currents, unit_first, count, tile, out);
  CUDA_CHECK_LAUNCH();
}

}  // namespace memsnn
