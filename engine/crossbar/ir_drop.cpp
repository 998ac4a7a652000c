#include "crossbar/ir_drop.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "crossbar/block_relaxation.hpp"
#include "exec/serial_block.hpp"
#include "step/step_network.hpp"

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
  const CrossbarCircuit& c = m_settings.circuit;
  if (w.size() != static_cast<size_t>(c.rows) * c.cols) conductances(w);  // throws, naming the sizes
  check_weight_conductances(m_settings, w);
  if (spiking.empty()) return;  // no row driven: no current
  const ExactCircuit circuit = make_exact_circuit(m_settings);
  m_exact_scratch.resize(exact_scratch_doubles(circuit));
  const ExactScratch scratch = exact_scratch_at(circuit, m_exact_scratch.data());
  SerialBlock b;
  const auto t0 = std::chrono::steady_clock::now();
  const ExactSolve s =
      exact_drive(b, circuit, scratch, w.data(), spiking.data(), static_cast<uint32_t>(spiking.size()), drive);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  check_ir_drop_converged(RelaxStats{s.iterations, s.residual, s.converged}, m_settings.solve.relax, "exact step");
  ++m_stats.exact_solves;
  m_stats.record(RelaxStats{s.iterations, s.residual, s.converged}, wall, 1);
}

}  // namespace memsnn
