// The backends the parity tests run one test body on, against the serial CPU reference:
//   serial_host    CpuBackend on the serial executor (the reference itself, through a
//                  second instance: the body's own consistency),
//   threaded_host  CpuBackend on the threaded host executor (exec/host_block.hpp: 32
//                  cooperative threads with real barriers, indices in shuffled order), the
//                  way a CUDA thread block runs the step; runs in CI,
//   cuda           CudaBackend; skipped without a CUDA build or a device.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "apps/backend_factory.hpp"
#include "backend/cpu_backend.hpp"
#include "backend/cuda_probe.hpp"
#include "network/network.hpp"

namespace memsnn::fixtures {

enum class BackendKind { kSerialHost, kThreadedHost, kCuda };

inline std::string backend_name(BackendKind k) {
  return k == BackendKind::kSerialHost ? "serial_host" : k == BackendKind::kThreadedHost ? "threaded_host" : "cuda";
}

struct TestBackendOptions {
  unsigned threads = 1;         // host: inference workers and ensemble members in parallel
  uint32_t ensemble = 1;
  uint32_t infer_batch = 1024;  // cuda: images per launch
};

inline HostExecutorOptions threaded_host_executor() {
  HostExecutorOptions o;
  o.threaded = true;
  o.block.threads = 32;
  o.block.order = HostThreadOrder::kShuffled;
  o.block.shuffle_seed = 2024;
  return o;
}

// Why `kind` cannot run here ("" when it can).
inline std::string backend_unavailable(BackendKind kind) {
  if (kind != BackendKind::kCuda) return "";
  const CudaProbe probe = probe_cuda();  // a build without CUDA answers "no CUDA ..." too
  return probe.devices > 0 ? "" : probe.error;
}

inline std::unique_ptr<Backend> make_backend(BackendKind kind, const Network& net, const TestBackendOptions& o = {}) {
  switch (kind) {
    case BackendKind::kSerialHost: return std::make_unique<CpuBackend>(net, o.threads, o.ensemble);
    case BackendKind::kThreadedHost:
      return std::make_unique<CpuBackend>(net, o.threads, o.ensemble, threaded_host_executor());
    case BackendKind::kCuda: {
      memsnn::BackendOptions c;
      c.ensemble = o.ensemble;
      c.infer_batch = o.infer_batch;
      return memsnn::make_backend("cuda", net, c).backend;
    }
  }
  return nullptr;
}

// The parameter every parity test takes, with readable instance names.
class BackendParityTest : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override {
    const std::string why = backend_unavailable(GetParam());
    if (!why.empty()) GTEST_SKIP() << why;
  }
  std::unique_ptr<Backend> backend(const Network& net, const TestBackendOptions& o = {}) const {
    return make_backend(GetParam(), net, o);
  }
};

inline std::string backend_param_name(const ::testing::TestParamInfo<BackendKind>& p) {
  return backend_name(p.param);
}

#define MEMSNN_INSTANTIATE_BACKEND_PARITY(Suite)                                                          \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                                               \
                           ::testing::Values(::memsnn::fixtures::BackendKind::kSerialHost,                \
                                             ::memsnn::fixtures::BackendKind::kThreadedHost,              \
                                             ::memsnn::fixtures::BackendKind::kCuda),                     \
                           ::memsnn::fixtures::backend_param_name)

}  // namespace memsnn::fixtures
