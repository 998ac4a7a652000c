// The Block policy: how the STDP network's time step (engine/step/) is written once and
// run by every executor.
//
// The step is SPMD code: every thread of a block runs the same function, and work is
// shared out only through the policy's primitives. Each primitive ends with a barrier,
// so what one thread wrote inside it is visible to every thread afterwards. Control flow
// between primitives may depend only on values every thread holds alike (arguments,
// primitive results, data written before the last barrier), so all threads call the same
// primitives in the same order (CUDA's rule for __syncthreads).
//
//   b.for_each(count, f)            f(k) for every k < count, each k on one thread, in no
//                                   promised order; f(k) must touch only what no other k
//                                   touches (or only read shared data).
//   b.for_each_column(rows, cols, f)
//                                   f(r, c) for every cell of a rows x cols grid; all
//                                   cells of one column on one thread, in ascending r, so
//                                   a per-column accumulation has one fixed order. A row's
//                                   cells are on different threads: f may write per-column
//                                   or per-cell data, never per-row data. (The serial
//                                   executor runs r outer, c inner: row-wise, vectorisable.)
//   b.sync()                        a barrier. Needed only where every thread reads shared
//                                   data outside a primitive and a later primitive writes it.
//   b.compact<kLanes>(count, mask_of, value_of, out) -> total
//                                   scan compaction: mask_of(k) (called exactly once per
//                                   k) returns up to kLanes (<= 32) lane bits, and out has
//                                   room for count x kLanes entries; out receives
//                                   value_of(k, lane) for every set bit, ordered by k,
//                                   then lane. value_of may run on any thread, before or
//                                   after other k's mask_of, and for lanes whose bit is
//                                   clear (the serial executor writes every lane and
//                                   advances by the bit): it must only read data that
//                                   mask_of does not write. Every thread gets the total.
//   b.arg_max(count, margin_of) -> ArgMax
//                                   margin_of(k) (called exactly once per k, may have
//                                   side effects on k's own data) returns a float; the
//                                   result is the largest value above 0, lowest k on a
//                                   tie, or {0, kNoIndex} when none is above 0 (so an
//                                   executor keeps only values > 0 before combining with
//                                   better_arg_max: a 0 or NaN must not win). Every
//                                   thread gets it.
//   b.max_of(count, value_of) -> double
//                                   the largest value_of(k) (each >= 0; called exactly
//                                   once per k), 0 for count = 0. Every thread gets it.
//   b.count_if(count, pred) -> uint32_t
//                                   how many k < count have pred(k) true (called exactly
//                                   once per k). Every thread gets it.
//   b.timer_ns()                    a monotonic clock in ns (statistics only, never
//                                   model state).
//
// Executors: SerialBlock (exec/serial_block.hpp, the CPU backend), HostBlock
// (exec/host_block.hpp, B fibers or OS threads with real barriers, for tests of the
// kernels' logic in CI), CudaBlock (kernels/cuda_block.cuh, a CUDA thread block).
#pragma once

#include <cstdint>

#include "core/host_device.hpp"

namespace memsnn {

constexpr uint32_t kNoIndex = 0xffffffffu;

struct ArgMax {
  float value = 0.0f;
  uint32_t index = kNoIndex;
};

// The tie rule every executor applies: larger value first, then the lower index.
MEMSNN_HOST_DEVICE inline ArgMax better_arg_max(const ArgMax& a, const ArgMax& b) {
  if (a.value != b.value) return a.value > b.value ? a : b;
  return a.index < b.index ? a : b;
}

}  // namespace memsnn
