// HOST_DEVICE marks per-element maths shared by the CPU backend and CUDA kernels:
// it becomes __host__ __device__ only when compiled by nvcc.
#pragma once

#if defined(__CUDACC__)
#define MEMSNN_HOST_DEVICE __host__ __device__
#else
#define MEMSNN_HOST_DEVICE
#endif
