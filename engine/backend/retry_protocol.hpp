// The presentation protocol of Diehl & Cook (2015), shared by every backend: present an
// image; if the learning layer fired fewer than min_spikes, rest and present it again
// with the maximum input rate raised by retry_rate_step_hz (up to max_retries times).
#pragma once

#include <algorithm>
#include <cstdint>

#include "backend/backend.hpp"

namespace memsnn {

// present(max_rate_hz, attempt, counts) runs one presentation and returns the learning
// layer's spike total and the input spike total; between() rests or resets before a
// retry (what follows the accepted attempt is the caller's business).
template <typename Present, typename Between>
void run_with_retries(const Network& net, Present&& present, Between&& between, PresentationResult& out) {
  const EncoderConfig& enc = net.config.encoder;
  out.counts.assign(net.n_neurons(), 0u);
  out.attempts = 0;
  out.input_spikes = 0;
  out.layer_spikes = 0;
  out.gave_up = false;
  out.device = DeviceTally{};
  for (uint32_t attempt = 0;; ++attempt) {
    std::fill(out.counts.begin(), out.counts.end(), 0u);
    const double rate = enc.max_rate_hz + attempt * enc.retry_rate_step_hz;
    const auto [layer, inputs] = present(rate, attempt, out.counts);
    out.attempts = attempt + 1;
    out.layer_spikes += layer;
    out.input_spikes += inputs;
    if (layer >= enc.min_spikes) return;
    if (attempt >= enc.max_retries) {
      out.gave_up = true;
      return;
    }
    between();
  }
}

}  // namespace memsnn
