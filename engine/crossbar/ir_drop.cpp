#include "crossbar/ir_drop.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"

namespace memsnn {
void check_ir_drop_converged(const RelaxStats& s, const RelaxOptions& o, const char* what) {
  if (s.converged) return;
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "crossbar: IR-drop relaxation (%s) did not converge in %u sweeps (residual %.3g > "
                "crossbar.solver_tol %.3g); raise crossbar.solver_max_iterations, loosen solver_tol or set "
                "solver_damping < 1",
                what, s.iterations, s.residual, o.tol);
  throw BackendError(buf);
}

void record_exact_stats(const ExactStats& s, const RelaxOptions& o, IrDropStats& into) {
  into.exact_solves += s.solves;
  into.sweeps += s.sweeps;
  into.max_residual = s.max_residual > into.max_residual ? s.max_residual : into.max_residual;
  into.seconds += static_cast<double>(s.nanoseconds) * 1e-9;
  if (s.failed) check_ir_drop_converged(RelaxStats{s.failed_iterations, s.failed_residual, false}, o, "exact step");
}

void check_weight_conductances(const IrDropSettings& ir, std::span<const float> w) {
  for (size_t k = 0; k < w.size(); ++k) {
    const double g = ir.range.to_conductance(w[k]);
    if (!(g >= 0.0) || !std::isfinite(g)) check_conductance(ir.circuit, k, g);  // throws
  }
}

IrDropSettings ir_drop_settings(const NetworkConfig& config, uint32_t rows, uint32_t cols, unsigned threads) {
  const CrossbarConfig& x = config.crossbar;
  IrDropSettings s;
  s.mode = x.ir_drop == "exact" ? IrDropMode::kExact : (x.ir_drop == "weff" ? IrDropMode::kWeff : IrDropMode::kNone);
  s.circuit = {rows, cols, x.r_row_ohm, x.r_col_ohm, x.r_source_ohm, x.r_sense_ohm};
  s.solve.method = CrossbarMethod::kRelax;
  s.solve.relax = {x.solver_tol, x.solver_max_iterations, x.solver_damping};
  s.solve.tile_rows = x.tile_rows;
  s.solve.tile_cols = x.tile_cols;
  s.solve.threads = threads ? threads : 1;
  s.range = {config.device.g_min_S, config.device.g_max_S};
  s.v_read = x.v_read_V;
  s.refresh_every_step = x.weff_refresh == "step";
  s.refresh_images = x.weff_refresh == "images" ? x.weff_refresh_images : 1;
  return s;
}

IrDropCrossbar::IrDropCrossbar(const IrDropSettings& settings) : m_settings(settings) {
  const size_t cells = static_cast<size_t>(settings.circuit.rows) * settings.circuit.cols;
  m_g.resize(cells);
  m_w_eff.resize(cells);
  m_v.resize(settings.circuit.rows);
  m_i.resize(settings.circuit.cols);
  validate_relax_options(settings.solve.relax);
}

void IrDropCrossbar::conductances(std::span<const float> w) {
  if (w.size() != m_g.size()) {
    throw BackendError("crossbar: " + std::to_string(w.size()) + " weights for a " +
                       std::to_string(m_settings.circuit.rows) + "x" + std::to_string(m_settings.circuit.cols) +
                       " layer");
  }
  for (size_t k = 0; k < w.size(); ++k) m_g[k] = m_settings.range.to_conductance(w[k]);
}

void IrDropCrossbar::build_weff(std::span<const float> w, std::span<float> w_eff) {
  const auto t0 = std::chrono::steady_clock::now();
  conductances(w);
  const RelaxStats s = effective_weights(m_settings.circuit, m_g, m_w_eff, m_settings.solve);
  check_ir_drop_converged(s, m_settings.solve.relax, "W_eff");
  // w' = (W_eff - G_min) / (G_max - G_min): the same HOST_DEVICE mapping the CUDA W_eff uses.
  for (size_t k = 0; k < m_w_eff.size(); ++k) w_eff[k] = static_cast<float>(m_settings.range.to_weight(m_w_eff[k]));
  ++m_stats.weff_builds;
  const uint32_t m = m_settings.circuit.rows, n = m_settings.circuit.cols;
  m_stats.record(s, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), std::min(m, n));
}

void IrDropCrossbar::add_exact_drive(std::span<const float> w, std::span<const uint32_t> spiking, float* drive) {
  if (spiking.empty()) return;  // no row driven: no current
  const auto t0 = std::chrono::steady_clock::now();
  conductances(w);
  std::fill(m_v.begin(), m_v.end(), 0.0);
  for (const uint32_t i : spiking) m_v[i] = m_settings.v_read;
  // crossbar_currents, tile by tile, with solvers kept from step to step.
  const CrossbarCircuit& c = m_settings.circuit;
  if (m_tile_solvers.empty()) m_plan = plan_tiles(c, m_settings.solve);
  std::fill(m_i.begin(), m_i.end(), 0.0);
  RelaxStats s;
  for (size_t t = 0; t < m_plan.tiles.size(); ++t) {
    const CrossbarTile& tile = m_plan.tiles[t];
    m_tile_g.resize(size_t{tile.rows} * tile.cols);
    copy_tile_cells(c, m_g, tile, m_tile_g);
    if (m_tile_solvers.size() <= t) {
      m_tile_solvers.emplace_back(tile_circuit(c, tile), m_tile_g, m_settings.solve.relax);
    } else {
      m_tile_solvers[t].set_conductances(m_tile_g);
    }
    m_tile_v.assign(m_v.begin() + tile.row0, m_v.begin() + tile.row0 + tile.rows);
    m_tile_i.resize(tile.cols);
    worsen(s, m_tile_solvers[t].solve(m_tile_v, m_tile_i));
    for (uint32_t j = 0; j < tile.cols; ++j) m_i[tile.col0 + j] += m_tile_i[j];
  }
  check_ir_drop_converged(s, m_settings.solve.relax, "exact step");
  const double reference = static_cast<double>(spiking.size()) * m_settings.v_read * m_settings.range.g_min;
  const double scale = m_settings.v_read * (m_settings.range.g_max - m_settings.range.g_min);
  for (uint32_t j = 0; j < c.cols; ++j) drive[j] += static_cast<float>((m_i[j] - reference) / scale);
  ++m_stats.exact_solves;
  m_stats.record(s, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1);
}

}  // namespace memsnn
