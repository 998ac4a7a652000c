// The device programming (device/device_programming.hpp) in GPU memory, for the simulate
// and reprogramming kernels. DeviceProgramming is trivially copyable except that a table
// device (DeviceModelKind::kTable) holds raw host pointers to its dG tables: those arrays
// are uploaded once and the uploaded copy points at them.
#pragma once

#include <cuda_runtime.h>

#include "device/device_programming.hpp"
#include "kernels/gpu_buffer.hpp"

namespace memsnn {

class DeviceProgrammingUpload {
 public:
  DeviceProgrammingUpload() = default;
  DeviceProgrammingUpload(const DeviceProgramming& host, cudaStream_t stream);

  const DeviceProgramming* get() const { return m_programming.empty() ? nullptr : m_programming.data(); }

 private:
  GpuBuffer<double> m_tables;  // pot g, v, values, then dep g, v, values
  GpuBuffer<DeviceProgramming> m_programming;
};

}  // namespace memsnn
