// Loading dG(G, V) tables for the data-driven device (table_device.hpp) from CSV files.
//
// CSV format (as tests/data/devices/spikelearn_1t1r_Paiyu_15_{pot,dep}_dG.csv, converted from
// Memristor-Spikelearn's model_data/1t1r_Paiyu_15.npz):
//   lines starting with '#' are comments (anywhere);
//   the first other line is the header: a label cell, then the voltage grid (V, > 0, strictly increasing);
//   every following line: G (S, strictly increasing down the file), then one dG (S per pulse) per voltage.
// At least 2 voltages and 2 G rows; every row as long as the header; every value a finite number;
// potentiation dG >= 0, depression dG <= 0. Any violation throws DataError naming the file and line.
// The meta JSON (spikelearn_1t1r_Paiyu_15_meta.json) gives gmin_S, gmax_S, pot_dt_s, dep_dt_s.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "device/table_device.hpp"

namespace memsnn {

struct DgTable {
  std::vector<double> g_grid;  // S
  std::vector<double> v_grid;  // V
  std::vector<double> values;  // row-major [g][v], S per pulse
  double width_s = 0.0;
  std::string file;
};

// The owner of a table device's arrays. Immutable once loaded, so views stay valid.
struct DeviceTable {
  DgTable pot;
  DgTable dep;
  double g_min_S = 0.0;
  double g_max_S = 0.0;
  std::string meta_file;  // empty when the widths and range were given directly

  // Raw-pointer view for TableParams (CPU use; a CUDA backend copies the arrays and repoints).
  TableParams view() const;
};

enum class DgSign { kNonNegative, kNonPositive };

// One CSV table; width_s is stored as given.
DgTable read_dg_table_csv(const std::string& path, DgSign sign, double width_s);

// Both tables with explicit widths (s) and conductance range (S).
std::shared_ptr<const DeviceTable> load_device_table(const std::string& pot_csv, const std::string& dep_csv,
                                                     double pot_width_s, double dep_width_s, double g_min_S,
                                                     double g_max_S);

// Widths and range from a meta JSON (keys gmin_S, gmax_S, pot_dt_s, dep_dt_s).
struct TableMeta {
  double g_min_S = 0.0, g_max_S = 0.0, pot_width_s = 0.0, dep_width_s = 0.0;
};
TableMeta read_table_meta(const std::string& meta_json);

// The Spikelearn set by its meta file: X_meta.json beside X_pot_dG.csv and X_dep_dG.csv.
std::shared_ptr<const DeviceTable> load_device_table_set(const std::string& meta_json);

}  // namespace memsnn
