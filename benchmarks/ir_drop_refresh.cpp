// ir_drop_refresh: how far each W_eff refresh policy drifts from the exact IR-drop
// network while learning. Trains the Diehl & Cook network on the same first K digits
// from the same seed under each policy (exact = the circuit solved every step) and
// compares the outcome with the exact run: the learned weights, the layer's spikes, and
// which neuron won each image. Also reports the ideal crossbar (no IR drop) the same way.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include "backend/cpu_backend.hpp"
#include "config/network_config.hpp"
#include "core/error.hpp"
#include "data/dataset.hpp"
#include "io/atomic_file.hpp"
#include "sim/scheduler.hpp"

namespace {

using namespace memsnn;
using nlohmann::json;

struct Run {
  std::string policy;
  std::vector<float> g;
  std::vector<uint32_t> winners;
  uint64_t layer_spikes = 0;
  double seconds = 0.0;
  IrDropStats ir;
};

// "exact", "none", "image", "step" or "images:K".
void apply_policy(json& crossbar, const std::string& policy) {
  if (policy == "none") {
    crossbar["ir_drop"] = "none";
  } else if (policy == "exact") {
    crossbar["ir_drop"] = "exact";
  } else if (policy == "image" || policy == "step") {
    crossbar["ir_drop"] = "weff";
    crossbar["weff_refresh"] = policy;
  } else if (policy.rfind("images:", 0) == 0) {
    crossbar["ir_drop"] = "weff";
    crossbar["weff_refresh"] = "images";
    crossbar["weff_refresh_images"] = std::stoul(policy.substr(7));
  } else {
    throw ConfigError("unknown policy \"" + policy + "\"; valid: exact, none, step, image, images:K");
  }
}

Run train(const std::string& policy, const cxxopts::ParseResult& args, const Dataset& data) {
  json doc = preset_json("diehl_cook_2015");
  const auto neurons = args["neurons"].as<uint32_t>();
  doc["populations"]["exc"]["size"] = neurons;
  doc["populations"]["inh"]["size"] = neurons;
  json& x = doc["crossbar"];
  x["r_row_ohm"] = x["r_col_ohm"] = args["r-wire"].as<double>();
  x["tile_rows"] = x["tile_cols"] = args["tile"].as<uint32_t>();
  apply_policy(x, policy);
  const Network net = build_network(config_from_json(doc), data.rows, data.cols);
  const EncodedSet set = encode_dataset(net, data, args["images"].as<uint32_t>());
  CpuBackend backend(net, args["threads"].as<unsigned>());
  Run run{policy, {}, {}, 0, 0.0, {}};
  PresentationResult r;
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < set.size(); ++i) {
    backend.train({set.image(i), static_cast<uint32_t>(i), Phase::kTrain}, r);
    run.layer_spikes += r.layer_spikes;
    uint32_t best = 0;
    for (uint32_t j = 1; j < r.counts.size(); ++j) best = r.counts[j] > r.counts[best] ? j : best;
    run.winners.push_back(best);
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  run.g = backend.state().g;
  run.ir = backend.ir_drop_stats();
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("ir_drop_refresh", "Error of each W_eff refresh policy against the exact IR-drop network");
  // clang-format off
  options.add_options()
    ("policies", "Comma-separated: exact (the reference, always run first), none, step, image, images:K",
     cxxopts::value<std::string>()->default_value("image,images:10,images:100,none"))
    ("images", "Training images", cxxopts::value<uint32_t>()->default_value("100"))
    ("neurons", "Excitatory neurons", cxxopts::value<uint32_t>()->default_value("100"))
    ("r-wire", "Row and column segment resistance (ohm)", cxxopts::value<double>()->default_value("1.0"))
    ("tile", "Tile rows and columns (0 = one array)", cxxopts::value<uint32_t>()->default_value("0"))
    ("threads", "CPU threads", cxxopts::value<unsigned>()->default_value("0"))
    ("json", "Write the table as JSON to this file", cxxopts::value<std::string>())
    ("h,help", "Show this help");
  // clang-format on
  try {
    const auto args = options.parse(argc, argv);
    if (args.count("help")) {
      std::printf("%s\n", options.help().c_str());
      return 0;
    }
    const DataSplit data = load_data("");
    std::vector<std::string> policies = {"exact"};
    std::string list = args["policies"].as<std::string>();
    for (size_t at = 0; at <= list.size();) {
      const size_t comma = std::min(list.find(',', at), list.size());
      if (comma > at && list.substr(at, comma - at) != "exact") policies.push_back(list.substr(at, comma - at));
      at = comma + 1;
    }
    std::printf("ir_drop_refresh: %u images, N=%u, r_row = r_col = %g ohm, tile %u\n", args["images"].as<uint32_t>(),
                args["neurons"].as<uint32_t>(), args["r-wire"].as<double>(), args["tile"].as<uint32_t>());
    std::printf("%-12s %9s %12s %12s %12s %10s %8s %9s\n", "policy", "seconds", "layer spikes", "mean|dw|",
                "max|dw|", "same winner", "W_eff", "sweeps");
    json table = json::array();
    Run exact;
    for (const std::string& p : policies) {
      Run run = train(p, args, data.train);
      if (p == "exact") exact = run;
      double sum = 0.0, worst = 0.0;
      for (size_t k = 0; k < run.g.size(); ++k) {
        const double d = std::fabs(static_cast<double>(run.g[k]) - exact.g[k]);
        sum += d;
        worst = std::max(worst, d);
      }
      size_t same = 0;
      for (size_t i = 0; i < run.winners.size(); ++i) same += run.winners[i] == exact.winners[i] ? 1 : 0;
      const double mean = sum / static_cast<double>(run.g.size());
      const double agree = 100.0 * static_cast<double>(same) / static_cast<double>(run.winners.size());
      std::printf("%-12s %9.1f %12llu %12.3e %12.3e %9.1f%% %8llu %9llu\n", p.c_str(), run.seconds,
                  static_cast<unsigned long long>(run.layer_spikes), mean, worst, agree,
                  static_cast<unsigned long long>(run.ir.weff_builds), static_cast<unsigned long long>(run.ir.sweeps));
      std::fflush(stdout);
      table.push_back({{"policy", p}, {"seconds", run.seconds}, {"layer_spikes", run.layer_spikes},
                       {"mean_abs_dw", mean}, {"max_abs_dw", worst}, {"same_winner_percent", agree},
                       {"weff_builds", run.ir.weff_builds}, {"exact_solves", run.ir.exact_solves},
                       {"sweeps", run.ir.sweeps}, {"max_residual", run.ir.max_residual}});
    }
    if (args.count("json")) write_file_atomic(args["json"].as<std::string>(), table.dump(2) + "\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ir_drop_refresh: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
