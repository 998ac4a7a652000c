// A checkpoint made ready to evaluate, the same way for every program that reads one
// (snn_gpu_train --load, snn_infer): its config resolved for one network, the network built
// for the images' shape, the learnt state put into a backend. Every error names the file.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "backend/backend.hpp"
#include "config/network_config.hpp"
#include "io/checkpoint.hpp"
#include "network/network.hpp"

namespace memsnn {

struct CheckpointNetwork {
  std::string path;
  Checkpoint checkpoint;
  NetworkConfig config;  // the checkpoint's, with protocol.ensemble 1 and the caller's edits
  std::string config_source() const { return path + ": checkpoint config"; }
};

// Reads `path` (DataError naming it) and resolves its config: `adjust` edits the document
// first (command-line overrides), then protocol.ensemble becomes 1, as a checkpoint holds one
// network. ConfigError "<path>: checkpoint config: ...".
CheckpointNetwork load_checkpoint_network(const std::string& path,
                                          const std::function<void(nlohmann::json&)>& adjust = {});

// The checkpoint's network for images of rows x cols. A network for other images (its input
// population's size) is a ConfigError naming the file; a state whose inputs differ from its
// own network's, a DataError naming it.
Network build_checkpoint_network(const CheckpointNetwork& ck, uint32_t rows, uint32_t cols);

// backend.set_state(the checkpoint's state); DataError naming the file when it does not fit.
void restore_checkpoint_state(Backend& backend, const CheckpointNetwork& ck);

}  // namespace memsnn
