// Checkpoints: the resolved config plus the learnt state (crossbar conductances, adaptive
// thresholds, labels), written atomically and read back to evaluate again.
//
// File layout (little-endian): "MEMSNNCK" | u32 version (1) | u64 json_len | JSON header
// (config, sizes, conductance range in S, units) | f32 g[n_inputs * n_neurons] (normalised
// conductance, [input][neuron]) | f64 theta[n_theta] (mV) | i32 labels[n_neurons] |
// u32 crc32 of everything before it (zlib).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "network/network.hpp"

namespace memsnn {

struct Checkpoint {
  nlohmann::json config;  // config_to_json of the network that produced it
  NetworkState state;
  nlohmann::json info;    // free-form: samples trained, commit, time
};

void save_checkpoint(const std::string& path, const Checkpoint& ck);

// Throws DataError naming the file: missing, bad magic, unsupported version, truncated,
// sizes inconsistent with the header, CRC mismatch.
Checkpoint load_checkpoint(const std::string& path);

}  // namespace memsnn
