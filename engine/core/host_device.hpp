// HOST_DEVICE marks per-element maths shared by the CPU backend and CUDA kernels:
// it becomes __host__ __device__ only when compiled by nvcc.
// BLOCK_FN marks the step's block-level functions (exec/block_policy.hpp): templates on
// the executor, instantiated for the host executors by the host compiler and for the
// CUDA executor by nvcc (device code only: they call the executor's device primitives).
// FORCE_INLINE marks the per-element maths of the step's hot loops: inlined whatever the
// compiler's growth budget says, so the serial executor's loops over neurons and inputs
// have no calls left in them and vectorise.
#pragma once

#if defined(__CUDACC__)
#define MEMSNN_HOST_DEVICE __host__ __device__
#define MEMSNN_BLOCK_FN __device__
#else
#define MEMSNN_HOST_DEVICE
#define MEMSNN_BLOCK_FN
#endif

#if defined(__CUDACC__)
#define MEMSNN_FORCE_INLINE __forceinline__
#elif defined(__GNUC__)
#define MEMSNN_FORCE_INLINE __attribute__((always_inline)) inline
#else
#define MEMSNN_FORCE_INLINE inline
#endif
