// gpu_probe: the CUDA runtime and driver versions and device 0, and one tiny kernel run for
// the architecture it was built for, independent of memsnn (tools/gpu_check.sh builds it
// with nvcc before anything else, so a driver/runtime mismatch or a missing kernel image
// shows in seconds, not after the build). Exit status 0 when the kernel ran and wrote back
// what it should, 1 otherwise, with one line naming the failing call.
#include <cstdio>

#include <cuda_runtime.h>

namespace {

__global__ void probe_kernel(int* out) { out[threadIdx.x] = static_cast<int>(threadIdx.x) * 3 + 1; }

bool check(cudaError_t err, const char* call) {
  if (err == cudaSuccess) return true;
  std::printf("gpu_probe: %s failed: %s (%s)\n", call, cudaGetErrorString(err), cudaGetErrorName(err));
  return false;
}

}  // namespace

int main() {
  int runtime = 0, driver = 0, count = 0;
  if (!check(cudaRuntimeGetVersion(&runtime), "cudaRuntimeGetVersion")) return 1;
  if (!check(cudaDriverGetVersion(&driver), "cudaDriverGetVersion")) return 1;
  std::printf("cuda runtime %d.%d, driver supports up to %d.%d\n", runtime / 1000, (runtime % 1000) / 10,
              driver / 1000, (driver % 1000) / 10);
  if (!check(cudaGetDeviceCount(&count), "cudaGetDeviceCount")) return 1;
  std::printf("devices: %d\n", count);
  if (count == 0) {
    std::printf("gpu_probe: no CUDA device\n");
    return 1;
  }
  cudaDeviceProp p{};
  if (!check(cudaGetDeviceProperties(&p, 0), "cudaGetDeviceProperties")) return 1;
  size_t free_bytes = 0, total_bytes = 0;
  if (!check(cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo")) return 1;
  std::printf("device 0: %s, compute capability %d.%d, %d SMs, %.1f GiB (%.1f GiB free), "
              "%zu KiB shared memory per block (opt-in %zu KiB), %d registers per block\n",
              p.name, p.major, p.minor, p.multiProcessorCount, total_bytes / 1073741824.0,
              free_bytes / 1073741824.0, p.sharedMemPerBlock / 1024, p.sharedMemPerBlockOptin / 1024,
              p.regsPerBlock);
  constexpr int kThreads = 64;
  int* d = nullptr;
  if (!check(cudaMalloc(&d, kThreads * sizeof(int)), "cudaMalloc")) return 1;
  probe_kernel<<<1, kThreads>>>(d);
  if (!check(cudaGetLastError(), "probe_kernel launch")) return 1;
  if (!check(cudaDeviceSynchronize(), "probe_kernel run")) return 1;
  int h[kThreads] = {};
  if (!check(cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost), "cudaMemcpy")) return 1;
  cudaFree(d);
  for (int i = 0; i < kThreads; ++i) {
    if (h[i] != i * 3 + 1) {
      std::printf("gpu_probe: the kernel wrote %d at %d, expected %d\n", h[i], i, i * 3 + 1);
      return 1;
    }
  }
  std::printf("gpu_probe: a kernel ran on device 0\n");
  return 0;
}
