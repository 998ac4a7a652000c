// GPU: the Poisson input kernel draws exactly the CPU's spikes (label gpu; skipped
// without a device).
#include <gtest/gtest.h>

#include <vector>

#include <cuda_runtime.h>

#include "backend/cuda_probe.hpp"
#include "kernels/cuda_check.hpp"
#include "kernels/poisson_input.hpp"
#include "model/poisson.hpp"

using namespace memsnn;

TEST(CudaPoisson, SpikesEqualTheCpuDrawsBitForBit) {
  const CudaProbe probe = probe_cuda();
  if (probe.devices == 0) GTEST_SKIP() << "no CUDA device: " << probe.error;
  constexpr uint32_t kInputs = 784, kSteps = 700, kSample = 12345;
  constexpr uint64_t kSeed = 42;
  const uint32_t stream = input_stream(0, 1);
  std::vector<uint32_t> thresholds(kInputs);
  for (uint32_t i = 0; i < kInputs; ++i) thresholds[i] = pixel_threshold((i * 37) % 256, 63.75 * 4, 0.5e-3);

  uint32_t* d_thr = nullptr;
  uint8_t* d_spikes = nullptr;
  CUDA_CHECK(cudaMalloc(&d_thr, kInputs * sizeof(uint32_t)));
  CUDA_CHECK(cudaMalloc(&d_spikes, kInputs * kSteps));
  CUDA_CHECK(cudaMemcpy(d_thr, thresholds.data(), kInputs * sizeof(uint32_t), cudaMemcpyHostToDevice));
  launch_poisson_input(d_thr, kInputs, kSeed, stream, kSample, 0, kSteps, d_spikes, nullptr);
  std::vector<uint8_t> gpu(kInputs * kSteps);
  CUDA_CHECK(cudaMemcpy(gpu.data(), d_spikes, gpu.size(), cudaMemcpyDeviceToHost));
  CUDA_CHECK(cudaFree(d_thr));
  CUDA_CHECK(cudaFree(d_spikes));

  size_t mismatches = 0, spikes = 0;
  for (uint32_t t = 0; t < kSteps; ++t) {
    for (uint32_t i = 0; i < kInputs; ++i) {
      const uint8_t cpu = random_u32(kSeed, stream, kSample, t, i) < thresholds[i] ? 1 : 0;
      spikes += cpu;
      mismatches += cpu != gpu[t * kInputs + i];
    }
  }
  std::printf("device %s: %zu spikes, %zu mismatches\n", probe.device_name.c_str(), spikes, mismatches);
  EXPECT_GT(spikes, 0u);
  EXPECT_EQ(mismatches, 0u);
}
