// A Network's constants for the shared step, and the exact IR-drop circuit.
#include "step/step_network.hpp"

#include <cmath>
#include <string>

#include "core/error.hpp"
#include "crossbar/crossbar_solve.hpp"
#include "crossbar/ir_drop.hpp"
#include "crossbar/line_solve.hpp"
#include "network/network.hpp"

namespace memsnn {

StepNetwork make_step_network(const Network& net) {
  StepNetwork d;
  if (net.populations.size() > kMaxStepPopulations) {
    throw BackendError("the simulator supports at most " + std::to_string(kMaxStepPopulations) +
                       " neuron populations (this network has " + std::to_string(net.populations.size()) + ")");
  }
  if (net.fixed_projections.size() > kMaxStepProjections) {
    throw BackendError("the simulator supports at most " + std::to_string(kMaxStepProjections) +
                       " fixed projections (this network has " + std::to_string(net.fixed_projections.size()) + ")");
  }
  d.n_inputs = net.n_inputs;
  d.n_populations = static_cast<uint32_t>(net.populations.size());
  for (uint32_t p = 0; p < d.n_populations; ++p) {
    const PopulationSpec& spec = net.populations[p];
    d.populations[p] = StepPopulation{spec.constants, spec.size, d.total_neurons, spec.v_init};
    d.total_neurons += spec.size;
  }
  d.learning_layer = net.learning_layer;
  d.n_neurons = net.n_neurons();
  d.crossbar_inhibitory = net.crossbar_target == Channel::kInhibitory ? 1 : 0;
  d.n_projections = static_cast<uint32_t>(net.fixed_projections.size());
  for (uint32_t q = 0; q < d.n_projections; ++q) {
    const FixedProjectionSpec& f = net.fixed_projections[q];
    d.projections[q] = StepProjection{f.kind == ProjectionKind::kAllButSelf ? 1 : 0, f.from, f.to,
                                      f.target == Channel::kInhibitory ? 1 : 0, f.weight};
  }
  d.wta_population = net.wta_population;
  d.wta_drop = net.wta.weight;
  d.wta_hold_steps = net.wta.hold_steps;
  d.plastic = net.plastic ? 1 : 0;
  d.window_rule = net.rule == LearningRule::kWindowStdp ? 1 : 0;
  d.stdp = net.stdp;
  d.window = net.window;
  d.window_table = net.window_potentiation.empty() ? nullptr : net.window_potentiation.data();
  d.w_min = net.w_min;
  d.w_max = net.w_max;
  d.dt_s = net.dt_s;
  d.device = net.device_path ? &net.device : nullptr;
  return d;
}

ExactCircuit make_exact_circuit(const IrDropSettings& ir) {
  const CrossbarCircuit& c = ir.circuit;
  validate_sizes_and_wires(c);
  const ConductanceRange& range = ir.range;
  if (!(range.g_min >= 0.0) || !(range.g_max > range.g_min) || !std::isfinite(range.g_max)) {
    throw BackendError("crossbar: conductance range g_min = " + std::to_string(range.g_min) +
                       " S, g_max = " + std::to_string(range.g_max) + " S must satisfy 0 <= g_min < g_max (finite)");
  }
  const TilePlan plan = plan_tiles(c, ir.solve);
  ExactCircuit e;
  e.rows = c.rows;
  e.cols = c.cols;
  e.tile_rows = plan.tile_rows;
  e.tile_cols = plan.tile_cols;
  e.row_wires = line_wires(c.r_row, c.r_source);  // tile_circuit keeps the resistances
  e.col_wires = line_wires(c.r_col, c.r_sense);
  e.range = range;
  e.v_read = ir.v_read;
  e.tol = ir.solve.relax.tol;
  e.max_iterations = ir.solve.relax.max_iterations;
  e.omega = ir.solve.relax.damping;
  return e;
}

}  // namespace memsnn
