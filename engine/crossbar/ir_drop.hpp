// How the network reads a crossbar with IR drop (config `crossbar.ir_drop`).
//
// A weight w in [0, 1] is programmed as G = G_min + w (G_max - G_min) [S] (model/device.hpp).
// Spiking inputs drive their rows at V_read, silent ones at 0 V; the output currents of
// the circuit (crossbar/circuit.hpp, tiled as configured) are read against an ideal
// reference of G_min per spiking row, subtracted digitally:
//   d_j = (I_j - k V_read G_min) / (V_read (G_max - G_min))       (k = spiking rows)
// The circuit is linear, so with W_eff (I = W_eff^T V) this is
//   d_j = sum over spiking i of w'_ij,   w'_ij = (W_eff_ij - G_min) / (G_max - G_min)
// which the network adds exactly as it adds w_ij without IR drop: same cost per step.
// Modes: "exact" solves the circuit for the spiking rows every step (the reference);
// "weff" reads w' built from the weights at the last refresh (every image, or every k
// images while learning; once for frozen weights). For frozen weights both read w'.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "config/network_config.hpp"
#include "crossbar/crossbar_solve.hpp"
#include "crossbar/exact_drive.hpp"
#include "model/device.hpp"

namespace memsnn {

enum class IrDropMode { kNone, kExact, kWeff };

struct IrDropSettings {
  IrDropMode mode = IrDropMode::kNone;
  CrossbarCircuit circuit;  // rows x cols of the whole layer
  CrossbarSolveSpec solve;  // relaxation, tiles, threads
  ConductanceRange range;
  double v_read = 0.2;      // V
  bool refresh_every_step = false;  // weff_refresh "step": the exact path
  uint32_t refresh_images = 1;      // weff: rebuild every this many training images
};

// BackendError naming the solver keys when a relaxation did not converge (`what`: e.g.
// "W_eff"); shared by the backends.
void check_ir_drop_converged(const RelaxStats& s, const RelaxOptions& o, const char* what);

// weff while learning: W_eff is rebuilt before every presentation ("image": k = 1), or
// before the first attempt of every k-th image ("images"). Shared by both backends, whose
// image counts restart at 0 with new weights, so those are always built.
inline bool weff_refresh_due(const IrDropSettings& s, uint64_t trained_images, uint32_t attempt) {
  const uint32_t k = s.refresh_images;
  return k <= 1 || (attempt == 0 && trained_images % k == 0);
}

IrDropSettings ir_drop_settings(const NetworkConfig& config, uint32_t rows, uint32_t cols, unsigned threads);

// Work done by the solvers, for metrics.json.
struct IrDropStats {
  uint64_t weff_builds = 0;
  uint64_t exact_solves = 0;
  uint64_t sweeps = 0;         // relaxation sweeps, all solves
  double max_residual = 0.0;
  double seconds = 0.0;        // wall time in the solvers

  // One solver call of `solves` right-hand sides that took `wall` seconds.
  void record(const RelaxStats& s, double wall, uint64_t solves) {
    sweeps += static_cast<uint64_t>(s.iterations) * solves;
    max_residual = s.residual > max_residual ? s.residual : max_residual;
    seconds += wall;
  }
  void add(const IrDropStats& o) {
    weff_builds += o.weff_builds;
    exact_solves += o.exact_solves;
    sweeps += o.sweeps;
    max_residual = o.max_residual > max_residual ? o.max_residual : max_residual;
    seconds += o.seconds;
  }
};

// The exact solves of one instance (the shared step's ExactStats) added to `into`;
// BackendError with check_ir_drop_converged's words ("exact step") when one failed.
// Shared by the backends.
void record_exact_stats(const ExactStats& s, const RelaxOptions& o, IrDropStats& into);

// The weights' conductances checked as the solvers check G (validate_circuit's words):
// the step's exact solve cannot throw, so the backends check before presenting.
void check_weight_conductances(const IrDropSettings& ir, std::span<const float> w);

class IrDropCrossbar {
 public:
  explicit IrDropCrossbar(const IrDropSettings& settings);

  const IrDropSettings& settings() const { return m_settings; }
  // "exact", or "weff" with weff_refresh "step": solve every step while learning.
  bool solves_every_step() const {
    return m_settings.mode == IrDropMode::kExact || m_settings.refresh_every_step;
  }

  // w' (rows x cols) for the weights w; BackendError if the solver does not converge.
  void build_weff(std::span<const float> w, std::span<float> w_eff);

  // drive[j] += d_j for the rows in `spiking`, solving the circuit for weights w: the
  // step's block solver (block_relaxation.hpp) on the serial executor, recorded in stats();
  // BackendError when it does not converge (the network's step reports the same).
  void add_exact_drive(std::span<const float> w, std::span<const uint32_t> spiking, float* drive);

  const IrDropStats& stats() const { return m_stats; }

 private:
  void conductances(std::span<const float> w);

  IrDropSettings m_settings;
  std::vector<double> m_g;      // S
  std::vector<double> m_w_eff;  // S
  std::vector<double> m_exact_scratch;  // the exact drive's arrays (exact_scratch_doubles)
  IrDropStats m_stats;
};

}  // namespace memsnn
