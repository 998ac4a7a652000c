// snn_gpu_train: trains the Diehl & Cook (2015) STDP network (or any preset/config; layer
// networks trained by surrogate gradients go to apps/layer_network_run.cpp) on
// MNIST-like data, assigns labels, evaluates on held-out images, and writes the resolved
// config, metrics.json, a checkpoint and a picture of the receptive fields into --out.
// With --ensemble E, E networks (member k with seed + k) learn the same images at once;
// member 0 writes the files above, every member k also members/k/{checkpoint.bin,
// receptive_fields.png}, and metrics.json gains each member's accuracy, mean and std.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include "app_main.hpp"
#include "apps/backend_factory.hpp"
#include "apps/layer_network_run.hpp"
#include "config/config_document.hpp"
#include "config/network_config.hpp"
#include "core/error.hpp"
#include "data/dataset.hpp"
#include "deep/layer_checkpoint.hpp"
#include "deep/layer_net_config.hpp"
#include "device/device_presets.hpp"
#include "io/atomic_file.hpp"
#include "io/checkpoint.hpp"
#include "io/metrics.hpp"
#include "io/receptive_fields_png.hpp"
#include "network/network.hpp"
#include "sim/checkpoint_network.hpp"
#include "sim/scheduler.hpp"

namespace {

using nlohmann::json;
using namespace memsnn;

// Where the config document came from, for errors: the --config file, the --load
// checkpoint, or "" for a preset (its errors name the preset already).
std::string config_source(const cxxopts::ParseResult& args) {
  if (args.count("load")) return args["load"].as<std::string>() + ": checkpoint config";
  return args.count("config") ? args["config"].as<std::string>() : "";
}

// The config document as written: a file (optionally {"base": preset, ...}) or a preset.
json base_document(const cxxopts::ParseResult& args) {
  json doc = args.count("config") ? resolve_config_document(read_json_file(args["config"].as<std::string>()))
                                  : preset_json(args["preset"].as<std::string>());
  doc.erase("description");
  return doc;
}

// The STDP network's config document: base_document with the command-line overrides, which win.
json resolved_document(const cxxopts::ParseResult& args, json doc) {
  if (args.count("batch-size")) throw ConfigError("--batch-size applies to layer networks (docs/supervised.md)");
  if (args.count("neurons")) set_neuron_population_sizes(doc, args["neurons"].as<uint32_t>());
  if (args.count("train-samples")) config_object(doc, "protocol")["train_samples"] = args["train-samples"].as<uint32_t>();
  if (args.count("test-samples")) config_object(doc, "protocol")["test_samples"] = args["test-samples"].as<uint32_t>();
  if (args.count("epochs")) config_object(doc, "protocol")["epochs"] = args["epochs"].as<uint32_t>();
  if (args.count("seed")) doc["seed"] = args["seed"].as<uint64_t>();
  if (args.count("ensemble")) config_object(doc, "protocol")["ensemble"] = args["ensemble"].as<uint32_t>();
  if (args.count("device")) {  // a preset name, or a device object as JSON text
    const std::string d = args["device"].as<std::string>();
    try {
      doc["device"] = d.find('{') == std::string::npos ? json(d) : json::parse(d);
    } catch (const json::parse_error& e) {
      throw ConfigError("--device: not a preset name or a JSON object: " + std::string(e.what()));
    }
  }
  return doc;
}

// Whether the file at path begins with the layer-network checkpoint's magic (an unreadable
// file is left for the STDP checkpoint reader to report).
bool file_starts_like_layer_checkpoint(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char head[8] = {};
  const size_t got = std::fread(head, 1, sizeof head, f);
  std::fclose(f);
  return is_layer_checkpoint(std::string_view(head, got));
}

std::string device_presets_text() {
  std::string list;
  for (const auto& name : memsnn::device_preset_names()) list += (list.empty() ? "" : ", ") + name;
  return list;
}

// Bytes the run writes into --out, over-estimated: config.json and metrics.json (the config,
// the running accuracy of every member, fixed-size reports), and checkpoint.bin (unless
// evaluating one) and receptive_fields.png for member 0 and, in an ensemble, every member.
uint64_t result_bytes(const Network& net, const NetworkConfig& config, bool evaluating, uint64_t train_set) {
  const uint64_t config_bytes = config_to_json(config).dump(2).size() + 4096;
  const ProtocolConfig& p = config.protocol;
  const uint64_t members = p.ensemble;
  const uint64_t train_images = p.train_samples ? std::min<uint64_t>(p.train_samples, train_set) : train_set;
  const uint64_t accuracy_points = evaluating ? 0 : train_images * p.epochs / p.label_interval;
  const uint64_t metrics_bytes = 65536 + (members + 1) * (16384 + 32 * accuracy_points);
  const uint32_t n_theta = net.learning_constants().adaptive ? net.n_neurons() : 0;
  const uint64_t per_member = (evaluating ? 0 : checkpoint_file_bytes(net.n_inputs, net.n_neurons(), n_theta,
                                                                      config_bytes + 4096)) +
                              receptive_fields_png_bound(net.n_neurons(), net.image_rows, net.image_cols);
  return config_bytes + metrics_bytes + per_member * (members > 1 ? members + 1 : 1);
}

// members/k/{checkpoint.bin, receptive_fields.png} for every ensemble member. Member k's
// checkpoint config says seed + k and one network, so --load evaluates it exactly as the
// ensemble did (the same test input spikes).
void write_members(const Backend& backend, const json& resolved, uint64_t trained_images, const std::string& out_dir) {
  const Network& net = backend.network();
  for (uint32_t k = 0; k < backend.ensemble_size(); ++k) {
    const std::string dir = out_dir + "/members/" + std::to_string(k);
    ensure_directory(dir);
    json config = resolved;
    config["seed"] = net.config.seed + k;
    config["protocol"]["ensemble"] = 1;
    const NetworkState state = backend.member_state(k);
    Checkpoint ck{config, state,
                  {{"trained_images", trained_images}, {"ensemble_member", k}, {"written", now_text()}}};
    save_checkpoint(dir + "/checkpoint.bin", ck);
    write_receptive_fields_png(dir + "/receptive_fields.png", state, net.image_rows, net.image_cols);
  }
}

// Ensemble results: time and rates once (every member learns each image), accuracy per member.
void print_ensemble_summary(const std::vector<TrainReport>& train, const std::vector<EvalReport>& test) {
  const size_t members = std::max(train.size(), test.size());
  if (!train.empty() && train[0].phase.images) {
    const PhaseReport& p = train[0].phase;
    std::printf("trained   %llu images x %zu members in %.1f s: %.1f images/s, %.1f member-images/s\n",
                static_cast<unsigned long long>(p.images), members, p.seconds, p.images_per_second(),
                p.images_per_second() * static_cast<double>(members));
  }
  if (!test.empty() && test[0].phase.images) {
    double seconds = 0.0;
    for (const EvalReport& e : test) seconds += e.phase.seconds;
    std::printf("tested    %llu images x %zu members in %.1f s\n",
                static_cast<unsigned long long>(test[0].phase.images), members, seconds);
    const AccuracySpread acc = accuracy_spread(test);
    std::printf("accuracy ");
    for (size_t k = 0; k < acc.members.size(); ++k) {
      std::printf("%s%zu: %.2f %%", k ? ", " : " ", k, 100.0 * acc.members[k]);
    }
    std::printf("\n          mean %.2f %%, std %.2f %% over %zu members\n", 100.0 * acc.mean, 100.0 * acc.std,
                acc.members.size());
  }
}

int run(const cxxopts::ParseResult& args) {
  const bool quiet = args.count("quiet") > 0;
  const std::string out_dir = args["out"].as<std::string>();
  const std::string load_path = args.count("load") ? args["load"].as<std::string>() : "";
  ProgressMode progress = quiet ? ProgressMode::kQuiet : ProgressMode::kAuto;
  if (!quiet && args["progress"].as<std::string>() == "lines") progress = ProgressMode::kLines;

  // Configuration: from the checkpoint when evaluating one, else preset/config + overrides.
  const std::string source = config_source(args);
  std::optional<CheckpointNetwork> loaded;
  json doc;
  if (!load_path.empty() && file_starts_like_layer_checkpoint(load_path)) return run_layer_network(args, {}, load_path);
  if (!load_path.empty()) {
    if (args.count("ensemble") && args["ensemble"].as<uint32_t>() != 1) {
      throw ConfigError("--ensemble applies to training; --load evaluates one checkpoint");
    }
    loaded = load_checkpoint_network(load_path, [&](json& d) {
      if (args.count("test-samples")) config_object(d, "protocol")["test_samples"] = args["test-samples"].as<uint32_t>();
    });
  } else {
    doc = with_config_source(source, [&] { return base_document(args); });
    if (is_layer_network(doc)) {  // trained by surrogate gradients: apps/layer_network_run.cpp
      return with_config_source(source, [&] {
        apply_layer_overrides(args, doc);
        return run_layer_network(args, doc, "");
      });
    }
    doc = with_config_source(source, [&] { return resolved_document(args, doc); });
  }
  const NetworkConfig config = loaded ? loaded->config : with_config_source(source, [&] { return config_from_json(doc); });

  const auto t_data = std::chrono::steady_clock::now();
  const std::string data_arg = args.count("data") ? args["data"].as<std::string>() : "";
  const DataSplit data = load_data(data_arg, embedded_split(args));
  const double data_seconds = seconds_since(t_data);

  const Network net = loaded ? build_checkpoint_network(*loaded, data.train.rows, data.train.cols)
                             : with_config_source(source, [&] { return build_network(config, data.train.rows, data.train.cols); });
  const uint32_t members = config.protocol.ensemble;
  BackendOptions backend_options;
  backend_options.threads = args["threads"].as<unsigned>();
  backend_options.ensemble = members;
  BackendChoice choice = make_backend(args["backend"].as<std::string>(), net, backend_options);
  Backend& backend = *choice.backend;
  if (loaded) restore_checkpoint_state(backend, *loaded);
  // The output folder, before anything is trained: created, cleared of killed runs' temp
  // files, and with room for every result, so a full disk cannot cost the trained weights.
  ensure_directory(out_dir);
  require_free_space(out_dir, result_bytes(net, config, !load_path.empty(), data.train.size()),
                     "config.json, metrics.json, " + std::string(load_path.empty() ? "checkpoint.bin, " : "") +
                         "receptive_fields.png" + (members > 1 ? ", members/" : ""));

  const EncodedSet train = encode_dataset(net, data.train, config.protocol.train_samples);
  const EncodedSet test = encode_dataset(net, data.test, config.protocol.test_samples);
  const unsigned threads = args["threads"].as<unsigned>() ? args["threads"].as<unsigned>()
                                                          : std::max(1u, std::thread::hardware_concurrency());

  json resolved = config_to_json(config);
  json run_info = {{"backend", backend.name()},
                   {"hardware", backend.hardware_name()},
                   {"threads", threads},
                   {"ensemble", members},
                   {"data", data.train.source},
                   {"train_images", load_path.empty() ? train.size() : 0},
                   {"test_images", test.size()},
                   {"loaded_checkpoint", load_path},
                   {"started", now_text()}};
  if (!quiet) {
    std::printf("memsnn snn_gpu_train\n  %s\n", choice.notice.c_str());
    std::printf("  hardware      %s (%u threads)\n", backend.hardware_name().c_str(), threads);
    std::printf("  network       %s: %u inputs -> %u neurons", config.name.c_str(), net.n_inputs, net.n_neurons());
    for (const auto& p : net.populations) std::printf(" [%s %u]", p.name.c_str(), p.size);
    std::printf("\n  seed          %llu\n", static_cast<unsigned long long>(config.seed));
    if (members > 1) {
      std::printf("  ensemble      %u networks learning the same images, member k with seed %llu + k\n", members,
                  static_cast<unsigned long long>(config.seed));
    }
    std::printf("  data          %s (%zu train, %zu test images, loaded in %.1f s)\n", data.train.source.c_str(),
                train.size(), test.size(), data_seconds);
    std::printf("  protocol      %.0f ms presentation + %.0f ms %s, dt %.2f ms, %u epoch(s)\n",
                config.protocol.presentation_ms, config.protocol.rest_ms, config.protocol.between.c_str(),
                config.dt_ms, config.protocol.epochs);
    const CrossbarConfig& x = config.crossbar;
    if (x.ir_drop == "none") {
      std::printf("  crossbar      ideal (no IR drop)\n");
    } else {
      std::printf("  crossbar      IR drop %s: r_row %g, r_col %g, r_source %g, r_sense %g ohm, tiles %ux%u%s\n",
                  x.ir_drop.c_str(), x.r_row_ohm, x.r_col_ohm, x.r_source_ohm, x.r_sense_ohm, x.tile_rows, x.tile_cols,
                  x.ir_drop == "weff" ? (", W_eff refresh " + x.weff_refresh +
                                         (x.weff_refresh == "images" ? " " + std::to_string(x.weff_refresh_images) : ""))
                                            .c_str()
                                      : "");
    }
    const DeviceConfig& d = config.device;
    if (!net.device_path) {
      std::printf("  device model  ideal (STDP writes dw exactly)\n");
    } else {
      const DeviceNonIdealities& n = d.nonideal;
      std::printf("  device model  %s, G %.3g..%.3g S, %s%s, normalisation %s; c2c %g, d2d %g, read %g, stuck %g/%g, "
                  "drift nu %g at %g s\n",
                  d.type.c_str(), d.g_min_S, d.g_max_S, d.mapping.c_str(),
                  d.mapping == "pulse_count" ? (" (" + d.rounding + ")").c_str() : "", d.normalization.c_str(),
                  n.c2c_sigma, n.d2d_sigma, n.read_sigma, n.stuck_at_min, n.stuck_at_max, n.drift_nu, n.drift_time_s);
    }
    std::printf("  output        %s\n", out_dir.c_str());
    std::fflush(stdout);
  }
  write_file_atomic(out_dir + "/config.json", json{{"config", resolved}, {"run", run_info}}.dump(2) + "\n");

  Scheduler scheduler(backend, progress);
  json metrics = {{"run", run_info}};
  // "train" and "test" describe member 0 (the single network when members == 1).
  std::vector<TrainReport> train_reports;
  if (load_path.empty() && train.size() > 0 && config.protocol.epochs > 0) {
    train_reports = scheduler.train_members(train);
    metrics["train"] = train_to_json(train_reports[0]);
  }
  std::vector<EvalReport> evals;
  if (test.size() > 0) {
    evals = scheduler.evaluate_members(test);
    metrics["test"] = eval_to_json(evals[0]);
  }
  metrics["ensemble"] = ensemble_to_json(members, config.seed, train_reports, evals);
  const IrDropStats ir = backend.ir_drop_stats();
  if (config.crossbar.ir_drop != "none") {
    metrics["ir_drop"] = {{"mode", config.crossbar.ir_drop}, {"weff_builds", ir.weff_builds},
                          {"exact_solves", ir.exact_solves}, {"relaxation_sweeps", ir.sweeps},
                          {"max_residual", ir.max_residual}, {"solver_seconds", ir.seconds}};
  }
  metrics["run"]["finished"] = now_text();
  const TrainReport train_report = train_reports.empty() ? TrainReport{} : train_reports[0];
  const EvalReport eval = evals.empty() ? EvalReport{} : evals[0];
  write_file_atomic(out_dir + "/metrics.json", metrics.dump(2) + "\n");

  const NetworkState state = backend.state();
  if (load_path.empty()) {
    Checkpoint ck{resolved, state, {{"trained_images", train_report.phase.images}, {"written", now_text()}}};
    save_checkpoint(out_dir + "/checkpoint.bin", ck);
  }
  write_receptive_fields_png(out_dir + "/receptive_fields.png", state, net.image_rows, net.image_cols);
  if (members > 1) write_members(backend, resolved, train_report.phase.images, out_dir);

  if (!quiet) {
    if (members > 1) {
      print_ensemble_summary(train_reports, evals);
    } else {
      if (train_report.phase.images) {
        std::printf("trained   %llu images in %.1f s: %.1f images/s, %.3g sample-steps/s, %.2f retries/image, "
                    "%u/%u neurons labelled\n",
                    static_cast<unsigned long long>(train_report.phase.images), train_report.phase.seconds,
                    train_report.phase.images_per_second(), train_report.phase.sample_steps_per_second(),
                    static_cast<double>(train_report.phase.attempts - train_report.phase.images) /
                        static_cast<double>(train_report.phase.images),
                    train_report.assigned_neurons, net.n_neurons());
      }
      if (eval.phase.images) {
        std::printf("tested    %llu images in %.1f s: %.1f images/s\n",
                    static_cast<unsigned long long>(eval.phase.images), eval.phase.seconds,
                    eval.phase.images_per_second());
        std::printf("accuracy  %.2f %% (%llu/%llu, %llu without prediction)\n", 100.0 * eval.accuracy(),
                    static_cast<unsigned long long>(eval.correct), static_cast<unsigned long long>(eval.phase.images),
                    static_cast<unsigned long long>(eval.no_prediction));
      }
    }
    const std::string member_files =
        members > 1 ? " and members/0.." + std::to_string(members - 1) + "/{checkpoint.bin, receptive_fields.png}" : "";
    if (config.crossbar.ir_drop != "none") {
      std::printf("ir drop   %s: %llu W_eff builds, %llu exact solves, %llu sweeps, max residual %.2g, %.1f s in "
                  "the solver\n",
                  config.crossbar.ir_drop.c_str(), static_cast<unsigned long long>(ir.weff_builds),
                  static_cast<unsigned long long>(ir.exact_solves), static_cast<unsigned long long>(ir.sweeps),
                  ir.max_residual, ir.seconds);
    }
    if (net.device_path && !train_reports.empty() && train_reports[0].phase.images) {
      const PhaseReport& p = train_reports[0].phase;
      const double images = static_cast<double>(p.images);
      std::printf("devices   training: %.0f pulses/image (%.0f up, %.0f down), %.3g J/image programming, %.3g J/image "
                  "reading\n",
                  static_cast<double>(p.device.pot_pulses + p.device.dep_pulses) / images,
                  static_cast<double>(p.device.pot_pulses) / images, static_cast<double>(p.device.dep_pulses) / images,
                  p.device.program_energy_J / images, p.device.read_energy_J / images);
    }
    std::printf("wrote     %s/{config.json, metrics.json%s, receptive_fields.png}%s\n", out_dir.c_str(),
                load_path.empty() ? ", checkpoint.bin" : "", member_files.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("snn_gpu_train",
                           "Train and test a spiking network with memristor-crossbar synapses (default: Diehl & Cook "
                           "2015 on the embedded MNIST digits).");
  // clang-format off
  options.add_options()
    ("config", "JSON config file (a full description, or {\"base\": preset, ...overrides})", cxxopts::value<std::string>())
    ("preset", "Preset network: " + memsnn::preset_names(), cxxopts::value<std::string>()->default_value("diehl_cook_2015"))
    ("data", "Folder of IDX files (train-images-idx3-ubyte[.gz], ...); default: the embedded 10,000 MNIST digits", cxxopts::value<std::string>())
    ("split", "Split of the embedded digits: fixed (memsnn's, docs/data.md) or bindsnet (classes 0-9 concatenated, numpy RandomState(0).permutation, first 8,000 for training: BindsNET's order)", cxxopts::value<std::string>()->default_value("fixed"))
    ("backend", "auto, cpu or cuda", cxxopts::value<std::string>()->default_value("auto"))
    ("neurons", "Size of every non-input population", cxxopts::value<uint32_t>())
    ("train-samples", "Training images per epoch (0 = all)", cxxopts::value<uint32_t>())
    ("test-samples", "Test images (0 = all)", cxxopts::value<uint32_t>())
    ("epochs", "Passes over the training images", cxxopts::value<uint32_t>())
    ("batch-size", "Mini-batch of layer networks (training.batch_size; docs/supervised.md)", cxxopts::value<uint32_t>())
    ("seed", "Seed of every random draw", cxxopts::value<uint64_t>())
    ("device", "Memristor device: a preset (" + device_presets_text() + ") or a JSON device object (docs/devices.md)", cxxopts::value<std::string>())
    ("ensemble", "Networks learning the same images at once, member k with seed + k (default: protocol.ensemble, 1)", cxxopts::value<uint32_t>())
    ("out", "Output folder", cxxopts::value<std::string>()->default_value("runs/latest"))
    ("threads", "CPU threads for inference and ensemble members (0 = all cores)", cxxopts::value<unsigned>()->default_value("0"))
    ("load", "Evaluate this checkpoint instead of training", cxxopts::value<std::string>())
    ("progress", "Progress display: auto (bar on a terminal) or lines", cxxopts::value<std::string>()->default_value("auto"))
    ("quiet", "Print nothing but errors")
    ("h,help", "Show this help");
  // clang-format on
  return memsnn::app_main("snn_gpu_train", options, argc, argv,
                          [&](const cxxopts::ParseResult& args) { return run(args); });
}
