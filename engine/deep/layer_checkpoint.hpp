// Checkpoints of layer networks, written atomically and read back to evaluate or continue.
//
// File layout (little-endian): "MEMSNNLN" | u32 version (1) | u64 json_len | JSON header
// ({"config": layer-network config, "info": {...}, "input": [channels, height, width],
// "layers": [{"n_in", "n_out"}, ...]}; files without "input" take a flat vector) |
// per layer: f32 weights[n_out][n_in], f32 bias[n_out], f32 beta, f32 threshold, f32 alpha
// (Synaptic layers; 0 for Leaky) |
// u32 crc32 of everything before it (zlib).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "deep/layer_net.hpp"

namespace memsnn {

struct LayerCheckpoint {
  LayerNetConfig config;
  LayerNetParams params;
  nlohmann::json info;  // free-form: epochs trained, accuracy
};

void save_layer_checkpoint(const std::string& path, const LayerCheckpoint& ck);

// Throws DataError naming the file: missing, bad magic, unsupported version, truncated or
// trailing bytes, a header whose config or sizes are invalid or disagree, CRC mismatch,
// parameters that are not finite.
LayerCheckpoint load_layer_checkpoint(const std::string& path);

// Whether the bytes start like a layer-network checkpoint (its magic).
bool is_layer_checkpoint(std::string_view first_bytes);

}  // namespace memsnn
