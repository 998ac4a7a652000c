// Networks whose spike rasters are known exactly, shared by the CPU tests and the GPU
// parity tests (architecture.md tier b).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "backend/backend.hpp"
#include "config/network_config.hpp"

namespace memsnn::known {

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

}  // namespace memsnn::known
