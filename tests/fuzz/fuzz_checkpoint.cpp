// Fuzz target: a checkpoint file, then its config as --load reads it: the STDP checkpoint
// (io/checkpoint.hpp) and the layer-network checkpoint (deep/layer_checkpoint.hpp); each input
// goes to both readers (each refuses the other's magic at once).
//
// Most mutations break the CRC, and the reader stops there. So each input is read twice:
// as given (the CRC check itself), and with its last 4 bytes replaced by the CRC of the
// rest, which lets mutations of the header and the arrays reach the checks behind it.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "config/network_config.hpp"
#include "deep/layer_checkpoint.hpp"
#include "fuzz_support.hpp"
#include "io/checkpoint.hpp"

namespace {

void load(const std::string& path) {
  memsnn::fuzz::expect_documented_errors([&] {
    const memsnn::Checkpoint ck = memsnn::load_checkpoint(path);
    memsnn::config_from_json(ck.config);
  });
  memsnn::fuzz::expect_documented_errors([&] {
    const memsnn::LayerCheckpoint ck = memsnn::load_layer_checkpoint(path);
    memsnn::layer_net_config_from_json(memsnn::layer_net_config_to_json(ck.config));
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  load(memsnn::fuzz::write_temp("checkpoint.bin", data, size));
  if (size < 4) return 0;
  std::string fixed(reinterpret_cast<const char*>(data), size);
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), data, static_cast<uInt>(size - 4));
  for (int i = 0; i < 4; ++i) fixed[size - 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  load(memsnn::fuzz::write_temp("checkpoint.bin", fixed));
  return 0;
}
