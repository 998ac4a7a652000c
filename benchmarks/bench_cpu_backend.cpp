// CPU reference backend throughput on the Diehl & Cook network with real digits: training
// (one network, image after image) and frozen inference (images spread over threads).
// Reports images/s (items) and sample-steps/s. Inputs rotate through 256 digits so caches
// do not flatter; nothing is timed on zeros.
#include <benchmark/benchmark.h>

#include "backend/cpu_backend.hpp"
#include "config/network_config.hpp"
#include "data/dataset.hpp"
#include "sim/scheduler.hpp"

#include "bench_common.hpp"

using namespace memsnn;

namespace {

using bench::digits;
using bench::dc_network;
using bench::kImages;
using bench::set_rates;

void BM_cpu_train_image(benchmark::State& state) {
  if (!digits()) return state.SkipWithError("embedded MNIST digits not installed");
  const Network net = dc_network(state.range(0));
  const EncodedSet set = encode_dataset(net, digits()->train, kImages);
  CpuBackend backend(net, 1);
  bench::time_training(state, backend, set);
}

void BM_cpu_infer_batch(benchmark::State& state) {
  if (!digits()) return state.SkipWithError("embedded MNIST digits not installed");
  const Network net = dc_network(state.range(0));
  const EncodedSet set = encode_dataset(net, digits()->test, kImages);
  CpuBackend backend(net, static_cast<unsigned>(state.range(1)));
  std::vector<PresentationRequest> requests;
  for (uint32_t s = 0; s < kImages; ++s) requests.push_back({set.image(s), s, Phase::kTest});
  std::vector<PresentationResult> results(kImages);
  uint64_t images = 0, steps = 0;
  for (auto _ : state) {
    backend.infer(requests, results);
    images += kImages;
    for (const auto& r : results) steps += sample_steps(net, r, false);
  }
  set_rates(state, images, steps);
}

}  // namespace

BENCHMARK(BM_cpu_train_image)->Name("train_image/cpu")->Arg(100)->Arg(400)->Unit(benchmark::kMillisecond)->MinTime(3.0);
BENCHMARK(BM_cpu_infer_batch)->Name("infer_batch/cpu")->Args({100, 1})->Args({100, 2})->Args({400, 2})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

BENCHMARK_MAIN();
