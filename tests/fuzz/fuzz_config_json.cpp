// Fuzz target: a network config file, read as the apps read `--config` (read_json_file,
// then "base" presets merged in, then every key checked), and written back and read again:
// an STDP network, or a layer network when the document has "layers" (snn_gpu_train's
// choice).
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "config/network_config.hpp"
#include "deep/layer_net_config.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = memsnn::fuzz::write_temp("config.json", data, size);
  memsnn::fuzz::expect_documented_errors([&] {
    const nlohmann::json doc = memsnn::resolve_config_document(memsnn::read_json_file(path));
    // A config that was accepted must survive its own round trip.
    if (memsnn::is_layer_network(doc)) {
      const memsnn::LayerNetConfig c = memsnn::layer_net_config_from_json(doc);
      memsnn::layer_net_config_from_json(memsnn::layer_net_config_to_json(c));
    } else {
      const memsnn::NetworkConfig c = memsnn::config_from_json(doc);
      memsnn::config_from_json(memsnn::config_to_json(c));
    }
  });
  return 0;
}
