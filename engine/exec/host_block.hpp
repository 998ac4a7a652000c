// The threaded host executor: one block of the Block policy (exec/block_policy.hpp) run as
// B cooperative threads with real barriers on the host, so that CI without a GPU tests the
// step's SPMD logic. A missing barrier or a racy shared write in step code makes results
// differ from SerialBlock's.
//
// Threads are either fibers on the calling OS thread (the default: deterministic, a fiber
// runs until it reaches a barrier, then the next one runs) or B OS threads (genuine
// concurrency). Each primitive hands out its indices in a permutation chosen by
// HostThreadOrder; thread t takes positions t, t + B, t + 2B, ... of it. Every barrier
// arrival names its primitive, so threads that take different paths through the step make
// run() throw std::logic_error (like CUDA's synccheck) instead of hanging.
#pragma once

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "exec/block_policy.hpp"

namespace memsnn {

// The permutation of [0, count) each primitive distributes, and the order fibers run in.
//   kForward:  identity; fibers resumed 0, 1, ..., B-1 after each barrier.
//   kReverse:  descending; fibers still resumed 0, 1, ..., B-1. (Resuming them in reverse
//              too would undo the reversal: for count <= B, thread t holds k = count-1-t,
//              so fibers B-1, ..., 0 would run k = 0, 1, ... in serial order again.)
//   kShuffled: a seeded random permutation per primitive call, and a fresh random fiber
//              order per barrier phase; reproducible from shuffle_seed.
enum class HostThreadOrder { kForward, kReverse, kShuffled };
enum class HostThreading { kFibers, kOsThreads };

struct HostBlockOptions {
  uint32_t threads = 32;  // B, at least 1
  HostThreadOrder order = HostThreadOrder::kForward;
  HostThreading threading = HostThreading::kFibers;
  uint64_t shuffle_seed = 0;              // kShuffled: keys the permutations
  size_t fiber_stack_bytes = 256 * 1024;  // per fiber, allocated once per executor
};

// Where a thread waits: threads at different sites have diverged.
enum class HostPrimitive : uint8_t { kForEach, kForEachColumn, kSync, kCompact, kArgMax, kMaxOf, kCountIf, kBodyEnd };
struct HostBarrierSite {
  HostPrimitive primitive = HostPrimitive::kSync;
  uint8_t step = 0;       // which barrier inside a multi-barrier primitive
  uint64_t arg = 0;       // the primitive's count (rows << 32 | cols for for_each_column)
  uint64_t sequence = 0;  // 1 for the thread's first barrier of the run, 2 for the next, ...
};

class HostBlockRuntime;  // exec/host_block.cpp: barriers, fibers, threads, shared scratch

// One thread's handle. Satisfies the Block policy exactly as SerialBlock does.
class HostBlock {
 public:
  template <class F>
  void for_each(uint32_t count, F&& f) {
    const Order order = begin_call(count);
    for (uint32_t pos = m_thread; pos < count; pos += m_threads) f(order[pos]);
    barrier(HostPrimitive::kForEach, 0, count);
  }

  // Columns are handed out as for_each hands out k; a thread runs each of its columns'
  // rows in ascending r.
  template <class F>
  void for_each_column(uint32_t rows, uint32_t cols, F&& f) {
    const Order order = begin_call(cols);
    for (uint32_t pos = m_thread; pos < cols; pos += m_threads) {
      const uint32_t c = order[pos];
      for (uint32_t r = 0; r < rows; ++r) f(r, c);
    }
    barrier(HostPrimitive::kForEachColumn, 0, (static_cast<uint64_t>(rows) << 32) | cols);
  }

  void sync() { barrier(HostPrimitive::kSync, 0, 0); }

  // A real exclusive scan: owners store masks by k; thread t then counts a contiguous
  // chunk of k, and after a barrier writes that chunk's entries at its offset.
  template <uint32_t kLanes = 32, class MaskOf, class ValueOf>
  uint32_t compact(uint32_t count, MaskOf&& mask_of, ValueOf&& value_of, uint32_t* out) {
    const Order order = begin_call(count);
    uint32_t* masks = compact_masks(count);
    for (uint32_t pos = m_thread; pos < count; pos += m_threads) {
      const uint32_t k = order[pos];
      masks[k] = mask_of(k);
    }
    barrier(HostPrimitive::kCompact, 0, count);

    const uint64_t chunk = (static_cast<uint64_t>(count) + m_threads - 1) / m_threads;
    const uint32_t lo = static_cast<uint32_t>(std::min<uint64_t>(count, m_thread * chunk));
    const uint32_t hi = static_cast<uint32_t>(std::min<uint64_t>(count, lo + chunk));
    uint32_t mine = 0;
    for (uint32_t k = lo; k < hi; ++k) mine += static_cast<uint32_t>(std::popcount(masks[k]));
    m_count_slots[m_thread] = mine;
    barrier(HostPrimitive::kCompact, 1, count);

    uint32_t offset = 0;
    uint32_t total = 0;
    for (uint32_t t = 0; t < m_threads; ++t) {
      if (t == m_thread) offset = total;
      total += m_count_slots[t];
    }
    for (uint32_t k = lo; k < hi; ++k) {
      for (uint32_t mask = masks[k]; mask != 0; mask &= mask - 1) {
        out[offset++] = value_of(k, static_cast<uint32_t>(std::countr_zero(mask)));
      }
    }
    barrier(HostPrimitive::kCompact, 2, count);
    return total;
  }

  template <class MarginOf>
  ArgMax arg_max(uint32_t count, MarginOf&& margin_of) {
    const Order order = begin_call(count);
    ArgMax best;
    for (uint32_t pos = m_thread; pos < count; pos += m_threads) {
      const uint32_t k = order[pos];
      const float m = margin_of(k);
      // Only values above 0 compete: better_arg_max alone would let an exact 0 (or a NaN)
      // displace {0, kNoIndex}, where SerialBlock's `m > best.value` ignores both.
      if (m > 0.0f) best = better_arg_max(best, ArgMax{m, k});
    }
    m_arg_slots[m_thread] = best;
    barrier(HostPrimitive::kArgMax, 0, count);
    ArgMax result;
    for (uint32_t t = 0; t < m_threads; ++t) result = better_arg_max(result, m_arg_slots[t]);
    barrier(HostPrimitive::kArgMax, 1, count);  // slots are free for the next primitive
    return result;
  }

  template <class ValueOf>
  double max_of(uint32_t count, ValueOf&& value_of) {
    const Order order = begin_call(count);
    double best = 0.0;
    for (uint32_t pos = m_thread; pos < count; pos += m_threads) {
      const double a = value_of(order[pos]);
      best = a > best ? a : best;
    }
    m_max_slots[m_thread] = best;
    barrier(HostPrimitive::kMaxOf, 0, count);
    double result = 0.0;
    for (uint32_t t = 0; t < m_threads; ++t) result = m_max_slots[t] > result ? m_max_slots[t] : result;
    barrier(HostPrimitive::kMaxOf, 1, count);
    return result;
  }

  template <class Pred>
  uint32_t count_if(uint32_t count, Pred&& pred) {
    const Order order = begin_call(count);
    uint32_t mine = 0;
    for (uint32_t pos = m_thread; pos < count; pos += m_threads) mine += pred(order[pos]) ? 1u : 0u;
    m_count_slots[m_thread] = mine;
    barrier(HostPrimitive::kCountIf, 0, count);
    uint32_t total = 0;
    for (uint32_t t = 0; t < m_threads; ++t) total += m_count_slots[t];
    barrier(HostPrimitive::kCountIf, 1, count);  // slots are free for the next primitive
    return total;
  }

  uint64_t timer_ns() const {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }

  // Not part of the policy (step code must not use them): for tests that record which
  // thread ran what.
  uint32_t thread_index() const { return m_thread; }
  uint32_t thread_count() const { return m_threads; }

 private:
  friend class HostBlockRuntime;
  HostBlock(HostBlockRuntime* runtime, uint32_t thread, uint32_t threads, HostThreadOrder order);

  // Position -> index for one primitive call.
  struct Order {
    const uint32_t* table;  // kShuffled; nullptr otherwise
    uint32_t count;
    bool reverse;
    uint32_t operator[](uint32_t pos) const {
      return table != nullptr ? table[pos] : reverse ? count - 1 - pos : pos;
    }
  };
  Order begin_call(uint32_t count);
  uint32_t* compact_masks(uint32_t count);  // shared, at least count entries
  void barrier(HostPrimitive primitive, uint8_t step, uint64_t arg);

  HostBlockRuntime* m_runtime;
  uint32_t m_thread;
  uint32_t m_threads;
  HostThreadOrder m_order;
  uint64_t m_calls = 0;     // primitive calls this run: keys the shuffled permutations
  uint64_t m_barriers = 0;  // barriers reached this run
  // Shared, one entry per thread (owned by the runtime).
  ArgMax* m_arg_slots = nullptr;
  double* m_max_slots = nullptr;
  uint32_t* m_count_slots = nullptr;
};

class HostBlockExecutor {
 public:
  explicit HostBlockExecutor(const HostBlockOptions& options);
  ~HostBlockExecutor();
  HostBlockExecutor(const HostBlockExecutor&) = delete;
  HostBlockExecutor& operator=(const HostBlockExecutor&) = delete;

  // Runs body(block) on every one of the B threads, each with its own HostBlock sharing
  // one barrier and scratch; returns when all have finished. Rethrows the first exception a
  // thread threw (the others are unwound at their next barrier); throws std::logic_error
  // naming the primitives when threads diverge. Reusable: fiber stacks and threads are
  // kept between runs. Not reentrant.
  void run(const std::function<void(HostBlock&)>& body);

  const HostBlockOptions& options() const { return m_options; }

 private:
  HostBlockOptions m_options;
  std::unique_ptr<HostBlockRuntime> m_runtime;
};

}  // namespace memsnn
