// snn_bench: end-to-end throughput of one network configuration on each requested backend
// and size, in two modes: `train` (Backend::train image after image, the exact protocol)
// and `infer` (Backend::infer on batches with frozen weights). Prints one table with
// images/s, sample-steps/s and the GPU/CPU ratio; --json writes the same rows.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include "app_main.hpp"
#include "apps/backend_factory.hpp"
#include "apps/bench_layer_network.hpp"
#include "backend/cuda_probe.hpp"
#include "config/config_document.hpp"
#include "config/network_config.hpp"
#include "core/error.hpp"
#include "data/dataset.hpp"
#include "deep/layer_net_config.hpp"
#include "io/atomic_file.hpp"
#include "network/network.hpp"
#include "sim/scheduler.hpp"

namespace {

using nlohmann::json;
using namespace memsnn;
using Clock = std::chrono::steady_clock;


const std::vector<std::string> kBackendNames = {"cpu", "cuda"};
const std::vector<std::string> kModeNames = {"train", "infer", "ensemble"};

struct BenchOptions {
  std::vector<std::string> backends;
  std::vector<std::string> modes;
  std::vector<uint32_t> neurons;
  uint32_t train_images = 0;
  uint32_t infer_images = 0;
  uint32_t batch = 0;
  std::vector<uint32_t> ensembles;  // ensemble mode: one cell per size
  uint32_t warmup = 0;
  double max_seconds = 0.0;
  unsigned threads = 0;  // as given (0 = all cores)
  bool quiet = false;
};

struct Row {
  std::string backend;
  std::string hardware;
  std::string mode;
  uint32_t neurons = 0;
  uint32_t batch = 1;         // images per Backend call (train: always 1)
  unsigned threads = 0;       // cpu threads working on the cell; 0 = not a cpu row
  uint64_t asked = 0;
  uint64_t images = 0;
  uint64_t attempts = 0;      // presentations, retries included
  uint64_t sample_steps = 0;
  double seconds = 0.0;
  bool stopped = false;       // reached --max-seconds before `asked` images
  std::optional<double> ratio;  // cuda rows: images/s over the matching cpu row's

  double images_per_second() const { return seconds > 0 ? static_cast<double>(images) / seconds : 0.0; }
  double steps_per_second() const { return seconds > 0 ? static_cast<double>(sample_steps) / seconds : 0.0; }
};

std::vector<std::string> split_list(const std::string& text, const std::string& option) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.empty()) throw UsageError("--" + option + ": empty entry in \"" + text + "\"");
    items.push_back(item);
    start = comma + 1;
  }
  return items;
}

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : sep) + item;
  return s;
}

// Names from a closed set, duplicates dropped, order kept.
std::vector<std::string> parse_names(const std::string& text, const std::string& option,
                                     const std::vector<std::string>& valid) {
  std::vector<std::string> names;
  for (const auto& name : split_list(text, option)) {
    if (std::find(valid.begin(), valid.end(), name) == valid.end()) {
      throw UsageError("--" + option + ": unknown name \"" + name + "\"; valid: " + join(valid));
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

std::vector<uint32_t> parse_sizes(const std::string& text, const std::string& option) {
  std::vector<uint32_t> sizes;
  for (const auto& item : split_list(text, option)) {
    const bool digits = item.find_first_not_of("0123456789") == std::string::npos && item.size() <= 9;
    const unsigned long n = digits ? std::stoul(item) : 0;
    if (n == 0) throw UsageError("--" + option + ": \"" + item + "\" is not a size from 1 to 999999999");
    if (std::find(sizes.begin(), sizes.end(), n) == sizes.end()) sizes.push_back(static_cast<uint32_t>(n));
  }
  return sizes;
}

std::string command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool quote = arg.empty() || arg.find_first_of(" \t\"'") != std::string::npos;
    s += (i ? " " : "") + (quote ? "'" + arg + "'" : arg);
  }
  return s;
}

// What the binary was built with, without asking git.
json build_info(const CudaProbe& probe) {
  json b;
#if defined(__clang__)
  b["compiler"] = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  b["compiler"] = std::string("g++ ") + __VERSION__;
#else
  b["compiler"] = "unknown";
#endif
  b["cplusplus"] = static_cast<long>(__cplusplus);
#if defined(__OPTIMIZE__)
  b["optimized"] = true;
#else
  b["optimized"] = false;
#endif
#if defined(NDEBUG)
  b["assertions"] = false;
#else
  b["assertions"] = true;
#endif
  b["cuda_compiled"] = probe.compiled;
  return b;
}

// Image after image; the first `warmup` ones are trained but not timed.
void run_train(Backend& backend, const EncodedSet& set, const BenchOptions& opt, Row& row) {
  const Network& net = backend.network();
  PresentationResult r;
  for (uint32_t s = 0; s < opt.warmup; ++s) backend.train({set.image(s % set.size()), s, Phase::kTrain}, r);
  row.asked = opt.train_images;
  const auto t0 = Clock::now();
  for (uint32_t k = 0; k < opt.train_images; ++k) {
    const uint32_t sample = opt.warmup + k;
    backend.train({set.image(sample % set.size()), sample, Phase::kTrain}, r);
    ++row.images;
    row.attempts += r.attempts;
    row.sample_steps += sample_steps(net, r, true);
    row.seconds = seconds_since(t0);
    if (row.seconds >= opt.max_seconds && k + 1 < opt.train_images) {
      row.stopped = true;
      break;
    }
  }
}

// Ensemble mode: every call trains all members on one image (member k with seed + k).
// Images count member-images, so the rate compares with a single network's train rate.
void run_ensemble(Backend& backend, const EncodedSet& set, const BenchOptions& opt, Row& row) {
  const Network& net = backend.network();
  std::vector<PresentationResult> r(backend.ensemble_size());
  for (uint32_t s = 0; s < opt.warmup; ++s) backend.train_ensemble({set.image(s % set.size()), s, Phase::kTrain}, r);
  row.asked = static_cast<uint64_t>(opt.train_images) * r.size();
  const auto t0 = Clock::now();
  for (uint32_t k = 0; k < opt.train_images; ++k) {
    const uint32_t sample = opt.warmup + k;
    backend.train_ensemble({set.image(sample % set.size()), sample, Phase::kTrain}, r);
    for (const auto& m : r) {
      ++row.images;
      row.attempts += m.attempts;
      row.sample_steps += sample_steps(net, m, true);
    }
    row.seconds = seconds_since(t0);
    if (row.seconds >= opt.max_seconds && k + 1 < opt.train_images) {
      row.stopped = true;
      break;
    }
  }
}

// Batches of independent images from the initial weights, so every backend meets the same
// state whatever a train cell before it managed in its time.
void run_infer(Backend& backend, const EncodedSet& set, const BenchOptions& opt, Row& row) {
  const Network& net = backend.network();
  backend.set_state(initial_state(net));
  std::vector<PresentationRequest> requests;
  std::vector<PresentationResult> results;
  auto call = [&](uint64_t first, uint64_t count) {
    requests.resize(count);
    results.resize(count);
    for (uint64_t k = 0; k < count; ++k) {
      const auto sample = static_cast<uint32_t>(first + k);
      requests[k] = {set.image(sample % set.size()), sample, Phase::kTest};
    }
    backend.infer(requests, results);
  };
  // The smallest call that keeps every cpu thread busy; the rate guards --max-seconds.
  const uint64_t min_call = std::max<uint64_t>(1, row.threads);
  double rate = 0.0;
  if (opt.warmup > 0) {
    const uint64_t n = std::min<uint64_t>(opt.batch, std::max<uint64_t>(opt.warmup, min_call));
    const auto t_warm = Clock::now();
    call(0, n);
    rate = static_cast<double>(n) / std::max(seconds_since(t_warm), 1e-9);
  }
  row.asked = opt.infer_images;
  const auto t0 = Clock::now();
  while (row.images < row.asked) {
    uint64_t count = std::min<uint64_t>(opt.batch, row.asked - row.images);
    // A slow backend gets calls that fit in the time left rather than overshooting it.
    if (rate > 0) {
      const double left = opt.max_seconds - row.seconds;
      count = std::min(count, std::max(min_call, static_cast<uint64_t>(rate * std::max(left, 0.0))));
    }
    call(row.images, count);
    for (const auto& r : results) {
      row.attempts += r.attempts;
      row.sample_steps += sample_steps(net, r, false);
    }
    row.images += count;
    row.seconds = seconds_since(t0);
    rate = static_cast<double>(row.images) / std::max(row.seconds, 1e-9);
    if (row.seconds >= opt.max_seconds && row.images < row.asked) {
      row.stopped = true;
      break;
    }
  }
}

// The factory's messages speak to snn_gpu_train's --backend option; here the name leads.
std::string reason_text(const std::string& message, const std::string& backend) {
  const std::string prefix = "--backend " + backend + ": ";
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

std::string fit(const std::string& s, size_t width) {
  return s.size() <= width ? s : s.substr(0, width - 2) + "..";
}

void print_table(const std::vector<Row>& rows, const Network& net, const BenchOptions& opt) {
  std::printf("\n%-5s %-26s %-5s %6s %5s %7s %9s %8s %10s %14s %7s %8s\n", "back", "hardware", "mode", "N", "batch",
              "threads", "images", "seconds", "images/s", "sample-steps/s", "att/img", "gpu/cpu");
  bool any_stopped = false;
  for (const Row& r : rows) {
    const std::string images = std::to_string(r.images) + (r.stopped ? "*" : "");
    const std::string threads = r.threads ? std::to_string(r.threads) : "-";
    char ratio[32] = "";
    if (r.ratio) std::snprintf(ratio, sizeof ratio, "%.2fx", *r.ratio);
    std::printf("%-5s %-26s %-5s %6u %5u %7s %9s %8.2f %10.1f %14.3g %7.2f %8s\n", r.backend.c_str(),
                fit(r.hardware, 26).c_str(), r.mode.c_str(), r.neurons, r.batch, threads.c_str(), images.c_str(),
                r.seconds, r.images_per_second(), r.steps_per_second(),
                r.images ? static_cast<double>(r.attempts) / static_cast<double>(r.images) : 0.0, ratio);
    any_stopped = any_stopped || r.stopped;
  }
  const bool rests = net.between == BetweenImages::kRest && net.rest_steps > 0;
  std::printf("\nsample-steps: simulated %.2f ms steps summed over images: presentation steps of every attempt "
              "(retries included; %u per attempt in train, %u in infer)",
              net.dt_s * 1e3, net.presentation_steps, net.test_presentation_steps);
  if (rests) {
    std::printf(" + %u rest steps between attempts and, in train, after each image", net.rest_steps);
  } else if (net.config.protocol.between != "rest") {
    std::printf("; no rest steps (protocol.between = %s)", net.config.protocol.between.c_str());
  } else {
    std::printf("; no rest steps (protocol.rest_ms = 0)");
  }
  std::printf(".\natt/img: presentations per image (1 = no retry). infer runs the initial (untrained) weights.\n");
  std::printf("gpu/cpu: cuda images/s over cpu images/s for the same mode and N (ensemble: member-images/s over the cpu train row).\n");
  if (any_stopped) {
    std::printf("*: stopped at --max-seconds %g before the images asked; rates use the images done.\n",
                opt.max_seconds);
  }
}

json row_json(const Row& r) {
  return {{"backend", r.backend},
          {"hardware", r.hardware},
          {"mode", r.mode},
          {"neurons", r.neurons},
          {"batch", r.batch},
          {"threads", r.threads},
          {"images_asked", r.asked},
          {"images", r.images},
          {"stopped_early", r.stopped},
          {"attempts", r.attempts},
          {"sample_steps", r.sample_steps},
          {"seconds", r.seconds},
          {"images_per_s", r.images_per_second()},
          {"sample_steps_per_s", r.steps_per_second()},
          {"gpu_cpu_ratio", r.ratio ? json(*r.ratio) : json(nullptr)}};
}

int run(const cxxopts::ParseResult& args, const std::string& cmdline) {
  BenchOptions opt;
  opt.backends = parse_names(args["backends"].as<std::string>(), "backends", kBackendNames);
  opt.modes = parse_names(args["modes"].as<std::string>(), "modes", kModeNames);
  opt.neurons = parse_sizes(args["neurons"].as<std::string>(), "neurons");
  opt.train_images = args["train-images"].as<uint32_t>();
  opt.infer_images = args["infer-images"].as<uint32_t>();
  opt.batch = args["batch"].as<uint32_t>();
  opt.ensembles = parse_sizes(args["ensemble"].as<std::string>(), "ensemble");
  opt.warmup = args["warmup"].as<uint32_t>();
  opt.max_seconds = args["max-seconds"].as<double>();
  opt.threads = args["threads"].as<unsigned>();
  opt.quiet = args.count("quiet") > 0;
  if (!(opt.max_seconds > 0)) throw UsageError("--max-seconds must be above 0");
  if (opt.batch == 0) throw UsageError("--batch must be at least 1");
  if (opt.train_images == 0 && std::count(opt.modes.begin(), opt.modes.end(), "train")) {
    throw UsageError("--train-images must be at least 1 when --modes has train");
  }
  if (opt.infer_images == 0 && std::count(opt.modes.begin(), opt.modes.end(), "infer")) {
    throw UsageError("--infer-images must be at least 1 when --modes has infer");
  }

  // The base document: a config file (its errors are the file's, status 1) or a preset (an
  // unknown name is a usage error).
  json base;
  std::string source;
  if (args.count("config")) {
    source = args["config"].as<std::string>();
    base = resolve_config_document(read_json_file(source));
  } else {
    source = args["preset"].as<std::string>();
    try {
      base = preset_json(source);
    } catch (const ConfigError& e) {
      throw UsageError(std::string("--preset: ") + e.what());
    }
  }
  base.erase("description");
  if (args.count("seed")) base["seed"] = args["seed"].as<uint64_t>();

  const DataSplit data = load_data(args.count("data") ? args["data"].as<std::string>() : "");
  if (is_layer_network(base)) {  // trained by surrogate gradients: apps/bench_layer_network.cpp
    LayerBenchOptions lopt;
    lopt.backends = opt.backends;
    lopt.train_images = opt.train_images;
    lopt.infer_images = opt.infer_images;
    lopt.batch = args.count("batch") ? opt.batch : 0;
    lopt.max_seconds = opt.max_seconds;
    lopt.quiet = opt.quiet;
    const json rows = with_config_source(args.count("config") ? source : "", [&] { return bench_layer_network(base, data, lopt); });
    if (args.count("json")) {
      const std::string path = args["json"].as<std::string>();
      write_file_atomic(path, json{{"tool", "snn_bench"}, {"command_line", cmdline}, {"started", now_text()},
                                  {"build", build_info(probe_cuda())}, {"network", base}, {"rows", rows}}.dump(2) + "\n");
      if (!opt.quiet) std::printf("wrote %s\n", path.c_str());
    }
    return 0;
  }
  // One network and encoded image set per size: the same for every backend.
  struct Size {
    Network net;
    EncodedSet train;
    EncodedSet test;
  };
  std::vector<Size> sizes;
  for (const uint32_t n : opt.neurons) {
    json doc = base;
    for (auto& [name, pop] : doc["populations"].items()) {
      if (pop.value("type", "") != "poisson") pop["size"] = n;
    }
    Network net = build_network(config_from_json(doc), data.train.rows, data.train.cols);
    EncodedSet train = encode_dataset(net, data.train, opt.train_images);
    EncodedSet test = encode_dataset(net, data.test, opt.infer_images);
    if (train.size() == 0 || test.size() == 0) {
      throw DataError(data.train.source + ": no images left for the benchmark after protocol.classes");
    }
    sizes.push_back({std::move(net), std::move(train), std::move(test)});
  }
  const Network& net0 = sizes.front().net;
  const unsigned cpu_threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  const CudaProbe probe = probe_cuda();

  if (!opt.quiet) {
    std::printf("memsnn snn_bench: network %s (%s %s), seed %llu\n", net0.config.name.c_str(),
                args.count("config") ? "config" : "preset", source.c_str(),
                static_cast<unsigned long long>(net0.config.seed));
    std::printf("  data      %s: %zu train, %zu test images (cycled when fewer than asked)\n",
                data.train.source.c_str(), data.train.size(), data.test.size());
    std::printf("  protocol  %.0f ms presentation + %.0f ms %s, dt %.2f ms\n", net0.config.protocol.presentation_ms,
                net0.config.protocol.rest_ms, net0.config.protocol.between.c_str(), net0.config.dt_ms);
    std::printf("  cells     backends %s x N %s x modes %s\n", join(opt.backends, ",").c_str(),
                args["neurons"].as<std::string>().c_str(), join(opt.modes, ",").c_str());
    std::printf("  per cell  train %u images, infer %u images in calls of %u; %u warm-up images untimed; "
                "at most %g s\n",
                opt.train_images, opt.infer_images, opt.batch, opt.warmup, opt.max_seconds);
    if (std::count(opt.modes.begin(), opt.modes.end(), "ensemble")) {
      std::printf("  ensemble  %s networks at once (cuda)\n", args["ensemble"].as<std::string>().c_str());
    }
    std::fflush(stdout);
  }

  std::vector<Row> rows;
  json backends_json = json::array();
  json failures = json::array();
  for (const std::string& which : opt.backends) {
    json info = {{"name", which}};
    bool made = false;
    for (Size& size : sizes) {
      std::unique_ptr<Backend> backend;
      try {
        backend = make_backend(which, size.net, opt.threads).backend;
      } catch (const BackendError& e) {
        const std::string reason = reason_text(e.what(), which);
        if (!made) {
          // Not even the first size: the backend is missing here, not short of memory.
          std::printf("%s: unavailable (%s)\n", which.c_str(), reason.c_str());
          info["available"] = false;
          info["reason"] = reason;
          break;
        }
        std::printf("%s N=%u: cannot run (%s)\n", which.c_str(), size.net.n_neurons(), reason.c_str());
        failures.push_back({{"backend", which}, {"neurons", size.net.n_neurons()}, {"reason", reason}});
        continue;
      }
      if (!made) {
        made = true;
        info["available"] = true;
        info["hardware"] = backend->hardware_name();
        if (which == "cpu") info["threads"] = cpu_threads;
        if (!opt.quiet) std::printf("%s: %s\n", which.c_str(), backend->hardware_name().c_str());
      }
      // The cells of this backend and size: each mode once, ensemble once per size.
      std::vector<std::pair<std::string, uint32_t>> cells;
      for (const std::string& mode : opt.modes) {
        if (mode != "ensemble") {
          cells.emplace_back(mode, 1);
        } else if (which == "cuda") {  // cpu: its train row compares
          for (const uint32_t e : opt.ensembles) cells.emplace_back(mode, e);
        }
      }
      for (const auto& [mode, members] : cells) {
        Row row;
        row.backend = backend->name();
        row.hardware = backend->hardware_name();
        row.mode = mode;
        row.neurons = size.net.n_neurons();
        row.batch = mode == "infer" ? opt.batch : members;
        // Training one network is sequential on the cpu; inference spreads over threads.
        if (row.backend == "cpu") row.threads = mode == "infer" ? cpu_threads : 1;
        if (!opt.quiet) {
          std::printf("  %-5s %-5s N=%-6u%s ...", row.backend.c_str(), mode.c_str(), row.neurons,
                      mode == "ensemble" ? (" E=" + std::to_string(members)).c_str() : "");
          std::fflush(stdout);
        }
        try {
          if (mode == "train") {
            run_train(*backend, size.train, opt, row);
          } else if (mode == "ensemble") {
            // Its own backend: E members hold E copies of the state.
            BackendOptions eo;
            eo.threads = opt.threads;
            eo.ensemble = members;
            auto ensemble = make_backend(which, size.net, eo).backend;
            run_ensemble(*ensemble, size.train, opt, row);
          } else {
            run_infer(*backend, size.test, opt, row);
          }
        } catch (const BackendError& e) {
          if (opt.quiet) std::printf("%s %s N=%u:", which.c_str(), mode.c_str(), row.neurons);
          std::printf(" failed (%s)\n", e.what());
          failures.push_back({{"backend", which}, {"neurons", row.neurons}, {"mode", mode}, {"batch", row.batch},
                              {"reason", e.what()}});
          continue;
        }
        if (!opt.quiet) {
          std::printf(" %llu images in %.2f s%s\n", static_cast<unsigned long long>(row.images), row.seconds,
                      row.stopped ? " (stopped at --max-seconds)" : "");
          std::fflush(stdout);
        }
        rows.push_back(row);
      }
    }
    backends_json.push_back(info);
  }

  // Matching rows side by side: mode, then size, then backend, in the order asked.
  auto index_of = [](const auto& list, const auto& value) {
    return std::find(list.begin(), list.end(), value) - list.begin();
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    const auto ka = std::make_tuple(index_of(opt.modes, a.mode), index_of(opt.neurons, a.neurons),
                                    index_of(opt.backends, a.backend));
    const auto kb = std::make_tuple(index_of(opt.modes, b.mode), index_of(opt.neurons, b.neurons),
                                    index_of(opt.backends, b.backend));
    return ka < kb;
  });
  for (Row& r : rows) {
    if (r.backend != "cuda") continue;
    for (const Row& c : rows) {
      if (c.backend == "cpu" && c.mode == (r.mode == "ensemble" ? std::string("train") : r.mode) && c.neurons == r.neurons && c.images_per_second() > 0) {
        r.ratio = r.images_per_second() / c.images_per_second();
      }
    }
  }
  if (!rows.empty()) print_table(rows, net0, opt);

  if (args.count("json")) {
    const std::string path = args["json"].as<std::string>();
    json doc = {{"tool", "snn_bench"},
                {"command_line", cmdline},
                {"started", now_text()},
                {"build", build_info(probe)},
                {"host_threads", std::thread::hardware_concurrency()},
                {"cuda_probe", {{"compiled", probe.compiled}, {"devices", probe.devices},
                                {"gpu_name", probe.gpu_name}, {"error", probe.error}}},
                {"config", {{"name", net0.config.name}, {"source", source}, {"seed", net0.config.seed},
                            {"dt_ms", net0.config.dt_ms}, {"presentation_steps", net0.presentation_steps},
                            {"test_presentation_steps", net0.test_presentation_steps},
                            {"rest_steps", net0.rest_steps}, {"between", net0.config.protocol.between}}},
                {"data", {{"source", data.train.source}, {"train_images", data.train.size()},
                          {"test_images", data.test.size()}}},
                {"options", {{"backends", opt.backends}, {"modes", opt.modes}, {"neurons", opt.neurons},
                             {"train_images", opt.train_images}, {"infer_images", opt.infer_images},
                             {"batch", opt.batch}, {"ensemble", opt.ensembles}, {"warmup", opt.warmup},
                             {"max_seconds", opt.max_seconds},
                             {"threads", opt.threads}}},
                {"sample_steps_counted", "presentation steps of every attempt (retries included), rest steps "
                                         "between attempts, and in train the rest after each image"},
                {"backends", backends_json},
                {"failures", failures},
                {"rows", json::array()}};
    for (const Row& r : rows) doc["rows"].push_back(row_json(r));
    write_file_atomic(path, doc.dump(2) + "\n");
    if (!opt.quiet) std::printf("wrote %s\n", path.c_str());
  }
  if (rows.empty()) {
    std::fprintf(stderr, "snn_bench: error: no backend ran\n");
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("snn_bench",
                           "Throughput of one network on each backend (cpu, cuda) and size: train (image after "
                           "image, exact) and infer (batches, frozen weights).");
  // clang-format off
  options.add_options()
    ("config", "JSON config file (a full description, or {\"base\": preset, ...overrides})", cxxopts::value<std::string>())
    ("preset", "Preset network: " + memsnn::preset_names(), cxxopts::value<std::string>()->default_value("diehl_cook_2015"))
    ("data", "Folder of IDX files; default: the embedded 10,000 MNIST digits (8,000 train / 2,000 test)", cxxopts::value<std::string>())
    ("backends", "Comma-separated backends: cpu, cuda", cxxopts::value<std::string>()->default_value("cpu,cuda"))
    ("neurons", "Comma-separated sizes of every non-input population", cxxopts::value<std::string>()->default_value("100,400,1600,6400"))
    ("modes", "Comma-separated modes: train (Backend::train, one image after another), infer (Backend::infer batches), ensemble (cuda: --ensemble networks learning at once; compared with the cpu train row)", cxxopts::value<std::string>()->default_value("train,infer,ensemble"))
    ("ensemble", "Comma-separated numbers of networks trained at once in ensemble mode (one cell each)", cxxopts::value<std::string>()->default_value("64"))
    ("train-images", "Timed training images per cell", cxxopts::value<uint32_t>()->default_value("200"))
    ("infer-images", "Timed inference images per cell", cxxopts::value<uint32_t>()->default_value("1000"))
    ("batch", "Images per Backend::infer call (snn_gpu_train's scheduler uses 256); layer networks: the training and inference batch (default: the config's)", cxxopts::value<uint32_t>()->default_value("256"))
    ("warmup", "Untimed images before each cell (train: trained first; infer: one call)", cxxopts::value<uint32_t>()->default_value("4"))
    ("max-seconds", "Stop a cell once it has run this long and report the images done", cxxopts::value<double>()->default_value("20"))
    ("threads", "CPU threads for inference (0 = all cores)", cxxopts::value<unsigned>()->default_value("0"))
    ("seed", "Seed of every random draw (default: the config's)", cxxopts::value<uint64_t>())
    ("json", "Also write the rows, devices, build and command line to this JSON file", cxxopts::value<std::string>())
    ("quiet", "Print only the table and unavailable backends")
    ("h,help", "Show this help");
  // clang-format on
  return memsnn::app_main("snn_bench", options, argc, argv,
                          [&](const cxxopts::ParseResult& args) { return run(args, command_line(argc, argv)); });
}
