// Host side of the GPU crossbar solver: validation (crossbar_solve.hpp's checks, before any
// CUDA call, so errors are the CPU's word for word), its tile plan, and the sweep loop.
#include "kernels/cuda_crossbar.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "crossbar/line_solve.hpp"
#include "kernels/crossbar_launch.hpp"
#include "kernels/cuda_check.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/gpu_buffer.hpp"

namespace memsnn {
namespace {

// Node, column and scratch arrays of one batch (3 x M x N x B doubles) stay under this:
// every unit solve of a 784 x 100 tile (190 MB), or 35 of an untiled 784 x 1600 array.
constexpr size_t kBatchBytes = size_t{1} << 30;

// A tile as the kernels see it, solved as is or (transposed) as its transposed circuit.
TileBlock tile_block(const CrossbarTile& t, bool transposed) {
  return {t.row0, t.col0, t.rows, t.cols, transposed ? 1 : 0};
}

// The relaxation options after the circuit, as RelaxationSolver checks them.
void check_method(const CrossbarSolveSpec& spec) {
  if (spec.method != CrossbarMethod::kRelax) {
    throw BackendError("crossbar: the CUDA solver has method relax only (got direct); solve direct on the CPU");
  }
  validate_relax_options(spec.relax);
}

// Alternating line relaxation of one circuit at a time, in a workspace sized for the
// largest tile and batch.
class GpuRelaxation {
 public:
  GpuRelaxation(size_t max_cells, size_t max_rhs, const RelaxOptions& options)
      : m_options(options),
        m_batch(static_cast<uint32_t>(
            std::clamp<size_t>(kBatchBytes / (3 * sizeof(double) * max_cells), 1, std::max<size_t>(max_rhs, 1)))),
        m_g(max_cells, "crossbar tile conductances"),
        m_row_c(max_cells, "crossbar row factors"),
        m_row_inv(max_cells, "crossbar row factors"),
        m_col_c(max_cells, "crossbar column factors"),
        m_col_inv(max_cells, "crossbar column factors"),
        m_row_nodes(max_cells * m_batch, "crossbar row node voltages"),
        m_col_nodes(max_cells * m_batch, "crossbar column node voltages"),
        m_scratch(max_cells * m_batch, "crossbar line scratch"),
        m_status(m_batch, "crossbar solve status"),
        m_status_host(m_batch, "crossbar solve status"),
        m_active(2, "crossbar active count"),
        m_active_host(2, "crossbar active count") {}

  uint32_t batch() const { return m_batch; }
  double* g() { return m_g.data(); }

  // The circuit whose cells g() now holds: factors every line.
  void set_circuit(const CrossbarCircuit& c, cudaStream_t stream) {
    m_view = RelaxCircuitView{c.rows,         c.cols,         line_wires(c.r_row, c.r_source),
                              line_wires(c.r_col, c.r_sense), m_g.data(),     m_row_c.data(),
                              m_row_inv.data(),               m_col_c.data(), m_col_inv.data()};
    launch_relax_factor(m_view, stream);
  }

  // count (<= batch()) right-hand sides: v (GPU) with v_stride, or unit vectors from
  // unit_first when v is null. currents (GPU): count x N. Returns solve_batch's stats.
  RelaxStats solve(const double* v, size_t v_stride, uint32_t unit_first, uint32_t count, double* currents,
                   cudaStream_t stream) {
    RelaxBatchView b{count,           v,           v_stride,          unit_first,       m_row_nodes.data(),
                     m_col_nodes.data(), m_scratch.data(), m_status.data(), m_active.data()};
    launch_relax_start(m_view, b, stream);
    // The host learns how many rhs are still active one sweep late, so the GPU never idles
    // waiting for it; a sweep after all have stopped does nothing (crossbar_launch.hpp).
    for (uint32_t it = 0; it < m_options.max_iterations; ++it) {
      b.active_count = m_active.data() + it % 2;
      launch_relax_sweep(m_view, b, m_options.damping, m_options.tol, stream);
      CUDA_CHECK(cudaMemcpyAsync(m_active_host.data() + it % 2, b.active_count, sizeof(uint32_t),
                                 cudaMemcpyDeviceToHost, stream));
      m_swept[it % 2].record(stream);
      if (it > 0) {
        m_swept[(it - 1) % 2].synchronize();
        if (m_active_host[(it - 1) % 2] == 0) break;
      }
    }
    launch_relax_currents(m_view, b, currents, stream);
    CUDA_CHECK(cudaMemcpyAsync(m_status_host.data(), m_status.data(), count * sizeof(RhsStatus),
                               cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaStreamSynchronize(stream));
    RelaxStats worst;
    for (uint32_t r = 0; r < count; ++r) {
      const RhsStatus& s = m_status_host[r];
      worsen(worst, RelaxStats{s.iterations, s.residual, s.converged != 0});
    }
    return worst;
  }

 private:
  RelaxOptions m_options;
  uint32_t m_batch;
  RelaxCircuitView m_view;
  GpuBuffer<double> m_g, m_row_c, m_row_inv, m_col_c, m_col_inv;
  GpuBuffer<double> m_row_nodes, m_col_nodes, m_scratch;
  GpuBuffer<RhsStatus> m_status;
  PinnedBuffer<RhsStatus> m_status_host;
  GpuBuffer<uint32_t> m_active;
  PinnedBuffer<uint32_t> m_active_host;
  CudaEvent m_swept[2] = {CudaEvent(false), CudaEvent(false)};
};

// W_eff of every tile from min(m, n) unit solves (effective_weights), cells and results
// on the GPU; ordered on `stream` and finished on return.
RelaxStats gpu_effective_weights(const CrossbarCircuit& c, const LayerCells& cells, const LayerWeights& out,
                                    const CrossbarSolveSpec& spec, cudaStream_t stream) {
  const TilePlan plan = plan_tiles(c, spec);
  size_t units = 0;
  for (const CrossbarTile& t : plan.tiles) units = std::max<size_t>(units, std::min(t.rows, t.cols));
  GpuRelaxation relax(static_cast<size_t>(plan.tile_rows) * plan.tile_cols, units, spec.relax);
  GpuBuffer<double> currents(static_cast<size_t>(relax.batch()) * std::max(plan.tile_rows, plan.tile_cols),
                                "crossbar unit-solve currents");
  RelaxStats stats;
  for (const CrossbarTile& t : plan.tiles) {
    const bool by_transpose = weff_by_transpose(t);
    const TileBlock block = tile_block(t, by_transpose);
    launch_tile_conductances(cells, block, relax.g(), stream);
    const CrossbarCircuit tc = tile_circuit(c, t);
    relax.set_circuit(by_transpose ? transposed(tc) : tc, stream);
    const uint32_t count = std::min(t.rows, t.cols);
    for (uint32_t first = 0; first < count; first += relax.batch()) {
      const uint32_t nb = std::min(relax.batch(), count - first);
      worsen(stats, relax.solve(nullptr, 0, first, nb, currents.data(), stream));
      launch_place_weights(currents.data(), first, nb, block, out, stream);
    }
  }
  CUDA_CHECK(cudaStreamSynchronize(stream));
  return stats;
}

}  // namespace

RelaxStats cuda_crossbar_currents(const CrossbarCircuit& c, std::span<const double> g, std::span<const double> v,
                                  std::span<double> currents, const CrossbarSolveSpec& spec) {
  const size_t count = check_currents_args(c, g, v, currents);
  check_method(spec);
  std::fill(currents.begin(), currents.end(), 0.0);
  if (count == 0) return {};
  const TilePlan plan = plan_tiles(c, spec);
  CudaStream stream;
  GpuBuffer<double> d_g(g.size(), "crossbar conductances");
  d_g.upload(g.data(), g.size(), stream.get());
  GpuRelaxation relax(static_cast<size_t>(plan.tile_rows) * plan.tile_cols, count, spec.relax);
  GpuBuffer<double> d_v(static_cast<size_t>(relax.batch()) * plan.tile_rows, "crossbar input voltages");
  GpuBuffer<double> d_out(static_cast<size_t>(relax.batch()) * plan.tile_cols, "crossbar output currents");
  std::vector<double> out(d_out.size());
  const LayerCells cells{d_g.data(), nullptr, {}, c.rows, c.cols};
  RelaxStats stats;
  for (const CrossbarTile& t : plan.tiles) {
    launch_tile_conductances(cells, tile_block(t, false), relax.g(), stream.get());
    relax.set_circuit(tile_circuit(c, t), stream.get());
    for (size_t first = 0; first < count; first += relax.batch()) {
      const auto nb = static_cast<uint32_t>(std::min<size_t>(relax.batch(), count - first));
      // This tile's inputs of vectors first .. first + nb - 1, packed m to a vector.
      CUDA_CHECK(cudaMemcpy2DAsync(d_v.data(), t.rows * sizeof(double), v.data() + first * c.rows + t.row0,
                                   c.rows * sizeof(double), t.rows * sizeof(double), nb, cudaMemcpyHostToDevice,
                                   stream.get()));
      worsen(stats, relax.solve(d_v.data(), t.rows, 0, nb, d_out.data(), stream.get()));
      CUDA_CHECK(cudaMemcpyAsync(out.data(), d_out.data(), static_cast<size_t>(nb) * t.cols * sizeof(double),
                                 cudaMemcpyDeviceToHost, stream.get()));
      stream.synchronize();
      // Tile outputs summed in tile order, as crossbar_currents does.
      for (size_t k = 0; k < nb; ++k) {
        for (uint32_t j = 0; j < t.cols; ++j) currents[(first + k) * c.cols + t.col0 + j] += out[k * t.cols + j];
      }
    }
  }
  return stats;
}

RelaxStats cuda_effective_weights(const CrossbarCircuit& c, std::span<const double> g, std::span<double> w_eff,
                                  const CrossbarSolveSpec& spec) {
  check_weff_args(c, g, w_eff);
  check_method(spec);
  CudaStream stream;
  GpuBuffer<double> d_g(g.size(), "crossbar conductances");
  d_g.upload(g.data(), g.size(), stream.get());
  GpuBuffer<double> d_w(w_eff.size(), "crossbar W_eff");
  const RelaxStats stats = gpu_effective_weights(c, LayerCells{d_g.data(), nullptr, {}, c.rows, c.cols},
                                                    LayerWeights{d_w.data(), nullptr, {}, c.cols}, spec,
                                                    stream.get());
  d_w.download(w_eff.data(), w_eff.size(), stream.get());
  return stats;
}

RelaxStats cuda_effective_weights(const CrossbarCircuit& c, const float* weights, const ConductanceRange& range,
                                  float* w_eff, const CrossbarSolveSpec& spec, cudaStream_t stream) {
  validate_sizes_and_wires(c);
  if (!(range.g_min >= 0.0) || !(range.g_max > range.g_min) || !std::isfinite(range.g_max)) {
    throw BackendError("crossbar: conductance range g_min = " + std::to_string(range.g_min) +
                       " S, g_max = " + std::to_string(range.g_max) + " S must satisfy 0 <= g_min < g_max (finite)");
  }
  if (!weights || !w_eff) throw BackendError("crossbar: GPU W_eff given a null weight or output pointer");
  const LayerCells cells{nullptr, weights, range, c.rows, c.cols};
  // validate_circuit's cell check, on the GPU: the first bad cell, as it would name it.
  GpuBuffer<unsigned long long> first_bad(1, "crossbar bad-cell index");
  CUDA_CHECK(cudaMemsetAsync(first_bad.data(), 0xff, sizeof(unsigned long long), stream));
  launch_find_bad_cell(cells, first_bad.data(), stream);
  unsigned long long bad = 0;
  first_bad.download(&bad, 1, stream);
  if (bad != ~0ull) {
    float w = 0.0f;
    CUDA_CHECK(cudaMemcpyAsync(&w, weights + bad, sizeof(float), cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaStreamSynchronize(stream));
    check_conductance(c, bad, range.to_conductance(w));  // throws: the kernel's test is the same
  }
  check_method(spec);
  return gpu_effective_weights(c, cells, LayerWeights{nullptr, w_eff, range, c.cols}, spec,
                                  stream);
}

}  // namespace memsnn
