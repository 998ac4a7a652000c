// JSON <-> DeviceSpec. A device is either a preset name ("neurosim_ag_a_si") or an object
//   {"type": "ideal|neurosim|discrete|chen_gap|table|vteam", ...parameters}
//   {"preset": "chen2015", ...overrides}      ("type" optional then; if given it must match)
// Every key is checked: unknown keys, wrong types and out-of-range values throw ConfigError
// naming the key path (e.g. "network.device.nl_ltp") and the allowed values or range; a bad
// table file throws DataError naming the key and the file. docs/devices.md lists every key.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "device/device_spec.hpp"

namespace memsnn {

// key_path: where the device sits in the document, used in error messages ("device" or
// "network.device").
DeviceSpec device_from_json(const nlohmann::json& j, const std::string& key_path);

// The resolved device, every parameter written out (a preset as its name plus its values), so
// that device_from_json(device_to_json(s)) rebuilds the same model.
nlohmann::json device_to_json(const DeviceSpec& spec);

}  // namespace memsnn
