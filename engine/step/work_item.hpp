// One unit of work of one network instance, as every executor runs it: optionally jump to
// the resting state, optionally rest, then optionally present an image. The retry
// protocol (backend/retry_protocol.hpp) is a sequence of these.
#pragma once

#include <cstdint>

namespace memsnn {

struct WorkItem {
  uint32_t instance = 0;
  int32_t reset_first = 0;          // jump to the resting state first
  uint32_t rest_steps = 0;          // steps without input before the presentation
  const uint8_t* pixels = nullptr;  // n_inputs encoded pixels; nullptr: no presentation
  uint32_t steps = 0;               // presentation steps
  double max_rate_hz = 0.0;
  uint64_t seed = 0;                // the member's seed: input spikes and device noise
  uint32_t stream = 0;              // input_stream(phase, attempt)
  uint32_t sample = 0;
  int32_t learn = 0;                // learning rule and theta on (rest too)
};

}  // namespace memsnn
