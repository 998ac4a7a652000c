#include "crossbar/crossbar.hpp"

#include "core/error.hpp"

namespace memsnn {

double CrossbarModel::reference_current(const ConductanceRange& range, std::span<const double> v) const {
  double sum = 0.0;
  for (const double x : v) sum += x * range.g_min;
  return sum;
}

void IdealCrossbar::column_currents(std::span<const float> g, uint32_t rows, uint32_t cols,
                                    const ConductanceRange& range, std::span<const double> v,
                                    std::span<double> currents) const {
  if (g.size() != static_cast<size_t>(rows) * cols || v.size() != rows || currents.size() != cols) {
    throw BackendError("crossbar: " + std::to_string(rows) + "x" + std::to_string(cols) + " array given " +
                       std::to_string(g.size()) + " cells, " + std::to_string(v.size()) + " voltages, " +
                       std::to_string(currents.size()) + " outputs");
  }
  for (uint32_t j = 0; j < cols; ++j) currents[j] = 0.0;
  for (uint32_t i = 0; i < rows; ++i) {
    if (v[i] == 0.0) continue;
    for (uint32_t j = 0; j < cols; ++j) currents[j] += v[i] * range.to_conductance(g[static_cast<size_t>(i) * cols + j]);
  }
}

std::unique_ptr<CrossbarModel> make_crossbar(const CrossbarConfig& config) {
  if (config.type == "ideal") return std::make_unique<IdealCrossbar>();
  throw ConfigError("config key 'crossbar.type': unknown value \"" + config.type + "\"; valid: ideal");
}

}  // namespace memsnn
