// Fixtures shared by the CPU tests and the GPU tests: a temporary folder, the skip for
// tests that need a CUDA device, synthetic images, training a backend on them, and networks
// whose spike rasters are known exactly (the exact tier of the parity tests).
#pragma once

#include <stdlib.h>  // mkdtemp (POSIX)
#include <sys/wait.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "backend/backend.hpp"
#include "backend/cuda_probe.hpp"
#include "config/network_config.hpp"
#include "core/rng.hpp"

// Skips the current test (or, in SetUp, every test of the fixture) when no CUDA device
// answers, saying why: "no CUDA device: <driver message>", or that the build has no CUDA.
#define MEMSNN_SKIP_WITHOUT_GPU()                                        \
  do {                                                                   \
    const ::memsnn::CudaProbe memsnn_probe_ = ::memsnn::probe_cuda();    \
    if (memsnn_probe_.devices == 0) GTEST_SKIP() << memsnn_probe_.error; \
  } while (0)

namespace memsnn::fixtures {

// A fresh folder under the system's temporary directory, removed with everything in it at
// destruction. mkdtemp makes the name unique across parallel test processes.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "memsnn_test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "_XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    m_path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return m_path; }
  std::string str() const { return m_path.string(); }
  // The path of `name` inside the folder.
  std::string file(const std::string& name) const { return (m_path / name).string(); }

 private:
  std::filesystem::path m_path;
};

// Digit-like synthetic images: a bright random blob per image, the rest dark.
inline std::vector<uint8_t> synthetic_images(size_t n, uint32_t pixels) {
  std::vector<uint8_t> images(n * pixels, 0);
  for (size_t s = 0; s < n; ++s) {
    for (uint32_t p = 0; p < pixels; ++p) {
      const uint32_t r = random_u32(5, 77, static_cast<uint32_t>(s), 0, p);
      if (r % 5 == 0) images[s * pixels + p] = static_cast<uint8_t>(128 + r % 128);
    }
  }
  return images;
}

// The first n images, trained one after another (sample = index).
inline std::vector<PresentationResult> train_images(Backend& backend, const std::vector<uint8_t>& images, size_t n) {
  std::vector<PresentationResult> results(n);
  for (size_t s = 0; s < n; ++s) {
    backend.train({images.data() + s * backend.network().n_inputs, static_cast<uint32_t>(s), Phase::kTrain},
                  results[s]);
  }
  return results;
}

// Frozen inference of the first n images (sample = index), one call.
inline std::vector<PresentationResult> infer_all(Backend& b, const std::vector<uint8_t>& images, size_t n) {
  std::vector<PresentationRequest> req;
  for (uint32_t s = 0; s < n; ++s) req.push_back({images.data() + s * b.network().n_inputs, s, Phase::kTest});
  std::vector<PresentationResult> r(n);
  b.infer(req, r);
  return r;
}

// A shell command's exit status (-1 if it did not exit normally), for tests of the apps.
inline int run_command(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Four inputs that spike every step (p = 1) through weights 0.25 drive one IF neuron by
// exactly 1 per step; input delivered at step t acts at t + 1, so v = 0,1,2,3 -> spike at
// step 3 (threshold 2.5), reset to 0, and again every 3 steps: steps 3, 6, ..., 27 in 30
// steps = 9 spikes, from 4 x 30 = 120 input spikes.
inline Network if_raster_network() {
  const nlohmann::json doc = nlohmann::json::parse(R"({
    "name": "raster", "dt_ms": 1.0,
    "populations": {"input": {"type": "poisson", "size": 4},
                    "out": {"type": "if", "size": 1, "v_rest_mV": 0, "v_reset_mV": 0, "v_thresh_mV": 2.5,
                            "refractory_ms": 0, "tau_ge_ms": 0, "tau_gi_ms": 0}},
    "projections": {"x": {"type": "dense_crossbar", "from": "input", "to": "out", "plastic": false}},
    "learning": {"type": "none", "normalize_sum": 0},
    "encoder": {"max_rate_hz": 1000, "min_spikes": 0, "max_retries": 0},
    "protocol": {"presentation_ms": 30, "rest_ms": 0}})");
  return build_network(config_from_json(doc), 2, 2);
}

// Sets the weights to 0.25 and tests one white image on `backend` (built on
// if_raster_network()).
inline PresentationResult run_if_raster(Backend& backend) {
  NetworkState s = backend.state();
  s.g.assign(4, 0.25f);
  backend.set_state(s);
  const std::vector<uint8_t> image(4, 255);
  std::vector<PresentationRequest> req = {{image.data(), 0, Phase::kTest}};
  std::vector<PresentationResult> res(1);
  backend.infer(req, res);
  return res[0];
}

}  // namespace memsnn::fixtures
