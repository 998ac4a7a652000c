// Crossbar arrays: how the cells' conductances turn row voltages into column currents,
// and how the network reads those currents as synaptic drive.
//
// M rows (inputs, word lines) x N columns (neurons, bit lines); cell (i, j) has
// conductance G_ij = G_min + g_ij (G_max - G_min)  [S] (model/device.hpp).
// Ideal crossbar (no wire, source or sense resistance):
//   I_j = sum_i V_i G_ij  [A]
// A reference column of cells held at G_min gives I_ref = sum_i V_i G_min, and the drive
// the network receives for neuron j is
//   d_j = (I_j - I_ref) / (V_read (G_max - G_min)) = sum_i (V_i / V_read) g_ij
// so with spiking rows at V_read and silent rows at 0 V, d_j is the sum of the spiking
// rows' weights: the plain software network, exactly. The CPU backend uses that
// event-driven form for the ideal crossbar; models with IR drop plug in here.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "config/network_config.hpp"
#include "model/device.hpp"

namespace memsnn {

class CrossbarModel {
 public:
  virtual ~CrossbarModel() = default;
  virtual std::string name() const = 0;
  // Column currents [A] for row voltages v [V]; g is rows x cols normalised conductance.
  virtual void column_currents(std::span<const float> g, uint32_t rows, uint32_t cols,
                               const ConductanceRange& range, std::span<const double> v,
                               std::span<double> currents) const = 0;
  // Current of the reference column [A] for the same row voltages.
  double reference_current(const ConductanceRange& range, std::span<const double> v) const;
};

class IdealCrossbar final : public CrossbarModel {
 public:
  std::string name() const override { return "ideal"; }
  void column_currents(std::span<const float> g, uint32_t rows, uint32_t cols, const ConductanceRange& range,
                       std::span<const double> v, std::span<double> currents) const override;
};

// Synaptic drive from a column current (see the header comment).
inline double drive_from_current(double current, double reference, double v_read, const ConductanceRange& range) {
  return (current - reference) / (v_read * (range.g_max - range.g_min));
}

// Factory: ConfigError listing the valid types for an unknown one.
std::unique_ptr<CrossbarModel> make_crossbar(const CrossbarConfig& config);

}  // namespace memsnn
