// Checkpoints: the resolved config plus the learnt state (crossbar conductances, adaptive
// thresholds, labels), written atomically and read back to evaluate again.
//
// File layout (little-endian): "MEMSNNCK" | u32 version (1) | u64 json_len | JSON header
// (config, sizes, conductance range in S, units) | f32 g[n_inputs * n_neurons] (normalised
// conductance, [input][neuron]) | f64 theta[n_theta] (mV) | i32 labels[n_neurons] |
// u32 crc32 of everything before it (zlib).
#pragma once

#include <cstdint>
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
// sizes inconsistent with the header, CRC mismatch, and values out of range (naming the
// array: conductances outside the normalised [0, 1], thresholds not finite, labels outside
// -1..9). save_checkpoint refuses the same values.
Checkpoint load_checkpoint(const std::string& path);

// Size of the file save_checkpoint writes for these sizes when its JSON header (config,
// info, sizes) takes header_json_bytes: for checking free space before a run.
uint64_t checkpoint_file_bytes(uint32_t n_inputs, uint32_t n_neurons, uint32_t n_theta, uint64_t header_json_bytes);

}  // namespace memsnn
