// Fuzz target: a network config file, read as the apps read `--config` (read_json_file,
// then "base" presets merged in, then every key checked), and written back and read again.
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "config/network_config.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = memsnn::fuzz::write_temp("config.json", data, size);
  memsnn::fuzz::expect_documented_errors([&] {
    const memsnn::NetworkConfig c = memsnn::config_from_json(memsnn::resolve_config_document(memsnn::read_json_file(path)));
    // A config that was accepted must survive its own round trip.
    memsnn::config_from_json(memsnn::config_to_json(c));
  });
  return 0;
}
