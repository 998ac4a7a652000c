// snn_sweep: device and crossbar parameter sweeps. A sweep file (docs/devices.md "Sweeps")
// names a base config, a grid of dotted config paths with their values, and the seeds; every
// grid point trains and tests one ensemble whose members are its seeds (member k = seed + k),
// so a GPU runs the seeds of a point together. Writes into --out: sweep.csv (one row per
// point x seed), sweep.json (the resolved sweep and per-point summaries) and sweep.png
// (accuracy % against the first swept parameter, mean over seeds, error bars one sample
// standard deviation, one series per combination of the other parameters), all atomically
// and rewritten after every point, so a long sweep cut short keeps what it finished.
//
// Exit status: 0 ok; 1 bad sweep, config, data or backend (nothing written when the sweep
// or a point's config is bad: every point is checked first); 2 bad command line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include "app_main.hpp"
#include "apps/backend_factory.hpp"
#include "config/network_config.hpp"
#include "core/error.hpp"
#include "data/dataset.hpp"
#include "io/atomic_file.hpp"
#include "io/line_plot_png.hpp"
#include "network/network.hpp"
#include "sim/scheduler.hpp"
#include "sim/sweep.hpp"

namespace {

using nlohmann::json;
using namespace memsnn;

// One network's results: one CSV row.
struct RunRow {
  size_t point = 0;
  uint64_t seed = 0;
  TrainReport train;
  EvalReport test;
  double train_s = 0.0;  // the ensemble's training wall time, shared by its seeds
  std::string backend;
  bool first_member = false;  // member 0 of its ensemble
};

double per_image(double x, uint64_t images) { return images ? x / static_cast<double>(images) : 0.0; }

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (const char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

std::string csv_text(const Sweep& sweep, const std::vector<SweepPoint>& points, const std::vector<RunRow>& rows) {
  std::string out = "point";
  const auto add = [&out](const std::string& field) {
    out += ',';
    out += field;
  };
  for (const SweepAxis& a : sweep.axes) add(csv_field(a.path));
  add("seed,accuracy,test_spikes_per_image,train_spikes_per_image,pulses_per_train_image,"
      "program_energy_J_per_train_image,read_energy_J_per_train_image,train_s,test_s,train_images,test_images,"
      "backend\n");
  for (const RunRow& r : rows) {
    const PhaseReport& tr = r.train.phase;
    const PhaseReport& te = r.test.phase;
    out += std::to_string(r.point);
    for (size_t a = 0; a < sweep.axes.size(); ++a) {
      add(csv_field(value_text(sweep.axes[a].values[points[r.point].value_index[a]])));
    }
    add(std::to_string(r.seed));
    add(number(r.test.accuracy()));
    add(number(per_image(static_cast<double>(te.layer_spikes), te.images)));
    add(number(per_image(static_cast<double>(tr.layer_spikes), tr.images)));
    add(number(per_image(static_cast<double>(tr.device.pot_pulses + tr.device.dep_pulses), tr.images)));
    add(number(per_image(tr.device.program_energy_J, tr.images)));
    add(number(per_image(tr.device.read_energy_J, tr.images)));
    add(number(r.train_s));
    add(number(te.seconds));
    add(std::to_string(tr.images));
    add(std::to_string(te.images));
    add(csv_field(r.backend));
    out += '\n';
  }
  return out;
}

// The rows of every point (rows come point by point; a point not run yet has none).
std::vector<std::vector<const RunRow*>> rows_by_point(const std::vector<RunRow>& rows, size_t points) {
  std::vector<std::vector<const RunRow*>> by(points);
  for (const RunRow& r : rows) by[r.point].push_back(&r);
  return by;
}

// Accuracy of every seed of one point, their mean and sample standard deviation.
AccuracySpread point_spread(const std::vector<const RunRow*>& rows) {
  std::vector<EvalReport> evals;
  for (const RunRow* r : rows) evals.push_back(r->test);
  return accuracy_spread(evals);
}

json summary_json(const Sweep& sweep, const std::vector<SweepPoint>& points, const std::vector<RunRow>& rows,
                  const json& run_info) {
  json axes = json::array();
  for (const SweepAxis& a : sweep.axes) axes.push_back({{"path", a.path}, {"values", a.values}});
  json groups = json::array();
  for (const SeedGroup& g : sweep.groups) groups.push_back({{"seed", g.seed}, {"members", g.members}});
  json summaries = json::array();
  const auto by_point = rows_by_point(rows, points.size());
  for (const SweepPoint& p : points) {
    std::vector<uint64_t> seeds;
    double train_s = 0.0, test_s = 0.0;
    for (const RunRow* r : by_point[p.index]) {
      seeds.push_back(r->seed);
      test_s += r->test.phase.seconds;
      if (r->first_member) train_s += r->train_s;  // once per ensemble
    }
    if (seeds.empty()) continue;  // not run yet
    json values = json::object();
    for (size_t a = 0; a < sweep.axes.size(); ++a) values[sweep.axes[a].path] = sweep.axes[a].values[p.value_index[a]];
    const AccuracySpread acc = point_spread(by_point[p.index]);
    summaries.push_back({{"point", p.index},
                         {"values", values},
                         {"seeds", seeds},
                         {"accuracy", acc.members},
                         {"accuracy_mean", acc.mean},
                         {"accuracy_std", acc.std},
                         {"train_s", train_s},
                         {"test_s", test_s}});
  }
  return {{"sweep",
           {{"base", sweep.base},
            {"grid", axes},
            {"seeds", sweep.seeds},
            {"ensembles", groups},
            {"overrides", sweep.overrides},
            {"points", points.size()}}},
          {"run", run_info},
          {"points", summaries},
          {"accuracy_std_kind", "sample standard deviation (n - 1) over seeds; 0 for one seed"}};
}

// Accuracy % against the first axis (its value, or its value's index when not all numbers),
// one series per combination of the other axes' values (in grid order), points sorted by x.
std::vector<PlotSeries> plot_series(const Sweep& sweep, const std::vector<SweepPoint>& points,
                                    const std::vector<RunRow>& rows) {
  struct XY {
    double x, y, err;
  };
  const SweepAxis& x_axis = sweep.axes[0];
  const auto by_point = rows_by_point(rows, points.size());
  std::map<std::vector<size_t>, std::vector<XY>> by_rest;
  for (const SweepPoint& p : points) {
    const AccuracySpread acc = point_spread(by_point[p.index]);
    if (acc.members.empty()) continue;
    const size_t xi = p.value_index[0];
    const double x = x_axis.numeric ? x_axis.values[xi].get<double>() : static_cast<double>(xi);
    by_rest[std::vector<size_t>(p.value_index.begin() + 1, p.value_index.end())].push_back(
        {x, 100.0 * acc.mean, 100.0 * acc.std});
  }
  std::vector<PlotSeries> series;
  for (auto& [rest, xy] : by_rest) {
    std::stable_sort(xy.begin(), xy.end(), [](const XY& a, const XY& b) { return a.x < b.x; });
    PlotSeries s;
    s.markers = true;
    for (const XY& v : xy) {
      s.x.push_back(v.x);
      s.y.push_back(v.y);
      s.y_err.push_back(v.err);
    }
    series.push_back(std::move(s));
  }
  return series;
}

void write_outputs(const std::string& out_dir, const Sweep& sweep, const std::vector<SweepPoint>& points,
                   const std::vector<RunRow>& rows, const json& run_info) {
  write_file_atomic(out_dir + "/sweep.csv", csv_text(sweep, points, rows));
  write_file_atomic(out_dir + "/sweep.json", summary_json(sweep, points, rows, run_info).dump(2) + "\n");
  write_line_plot_png(out_dir + "/sweep.png", plot_series(sweep, points, rows));
}

int run(const cxxopts::ParseResult& args) {
  if (!args.count("sweep")) throw UsageError("--sweep FILE is required");
  const std::string mode = args["progress"].as<std::string>();
  if (mode != "auto" && mode != "lines") throw UsageError("--progress must be auto or lines, not '" + mode + "'");
  const bool quiet = args.count("quiet") > 0;
  ProgressMode progress = quiet ? ProgressMode::kQuiet : ProgressMode::kAuto;
  if (!quiet && args["progress"].as<std::string>() == "lines") progress = ProgressMode::kLines;
  const std::string out_dir = args["out"].as<std::string>();
  const std::string sweep_path = args["sweep"].as<std::string>();

  // Everything that can be checked is checked before the data load and the first run.
  const Sweep sweep = read_sweep_file(sweep_path);
  std::vector<SweepPoint> points;
  try {
    points = expand_grid(sweep);
    validate_points(sweep, points);
  } catch (const ConfigError& e) {
    throw ConfigError(sweep_path + ": " + e.what());
  }

  const auto t_data = std::chrono::steady_clock::now();
  const DataSplit data = load_data(args.count("data") ? args["data"].as<std::string>() : "");
  const double data_seconds = seconds_since(t_data);
  for (const SweepPoint& p : points) {  // the topology against the image size
    try {
      (void)build_network(config_from_json(run_document(p, sweep.groups[0])), data.train.rows, data.train.cols);
    } catch (const std::exception& e) {
      throw ConfigError(sweep_path + ": grid point " + std::to_string(p.index + 1) + " of " +
                        std::to_string(points.size()) + " (" + point_label(sweep, p) + "): " + e.what());
    }
  }

  const unsigned threads_opt = args["threads"].as<unsigned>();
  const unsigned threads = threads_opt ? threads_opt : std::max(1u, std::thread::hardware_concurrency());
  if (!quiet) {
    std::printf("memsnn snn_sweep\n  sweep         %s: %zu points x %zu seeds (%zu ensemble(s) per point)\n",
                sweep_path.c_str(), points.size(), sweep.seeds.size(), sweep.groups.size());
    for (const SweepAxis& a : sweep.axes) {
      std::string values;
      for (const auto& v : a.values) values += (values.empty() ? "" : ", ") + value_text(v);
      std::printf("  grid          %s: %s\n", a.path.c_str(), values.c_str());
    }
    std::printf("  data          %s (loaded in %.1f s)\n  output        %s\n", data.train.source.c_str(), data_seconds,
                out_dir.c_str());
    std::fflush(stdout);
  }
  ensure_directory(out_dir);

  json run_info = {{"backend_requested", args["backend"].as<std::string>()},
                   {"threads", threads},
                   {"data", data.train.source},
                   {"sweep_file", sweep_path},
                   {"started", now_text()}};
  std::vector<RunRow> rows;
  for (const SweepPoint& p : points) {
    const auto t_point = std::chrono::steady_clock::now();
    double train_s = 0.0, test_s = 0.0;
    for (const SeedGroup& g : sweep.groups) {
      const NetworkConfig config = config_from_json(run_document(p, g));
      const Network net = build_network(config, data.train.rows, data.train.cols);
      BackendOptions options;
      options.threads = threads_opt;
      options.ensemble = g.members;
      BackendChoice choice = make_backend(args["backend"].as<std::string>(), net, options);
      if (!run_info.contains("backend")) {
        run_info["backend"] = choice.backend->name();
        run_info["hardware"] = choice.backend->hardware_name();
        if (!quiet) std::printf("  %s\n", choice.notice.c_str());
      }
      const EncodedSet train = encode_dataset(net, data.train, config.protocol.train_samples);
      const EncodedSet test = encode_dataset(net, data.test, config.protocol.test_samples);
      Scheduler scheduler(*choice.backend, progress);
      std::vector<TrainReport> trained(g.members);
      if (train.size() > 0 && config.protocol.epochs > 0) trained = scheduler.train_members(train);
      const std::vector<EvalReport> tested = scheduler.evaluate_members(test);
      for (uint32_t k = 0; k < g.members; ++k) {
        rows.push_back(
            {p.index, g.seed + k, trained[k], tested[k], trained[k].phase.seconds, choice.backend->name(), k == 0});
        test_s += tested[k].phase.seconds;
      }
      train_s += trained[0].phase.seconds;
    }
    run_info["finished"] = now_text();
    write_outputs(out_dir, sweep, points, rows, run_info);
    if (!quiet) {
      const AccuracySpread acc = point_spread(rows_by_point(rows, points.size())[p.index]);
      const double wall = seconds_since(t_point);
      std::printf("point %zu/%zu  %s  accuracy %.2f +- %.2f %% (%zu seeds)  train %.1f s, test %.1f s, %.1f s in all\n",
                  p.index + 1, points.size(), point_label(sweep, p).c_str(), 100.0 * acc.mean, 100.0 * acc.std,
                  acc.members.size(), train_s, test_s, wall);
      std::fflush(stdout);
    }
  }
  if (!quiet) std::printf("wrote     %s/{sweep.csv, sweep.json, sweep.png}\n", out_dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("snn_sweep",
                           "Sweep device and crossbar parameters: every grid point of a sweep file trains and tests "
                           "an ensemble of its seeds; writes sweep.csv, sweep.json and sweep.png (docs/devices.md).");
  // clang-format off
  options.add_options()
    ("sweep", "Sweep file (JSON: base, grid, seeds, ...; docs/devices.md \"Sweeps\")", cxxopts::value<std::string>())
    ("out", "Output folder", cxxopts::value<std::string>()->default_value("runs/sweep"))
    ("data", "Folder of IDX files (train-images-idx3-ubyte[.gz], ...); default: the embedded 10,000 MNIST digits", cxxopts::value<std::string>())
    ("backend", "auto, cpu or cuda", cxxopts::value<std::string>()->default_value("auto"))
    ("threads", "CPU threads for inference and ensemble members (0 = all cores)", cxxopts::value<unsigned>()->default_value("0"))
    ("progress", "Progress display: auto (bar on a terminal) or lines", cxxopts::value<std::string>()->default_value("auto"))
    ("quiet", "Print nothing but errors")
    ("h,help", "Show this help");
  // clang-format on
  return memsnn::app_main("snn_sweep", options, argc, argv,
                          [&](const cxxopts::ParseResult& args) { return run(args); });
}
