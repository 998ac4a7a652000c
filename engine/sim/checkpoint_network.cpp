#include "sim/checkpoint_network.hpp"

#include "config/config_document.hpp"
#include "core/error.hpp"

namespace memsnn {

CheckpointNetwork load_checkpoint_network(const std::string& path,
                                          const std::function<void(nlohmann::json&)>& adjust) {
  CheckpointNetwork ck;
  ck.path = path;
  ck.checkpoint = load_checkpoint(path);
  nlohmann::json doc = ck.checkpoint.config;
  ck.config = with_config_source(ck.config_source(), [&] {
    if (adjust) adjust(doc);
    config_object(doc, "protocol")["ensemble"] = 1;
    return config_from_json(doc);
  });
  return ck;
}

Network build_checkpoint_network(const CheckpointNetwork& ck, uint32_t rows, uint32_t cols) {
  Network net = with_config_source(ck.config_source(), [&] { return build_network(ck.config, rows, cols); });
  if (ck.checkpoint.state.n_inputs != net.n_inputs) {
    throw DataError(ck.path + ": the checkpoint's state has " + std::to_string(ck.checkpoint.state.n_inputs) +
                    " inputs, its network " + std::to_string(net.n_inputs) + " for images of " +
                    std::to_string(rows) + "x" + std::to_string(cols));
  }
  return net;
}

void restore_checkpoint_state(Backend& backend, const CheckpointNetwork& ck) {
  try {
    backend.set_state(ck.checkpoint.state);
  } catch (const std::exception& e) {
    throw DataError(ck.path + ": " + e.what());
  }
}

}  // namespace memsnn
