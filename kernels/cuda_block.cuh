// The CUDA executor of the shared step (engine/exec/block_policy.hpp): the policy's
// primitives for one thread block of kThreads threads, with CUB's block scan and reduce.
// Device code only; the step itself lives in engine/step/.
#pragma once

#include <cstdint>

#include <cub/block/block_reduce.cuh>
#include <cub/block/block_scan.cuh>

#include "exec/block_policy.hpp"

namespace memsnn {

struct BetterArgMaxOp {
  __device__ ArgMax operator()(const ArgMax& a, const ArgMax& b) const { return better_arg_max(a, b); }
};

struct MaxOp {
  __device__ double operator()(double a, double b) const { return a < b ? b : a; }
};

// Shared memory of one block's primitives (one use at a time: each primitive ends with a
// barrier before its storage can be reused).
template <int kThreads>
struct CudaBlockStorage {
  using Scan = cub::BlockScan<uint32_t, kThreads>;
  using ArgReduce = cub::BlockReduce<ArgMax, kThreads>;
  using MaxReduce = cub::BlockReduce<double, kThreads>;
  using CountReduce = cub::BlockReduce<uint32_t, kThreads>;
  union {
    typename Scan::TempStorage scan;
    typename ArgReduce::TempStorage arg;
    typename MaxReduce::TempStorage max;
    typename CountReduce::TempStorage count;
  } temp;
  float arg_value;  // plain fields: __shared__ memory takes no constructors
  uint32_t arg_index;
  double max_result;
  uint32_t count_result;
};

template <int kThreads>
class CudaBlock {
 public:
  using Storage = CudaBlockStorage<kThreads>;

  __device__ explicit CudaBlock(Storage& storage) : m_s(storage) {}

  template <class F>
  __device__ void for_each(uint32_t count, F&& f) {
    for (uint32_t k = threadIdx.x; k < count; k += kThreads) f(k);
    __syncthreads();
  }

  // One thread per column, its rows in ascending order.
  template <class F>
  __device__ void for_each_column(uint32_t rows, uint32_t cols, F&& f) {
    for (uint32_t c = threadIdx.x; c < cols; c += kThreads) {
      for (uint32_t r = 0; r < rows; ++r) f(r, c);
    }
    __syncthreads();
  }

  __device__ void sync() { __syncthreads(); }

  // Tile by tile: each thread's lane count, an exclusive scan for its offset, then its
  // values written in lane order.
  template <uint32_t kLanes = 32, class MaskOf, class ValueOf>
  __device__ uint32_t compact(uint32_t count, MaskOf&& mask_of, ValueOf&& value_of, uint32_t* out) {
    uint32_t base = 0;
    for (uint32_t tile = 0; tile < count; tile += kThreads) {
      const uint32_t k = tile + threadIdx.x;
      const uint32_t mask = k < count ? static_cast<uint32_t>(mask_of(k)) : 0u;
      uint32_t offset = 0, total = 0;
      typename Storage::Scan(m_s.temp.scan).ExclusiveSum(static_cast<uint32_t>(__popc(mask)), offset, total);
      for (uint32_t m = mask; m != 0; m &= m - 1) out[base + offset++] = value_of(k, static_cast<uint32_t>(__ffs(m) - 1));
      base += total;
      __syncthreads();  // the scan's storage is reused by the next tile; out is visible
    }
    if (count == 0) __syncthreads();
    return base;
  }

  // Each thread keeps its best over ascending k (so its lowest index on a tie), then the
  // block's best by better_arg_max.
  template <class MarginOf>
  __device__ ArgMax arg_max(uint32_t count, MarginOf&& margin_of) {
    ArgMax best;
    for (uint32_t k = threadIdx.x; k < count; k += kThreads) {
      const float m = margin_of(k);
      if (m > best.value) best = ArgMax{m, k};
    }
    const ArgMax r = typename Storage::ArgReduce(m_s.temp.arg).Reduce(best, BetterArgMaxOp());
    if (threadIdx.x == 0) {
      m_s.arg_value = r.value;
      m_s.arg_index = r.index;
    }
    __syncthreads();
    const ArgMax out{m_s.arg_value, m_s.arg_index};
    __syncthreads();  // every thread has read it before the slot is reused
    return out;
  }

  template <class ValueOf>
  __device__ double max_of(uint32_t count, ValueOf&& value_of) {
    double best = 0.0;
    for (uint32_t k = threadIdx.x; k < count; k += kThreads) {
      const double a = value_of(k);
      best = a > best ? a : best;
    }
    const double r = typename Storage::MaxReduce(m_s.temp.max).Reduce(best, MaxOp());
    if (threadIdx.x == 0) m_s.max_result = r;
    __syncthreads();
    const double out = m_s.max_result;
    __syncthreads();
    return out;
  }

  template <class Pred>
  __device__ uint32_t count_if(uint32_t count, Pred&& pred) {
    uint32_t mine = 0;
    for (uint32_t k = threadIdx.x; k < count; k += kThreads) mine += pred(k) ? 1u : 0u;
    const uint32_t r = typename Storage::CountReduce(m_s.temp.count).Sum(mine);
    if (threadIdx.x == 0) m_s.count_result = r;
    __syncthreads();
    const uint32_t out = m_s.count_result;
    __syncthreads();
    return out;
  }

  __device__ uint64_t timer_ns() const {
    unsigned long long t;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    return t;
  }

 private:
  Storage& m_s;
};

}  // namespace memsnn
