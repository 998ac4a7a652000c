// Learning through devices in the simulate kernel (net.device_path): the crossbar writes of
// one step through device/device_programming.hpp's program_cell, and the crossbar read with
// read noise and read energy, as CpuSimulation's write_cell, apply_stdp, apply_window_stdp
// and read_crossbar do them.
//
// Why they match the CPU bit for bit: every cell is written by one thread with the CPU's
// request (dw, trace, polarity), its noise drawn by the same counters (the member's seed,
// the projection, the write phase, the device clock, the cell), the pre-spike writes of a
// step before its post-spike writes; each column's read sums the spiking rows in the
// CPU's (ascending) order with the same float operations; each spiking row's read energy
// sums its cells in double over ascending columns on one thread. Pulse counts are integers
// and add exactly; only the order in which energies of different cells add differs (each
// thread keeps its own DeviceTally, the block sums them at the end), hence energies agree
// to rounding, not bit for bit.
//
// Block is block_relaxation.hpp's policy (simulate.cu's DeviceBlock, or a host emulation):
//   b.for_each(count, f)  f(k) for every k < count, each k on one thread, then all wait.
// `mine` is the calling thread's tally.
#pragma once

#include <cstddef>
#include <cstdint>

#include "device/device_programming.hpp"
#include "kernels/block_relaxation.hpp"
#include "model/stdp.hpp"
#include "model/window_stdp.hpp"

namespace memsnn {

// What a step's device writes and reads are keyed by.
struct DeviceStepKey {
  uint64_t seed = 0;       // the member's seed (faults, spread, write and read noise)
  uint32_t clock = 0;      // device clock of this step (CpuSimulation::m_device_clock)
  ReadNoiseKey read;       // clock_read_key while learning, else image_read_key
};

// One write of one cell through the device model (device_programming.hpp's write_cell, the
// CPU's too) with this step's keys.
MEMSNN_HOST_DEVICE inline float device_write(const DeviceProgramming& p, const DeviceStepKey& key, uint32_t cell,
                                             float w, float dw, float trace, WritePhase phase, DeviceTally& mine) {
  return write_cell(p, key.seed, key.clock, cell, w, dw, trace, phase, &mine);
}

// Trace STDP's writes of one step: depression of the spiking inputs' rows by post1 (the
// CPU's pre phase), then potentiation of the spiking neurons' columns by pre (post phase).
// pre[i] of the spiking inputs must already be 1 for the post phase (the CPU sets it first).
template <class Block>
MEMSNN_BLOCK_FN void device_stdp_pre_writes(Block& b, const DeviceProgramming& p, const DeviceStepKey& key,
                                            const StdpConstants& c, float* g, uint32_t n, const uint32_t* inputs,
                                            uint32_t n_inputs_spiked, const float* post1, DeviceTally& mine) {
  b.for_each(n, [&](uint32_t j) {
    const float dw = stdp_dw_on_pre(c, post1[j]);
    for (uint32_t s = 0; s < n_inputs_spiked; ++s) {
      const uint32_t cell = inputs[s] * n + j;
      g[cell] = device_write(p, key, cell, g[cell], dw, post1[j], WritePhase::kPreSpike, mine);
    }
  });
}

template <class Block>
MEMSNN_BLOCK_FN void device_stdp_post_writes(Block& b, const DeviceProgramming& p, const DeviceStepKey& key,
                                             const StdpConstants& c, float* g, uint32_t n, uint32_t n_in,
                                             const uint32_t* post, uint32_t n_post, const float* pre,
                                             const float* post2, DeviceTally& mine) {
  for (uint32_t k = 0; k < n_post; ++k) {
    const uint32_t j = post[k];
    const float p2 = post2[j];
    b.for_each(n_in, [&](uint32_t i) {
      const uint32_t cell = i * n + j;
      g[cell] = device_write(p, key, cell, g[cell], stdp_dw_on_post(c, pre[i], p2), pre[i], WritePhase::kPostSpike,
                             mine);
    });
  }
}

// The window rule's writes (post spikes only, no trace): CpuSimulation::apply_window_stdp
// after last_pre holds this step's input spikes.
template <class Block>
MEMSNN_BLOCK_FN void device_window_writes(Block& b, const DeviceProgramming& p, const DeviceStepKey& key,
                                          const WindowStdpConstants& c, const float* table, uint64_t clock, float* g,
                                          uint32_t n, uint32_t n_in, const uint32_t* post, uint32_t n_post,
                                          const uint64_t* last_pre, DeviceTally& mine) {
  for (uint32_t k = 0; k < n_post; ++k) {
    const uint32_t j = post[k];
    b.for_each(n_in, [&](uint32_t i) {
      const uint32_t cell = i * n + j;
      g[cell] = device_write(p, key, cell, g[cell], window_dw(c, table, clock - last_pre[i]), 0.0f,
                             WritePhase::kPostSpike, mine);
    });
  }
}

// CpuSimulation::read_crossbar through devices: target[j] += each spiking row's cell with
// read noise I = V G (1 + sigma z) (the G_min reference column cancels G_min's mean
// current, not its noise); then each spiking row's read energy.
template <class Block>
MEMSNN_BLOCK_FN void device_read(Block& b, const DeviceProgramming& p, const DeviceStepKey& key, const float* read,
                                 uint32_t n, const uint32_t* inputs, uint32_t n_inputs_spiked, float* target,
                                 DeviceTally& mine) {
  const double sigma = p.nonideal.read_sigma;
  const float reference_w = reference_weight(p);
  b.for_each(n, [&](uint32_t j) {
    float acc = target[j];
    for (uint32_t s = 0; s < n_inputs_spiked; ++s) {
      const uint32_t i = inputs[s];
      const float w = read[static_cast<size_t>(i) * n + j];
      if (sigma == 0.0) {
        acc += w;
        continue;
      }
      const float f = read_noise_factor(key.seed, key.read, i * n + j, sigma);
      acc += noisy_cell_read(w, f, reference_w);
    }
    target[j] = acc;
  });
  b.for_each(n_inputs_spiked, [&](uint32_t s) {
    const float* row = read + static_cast<size_t>(inputs[s]) * n;
    double sum = 0.0;
    for (uint32_t j = 0; j < n; ++j) sum += row[j];
    mine.read_energy_J += row_read_energy(p, sum, n);
  });
}

}  // namespace memsnn
