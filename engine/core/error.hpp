// Error types thrown by the engine. Library code never exits; apps catch these and
// print one line naming the file, key or size, then exit non-zero.
#pragma once

#include <stdexcept>
#include <string>

namespace memsnn {

// A configuration key is unknown, has the wrong type, or is out of range.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A data, checkpoint or device file is missing, truncated or malformed.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A backend cannot run the request (no device, out of memory, unsupported network).
class BackendError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace memsnn
