// Training and evaluating layer networks from snn_gpu_train (apps/layer_network_run.hpp).
#include "apps/layer_network_run.hpp"

#include "apps/app_main.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>

#include "config/config_document.hpp"
#include "core/error.hpp"
#include "data/dataset.hpp"
#include "deep/layer_checkpoint.hpp"
#include "deep/layer_trainer.hpp"
#include "io/atomic_file.hpp"
#include "sim/progress.hpp"

namespace memsnn {
namespace {

using nlohmann::json;

json evaluation_to_json(const LayerEvaluation& e, uint32_t classes) {
  json confusion = json::array();
  for (uint32_t y = 0; y < classes && !e.confusion.empty(); ++y) {
    confusion.push_back(std::vector<uint64_t>(e.confusion.begin() + y * classes, e.confusion.begin() + (y + 1) * classes));
  }
  return {{"images", e.images},
          {"loss", e.loss},
          {"accuracy_spikes", e.accuracy_spikes},
          {"accuracy_membrane", e.accuracy_membrane},
          {"spikes_per_neuron_step", e.spikes_per_neuron_step},
          {"confusion_by_spikes", confusion}};
}

uint64_t parameter_count(const LayerNetParams& p) {
  uint64_t n = 0;
  for (const auto& l : p.layers) n += l.weights.size() + l.bias.size();
  return n;
}

}  // namespace

void apply_layer_overrides(const cxxopts::ParseResult& args, json& doc) {
  for (const char* option : {"neurons", "device", "ensemble"}) {
    if (args.count(option)) {
      throw ConfigError(std::string("--") + option + " applies to the STDP networks, not to layer networks (set the layers in the config)");
    }
  }
  if (args.count("train-samples")) config_object(doc, "training")["train_samples"] = args["train-samples"].as<uint32_t>();
  if (args.count("test-samples")) config_object(doc, "training")["test_samples"] = args["test-samples"].as<uint32_t>();
  if (args.count("epochs")) config_object(doc, "training")["epochs"] = args["epochs"].as<uint32_t>();
  if (args.count("batch-size")) config_object(doc, "training")["batch_size"] = args["batch-size"].as<uint32_t>();
  if (args.count("seed")) doc["seed"] = args["seed"].as<uint64_t>();
}

int run_layer_network(const cxxopts::ParseResult& args, const json& doc, const std::string& load_path) {
  const bool quiet = args.count("quiet") > 0;
  ProgressMode progress_mode = quiet ? ProgressMode::kQuiet : ProgressMode::kAuto;
  if (!quiet && args["progress"].as<std::string>() == "lines") progress_mode = ProgressMode::kLines;
  const std::string backend = args["backend"].as<std::string>();
  if (backend == "cuda") {
    throw ConfigError("--backend cuda: layer networks run on the CPU in this version (docs/supervised.md)");
  }
  const std::string out_dir = args["out"].as<std::string>();

  std::optional<LayerCheckpoint> loaded;
  LayerNetConfig config;
  if (!load_path.empty()) {
    loaded = load_layer_checkpoint(load_path);
    config = loaded->config;
    if (args.count("test-samples")) config.training.test_samples = args["test-samples"].as<uint32_t>();
    if (args.count("batch-size")) config.training.batch_size = args["batch-size"].as<uint32_t>();
  } else {
    config = layer_net_config_from_json(doc);
  }

  const auto t_data = std::chrono::steady_clock::now();
  const std::string data_arg = args.count("data") ? args["data"].as<std::string>() : "";
  const DataSplit data = load_data(data_arg, embedded_split(args));
  const double data_seconds = seconds_since(t_data);
  const TensorShape input = image_shape(data.train);
  const uint32_t classes = 10;  // the readers accept labels 0..9
  if (loaded) {
    // A dense network takes any image of as many pixels; one with spatial layers its shape.
    const TensorShape want = loaded->params.input;
    const bool flat = want.height == 1 && want.channels == 1;
    if (flat ? want.size() != input.size() : !(want == input)) {
      throw DataError(load_path + ": the network takes " + shape_text(want) + " inputs, the data's images are " +
                      shape_text(input) + " (" + std::to_string(input.size()) + " pixels)");
    }
  }
  LayerTrainer trainer = loaded ? LayerTrainer(config, loaded->params, classes) : LayerTrainer(config, input, classes);
  ensure_directory(out_dir);
  // config.json, metrics.json and the checkpoint (4 bytes a parameter), generously.
  require_free_space(out_dir, 4 * parameter_count(trainer.params()) + (1u << 20), "config.json, metrics.json, checkpoint.bin");

  const json resolved = layer_net_config_to_json(config);
  if (!quiet) {
    std::printf("memsnn snn_gpu_train\n  backend       cpu (layer networks run on the CPU in this version)\n");
    std::printf("  network       %s: %s", config.name.c_str(), shape_text(input).c_str());
    for (const LayerShape& l : layer_shapes(config, trainer.params().input)) std::printf(" -> %s", shape_text(l.out).c_str());
    std::printf(", %u steps, %s input, %llu parameters\n", config.steps,
                layer_net_config_to_json(config)["input"]["coding"].get<std::string>().c_str(),
                static_cast<unsigned long long>(parameter_count(trainer.params())));
    std::printf("  training      %s, %s lr %g, batch %u, %u epoch(s)\n", resolved["training"]["loss"].get<std::string>().c_str(),
                resolved["training"]["optimizer"]["type"].get<std::string>().c_str(), config.training.optimizer.lr,
                config.training.batch_size, loaded ? 0u : config.training.epochs);
    std::printf("  seed          %llu\n", static_cast<unsigned long long>(config.seed));
    std::printf("  data          %s (%zu train, %zu test images, loaded in %.1f s)\n", data.train.source.c_str(),
                data.train.size(), data.test.size(), data_seconds);
    std::printf("  output        %s\n", out_dir.c_str());
    std::fflush(stdout);
  }
  json run_info = {{"backend", "cpu"}, {"data", data.train.source}, {"started", now_text()}};
  write_file_atomic(out_dir + "/config.json", json{{"config", resolved}, {"run", run_info}}.dump(2) + "\n");

  json epochs = json::array();
  const auto progress_for = [&](Progress& p) {
    return [&p](uint64_t done, uint64_t, double acc) {
      char note[48];
      std::snprintf(note, sizeof note, "acc %.1f%%", 100.0 * acc);
      p.update(done, note);
    };
  };
  const auto write_metrics = [&](const LayerEvaluation* last_test) {
    json m = {{"network", config.name}, {"epochs", epochs}};
    if (last_test) m["test"] = evaluation_to_json(*last_test, classes);
    write_file_atomic(out_dir + "/metrics.json", m.dump(2) + "\n");
  };
  const uint32_t n_epochs = loaded ? 0 : config.training.epochs;
  LayerEvaluation test;
  for (uint32_t epoch = 0; epoch < n_epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t n_train = images_used(config.training.train_samples, data.train);
    Progress train_bar("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(n_epochs), n_train, progress_mode);
    const LayerEvaluation train = trainer.train_epoch(data.train, epoch, progress_for(train_bar));
    const double train_seconds = seconds_since(t0);
    train_bar.finish();
    const auto t1 = std::chrono::steady_clock::now();
    const uint64_t n_test = images_used(config.training.test_samples, data.test);
    Progress test_bar("test", n_test, progress_mode);
    test = trainer.evaluate(data.test, config.training.test_samples, progress_for(test_bar));
    const double test_seconds = seconds_since(t1);
    test_bar.finish();
    epochs.push_back({{"epoch", epoch + 1},
                      {"lr", scheduled_lr(config.training, epoch)},
                      {"train", evaluation_to_json(train, classes)},
                      {"test", evaluation_to_json(test, classes)},
                      {"train_seconds", train_seconds},
                      {"train_samples_per_second", static_cast<double>(train.images) / train_seconds},
                      {"test_seconds", test_seconds}});
    // Every epoch: the checkpoint first, then the metrics that describe it.
    save_layer_checkpoint(out_dir + "/checkpoint.bin",
                          {config, trainer.params(), {{"epochs_trained", epoch + 1}, {"written", now_text()}}});
    write_metrics(&test);
    if (!quiet) {
      std::printf("epoch %u   loss %.4f, train %.2f %% (spikes) in %.1f s (%.1f samples/s); test %.2f %% by spikes, "
                  "%.2f %% by membrane\n",
                  epoch + 1, train.loss, 100.0 * train.accuracy_spikes, train_seconds,
                  static_cast<double>(train.images) / train_seconds, 100.0 * test.accuracy_spikes,
                  100.0 * test.accuracy_membrane);
      std::fflush(stdout);
    }
  }
  if (loaded) {
    const auto t1 = std::chrono::steady_clock::now();
    Progress test_bar("test", data.test.size(), progress_mode);
    test = trainer.evaluate(data.test, config.training.test_samples, progress_for(test_bar));
    test_bar.finish();
    if (!quiet) {
      std::printf("tested    %llu images in %.1f s\naccuracy  %.2f %% by spikes, %.2f %% by membrane\n",
                  static_cast<unsigned long long>(test.images), seconds_since(t1), 100.0 * test.accuracy_spikes,
                  100.0 * test.accuracy_membrane);
    }
    write_metrics(&test);
  }
  if (!quiet) {
    std::printf("wrote     %s/{config.json, metrics.json%s}\n", out_dir.c_str(), loaded ? "" : ", checkpoint.bin");
  }
  return 0;
}

}  // namespace memsnn
