// CSV/JSON loading of dG tables with a clear error for every kind of bad file.
#include "device/device_table.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "device/device_build.hpp"
#include "device/device_spec.hpp"

namespace memsnn {
namespace {

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw DataError("device table '" + file + "': " + what);
}

std::string at_line(size_t line) { return "line " + std::to_string(line) + ": "; }

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream s(line);
  while (std::getline(s, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();  // a trailing empty cell
  return cells;
}

double parse_number(const std::string& file, size_t line, const std::string& cell) {
  const char* begin = cell.c_str();
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(begin, &end);
  while (end && (*end == ' ' || *end == '\t' || *end == '\r')) ++end;
  if (end == begin || *end != '\0' || cell.find_first_not_of(" \t\r") == std::string::npos) {
    fail(file, at_line(line) + "\"" + cell + "\" is not a number");
  }
  if (!std::isfinite(x)) fail(file, at_line(line) + "\"" + cell + "\" is not finite");
  return x;
}

}  // namespace

TableParams DeviceTable::view() const {
  TableParams p;
  p.g_min_S = g_min_S;
  p.g_max_S = g_max_S;
  auto grid = [](const DgTable& t) {
    TableGrid g;
    g.g_grid = t.g_grid.data();
    g.v_grid = t.v_grid.data();
    g.values = t.values.data();
    g.n_g = static_cast<int32_t>(t.g_grid.size());
    g.n_v = static_cast<int32_t>(t.v_grid.size());
    g.width_s = t.width_s;
    return g;
  };
  p.pot = grid(pot);
  p.dep = grid(dep);
  return p;
}

DgTable read_dg_table_csv(const std::string& path, DgSign sign, double width_s) {
  std::ifstream in(path);
  if (!in) fail(path, "cannot open the file");
  DgTable t;
  t.file = path;
  t.width_s = width_s;
  std::string line;
  size_t line_no = 0;
  size_t header_cells = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> cells = split_csv(line);
    if (header_cells == 0) {
      header_cells = cells.size();
      if (header_cells < 3) fail(path, at_line(line_no) + "the header needs a label and at least 2 voltages");
      for (size_t j = 1; j < cells.size(); ++j) {
        const double v = parse_number(path, line_no, cells[j]);
        if (!(v > 0.0)) fail(path, at_line(line_no) + "voltage " + cells[j] + " must be > 0");
        if (!t.v_grid.empty() && !(v > t.v_grid.back())) {
          fail(path, at_line(line_no) + "the voltage grid is not strictly increasing at " + cells[j]);
        }
        t.v_grid.push_back(v);
      }
      continue;
    }
    if (cells.size() != header_cells) {
      fail(path, at_line(line_no) + std::to_string(cells.size()) + " fields, the header has " +
                     std::to_string(header_cells) + " (ragged rows)");
    }
    const double g = parse_number(path, line_no, cells[0]);
    if (!t.g_grid.empty() && !(g > t.g_grid.back())) {
      fail(path, at_line(line_no) + "the G grid is not strictly increasing at " + cells[0]);
    }
    if (g < 0.0) fail(path, at_line(line_no) + "conductance " + cells[0] + " must be >= 0");
    t.g_grid.push_back(g);
    for (size_t j = 1; j < cells.size(); ++j) {
      const double d = parse_number(path, line_no, cells[j]);
      if (sign == DgSign::kNonNegative && d < 0.0) {
        fail(path, at_line(line_no) + "potentiation dG " + cells[j] + " is negative (must be >= 0)");
      }
      if (sign == DgSign::kNonPositive && d > 0.0) {
        fail(path, at_line(line_no) + "depression dG " + cells[j] + " is positive (must be <= 0)");
      }
      t.values.push_back(d);
    }
  }
  if (header_cells == 0) fail(path, "no header line (empty file?)");
  if (t.g_grid.size() < 2) fail(path, "needs at least 2 G rows, found " + std::to_string(t.g_grid.size()));
  return t;
}

namespace {

DeviceTable build_table(const std::string& pot_csv, const std::string& dep_csv, double pot_width_s,
                        double dep_width_s, double g_min_S, double g_max_S) {
  if (!(pot_width_s > 0.0) || !std::isfinite(pot_width_s)) fail(pot_csv, "pulse width must be > 0 s");
  if (!(dep_width_s > 0.0) || !std::isfinite(dep_width_s)) fail(dep_csv, "pulse width must be > 0 s");
  if (!(g_min_S > 0.0) || !(g_max_S > g_min_S) || !std::isfinite(g_max_S)) {
    fail(pot_csv, "need 0 < G_min < G_max");
  }
  DeviceTable table;
  table.pot = read_dg_table_csv(pot_csv, DgSign::kNonNegative, pot_width_s);
  table.dep = read_dg_table_csv(dep_csv, DgSign::kNonPositive, dep_width_s);
  table.g_min_S = g_min_S;
  table.g_max_S = g_max_S;
  return table;
}

}  // namespace

std::shared_ptr<const DeviceTable> load_device_table(const std::string& pot_csv, const std::string& dep_csv,
                                                     double pot_width_s, double dep_width_s, double g_min_S,
                                                     double g_max_S) {
  return std::make_shared<const DeviceTable>(build_table(pot_csv, dep_csv, pot_width_s, dep_width_s, g_min_S, g_max_S));
}

TableMeta read_table_meta(const std::string& meta_json) {
  std::ifstream in(meta_json);
  if (!in) fail(meta_json, "cannot open the file");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail(meta_json, std::string("not valid JSON: ") + e.what());
  }
  auto get = [&](const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number()) fail(meta_json, std::string("needs a number \"") + key + "\"");
    const double x = j[key].get<double>();
    if (!std::isfinite(x) || !(x > 0.0)) fail(meta_json, std::string("\"") + key + "\" must be a finite number > 0");
    return x;
  };
  TableMeta m;
  m.g_min_S = get("gmin_S");
  m.g_max_S = get("gmax_S");
  m.pot_width_s = get("pot_dt_s");
  m.dep_width_s = get("dep_dt_s");
  if (!(m.g_max_S > m.g_min_S)) fail(meta_json, "gmax_S must exceed gmin_S");
  return m;
}

std::shared_ptr<const DeviceTable> load_device_table_set(const std::string& meta_json) {
  const std::string suffix = "_meta.json";
  if (meta_json.size() <= suffix.size() || meta_json.compare(meta_json.size() - suffix.size(), suffix.size(), suffix) != 0) {
    fail(meta_json, "a table set is named by its X_meta.json file");
  }
  const std::string stem = meta_json.substr(0, meta_json.size() - suffix.size());
  const TableMeta m = read_table_meta(meta_json);
  DeviceTable t = build_table(stem + "_pot_dG.csv", stem + "_dep_dG.csv", m.pot_width_s, m.dep_width_s, m.g_min_S, m.g_max_S);
  t.meta_file = meta_json;
  return std::make_shared<const DeviceTable>(std::move(t));
}

DeviceSpec make_table_device(std::shared_ptr<const DeviceTable> table, const Pulse& pot, const Pulse& dep) {
  DeviceSpec spec;
  spec.model.kind = DeviceModelKind::kTable;
  spec.model.table = table->view();
  spec.model.pot_pulse = pot;
  spec.model.dep_pulse = dep;
  spec.table = std::move(table);
  finalize_device_model(spec.model);
  return spec;
}

}  // namespace memsnn
