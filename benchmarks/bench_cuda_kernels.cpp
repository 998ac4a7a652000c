// CUDA kernels and backend on the Diehl & Cook network: the same names as
// bench_cpu_backend with `cuda`, CUDA-event timing (UseManualTime) for single kernels, and
// wall time for whole backend calls (they synchronise). Without a device every benchmark
// reports SkipWithError("no CUDA device: ...") instead of a number. Names follow
// bench_cpu_backend: train_image/cuda beside train_image/cpu.
#include <benchmark/benchmark.h>

#include <vector>

#include "backend/cuda_probe.hpp"
#include "config/network_config.hpp"
#include "data/dataset.hpp"
#include "kernels/cuda_backend.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/gpu_buffer.hpp"
#include "kernels/gpu_instances.hpp"
#include "kernels/simulate_launch.hpp"
#include "sim/scheduler.hpp"

#include "bench_common.hpp"

using namespace memsnn;

namespace {

using bench::digits;
using bench::dc_network;
using bench::kImages;
using bench::set_rates;

bool skip_without_device(benchmark::State& state) {
  const CudaProbe probe = probe_cuda();
  if (probe.devices > 0) return false;
  state.SkipWithError(probe.error.c_str());  // "no CUDA device: <driver message>"
  return true;
}

// Column normalisation of a 784 x N crossbar (the shared step's normalize_columns in one
// block): one launch, timed by CUDA events.
void BM_cuda_normalize_columns(benchmark::State& state) {
  if (skip_without_device(state)) return;
  const Network net = dc_network(state.range(0));
  const StepNetwork step = make_step_network(net);
  const uint32_t n = net.n_neurons();
  CudaStream stream;
  GpuInstances instances(step, 1, false, stream.get());
  GpuBuffer<float> g(784u * n, "benchmark conductances");
  std::vector<float> host(g.size(), 0.1f);
  g.upload(host.data(), host.size());
  GpuBuffer<uint32_t> first(1, "benchmark instance list");
  const uint32_t zero = 0;
  first.upload(&zero, 1);
  InstanceArrays arrays = instances.arrays();
  arrays.g = g.data();
  CudaEvent start, stop;
  for (auto _ : state) {
    start.record(stream.get());
    launch_normalize_columns(step, arrays, first.data(), 1, 78.0, 0, stream.get());
    stop.record(stream.get());
    stop.synchronize();
    state.SetIterationTime(elapsed_ms(start, stop) * 1e-3);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 784 * n);
}
BENCHMARK(BM_cuda_normalize_columns)->Name("normalize_columns/cuda")->Arg(100)->Arg(400)->Arg(1600)->Arg(6400)->UseManualTime();

// Exact training, image after image (one instance): the whole backend call.
void BM_cuda_train_image(benchmark::State& state) {
  if (skip_without_device(state)) return;
  if (!digits()) return state.SkipWithError("embedded MNIST digits not installed");
  const Network net = dc_network(state.range(0));
  const EncodedSet set = encode_dataset(net, digits()->train, kImages);
  CudaBackend backend(net, {});
  bench::time_training(state, backend, set);
}
BENCHMARK(BM_cuda_train_image)->Name("train_image/cuda")->Arg(100)->Arg(400)->Arg(1600)->Arg(6400)->Unit(benchmark::kMillisecond)->UseRealTime();

// Frozen inference of a batch of B images at once.
void BM_cuda_infer_batch(benchmark::State& state) {
  if (skip_without_device(state)) return;
  if (!digits()) return state.SkipWithError("embedded MNIST digits not installed");
  const Network net = dc_network(state.range(0));
  const auto batch = static_cast<uint32_t>(state.range(1));
  const EncodedSet set = encode_dataset(net, digits()->test, kImages);
  CudaBackendOptions options;
  options.infer_batch = batch;
  CudaBackend backend(net, options);
  std::vector<PresentationRequest> requests(batch);
  std::vector<PresentationResult> results(batch);
  for (uint32_t k = 0; k < batch; ++k) requests[k] = {set.image(k % kImages), k, Phase::kTest};
  backend.infer(requests, results);  // warm-up
  uint64_t images = 0, steps = 0;
  for (auto _ : state) {
    backend.infer(requests, results);
    images += batch;
    for (const auto& r : results) steps += sample_steps(net, r, false);
  }
  set_rates(state, images, steps);
}
BENCHMARK(BM_cuda_infer_batch)->Name("infer_batch/cuda")
    ->Args({100, 256})->Args({100, 1024})->Args({400, 1024})->Args({1600, 1024})->Args({6400, 256})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
