// Transcendental functions that give the same bits on the CPU and in CUDA kernels.
//
// glibc's libm and CUDA's libdevice may differ in the last bit (neither is correctly
// rounded everywhere), and a value that differs by one ulp can flip a noise draw, a device
// state or a spike. These functions use only + - * /, sqrt (all correctly rounded in IEEE 754
// on both sides) and exact manipulation of the binary64 representation, so both backends
// agree exactly, provided neither compiler contracts a * b + c into a fused multiply-add:
// the kernels are built --fmad=false and the host in ISO C++ mode, where GCC does not
// contract (clang would need -ffp-contract=off) and x86-64 rounds every double to 53 bits.
//
// Accuracy (maximum error in ulps of the exact result; 0.5 is correct rounding), measured in
// tests/test_portable_math.cpp against long double references:
//   portable_exp    0.61 (normal results), 0.76 for subnormal results (rounded twice)
//   portable_expm1  0.88
//   portable_log1p  0.66
//   portable_pow    0.60 for |y ln x| <= 40 (the device models' arguments), 0.9-1.1 up to 700
//   portable_log    2.8 (kept as it was: the noise draws depend on its bits)
// Host-only code (constants derived once and uploaded) may use <cmath>; see
// docs/cuda-backend.md, "Transcendental functions (portable maths)".
//
// References: W. J. Cody & W. Waite, Software Manual for the Elementary Functions (1980):
// additive range reduction with a two-part constant; P. T. P. Tang, "Table-driven
// implementation of the exponential function in IEEE floating-point arithmetic", ACM TOMS
// 15(2), 1989: exp as 2^k (1 + p(r)) with p carried in two parts; T. J. Dekker, "A
// floating-point technique for extending the available precision", Numer. Math. 18, 1971,
// and D. E. Knuth, TAOCP vol. 2, 4.2.2: exact sums and products (double-double);
// J.-M. Muller et al., Handbook of Floating-Point Arithmetic (2nd ed., 2018): the error-free
// transformations and the evaluation of elementary functions.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/host_device.hpp"

namespace memsnn {

MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE double double_from_bits(uint64_t bits) {
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE uint64_t bits_from_double(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
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

// ---------------------------------------------------------------- exp, expm1, log1p, pow

namespace portable_detail {

// A double-double: the unevaluated sum hi + lo, |lo| <= ulp(hi) / 2 (after normalising).
struct DoubleDouble {
  double hi;
  double lo;
};

// a + b = hi + lo exactly, provided a == 0 or exponent(a) >= exponent(b) (Dekker's Fast2Sum).
MEMSNN_HOST_DEVICE inline DoubleDouble fast_two_sum(double a, double b) {
  const double s = a + b;
  return {s, b - (s - a)};
}

// a + b = hi + lo exactly, any magnitudes (Knuth's TwoSum, six operations, no branch).
MEMSNN_HOST_DEVICE inline DoubleDouble two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}

// a = hi + lo with hi holding the leading 26 bits, so products of halves are exact
// (Veltkamp's splitting, constant 2^27 + 1). Needs |a| < 2^995.
MEMSNN_HOST_DEVICE inline DoubleDouble split(double a) {
  const double c = 134217729.0 * a;
  const double hi = c - (c - a);
  return {hi, a - hi};
}

// a b = hi + lo exactly unless lo underflows (Dekker's TwoProduct, without an FMA so that it
// is exact whether or not a backend has one). Needs |a|, |b| < 2^995.
MEMSNN_HOST_DEVICE inline DoubleDouble two_prod(double a, double b) {
  const double p = a * b;
  const DoubleDouble as = split(a);
  const DoubleDouble bs = split(b);
  return {p, ((as.hi * bs.hi - p) + as.hi * bs.lo + as.lo * bs.hi) + as.lo * bs.lo};
}

// ln 2 = kLn2Hi + kLn2Lo + 1.2e-26: kLn2Hi is ln 2 cut to 32 significant bits (0x3fe62e42fee00000),
// so k * kLn2Hi is exact for |k| < 2^21 (Cody & Waite's two-part constant).
constexpr double kLn2Hi = 0.6931471803691238;
constexpr double kLn2Lo = 1.9082149292705877e-10;

// e^r - 1 - r = r^2 / 2 + r^3 P(r) for |r| <= 0.35, P(r) = sum_{n=3}^{13} r^(n-3) / n! (Taylor).
// The first term left out, r^14 / 14! < 4.2e-18 at |r| = 0.347, is below 0.04 ulp of e^r.
// Returned as hi + lo = r^2 / 2 + r^3 P(r), unsummed: the largest term then carries a single
// rounding (of r^2, 2^-58 at most), and r^3 P(r) < 0.0075 is small enough that its own
// roundings stay below 0.01 ulp of e^r. (Folding it all into r^2 (1/2 + r P(r)) costs ~0.1 ulp
// more; forming r^2 exactly by TwoProduct gains 0.02 ulp for 20 % more time.) P is evaluated
// in Estrin's scheme (pairs in r, then powers of r^2) for a short dependency chain.
MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE DoubleDouble exp_series_tail(double r) {
  constexpr double c3 = 1.0 / 6.0, c4 = 1.0 / 24.0, c5 = 1.0 / 120.0, c6 = 1.0 / 720.0;
  constexpr double c7 = 1.0 / 5040.0, c8 = 1.0 / 40320.0, c9 = 1.0 / 362880.0, c10 = 1.0 / 3628800.0;
  constexpr double c11 = 1.0 / 39916800.0, c12 = 1.0 / 479001600.0, c13 = 1.0 / 6227020800.0;
  const double r2 = r * r;
  const double r4 = r2 * r2;
  const double p0 = (c3 + c4 * r) + (c5 + c6 * r) * r2;
  const double p1 = (c7 + c8 * r) + (c9 + c10 * r) * r2;
  const double p2 = (c11 + c12 * r) + c13 * r2;
  const double cubic = r2 * r * (p0 + (p1 + p2 * r4) * r4);
  return {0.5 * r2, cubic};
}

// e^(x + x_lo) = 2^k (hi + lo) with a relative error below 2^-55 (measured 0.15 x 2^-53),
// for |x_lo| <= ulp(x).
// Callers without an x_lo pass -0.0, which the compiler folds away (x + -0.0 == x for every
// x, while x + 0.0 turns -0 into +0 and so must be computed).
// k is returned in two's complement (as the integer a double-to-int conversion would give,
// but built from the bits of a double so that no conversion instruction is needed).
// Straight-line code, so a loop over it vectorises; x outside [-746, 746] is clamped there
// (e^x is then 0 or inf after scaling, as it should be); NaN runs through as NaN.
struct ExpParts {
  double hi;
  double lo;
  uint64_t k;
};

MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE ExpParts exp_parts(double x, double x_lo) {
  constexpr double kInvLn2 = 1.4426950408889634;  // 1 / ln 2
  constexpr double kShifter = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
  // |x| > 746 becomes +-746 (the result is inf or 0 either way). The bound is copysign(746, x)
  // made from x's bits, not a constant: with a constant, GCC specialises the code after the
  // select for it, leaving branches in a loop that then does not vectorise.
  const uint64_t sign = bits_from_double(x) & 0x8000000000000000ull;
  x = double_from_bits(bits_from_double(x) ^ sign) > 746.0 ? double_from_bits(sign | 0x4087500000000000ull) : x;
  // Range reduction x = k ln 2 + r, |r| <= ln 2 / 2 (+ 1e-13 from rounding x / ln 2): the sum
  // t = x / ln 2 + 1.5 * 2^52 has ulp 1, so it is k rounded to nearest, held in the low bits
  // of t's significand (the "1.5 * 2^52 shifter" of Muller et al.'s Handbook).
  const double t = x * kInvLn2 + kShifter;
  const double kd = t - kShifter;           // k, exact
  const double r_hi = x - kd * kLn2Hi;      // exact: k kLn2Hi is exact and close to x (Sterbenz)
  const double k_lo = kd * kLn2Lo;          // |k_lo| < 2.1e-7, rounding error < 2^-75
  const double r = r_hi - k_lo;
  const double r_err = ((r_hi - r) - k_lo) + x_lo;  // r + r_err = x + x_lo - k ln 2 to ~2^-100
  const DoubleDouble q = exp_series_tail(r);
  // e^(r + r_err) = 1 + r + q + r_err (1 + r + q), to r_err^2 / 2 (below 2^-80: |r_err| is
  // 2^-54 |r| plus x_lo, up to 1.2e-13). 1 + r is formed exactly as hi + e (Fast2Sum, |r| < 1),
  // so the only rounding of size 2^-53 left is the caller's final hi + lo.
  const double hi = 1.0 + r;
  const double e = (1.0 - hi) + r;
  const double lo = e + (q.hi + (q.lo + (r_err + r_err * (r + (q.hi + q.lo)))));
  // k = bits(t) - bits(kShifter) modulo 2^64: t's exponent is that of the shifter.
  return {hi, lo, bits_from_double(t) - bits_from_double(kShifter)};
}

// s 2^k for s in [0.5, 2) and |k| <= 1100 (two's complement), rounded once: 2^k is split as
// 2^k1 2^k2, k1 = floor(k / 2), both made by writing k1 + 1023 and k2 + 1023 into the exponent
// field of a double; s 2^k1 is then exact and normal, and the one multiplication by 2^k2
// rounds a subnormal result and overflows to inf where the true result does. Integer adds
// and shifts only (SSE2 has them for 64 bits). Multiplying (rather than adding k to s's
// exponent field) keeps a NaN s a NaN whatever garbage k came with it.
MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE double scale_by_power_of_two(double s, uint64_t k) {
  const uint64_t k1 = ((k + 2048u) >> 1) - 1024u;  // floor(k / 2), via a logical shift
  const uint64_t k2 = k - k1;
  return s * double_from_bits((k1 + 1023u) << 52) * double_from_bits((k2 + 1023u) << 52);
}

// ln x = hi + lo for finite x > 0, with an absolute error below 2^-60 and a relative one
// below 2^-59 (measured: 0.002 and 0.004 x 2^-53). x = m 2^e with m in [sqrt(1/2), sqrt(2)) as
// in portable_log, then
//   ln x = e ln 2 + 2 atanh(s) = e ln 2 + 2 s + (2/3) s^3 + 2 s^5 (1/5 + s^2/7 + ... + s^20/25),
// s = (m - 1)/(m + 1), |s| < 0.1716 (the atanh series: Abramowitz & Stegun, ch. 4). s, e ln 2
// (Cody & Waite's two parts) and (2/3) s^3 are carried as double-doubles; only the last
// series, below 7e-5, is summed in plain double. The first omitted term is below 2^-70 relative.
MEMSNN_HOST_DEVICE inline DoubleDouble log_parts(double x) {
  constexpr double kSqrtHalf = 0.70710678118654752440;
  constexpr double kTwoThirdsHi = 0.6666666666666666;     // 2/3 = hi + lo to 2^-106
  constexpr double kTwoThirdsLo = 3.700743415417188e-17;
  uint64_t bits = bits_from_double(x);
  int e = static_cast<int>((bits >> 52) & 0x7ffu);
  if (e == 0) {  // subnormal: scale into the normal range first
    bits = bits_from_double(x * 18014398509481984.0);  // 2^54
    e = static_cast<int>((bits >> 52) & 0x7ffu) - 54;
  }
  e -= 1022;  // x = m 2^e with m in [0.5, 1)
  double m = double_from_bits((bits & 0x000fffffffffffffull) | 0x3fe0000000000000ull);
  if (m < kSqrtHalf) {
    m *= 2.0;
    e -= 1;
  }
  // s + s_lo = (m - 1) / (m + 1) to 2^-104: m - 1 and m + 1 are exact (Sterbenz, Fast2Sum),
  // and the remainder f - s d of the division is exact by TwoProduct.
  const double f = m - 1.0;
  const DoubleDouble d = fast_two_sum(1.0, m);
  const double s = f / d.hi;
  const DoubleDouble sd = two_prod(s, d.hi);
  const double s_lo = (((f - sd.hi) - sd.lo) - s * d.lo) / d.hi;
  // (2/3) s^3 = cubic.hi + cubic_lo; s_lo enters through d(s^3) = 3 s^2 ds.
  const DoubleDouble s2 = two_prod(s, s);
  const DoubleDouble s3 = two_prod(s, s2.hi);
  const double s3_lo = s3.lo + (s * s2.lo + 3.0 * s2.hi * s_lo);
  const DoubleDouble cubic = two_prod(s3.hi, kTwoThirdsHi);
  const double cubic_lo = cubic.lo + (s3.hi * kTwoThirdsLo + s3_lo * kTwoThirdsHi);
  double series = 1.0 / 25.0;
  for (int k = 23; k >= 7; k -= 2) series = series * s2.hi + 1.0 / k;
  const double rest = 2.0 * s3.hi * s2.hi * (1.0 / 5.0 + s2.hi * series);  // |rest| < 7e-5
  const double ed = static_cast<double>(e);
  const DoubleDouble head = two_sum(ed * kLn2Hi, 2.0 * s);  // e kLn2Hi is exact (11 x 32 bits)
  const DoubleDouble sum = two_sum(head.hi, cubic.hi);
  const double lo = sum.lo + (head.lo + (ed * kLn2Lo + (2.0 * s_lo + (cubic_lo + rest))));
  return fast_two_sum(sum.hi, lo);
}

}  // namespace portable_detail

// e^x for every double x: error below 0.62 ulp for normal results (hi + lo is rounded once),
// below 1 ulp for subnormal ones (rounded twice); +inf above 709.78, 0 below -745.13, NaN for NaN.
// Branch-free (the range is clamped by selects, a NaN runs through as NaN), so a loop over
// an array of x vectorises (checked with g++ -O3 for SSE2: two doubles per instruction).
MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE double portable_exp(double x) {
  const portable_detail::ExpParts p = portable_detail::exp_parts(x, -0.0);
  return portable_detail::scale_by_power_of_two(p.hi + p.lo, p.k);
}

// e^x - 1, error below 0.9 ulp; exact for x = +-0 (sign kept). |x| < 0.3 by exp's own series,
// x + (x^2/2 + x^3 P(x)) (no cancellation); larger |x| as 2^k (hi + lo) - 1 with the
// subtraction done exactly (TwoSum), so e^x - 1 is rounded essentially once.
MEMSNN_HOST_DEVICE inline double portable_expm1(double x) {
  using namespace portable_detail;
  if (x == 0.0 || x != x) return x;
  if (x > 40.0) return portable_exp(x);  // e^x > 2^57: the 1 is below 1/32 ulp
  if (x < -40.0) return -1.0;            // e^x < 2^-57: -1 + e^x rounds to -1
  if (x > -0.3 && x < 0.3) {
    const DoubleDouble q = exp_series_tail(x);  // |x| < 0.3 is inside exp's reduced range
    return x + (q.hi + q.lo);
  }
  const ExpParts p = exp_parts(x, -0.0);
  const double scale = double_from_bits((p.k + 1023u) << 52);  // 2^k, |k| <= 58
  const DoubleDouble d = two_sum(scale * p.hi, -1.0);           // 2^k hi - 1, exactly
  return d.hi + (d.lo + scale * p.lo);
}

// ln(1 + x), error below 0.7 ulp for x > -1; exact for x = +-0 (sign kept), -inf at
// -1, NaN below. 1 + x is formed exactly as u + c (TwoSum), and
// ln(u + c) = ln u + ln(1 + c/u) = ln u + c/u to 2^-106 since |c/u| <= 2^-53.
MEMSNN_HOST_DEVICE inline double portable_log1p(double x) {
  using namespace portable_detail;
  if (x == 0.0 || x != x) return x;
  if (x <= -1.0) return x == -1.0 ? double_from_bits(0xfff0000000000000ull) : double_from_bits(0x7ff8000000000000ull);
  if (x > 1.7976931348623157e308) return x;  // +inf
  const DoubleDouble u = two_sum(1.0, x);
  const DoubleDouble l = log_parts(u.hi);
  return l.hi + (l.lo + u.lo / u.hi);
}

// x^y for x >= 0 (a negative x gives NaN, whatever y), as e^(y ln x) with ln x a double-double
// and y ln x formed exactly (TwoProduct), so the error is exp's plus |y| times ln x's absolute
// error (~2^-61): below 0.62 ulp for |y ln x| <= 40 (the device models' exponents are 1 to 3
// on bases below ~100), about 1 ulp at |y ln x| = 700. pow(x, 1) = x exactly, and
// pow(x, 0) = pow(1, y) = 1 as in C.
MEMSNN_HOST_DEVICE inline double portable_pow(double x, double y) {
  using namespace portable_detail;
  const double kInf = double_from_bits(0x7ff0000000000000ull);
  if (y == 0.0 || x == 1.0) return 1.0;
  if (x != x || y != y) return x + y;
  if (x < 0.0) return double_from_bits(0x7ff8000000000000ull);
  if (x == 0.0) return y > 0.0 ? 0.0 : kInf;
  if (x == kInf) return y > 0.0 ? kInf : 0.0;
  const DoubleDouble l = log_parts(x);
  const double z = y * l.hi;
  // Beyond +-800 the result is 0 or inf and y may be too large to split exactly.
  if (!(z > -800.0 && z < 800.0)) return portable_exp(z);
  const DoubleDouble zp = two_prod(y, l.hi);
  const ExpParts p = exp_parts(zp.hi, zp.lo + y * l.lo);
  return scale_by_power_of_two(p.hi + p.lo, p.k);
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
