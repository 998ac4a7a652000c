// The presentation protocol of Diehl & Cook (2015), shared by every backend: present an
// image; if the learning layer fired fewer than min_spikes, rest and present it again
// with the maximum input rate raised by retry_rate_step_hz (up to max_retries times).
// A backend that runs many images at once (CUDA) drives the same three pieces per image:
// begin_presentation, attempt_rate, record_attempt.
#pragma once

#include <algorithm>
#include <cstdint>

#include "backend/backend.hpp"

namespace memsnn {

// A result ready for attempt 0.
inline void begin_presentation(const Network& net, PresentationResult& out) {
  out.counts.assign(net.n_neurons(), 0u);
  out.attempts = 0;
  out.input_spikes = 0;
  out.layer_spikes = 0;
  out.gave_up = false;
  out.device = DeviceTally{};
}

// The maximum input rate of an attempt [Hz].
inline double attempt_rate(const EncoderConfig& enc, uint32_t attempt) {
  return enc.max_rate_hz + attempt * enc.retry_rate_step_hz;
}

// Adds an attempt's spikes to `out` (its counts become the result's); true when the image
// goes again (too few spikes and retries left), and gave_up set when none are left.
inline bool record_attempt(const EncoderConfig& enc, uint32_t attempt, uint64_t layer, uint64_t inputs,
                           const uint32_t* counts, PresentationResult& out) {
  out.attempts = attempt + 1;
  out.layer_spikes += layer;
  out.input_spikes += inputs;
  std::copy(counts, counts + out.counts.size(), out.counts.begin());
  if (layer >= enc.min_spikes) return false;
  if (attempt >= enc.max_retries) {
    out.gave_up = true;
    return false;
  }
  return true;
}

// present(max_rate_hz, attempt, counts) runs one presentation into `counts` and returns
// the learning layer's spike total and the input spike total; between() rests or resets
// before a retry (what follows the accepted attempt is the caller's business).
template <typename Present, typename Between>
void run_with_retries(const Network& net, Present&& present, Between&& between, PresentationResult& out) {
  const EncoderConfig& enc = net.config.encoder;
  begin_presentation(net, out);
  std::vector<uint32_t> counts(out.counts.size());
  for (uint32_t attempt = 0;; ++attempt) {
    const auto [layer, inputs] = present(attempt_rate(enc, attempt), attempt, counts);
    if (!record_attempt(enc, attempt, layer, inputs, counts.data(), out)) return;
    between();
  }
}

}  // namespace memsnn
