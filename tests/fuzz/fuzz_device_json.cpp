// Fuzz target: a device description (docs/devices.md), a preset name or an object, as
// it appears under "device" in a config or in snn_device's input; then its round trip.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "device/device_json.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Not JSON: nothing for device_from_json to see (its callers parse first).
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  memsnn::fuzz::expect_documented_errors([&] {
    const memsnn::DeviceSpec spec = memsnn::device_from_json(j, "device");
    memsnn::device_from_json(memsnn::device_to_json(spec), "device");
  });
  return 0;
}
