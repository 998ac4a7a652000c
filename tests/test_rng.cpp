// Tests for the counter-based generator (core/rng.hpp) and the Poisson input coding built on
// it (model/poisson.hpp): determinism, key sensitivity, lane layout, float and Bernoulli
// conversions, uniformity, and the spike rates the CPU loop's exact draw pattern produces.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <vector>

#include "core/rng.hpp"
#include "model/poisson.hpp"

namespace {

using memsnn::bernoulli_threshold;
using memsnn::input_stream;
using memsnn::philox_block;
using memsnn::pixel_threshold;
using memsnn::random_u32;
using memsnn::Stream;
using memsnn::u32_to_unit_float;

// 0.999 quantile of chi-square with 99 degrees of freedom (100 bins): a correct generator
// fails this with probability 1e-3 for a random seed (here the seed is fixed: it passes or not).
constexpr double kChiSquare999Df99 = 148.23;
// 0.001 quantile of the same distribution: below it the bins are suspiciously even.
constexpr double kChiSquare001Df99 = 61.14;
// Standard errors allowed between an empirical binomial frequency and its p: a two-sided
// normal tail of 4.5 sigma has probability ~7e-6 per check.
constexpr double kSigmaBound = 4.5;
// One unit of the 32-bit Bernoulli threshold: the quantisation of p in bernoulli_threshold.
constexpr double kThresholdQuantum = 1.0 / 4294967296.0;

constexpr uint64_t kSeed = 0x1234'5678'9abc'def0ull;

// Diehl & Cook's input coding: pixel 255 -> 63.75 Hz, dt = 0.5 ms, 28 x 28 inputs.
constexpr double kMaxRateHz = 63.75;
constexpr double kDtS = 0.5e-3;
constexpr uint32_t kInputs = 784;
constexpr uint32_t kSteps = 20000;  // 10 s

bool same_block(const r123::Philox4x32::ctr_type& a, const r123::Philox4x32::ctr_type& b) {
  return a.v[0] == b.v[0] && a.v[1] == b.v[1] && a.v[2] == b.v[2] && a.v[3] == b.v[3];
}

int equal_lanes(const r123::Philox4x32::ctr_type& a, const r123::Philox4x32::ctr_type& b) {
  int n = 0;
  for (int k = 0; k < 4; ++k) n += a.v[k] == b.v[k] ? 1 : 0;
  return n;
}

TEST(Rng, SameKeyGivesSameNumbers) {
  for (uint32_t index = 0; index < 64; ++index) {
    const auto a = philox_block(kSeed, 1, 7, 123, index);
    const auto b = philox_block(kSeed, 1, 7, 123, index);
    EXPECT_TRUE(same_block(a, b)) << "index " << index;
    EXPECT_EQ(random_u32(kSeed, 2, 3, 4, index), random_u32(kSeed, 2, 3, 4, index));
  }
}

TEST(Rng, AnyKeyComponentChangesTheBlock) {
  const uint64_t seed = kSeed;
  const uint32_t stream = 1, sample = 5, step = 17, index = 42;
  const auto base = philox_block(seed, stream, sample, step, index);
  struct Variant {
    const char* what;
    r123::Philox4x32::ctr_type block;
  };
  const std::array<Variant, 9> variants = {{
      {"seed low bits", philox_block(seed ^ 1u, stream, sample, step, index)},
      {"seed high bits", philox_block(seed ^ (1ull << 32), stream, sample, step, index)},
      {"seed top bit", philox_block(seed ^ (1ull << 63), stream, sample, step, index)},
      {"stream", philox_block(seed, stream + 1, sample, step, index)},
      {"sample", philox_block(seed, stream, sample + 1, step, index)},
      {"step", philox_block(seed, stream, sample, step + 1, index)},
      {"index", philox_block(seed, stream, sample, step, index + 1)},
      {"index top bit", philox_block(seed, stream, sample, step, index ^ 0x80000000u)},
      {"step top bit", philox_block(seed, stream, sample, step ^ 0x80000000u, index)},
  }};
  for (const auto& v : variants) {
    // A 32-bit lane collides by chance with probability 2^-32: every lane must differ.
    EXPECT_EQ(equal_lanes(base, v.block), 0) << "changing the " << v.what;
  }
  // Swapping two counter words is a different counter, not the same one.
  EXPECT_FALSE(same_block(philox_block(seed, 3, 4, 5, 6), philox_block(seed, 4, 3, 5, 6)));
  // Stream kinds keep uses of one seed apart.
  EXPECT_FALSE(same_block(philox_block(seed, static_cast<uint32_t>(Stream::kInputSpikes), 0, 0, 0),
                          philox_block(seed, static_cast<uint32_t>(Stream::kWeightInit), 0, 0, 0)));
}

TEST(Rng, RandomU32LanesAreTheBlockLanes) {
  for (uint32_t index = 0; index < 256; ++index) {
    const auto block = philox_block(kSeed, 2, 9, 31, index / 4);
    EXPECT_EQ(random_u32(kSeed, 2, 9, 31, index), block.v[index % 4]) << "index " << index;
  }
  // Large indices: the group is index >> 2 over the full 32-bit range.
  const uint32_t big = 0xfffffffeu;
  EXPECT_EQ(random_u32(kSeed, 2, 9, 31, big), philox_block(kSeed, 2, 9, 31, big >> 2).v[2]);
  // The four lanes of a block are not copies of each other.
  const auto block = philox_block(kSeed, 2, 9, 31, 0);
  EXPECT_NE(block.v[0], block.v[1]);
  EXPECT_NE(block.v[1], block.v[2]);
  EXPECT_NE(block.v[2], block.v[3]);
}

TEST(Rng, UnitFloatRangeAndExactEnds) {
  EXPECT_EQ(u32_to_unit_float(0u), 0.0f);
  // 24 random bits: the largest value is 1 - 2^-24, exactly representable and below 1.
  const float top = u32_to_unit_float(0xffffffffu);
  EXPECT_EQ(top, static_cast<float>(1.0 - std::ldexp(1.0, -24)));
  EXPECT_LT(top, 1.0f);
  EXPECT_EQ(u32_to_unit_float(0x80000000u), 0.5f);
  EXPECT_EQ(u32_to_unit_float(0x000000ffu), 0.0f);  // the low 8 bits are dropped
  EXPECT_EQ(u32_to_unit_float(0x00000100u), static_cast<float>(std::ldexp(1.0, -24)));
  float lo = 1.0f, hi = 0.0f;
  for (uint32_t i = 0; i < 100000; ++i) {
    const float u = u32_to_unit_float(random_u32(kSeed, 4, 0, 0, i));
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
    lo = std::fmin(lo, u);
    hi = std::fmax(hi, u);
  }
  // 1e5 draws cover the interval: extremes within 1e-3 of the ends (chance of failing ~e^-100).
  EXPECT_LT(lo, 1e-3f);
  EXPECT_GT(hi, 1.0f - 1e-3f);
}

TEST(Rng, BernoulliThresholdEdgeCases) {
  EXPECT_EQ(bernoulli_threshold(0.0), 0u);
  EXPECT_EQ(bernoulli_threshold(-0.0), 0u);
  EXPECT_EQ(bernoulli_threshold(-0.5), 0u);
  EXPECT_EQ(bernoulli_threshold(-std::numeric_limits<double>::infinity()), 0u);
  EXPECT_EQ(bernoulli_threshold(std::numeric_limits<double>::quiet_NaN()), 0u);
  EXPECT_EQ(bernoulli_threshold(1.0), 0xffffffffu);
  EXPECT_EQ(bernoulli_threshold(1.5), 0xffffffffu);
  EXPECT_EQ(bernoulli_threshold(std::numeric_limits<double>::infinity()), 0xffffffffu);
  EXPECT_EQ(bernoulli_threshold(0.5), 0x80000000u);
  EXPECT_EQ(bernoulli_threshold(0.25), 0x40000000u);
  EXPECT_EQ(bernoulli_threshold(std::nextafter(1.0, 0.0)), 0xffffffffu);  // (1 - 2^-53) 2^32, floored
  EXPECT_EQ(bernoulli_threshold(1.0 - kThresholdQuantum), 0xffffffffu);
  EXPECT_EQ(bernoulli_threshold(1.0 - 2 * kThresholdQuantum), 0xfffffffeu);
  EXPECT_EQ(bernoulli_threshold(kThresholdQuantum), 1u);
  EXPECT_EQ(bernoulli_threshold(0.5 * kThresholdQuantum), 0u);  // below one quantum: never fires
  // p = 0 never fires, p = 1 (threshold 0xffffffff) fires for every draw but 0xffffffff itself.
  EXPECT_FALSE(0u < bernoulli_threshold(0.0));
  EXPECT_TRUE(0xfffffffeu < bernoulli_threshold(1.0));
}

TEST(Rng, ChiSquareUniformity) {
  constexpr uint32_t kDraws = 1000000;
  constexpr int kBins = 100;
  std::vector<uint64_t> bins(kBins, 0);
  for (uint32_t i = 0; i < kDraws; ++i) {
    const double u = u32_to_unit_float(random_u32(kSeed, static_cast<uint32_t>(Stream::kDeviceNoise), 0, 0, i));
    const int b = static_cast<int>(std::floor(u * kBins));
    ASSERT_GE(b, 0);
    ASSERT_LT(b, kBins);
    ++bins[b];
  }
  const double expected = static_cast<double>(kDraws) / kBins;
  double chi2 = 0.0;
  for (const uint64_t n : bins) {
    const double d = static_cast<double>(n) - expected;
    chi2 += d * d / expected;
  }
  EXPECT_LT(chi2, kChiSquare999Df99);
  // A degenerate generator (constant, or only a few values) would give a huge chi-square;
  // an over-regular one (e.g. a counter) a tiny one.
  EXPECT_GT(chi2, kChiSquare001Df99);
}

TEST(Rng, EveryBitIsBalanced) {
  constexpr uint32_t kDraws = 1000000;
  std::array<uint64_t, 32> ones{};
  for (uint32_t i = 0; i < kDraws; ++i) {
    const uint32_t x = random_u32(kSeed, 7, 1, 2, i);
    for (int b = 0; b < 32; ++b) ones[b] += (x >> b) & 1u;
  }
  const double se = std::sqrt(0.25 / kDraws);
  for (int b = 0; b < 32; ++b) {
    const double f = static_cast<double>(ones[b]) / kDraws;
    EXPECT_LT(std::fabs(f - 0.5), kSigmaBound * se) << "bit " << b;
  }
}

TEST(Poisson, InputStreamsAreDistinct) {
  EXPECT_EQ(input_stream(0, 0), static_cast<uint32_t>(Stream::kInputSpikes));
  EXPECT_NE(input_stream(0, 0), input_stream(1, 0));
  EXPECT_NE(input_stream(0, 0), input_stream(0, 1));
  EXPECT_NE(input_stream(1, 0), input_stream(0, 1));
  for (uint32_t phase = 0; phase < 4; ++phase) {
    for (uint32_t attempt = 0; attempt < 32; ++attempt) {
      const uint32_t s = input_stream(phase, attempt);
      EXPECT_NE(s, static_cast<uint32_t>(Stream::kWeightInit));
      EXPECT_NE(s, static_cast<uint32_t>(Stream::kShuffle));
      EXPECT_NE(s, static_cast<uint32_t>(Stream::kDeviceNoise));
    }
  }
}

TEST(Poisson, PixelThresholdMatchesRate) {
  EXPECT_EQ(pixel_threshold(0, kMaxRateHz, kDtS), 0u);
  for (const uint32_t pixel : {1u, 10u, 128u, 254u, 255u}) {
    const double p = pixel / 255.0 * kMaxRateHz * kDtS;
    const double q = pixel_threshold(pixel, kMaxRateHz, kDtS) * kThresholdQuantum;
    EXPECT_LE(q, p) << "pixel " << pixel;
    EXPECT_GT(q, p - kThresholdQuantum) << "pixel " << pixel;
  }
  // A rate so high that p >= 1 fires every step (p = 1 is the saturating threshold).
  EXPECT_EQ(pixel_threshold(255, 2000.0, kDtS), 0xffffffffu);
}

// Spike counts per input for one presentation, drawn exactly as CpuSimulation does.
std::vector<uint64_t> count_spikes(uint32_t pixel, uint32_t sample) {
  const uint32_t threshold = pixel_threshold(pixel, kMaxRateHz, kDtS);
  const uint32_t stream = input_stream(0, 0);
  std::vector<uint64_t> counts(kInputs, 0);
  for (uint32_t step = 0; step < kSteps; ++step) {
    for (uint32_t group = 0; group * 4 < kInputs; ++group) {
      const auto bits = philox_block(0, stream, sample, step, group);
      for (uint32_t lane = 0; lane < 4; ++lane) counts[group * 4 + lane] += bits.v[lane] < threshold ? 1u : 0u;
    }
  }
  return counts;
}

TEST(Poisson, EmpiricalRatesMatchPixelValues) {
  for (const uint32_t pixel : {255u, 128u, 10u}) {
    const double p = pixel / 255.0 * kMaxRateHz * kDtS;  // expected spike probability per step
    const std::vector<uint64_t> counts = count_spikes(pixel, 0);
    std::array<uint64_t, 4> lane_total{};
    uint64_t total = 0;
    for (uint32_t i = 0; i < kInputs; ++i) {
      total += counts[i];
      lane_total[i % 4] += counts[i];
    }
    const double trials = static_cast<double>(kInputs) * kSteps;
    const double se = std::sqrt(p * (1.0 - p) / trials);
    const double rate = static_cast<double>(total) / trials;
    EXPECT_LT(std::fabs(rate - p), kSigmaBound * se)
        << "pixel " << pixel << ": empirical p " << rate << " expected " << p << " (SE " << se << ")";
    // The same in Hz, for the record: pixel / 255 * 63.75 Hz.
    const double rate_hz = rate / kDtS;
    EXPECT_NEAR(rate_hz, pixel / 255.0 * kMaxRateHz, kSigmaBound * se / kDtS) << "pixel " << pixel;
    // Each lane of the block carries the same rate (a broken lane would show here).
    const double lane_trials = trials / 4;
    const double lane_se = std::sqrt(p * (1.0 - p) / lane_trials);
    for (int lane = 0; lane < 4; ++lane) {
      const double lane_rate = static_cast<double>(lane_total[lane]) / lane_trials;
      EXPECT_LT(std::fabs(lane_rate - p), kSigmaBound * lane_se) << "pixel " << pixel << " lane " << lane;
    }
  }
}

TEST(Poisson, DifferentSamplesDrawDifferentSpikes) {
  const std::vector<uint64_t> a = count_spikes(128, 0);
  const std::vector<uint64_t> b = count_spikes(128, 1);
  EXPECT_NE(a, b);
  // Not merely a few inputs: independent counts (mean ~320, SD ~18) coincide for only ~1.6%
  // of inputs, so well over half of the 784 must differ.
  uint32_t differing = 0;
  for (uint32_t i = 0; i < kInputs; ++i) differing += a[i] != b[i] ? 1u : 0u;
  EXPECT_GT(differing, kInputs / 2);
  // Same sample again: identical (deterministic).
  EXPECT_EQ(a, count_spikes(128, 0));
}

}  // namespace
