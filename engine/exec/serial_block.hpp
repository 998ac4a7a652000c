// The serial executor: one block as one host thread (exec/block_policy.hpp). Every
// primitive is a plain loop the compiler can inline and vectorise; barriers are free.
// This is the executor of the CPU reference backend.
#pragma once

#include <chrono>
#include <cstdint>

#include "exec/block_policy.hpp"

namespace memsnn {

// The policy's contract says f(k) touches only k's own data (for_each_column: only its
// column's or cell's), so no iteration depends on another: the loops tell the compiler so,
// and it vectorises them without run-time alias checks (which fail to pay off with the
// step's many arrays).
#if defined(__clang__)
#define MEMSNN_INDEPENDENT_ITERATIONS _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define MEMSNN_INDEPENDENT_ITERATIONS _Pragma("GCC ivdep")
#else
#define MEMSNN_INDEPENDENT_ITERATIONS
#endif

class SerialBlock {
 public:
  template <class F>
  void for_each(uint32_t count, F&& f) {
    MEMSNN_INDEPENDENT_ITERATIONS
    for (uint32_t k = 0; k < count; ++k) f(k);
  }

  // Row-wise: each column still sees its rows in ascending order.
  template <class F>
  void for_each_column(uint32_t rows, uint32_t cols, F&& f) {
    for (uint32_t r = 0; r < rows; ++r) {
      MEMSNN_INDEPENDENT_ITERATIONS
      for (uint32_t c = 0; c < cols; ++c) f(r, c);
    }
  }

  void sync() {}

  // Branch-free: every lane's value is written and the end advances by its bit (spike
  // masks are random, so branching on them mispredicts), hence the policy's room for
  // count x kLanes entries in out.
  template <uint32_t kLanes = 32, class MaskOf, class ValueOf>
  uint32_t compact(uint32_t count, MaskOf&& mask_of, ValueOf&& value_of, uint32_t* out) {
    uint32_t total = 0;
    for (uint32_t k = 0; k < count; ++k) {
      const uint32_t mask = mask_of(k);
      if constexpr (kLanes <= 8) {
        for (uint32_t lane = 0; lane < kLanes; ++lane) {
          out[total] = value_of(k, lane);
          total += (mask >> lane) & 1u;
        }
      } else {
        for (uint32_t m = mask; m != 0; m &= m - 1) out[total++] = value_of(k, static_cast<uint32_t>(__builtin_ctz(m)));
      }
    }
    return total;
  }

  template <class MarginOf>
  ArgMax arg_max(uint32_t count, MarginOf&& margin_of) {
    ArgMax best;
    for (uint32_t k = 0; k < count; ++k) {
      const float m = margin_of(k);
      if (m > best.value) best = ArgMax{m, k};
    }
    return best;
  }

  template <class ValueOf>
  double max_of(uint32_t count, ValueOf&& value_of) {
    double best = 0.0;
    for (uint32_t k = 0; k < count; ++k) {
      const double a = value_of(k);
      best = a > best ? a : best;
    }
    return best;
  }

  template <class Pred>
  uint32_t count_if(uint32_t count, Pred&& pred) {
    uint32_t total = 0;
    for (uint32_t k = 0; k < count; ++k) total += pred(k) ? 1u : 0u;
    return total;
  }

  uint64_t timer_ns() const {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }
};

}  // namespace memsnn
