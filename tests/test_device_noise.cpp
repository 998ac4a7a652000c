// Device non-idealities (device/device_noise.hpp), the pulse mapping
// (device/pulse_mapping.hpp) and the backend-portable maths under them
// (core/portable_math.hpp; exp, expm1, log1p and pow are tested in test_portable_math.cpp).
//
// Statistical checks use n = 200,000 draws and a two-sided significance level of 0.001
// per check (z = 3.29): a correct generator fails one of them about once in a thousand
// runs of a given seed, and the seeds are fixed, so the suite is deterministic.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/portable_math.hpp"
#include "core/rng.hpp"
#include "device/device_noise.hpp"
#include "device/pulse_mapping.hpp"
#include "model/poisson.hpp"

namespace {

using namespace memsnn;

constexpr uint64_t kSeed = 0x5eedULL;
constexpr int kDraws = 200000;
constexpr double kZ = 3.2905;         // two-sided 0.001
constexpr double kKsCritical = 1.9495; // Kolmogorov-Smirnov, alpha = 0.001: D < 1.9495 / sqrt(n)
// portable_log against glibc's log (correctly rounded in practice): the series and the
// final e ln 2 + 2 s S(s) sum each round a few times.
constexpr double kLogUlps = 4.0;

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

struct Moments {
  double mean = 0.0, variance = 0.0;
};

Moments moments(const std::vector<double>& x) {
  Moments m;
  for (double v : x) m.mean += v;
  m.mean /= static_cast<double>(x.size());
  for (double v : x) m.variance += (v - m.mean) * (v - m.mean);
  m.variance /= static_cast<double>(x.size() - 1);
  return m;
}

TEST(PortableLog, AgreesWithTheLibraryToAFewUlps) {
  std::vector<double> xs = {1.0, 2.0, 0.5, 0.7071067811865476, 1.4142135623730951, 10.0, 1e-300, 1e300,
                            4.9e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1.0 + 1e-15, 1.0 - 1e-16};
  for (int k = 0; k < 20000; ++k) xs.push_back(std::exp(-700.0 + 1400.0 * k / 20000.0 + 1e-3 * (k % 7)));
  for (double x : xs) {
    const double want = std::log(x);
    const double got = portable_log(x);
    const double ulp = std::max(std::fabs(std::nextafter(want, 0.0) - want), std::numeric_limits<double>::denorm_min());
    EXPECT_LE(std::fabs(got - want), kLogUlps * ulp) << "x = " << x;
  }
  EXPECT_EQ(portable_log(1.0), 0.0);
}

TEST(PortableLog, SpecialValues) {
  EXPECT_EQ(portable_log(0.0), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(portable_log(-1.0)));
  EXPECT_TRUE(std::isnan(portable_log(std::nan(""))));
  EXPECT_EQ(portable_log(std::numeric_limits<double>::infinity()), std::numeric_limits<double>::infinity());
}

TEST(NormalQuantile, InvertsTheCdf) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-14);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 0.0);
  EXPECT_NEAR(normal_quantile(0.001), -3.090232306167813, 1e-13);
  // Phi(z(p)) = p, relative; the bound grows in the far tail where erfc and the
  // quantile's own error (AS 241: about 1e-16 in z) are amplified by |z|^2.
  for (int k = 1; k < 300; ++k) {
    const double p = std::pow(10.0, -k);
    const double z = normal_quantile(p);
    EXPECT_NEAR(normal_cdf(z) / p, 1.0, 1e-12 * (1.0 + z * z)) << "p = " << p;
  }
  for (int k = 1; k < 1000; ++k) {
    const double p = k / 1000.0;
    EXPECT_NEAR(normal_cdf(normal_quantile(p)), p, 2e-16 * 8) << "p = " << p;
  }
}

TEST(NormalQuantile, IsMonotone) {
  double last = -std::numeric_limits<double>::infinity();
  for (int k = 1; k < 100000; ++k) {
    const double z = normal_quantile(k / 100000.0);
    EXPECT_GT(z, last);
    last = z;
  }
}

TEST(WriteDraw, NormalIsStandardNormal) {
  std::vector<double> z(kDraws);
  std::vector<double> u(kDraws);
  for (int i = 0; i < kDraws; ++i) {
    const WriteDraw d = write_draw(kSeed, 0, WritePhase::kPostSpike, 17, static_cast<uint32_t>(i));
    z[i] = d.normal;
    u[i] = d.uniform;
  }
  const Moments m = moments(z);
  EXPECT_LT(std::fabs(m.mean), kZ / std::sqrt(kDraws));
  EXPECT_LT(std::fabs(m.variance - 1.0), kZ * std::sqrt(2.0 / kDraws));
  std::sort(z.begin(), z.end());
  double d = 0.0;
  for (int i = 0; i < kDraws; ++i) {
    const double f = normal_cdf(z[i]);
    d = std::max({d, f - static_cast<double>(i) / kDraws, static_cast<double>(i + 1) / kDraws - f});
  }
  EXPECT_LT(d, kKsCritical / std::sqrt(kDraws)) << "KS distance";
  const Moments mu = moments(u);  // uniform: mean 1/2, variance 1/12
  EXPECT_LT(std::fabs(mu.mean - 0.5), kZ * std::sqrt(1.0 / 12.0 / kDraws));
}

TEST(WriteDraw, KeysSeparatePhasesStepsProjectionsAndSeeds) {
  const double base = write_draw(kSeed, 0, WritePhase::kPreSpike, 5, 9).normal;
  EXPECT_EQ(base, write_draw(kSeed, 0, WritePhase::kPreSpike, 5, 9).normal);
  EXPECT_NE(base, write_draw(kSeed, 0, WritePhase::kPostSpike, 5, 9).normal);
  EXPECT_NE(base, write_draw(kSeed, 0, WritePhase::kPreSpike, 6, 9).normal);
  EXPECT_NE(base, write_draw(kSeed, 1, WritePhase::kPreSpike, 5, 9).normal);
  EXPECT_NE(base, write_draw(kSeed + 1, 0, WritePhase::kPreSpike, 5, 9).normal);
  EXPECT_NE(base, write_draw(kSeed, 0, WritePhase::kPreSpike, 5, 10).normal);
}

TEST(DeviceStreams, NeverMeetTheInputStreams) {
  for (uint32_t kind = 1; kind <= 4; ++kind) {
    const uint32_t s = device_stream(static_cast<DeviceNoiseKind>(kind));
    EXPECT_EQ(s & 0xffu, static_cast<uint32_t>(Stream::kDeviceNoise));
    for (uint32_t phase = 0; phase < 4; ++phase) {
      for (uint32_t attempt = 0; attempt < 64; ++attempt) EXPECT_NE(s, input_stream(phase, attempt));
    }
  }
}

TEST(C2cNoise, ScalesWithTheSquareRootOfThePulseCount) {
  EXPECT_DOUBLE_EQ(c2c_write_noise(0.02, 1e-4, 4, 1.0), 0.02 * 1e-4 * 2.0);
  EXPECT_DOUBLE_EQ(c2c_write_noise(0.02, 1e-4, -9, -1.0), -0.02 * 1e-4 * 3.0);
  EXPECT_EQ(c2c_write_noise(0.02, 1e-4, 0, 1.0), 0.0);
  EXPECT_EQ(c2c_write_noise(0.0, 1e-4, 5, 1.0), 0.0);
}

TEST(D2dSpread, HasTheAskedSpreadAndIsCutAtThreeSigma) {
  constexpr double kSigma = 0.1;
  std::vector<double> f(kDraws);
  for (int i = 0; i < kDraws; ++i) f[i] = d2d_factor(kSeed, 0, 1, static_cast<uint32_t>(i), kSigma);
  const Moments m = moments(f);
  // z clamped to [-3, 3] has variance (2 Phi(3) - 1) - 6 phi(3) + 18 (1 - Phi(3)) = 0.99501.
  const double tail = normal_cdf(-kD2dCut);
  const double phi3 = std::exp(-0.5 * kD2dCut * kD2dCut) / std::sqrt(2.0 * M_PI);
  const double var_expected = kSigma * kSigma * ((1.0 - 2.0 * tail) - 2.0 * kD2dCut * phi3 + 2.0 * kD2dCut * kD2dCut * tail);
  EXPECT_LT(std::fabs(m.mean - 1.0), kZ * kSigma / std::sqrt(kDraws));
  EXPECT_LT(std::fabs(m.variance / var_expected - 1.0), kZ * std::sqrt(2.0 / kDraws) * 1.1);
  for (double v : f) {
    EXPECT_GE(v, 1.0 - kD2dCut * kSigma - 1e-15);
    EXPECT_LE(v, 1.0 + kD2dCut * kSigma + 1e-15);
  }
  EXPECT_EQ(d2d_factor(kSeed, 0, 1, 3, 0.0), 1.0);
  EXPECT_NE(d2d_factor(kSeed, 0, 1, 3, kSigma), d2d_factor(kSeed, 0, 2, 3, kSigma));  // parameters independent
}

TEST(StuckAtFaults, FractionsMatchAtTheSignificanceLevel) {
  DeviceNonIdealities n;
  n.stuck_at_min = 0.05;
  n.stuck_at_max = 0.03;
  int lo = 0, hi = 0;
  for (int i = 0; i < kDraws; ++i) {
    const CellFault f = cell_fault(kSeed, 0, static_cast<uint32_t>(i), n);
    lo += f == CellFault::kStuckAtMin;
    hi += f == CellFault::kStuckAtMax;
    EXPECT_EQ(f, cell_fault(kSeed, 0, static_cast<uint32_t>(i), n));  // a property of the cell
  }
  auto within = [](int count, double p) {
    return std::fabs(count - p * kDraws) < kZ * std::sqrt(kDraws * p * (1.0 - p));
  };
  EXPECT_TRUE(within(lo, 0.05)) << lo;
  EXPECT_TRUE(within(hi, 0.03)) << hi;
  EXPECT_EQ(cell_fault(kSeed, 0, 1, DeviceNonIdealities{}), CellFault::kNone);
  n.stuck_at_min = 1.0;
  n.stuck_at_max = 0.0;
  EXPECT_EQ(cell_fault(kSeed, 0, 7, n), CellFault::kStuckAtMin);
}

TEST(ReadNoise, MeanOneAndTheAskedSpread) {
  constexpr double kSigma = 0.05;
  std::vector<double> f(kDraws);
  for (int i = 0; i < kDraws; ++i) f[i] = read_noise_factor(kSeed, 0, 42, static_cast<uint32_t>(i), kSigma);
  const Moments m = moments(f);
  EXPECT_LT(std::fabs(m.mean - 1.0), kZ * kSigma / std::sqrt(kDraws));
  EXPECT_LT(std::fabs(m.variance / (kSigma * kSigma) - 1.0), kZ * std::sqrt(2.0 / kDraws) * 1.1);
  EXPECT_EQ(read_noise_factor(kSeed, 0, 42, 3, 0.0), 1.0f);
  EXPECT_NE(read_noise_factor(kSeed, 0, 42, 3, kSigma), read_noise_factor(kSeed, 0, 43, 3, kSigma));
}

TEST(Drift, FollowsThePowerLaw) {
  DeviceNonIdealities n;
  n.drift_nu = 0.1;
  n.drift_t0_s = 1.0;
  n.drift_time_s = 0.0;
  EXPECT_EQ(drifted_conductance(5e-5, n), 5e-5);
  n.drift_time_s = 1.0;
  EXPECT_EQ(drifted_conductance(5e-5, n), 5e-5);
  n.drift_time_s = 10.0;
  EXPECT_NEAR(drifted_conductance(5e-5, n), 5e-5 * std::pow(10.0, -0.1), 1e-20);
  n.drift_time_s = 1e6;
  EXPECT_NEAR(drifted_conductance(5e-5, n) / 5e-5, 0.25118864315095796, 1e-15);  // 10^-0.6
}

TEST(PulseMapping, DeterministicRoundsToNearestAwayFromZero) {
  const float step = 0.01f;
  EXPECT_EQ(pulses_for_weight_change(0.0f, step, PulseRounding::kDeterministic, 0.0f), 0);
  EXPECT_EQ(pulses_for_weight_change(0.004f, step, PulseRounding::kDeterministic, 0.0f), 0);
  EXPECT_EQ(pulses_for_weight_change(0.0051f, step, PulseRounding::kDeterministic, 0.0f), 1);
  EXPECT_EQ(pulses_for_weight_change(-0.0051f, step, PulseRounding::kDeterministic, 0.0f), -1);
  EXPECT_EQ(pulses_for_weight_change(0.034f, step, PulseRounding::kDeterministic, 0.9f), 3);
  EXPECT_EQ(pulses_for_weight_change(-0.036f, step, PulseRounding::kDeterministic, 0.9f), -4);
  EXPECT_EQ(pulses_for_weight_change(0.5f, 0.0f, PulseRounding::kDeterministic, 0.0f), 0);  // no step, no pulse
  EXPECT_EQ(pulses_for_weight_change(1e30f, 1e-10f, PulseRounding::kDeterministic, 0.0f), kMaxPulsesPerUpdate);
}

TEST(PulseMapping, StochasticIsUnbiased) {
  // Over a uniform grid of u the mean pulse count is x to the grid's resolution.
  constexpr int kGrid = 1000;
  for (const float dw : {0.0003f, -0.0003f, 0.0172f, -0.0251f}) {
    const float step = 0.01f;
    double sum = 0.0;
    for (int k = 0; k < kGrid; ++k) {
      sum += pulses_for_weight_change(dw, step, PulseRounding::kStochastic, (static_cast<float>(k) + 0.5f) / kGrid);
    }
    EXPECT_NEAR(sum / kGrid, static_cast<double>(dw) / step, 1.0 / kGrid) << dw;
  }
}

TEST(PulseMapping, TraceVoltageIsSpikelearnsMap) {
  EXPECT_DOUBLE_EQ(trace_pulse_voltage(1.0, 0.8), 0.8);
  EXPECT_NEAR(trace_pulse_voltage(0.1, 0.8), 0.8 - 0.073, 1e-15);
  EXPECT_NEAR(trace_pulse_voltage(0.01, 0.8), 0.8 - 0.146, 1e-15);
  EXPECT_EQ(trace_pulse_voltage(1e-20, 0.8), 0.0);
  EXPECT_EQ(trace_pulse_voltage(0.0, 0.8), 0.0);
}

}  // namespace
