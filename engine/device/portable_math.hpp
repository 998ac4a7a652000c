// Transcendental functions that give the same bits on the CPU and in CUDA kernels.
//
// glibc's log and CUDA's libdevice log may differ in the last bit, and a noise draw that
// differs by one ulp can flip a device to another state. These use only + - * / and
// sqrt (correctly rounded in IEEE 754 on both, with the kernels built --fmad=false and
// the host in ISO C++ mode, which does not contract), so both backends agree exactly.
// They are accurate to a few ulp, plenty for noise and pulse mappings; use <cmath> for
// anything that is not drawn or compared across backends.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/host_device.hpp"

namespace memsnn {

MEMSNN_HOST_DEVICE inline double double_from_bits(uint64_t bits) {
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

// Natural log for x > 0 (finite): x = m 2^e with m in [sqrt(1/2), sqrt(2)), then
// log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716, by its odd series to s^23
// (the first omitted term is below 1e-18 relative). Returns -inf for 0, NaN for x < 0 or NaN.
MEMSNN_HOST_DEVICE inline double portable_log(double x) {
  constexpr double kLn2 = 0.69314718055994530942;
  constexpr double kSqrtHalf = 0.70710678118654752440;
  if (!(x > 0.0)) return x == 0.0 ? double_from_bits(0xfff0000000000000ull) : double_from_bits(0x7ff8000000000000ull);
  if (x > 1.7976931348623157e308) return x;  // +inf
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  int e = static_cast<int>((bits >> 52) & 0x7ffu);
  if (e == 0) {  // subnormal: scale into the normal range first
    x *= 18014398509481984.0;  // 2^54
    std::memcpy(&bits, &x, sizeof bits);
    e = static_cast<int>((bits >> 52) & 0x7ffu) - 54;
  }
  e -= 1022;  // x = m 2^e with m in [0.5, 1)
  bits = (bits & 0x800fffffffffffffull) | 0x3fe0000000000000ull;
  double m;
  std::memcpy(&m, &bits, sizeof m);
  if (m < kSqrtHalf) {
    m *= 2.0;
    e -= 1;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double series = 1.0 / 23.0;
  for (int k = 21; k >= 1; k -= 2) series = series * s2 + 1.0 / k;
  return 2.0 * s * series + e * kLn2;
}

// Open-interval uniform (0, 1) with 53 random bits from two 32-bit draws.
MEMSNN_HOST_DEVICE inline double bits_to_open_unit(uint32_t hi, uint32_t lo) {
  const uint64_t k = (static_cast<uint64_t>(hi >> 5) << 26) | (lo >> 6);  // 53 bits
  return (static_cast<double>(k) + 0.5) * (1.0 / 9007199254740992.0);
}

// Standard normal deviate by the inverse CDF of a uniform in (0, 1): Wichura's PPND16
// (Applied Statistics 37:477, 1988, algorithm AS 241), accurate to about 1e-16. One
// uniform per deviate, monotone in u, so a draw's rank is the uniform's rank.
MEMSNN_HOST_DEVICE inline double normal_quantile(double p) {
  const double q = p - 0.5;
  if ((q < 0.0 ? -q : q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q *
           (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r +
                45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
             133.14166789178437745) * r + 3.387132872796366608) /
           (((((((5226.4952788528545610 * r + 28729.085735721942674) * r + 39307.89580009271061) * r +
                21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
             42.313330701600911252) * r + 1.0);
  }
  double r = q < 0.0 ? p : 1.0 - p;
  r = std::sqrt(-portable_log(r));
  double z;
  if (r <= 5.0) {
    r -= 1.6;
    z = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
             1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
          4.6303378461565452959) * r + 1.42343711074968357734) /
        (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
             0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
          2.05319162663775882187) * r + 1.0);
  } else {
    r -= 5.0;
    z = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
             0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
          5.4637849111641143699) * r + 6.6579046435011037772) /
        (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
             7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
          0.59983220655588793769) * r + 1.0);
  }
  return q < 0.0 ? -z : z;
}

// A standard normal deviate from two 32-bit draws.
MEMSNN_HOST_DEVICE inline double bits_to_normal(uint32_t hi, uint32_t lo) {
  return normal_quantile(bits_to_open_unit(hi, lo));
}

}  // namespace memsnn
