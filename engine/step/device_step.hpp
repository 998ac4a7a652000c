// Learning through devices in the shared step (network's device path): the crossbar writes
// of one step through device/device_programming.hpp's write_cell, and the crossbar read
// with read noise and read energy.
//
// Every cell is written by one thread with the rule's request (dw, trace, polarity), its
// noise drawn by counters alone (the member's seed, the projection, the write phase, the
// device clock, the cell), the pre-spike writes of a step before its post-spike writes.
// Pulses and energy go into per-row or per-column tallies that only the thread owning that
// row or column touches, and are summed in one fixed order when taken
// (instance_state.hpp's sum_tallies): the same bits on every executor.
//
// Block is exec/block_policy.hpp's policy.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/host_device.hpp"
#include "device/device_programming.hpp"
#include "model/stdp.hpp"
#include "model/window_stdp.hpp"

namespace memsnn {

// What a step's device writes and reads are keyed by.
struct DeviceStepKey {
  uint64_t seed = 0;   // the member's seed (faults, spread, write and read noise)
  uint32_t clock = 0;  // the instance's device clock at this step
  ReadNoiseKey read;   // clock_read_key while learning, else image_read_key
};

// Trace STDP's depression of the spiking inputs' rows by post1 (pre-spike writes),
// tallied by column.
template <class Block>
MEMSNN_BLOCK_FN void device_stdp_pre_writes(Block& b, const DeviceProgramming& p, const DeviceStepKey& key,
                                            const StdpConstants& c, float* g, uint32_t n, const uint32_t* inputs,
                                            uint32_t n_inputs_spiked, const float* post1, DeviceTally* tally_cols) {
  b.for_each_column(n_inputs_spiked, n, [&](uint32_t s, uint32_t j) {
    const uint32_t cell = inputs[s] * n + j;
    g[cell] = write_cell(p, key.seed, key.clock, cell, g[cell], stdp_dw_on_pre(c, post1[j]), post1[j],
                         WritePhase::kPreSpike, &tally_cols[j]);
  });
}

// Trace STDP's potentiation of the spiking neurons' columns by pre (post-spike writes),
// tallied by row. pre[i] of this step's spiking inputs must already be 1.
template <class Block>
MEMSNN_BLOCK_FN void device_stdp_post_writes(Block& b, const DeviceProgramming& p, const DeviceStepKey& key,
                                             const StdpConstants& c, float* g, uint32_t n, uint32_t n_in,
                                             const uint32_t* post, uint32_t n_post, const float* pre,
                                             const float* post2, DeviceTally* tally_rows) {
  if (n_post == 0) return;
  b.for_each(n_in, [&](uint32_t i) {
    for (uint32_t k = 0; k < n_post; ++k) {
      const uint32_t cell = i * n + post[k];
      g[cell] = write_cell(p, key.seed, key.clock, cell, g[cell], stdp_dw_on_post(c, pre[i], post2[post[k]]), pre[i],
                           WritePhase::kPostSpike, &tally_rows[i]);
    }
  });
}

// The window rule's writes (post spikes only, no trace) after last_pre holds this step's
// input spikes, tallied by row.
template <class Block>
MEMSNN_BLOCK_FN void device_window_writes(Block& b, const DeviceProgramming& p, const DeviceStepKey& key,
                                          const WindowStdpConstants& c, const float* table, uint64_t clock, float* g,
                                          uint32_t n, uint32_t n_in, const uint32_t* post, uint32_t n_post,
                                          const uint64_t* last_pre, DeviceTally* tally_rows) {
  if (n_post == 0) return;
  b.for_each(n_in, [&](uint32_t i) {
    const float dw = window_dw(c, table, clock - last_pre[i]);
    for (uint32_t k = 0; k < n_post; ++k) {
      const uint32_t cell = i * n + post[k];
      g[cell] = write_cell(p, key.seed, key.clock, cell, g[cell], dw, 0.0f, WritePhase::kPostSpike, &tally_rows[i]);
    }
  });
}

// The crossbar read through devices: target[j] += each spiking row's cell with read noise
// I = V G (1 + sigma z) (the G_min reference column cancels G_min's mean current, not its
// noise); then each spiking row's read energy (its cells summed in double, ascending).
template <class Block>
MEMSNN_BLOCK_FN void device_read(Block& b, const DeviceProgramming& p, const DeviceStepKey& key, const float* read,
                                 uint32_t n, const uint32_t* inputs, uint32_t n_inputs_spiked, float* target,
                                 DeviceTally* tally_rows) {
  const double sigma = p.nonideal.read_sigma;
  const float reference_w = reference_weight(p);
  if (sigma == 0.0) {
    b.for_each_column(n_inputs_spiked, n, [&](uint32_t s, uint32_t j) {
      target[j] += read[static_cast<size_t>(inputs[s]) * n + j];
    });
  } else {
    b.for_each_column(n_inputs_spiked, n, [&](uint32_t s, uint32_t j) {
      const uint32_t cell = inputs[s] * n + j;
      target[j] += noisy_cell_read(read[cell], read_noise_factor(key.seed, key.read, cell, sigma), reference_w);
    });
  }
  b.for_each(n_inputs_spiked, [&](uint32_t s) {
    const float* row = read + static_cast<size_t>(inputs[s]) * n;
    double sum = 0.0;
    for (uint32_t j = 0; j < n; ++j) sum += row[j];
    tally_rows[inputs[s]].read_energy_J += row_read_energy(p, sum, n);
  });
}

}  // namespace memsnn
