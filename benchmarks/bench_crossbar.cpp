// Crossbar circuit solvers (IR drop) on a 784 x N array, N = 100, 400, 1600: 1 ohm wire
// segments, ideal source and sense, cells uniform in 1-10 uS (G_min 1e-6 S, G_max 1e-5 S),
// inputs uniform in [0, 1) V. The same names for cpu and cuda:
//   crossbar_direct/cpu   sparse factorisation + one solve (N = 100, 400; 1600 is minutes)
//   crossbar_relax/*      one input vector (cpu) or a batch of 256 (cuda, host arrays in
//                         and out); rate = vectors/s, s_per_rhs, sweeps = worst sweep count
//   crossbar_weff/*       W_eff from min(M, N) unit solves, untiled; cpu on one thread,
//                         cuda from device weights (CUDA-event timing)
// Without a device the cuda ones report SkipWithError("no CUDA device: ...").
#include <benchmark/benchmark.h>

#include <algorithm>
#include <span>
#include <vector>

#include "core/rng.hpp"
#include "crossbar/crossbar_solve.hpp"
#include "crossbar/direct_solver.hpp"
#include "crossbar/relaxation_solver.hpp"

#ifdef MEMSNN_WITH_CUDA
#include "backend/cuda_probe.hpp"
#include "kernels/crossbar_launch.hpp"
#include "kernels/cuda_crossbar.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/gpu_buffer.hpp"
#endif

using namespace memsnn;

namespace {

constexpr uint32_t kRows = 784;
constexpr double kGMin = 1e-6, kGMax = 1e-5;  // S
constexpr size_t kVectors = 16;               // cpu inputs rotate through these
constexpr uint32_t kCudaBatch = 256;

CrossbarCircuit circuit(int64_t n) { return {kRows, static_cast<uint32_t>(n), 1.0, 1.0, 0.0, 0.0}; }

double unit(uint32_t stream, size_t k) {
  return u32_to_unit_float(random_u32(2024, stream, 0, static_cast<uint32_t>(k >> 32), static_cast<uint32_t>(k)));
}

// Normalised weights in [0, 1) and their conductances.
std::vector<float> weights(const CrossbarCircuit& c) {
  std::vector<float> w(size_t{c.rows} * c.cols);
  for (size_t k = 0; k < w.size(); ++k) w[k] = static_cast<float>(unit(1, k));
  return w;
}
std::vector<double> conductances(const CrossbarCircuit& c) {
  std::vector<double> g;
  for (const float w : weights(c)) g.push_back(kGMin + static_cast<double>(w) * (kGMax - kGMin));
  return g;
}
std::vector<double> voltages(size_t count) {
  std::vector<double> v(count * kRows);
  for (size_t k = 0; k < v.size(); ++k) v[k] = unit(2, k);
  return v;
}

void set_solve_counters(benchmark::State& state, double rhs, double sweeps) {
  state.SetItemsProcessed(static_cast<int64_t>(rhs));
  state.counters["s_per_rhs"] = benchmark::Counter(rhs, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["sweeps"] = sweeps;
}

void BM_cpu_direct(benchmark::State& state) {
  const CrossbarCircuit c = circuit(state.range(0));
  const auto g = conductances(c);
  const auto v = voltages(1);
  std::vector<double> out(c.cols);
  size_t unknowns = 0;
  for (auto _ : state) {
    const DirectSolver s(c, g);
    s.solve(v, out);
    unknowns = s.unknowns();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["unknowns"] = static_cast<double>(unknowns);
}
BENCHMARK(BM_cpu_direct)->Name("crossbar_direct/cpu")->Arg(100)->Arg(400)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_cpu_relax(benchmark::State& state) {
  const CrossbarCircuit c = circuit(state.range(0));
  const RelaxationSolver s(c, conductances(c));
  const auto v = voltages(kVectors);
  std::vector<double> out(c.cols);
  double rhs = 0, sweeps = 0;
  uint32_t worst = 0;
  for (auto _ : state) {
    const size_t k = static_cast<size_t>(rhs) % kVectors;
    const RelaxStats st = s.solve(std::span(v).subspan(k * kRows, kRows), out);
    rhs += 1;
    sweeps += st.iterations;
    worst = std::max(worst, st.iterations);
  }
  set_solve_counters(state, rhs, worst);
  state.counters["mean_sweeps"] = sweeps / std::max(rhs, 1.0);
}
BENCHMARK(BM_cpu_relax)->Name("crossbar_relax/cpu")->Arg(100)->Arg(400)->Arg(1600)->Unit(benchmark::kMillisecond);

void BM_cpu_weff(benchmark::State& state) {
  const CrossbarCircuit c = circuit(state.range(0));
  const auto g = conductances(c);
  std::vector<double> w(g.size());
  RelaxStats st;
  for (auto _ : state) st = effective_weights(c, g, w, CrossbarSolveSpec{});
  set_solve_counters(state, static_cast<double>(state.iterations()) * std::min(c.rows, c.cols), st.iterations);
}
BENCHMARK(BM_cpu_weff)->Name("crossbar_weff/cpu")->Arg(100)->Arg(400)->Unit(benchmark::kMillisecond)->Iterations(1);

#ifdef MEMSNN_WITH_CUDA

bool skip_without_device(benchmark::State& state) {
  const CudaProbe probe = probe_cuda();
  if (probe.devices > 0) return false;
  state.SkipWithError(probe.error.c_str());  // "no CUDA device: <driver message>"
  return true;
}

// A batch through the host-array API (uploads, factorisation, sweeps, read-back): wall time.
void BM_cuda_relax(benchmark::State& state) {
  if (skip_without_device(state)) return;
  const CrossbarCircuit c = circuit(state.range(0));
  const auto g = conductances(c);
  const auto v = voltages(kCudaBatch);
  std::vector<double> out(size_t{kCudaBatch} * c.cols);
  RelaxStats st = cuda_crossbar_currents(c, g, v, out, CrossbarSolveSpec{});  // warm-up
  for (auto _ : state) st = cuda_crossbar_currents(c, g, v, out, CrossbarSolveSpec{});
  set_solve_counters(state, static_cast<double>(state.iterations()) * kCudaBatch, st.iterations);
}
BENCHMARK(BM_cuda_relax)->Name("crossbar_relax/cuda")->Arg(100)->Arg(400)->Arg(1600)->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// W_eff from device weights to device weights, timed by CUDA events on the caller's stream.
void BM_cuda_weff(benchmark::State& state) {
  if (skip_without_device(state)) return;
  const CrossbarCircuit c = circuit(state.range(0));
  const auto w = weights(c);
  GpuBuffer<float> d_w(w.size(), "benchmark weights"), d_out(w.size(), "benchmark W_eff");
  d_w.upload(w.data(), w.size());
  CudaStream stream;
  CudaEvent start, stop;
  const ConductanceRange range{kGMin, kGMax};
  RelaxStats st = cuda_effective_weights(c, d_w.data(), range, d_out.data(), {}, stream.get());  // warm-up
  for (auto _ : state) {
    start.record(stream.get());
    st = cuda_effective_weights(c, d_w.data(), range, d_out.data(), {}, stream.get());
    stop.record(stream.get());
    stop.synchronize();
    state.SetIterationTime(elapsed_ms(start, stop) * 1e-3);
  }
  set_solve_counters(state, static_cast<double>(state.iterations()) * std::min(c.rows, c.cols), st.iterations);
}
BENCHMARK(BM_cuda_weff)->Name("crossbar_weff/cuda")->Arg(100)->Arg(400)->Arg(1600)->Unit(benchmark::kMillisecond)
    ->UseManualTime();

#endif  // MEMSNN_WITH_CUDA

}  // namespace

BENCHMARK_MAIN();
