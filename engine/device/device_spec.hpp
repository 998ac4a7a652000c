// A resolved device: the DeviceModel every cell uses plus ownership of any table data its
// raw pointers refer to. Copies share the (immutable) table, so a copy's pointers stay valid.
#pragma once

#include <memory>
#include <string>

#include "device/device_model.hpp"
#include "device/device_table.hpp"

namespace memsnn {

struct DeviceSpec {
  DeviceModel model;
  std::shared_ptr<const DeviceTable> table;  // set for DeviceModelKind::kTable only
  std::string preset;                        // the preset it was built from, empty if none
};

// A table device over loaded data, with its nominal pulses (defaults: the Spikelearn 1T1R
// widths; 0.42 V gate / -1.42 V, about 1 % of the range per pulse at mid range, ours).
DeviceSpec make_table_device(std::shared_ptr<const DeviceTable> table, const Pulse& pot = Pulse{0.42, 10e-9, 1},
                             const Pulse& dep = Pulse{-1.42, 1e-9, 1});

}  // namespace memsnn
