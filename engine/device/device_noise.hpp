// Device non-idealities drawn from the counter-based generator (core/rng.hpp), so the CPU
// and CUDA backends give every cell the same noise, faults and spread:
//
//   cycle-to-cycle write noise  dG = sigma_c2c (G_max - G_min) sqrt(|n|) z   per write of
//                               n pulses, z ~ N(0, 1)   (NeuroSim V3.0 manual)      [S]
//   device-to-device spread     p_cell = p (1 + sigma_d2d z), z ~ N(0, 1) cut at +-3,
//                               per cell and parameter (NL, G_min, G_max)
//   read noise                  I = V G (1 + sigma_read z), fresh z per cell and read [A]
//   stuck-at faults             a cell is stuck at G_min with probability f_min and at
//                               G_max with probability f_max (HfO2 test chips: ~10 %)
//   power-law drift             G(t) = G0 (t / t0)^-nu for t > t0 (PCM: nu ~ 0.05-0.1)  [S]
//
// Counters {stream, sample, step, index}: the stream is kDeviceNoise with the kind in its
// second byte (input streams keep 1 in their low byte, so they never meet); sample
// carries the projection (and for writes the update phase), step the time step or the
// parameter, index the cell i * cols + j. Reads of a network that is not learning are
// keyed by the image instead of a clock (image_read_key).
#pragma once

#include <cmath>
#include <cstdint>

#include "core/host_device.hpp"
#include "core/rng.hpp"
#include "core/portable_math.hpp"

namespace memsnn {

enum class DeviceNoiseKind : uint32_t { kWrite = 1, kVariation = 2, kFault = 3, kRead = 4, kImageRead = 5 };

// Where in a step a cell is written; two writes of one cell in one step draw apart.
enum class WritePhase : uint32_t { kPreSpike = 0, kPostSpike = 1, kNormalise = 2 };

// Every switch off by default: an ideal device stays ideal.
struct DeviceNonIdealities {
  double c2c_sigma = 0.0;     // write noise, in units of (G_max - G_min) per sqrt(pulse)
  double d2d_sigma = 0.0;     // relative spread of the model's parameters per device
  double read_sigma = 0.0;    // relative read noise per read
  double stuck_at_min = 0.0;  // fraction of cells stuck at G_min
  double stuck_at_max = 0.0;  // fraction of cells stuck at G_max
  double drift_nu = 0.0;      // drift exponent
  double drift_t0_s = 1.0;    // time of programming reference (s)
  double drift_time_s = 0.0;  // time since programming when the network is read (s); 0 = no drift

  MEMSNN_HOST_DEVICE bool any_fault() const { return stuck_at_min > 0.0 || stuck_at_max > 0.0; }
};

// Largest spread accepted: with sigma <= 0.3 and z cut at 3, a parameter keeps its sign.
constexpr double kMaxD2dSigma = 0.3;
constexpr double kD2dCut = 3.0;

MEMSNN_HOST_DEVICE inline uint32_t device_stream(DeviceNoiseKind kind) {
  return static_cast<uint32_t>(Stream::kDeviceNoise) | (static_cast<uint32_t>(kind) << 8);
}

// The draws one write of one cell uses: a normal for the write noise and a uniform in
// [0, 1) for stochastic pulse rounding, from one Philox block.
struct WriteDraw {
  double normal = 0.0;
  float uniform = 0.0f;
};

MEMSNN_HOST_DEVICE inline WriteDraw write_draw(uint64_t seed, uint32_t projection, WritePhase phase, uint32_t step,
                                               uint32_t cell) {
  const auto r = philox_block(seed, device_stream(DeviceNoiseKind::kWrite),
                              (projection << 8) | static_cast<uint32_t>(phase), step, cell);
  WriteDraw d;
  d.normal = bits_to_normal(r.v[0], r.v[1]);
  d.uniform = u32_to_unit_float(r.v[2]);
  return d;
}

// Cycle-to-cycle noise of a write of `pulses` pulses (either sign) [S].
MEMSNN_HOST_DEVICE inline double c2c_write_noise(double sigma, double g_range_S, int32_t pulses, double z) {
  const double n = pulses < 0 ? -static_cast<double>(pulses) : static_cast<double>(pulses);
  return sigma * g_range_S * std::sqrt(n) * z;
}

// Multiplier 1 + sigma z of one parameter (numbered by the caller) of one device.
MEMSNN_HOST_DEVICE inline double d2d_factor(uint64_t seed, uint32_t projection, uint32_t parameter, uint32_t cell,
                                            double sigma) {
  if (sigma == 0.0) return 1.0;
  const auto r = philox_block(seed, device_stream(DeviceNoiseKind::kVariation), projection, parameter, cell);
  double z = bits_to_normal(r.v[0], r.v[1]);
  z = z > kD2dCut ? kD2dCut : (z < -kD2dCut ? -kD2dCut : z);
  return 1.0 + sigma * z;
}

enum class CellFault : uint32_t { kNone = 0, kStuckAtMin = 1, kStuckAtMax = 2 };

// Whether a cell is stuck: one uniform per cell against f_min, then f_min + f_max, as
// integer comparisons so both backends decide alike.
MEMSNN_HOST_DEVICE inline CellFault cell_fault(uint64_t seed, uint32_t projection, uint32_t cell,
                                               const DeviceNonIdealities& n) {
  if (!n.any_fault()) return CellFault::kNone;
  const uint32_t bits = random_u32(seed, device_stream(DeviceNoiseKind::kFault), projection, 0, cell);
  if (bits < bernoulli_threshold(n.stuck_at_min)) return CellFault::kStuckAtMin;
  if (bits < bernoulli_threshold(n.stuck_at_min + n.stuck_at_max)) return CellFault::kStuckAtMax;
  return CellFault::kNone;
}

// The counters of one crossbar read's noise (the cell is the fourth).
struct ReadNoiseKey {
  uint32_t stream = 0;
  uint32_t sample = 0;
  uint32_t step = 0;
};

// A learning network reads with its device clock (steps since the network was created):
// its reads follow its own history, as its writes do.
MEMSNN_HOST_DEVICE inline ReadNoiseKey clock_read_key(uint32_t projection, uint32_t clock) {
  return ReadNoiseKey{device_stream(DeviceNoiseKind::kRead), projection, clock};
}

// A network that is not learning (inference) reads with a key of the image alone, so the
// noise does not depend on which worker thread or thread block presents which image: the
// presentation's input stream (model/poisson.hpp: 1 | phase << 8 | attempt << 16) gives
// the phase and the attempt, then the sample, and step t of a presentation of `steps`
// steps counts over the attempts as attempt * steps + t. The projection takes the
// stream's top byte (one crossbar per network today).
MEMSNN_HOST_DEVICE inline ReadNoiseKey image_read_key(uint32_t projection, uint32_t input_stream, uint32_t sample,
                                                      uint32_t steps, uint32_t t) {
  const uint32_t phase = (input_stream >> 8) & 0xffu;
  const uint32_t attempt = input_stream >> 16;
  return ReadNoiseKey{device_stream(DeviceNoiseKind::kImageRead) | (phase << 16) | ((projection & 0xffu) << 24),
                      sample, attempt * steps + t};
}

// Read-noise multiplier of one cell in one read.
MEMSNN_HOST_DEVICE inline float read_noise_factor(uint64_t seed, const ReadNoiseKey& key, uint32_t cell,
                                                  double sigma) {
  if (sigma == 0.0) return 1.0f;
  const auto r = philox_block(seed, key.stream, key.sample, key.step, cell);
  return static_cast<float>(1.0 + sigma * bits_to_normal(r.v[0], r.v[1]));
}

// ... keyed by the clock (step = the device clock).
MEMSNN_HOST_DEVICE inline float read_noise_factor(uint64_t seed, uint32_t projection, uint32_t step, uint32_t cell,
                                                  double sigma) {
  return read_noise_factor(seed, clock_read_key(projection, step), cell, sigma);
}

// Power-law drift of a conductance t seconds after programming. Host only: applied once to
// frozen conductances before a read-out, and uploaded, so the backends see the same bits.
inline double drifted_conductance(double g0_S, const DeviceNonIdealities& n) {
  if (n.drift_nu == 0.0 || !(n.drift_time_s > n.drift_t0_s)) return g0_S;
  return g0_S * std::pow(n.drift_time_s / n.drift_t0_s, -n.drift_nu);
}

}  // namespace memsnn
