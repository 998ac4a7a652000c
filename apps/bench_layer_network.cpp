// snn_bench's supervised mode (apps/bench_layer_network.hpp).
#include "apps/bench_layer_network.hpp"

#include "apps/app_main.hpp"

#include <chrono>
#include <cstdio>

#include "deep/layer_trainer.hpp"

namespace memsnn {
namespace {

using nlohmann::json;

}  // namespace

json bench_layer_network(const json& doc, const DataSplit& data, const LayerBenchOptions& opt) {
  LayerNetConfig config = layer_net_config_from_json(doc);
  if (opt.batch) config.training.batch_size = opt.batch;
  const TensorShape input = image_shape(data.train);
  if (!opt.quiet) {
    std::printf("memsnn snn_bench: layer network %s, %u steps, batch %u, %s input; train %u images, infer %u\n",
                config.name.c_str(), config.steps, config.training.batch_size,
                layer_net_config_to_json(config)["input"]["coding"].get<std::string>().c_str(), opt.train_images, opt.infer_images);
  }
  json rows = json::array();
  std::printf("\n%-5s %-6s %8s %10s %12s %14s\n", "back", "mode", "images", "images/s", "ms/image", "sample-steps/s");
  for (const std::string& backend : opt.backends) {
    if (backend != "cpu") {
      std::printf("%s: unavailable (layer networks run on the CPU in this version)\n", backend.c_str());
      rows.push_back({{"backend", backend}, {"available", false}});
      continue;
    }
    LayerTrainer trainer(config, input, 10);
    const auto cell = [&](const char* mode, uint64_t images, double seconds) {
      const double rate = static_cast<double>(images) / seconds;
      std::printf("%-5s %-6s %8llu %10.1f %12.3f %14.3g\n", backend.c_str(), mode, static_cast<unsigned long long>(images),
                  rate, 1000.0 / rate, rate * config.steps);
      rows.push_back({{"backend", backend},
                      {"mode", mode},
                      {"images", images},
                      {"seconds", seconds},
                      {"images_per_second", rate},
                      {"ms_per_image", 1000.0 / rate},
                      {"sample_steps_per_second", rate * config.steps},
                      {"batch", config.training.batch_size},
                      {"steps", config.steps}});
    };
    if (opt.train_images) {
      // Whole epochs over the first train_images images (cycled when the data has fewer),
      // until the images asked or max_seconds.
      LayerNetConfig c = config;
      c.training.train_samples = opt.train_images;
      LayerTrainer t(c, input, 10);
      t.evaluate(data.train, c.training.batch_size);  // warm-up, untimed: code and data into the caches
      uint64_t done = 0;
      const auto t0 = std::chrono::steady_clock::now();
      for (uint32_t epoch = 0; done < opt.train_images && (done == 0 || seconds_since(t0) < opt.max_seconds); ++epoch) {
        done += t.train_epoch(data.train, epoch).images;
      }
      cell("train", done, seconds_since(t0));
    }
    if (opt.infer_images) {
      trainer.evaluate(data.test, config.training.batch_size);  // warm-up, untimed
      const auto t0 = std::chrono::steady_clock::now();
      const LayerEvaluation e = trainer.evaluate(data.test, opt.infer_images);
      cell("infer", e.images, seconds_since(t0));
    }
  }
  std::printf("\nsample-steps: images x %u time steps. train: forward, BPTT and the optimiser, batch %u, one thread.\n",
              config.steps, config.training.batch_size);
  return rows;
}

}  // namespace memsnn
