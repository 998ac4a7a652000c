// Network instances in GPU memory: every array of the step's one list
// (engine/step/instance_state.hpp for_each_instance_array), zeroed, plus the staging of a
// launch's pixels and work items. The host's twin is engine/step/host_instances.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include <cuda_runtime.h>

#include "kernels/gpu_buffer.hpp"
#include "step/instance_state.hpp"
#include "step/work_item.hpp"

namespace memsnn {

class GpuInstances {
 public:
  GpuInstances() = default;
  // BackendError naming the array and the size when memory runs out.
  GpuInstances(const StepNetwork& net, uint32_t count, bool exact, cudaStream_t stream) : m_count(count) {
    m_sizes = instance_sizes(net, exact);
    for_each_instance_array(m_arrays, m_sizes, [&](auto*& ptr, size_t per_instance, const char* what, ArrayRole) {
      using T = std::remove_reference_t<decltype(*ptr)>;
      m_buffers.emplace_back(per_instance * count * sizeof(T), what);
      m_buffers.back().fill_zero(stream);
      ptr = reinterpret_cast<T*>(m_buffers.back().data());
    });
    pixels = GpuBuffer<uint8_t>(static_cast<size_t>(count) * net.n_inputs, "input images");
    items = GpuBuffer<WorkItem>(count, "work items");
  }

  uint32_t count() const { return m_count; }
  const InstanceSizes& sizes() const { return m_sizes; }
  // Base pointers; the caller sets g, read, theta and their strides.
  const InstanceArrays& arrays() const { return m_arrays; }
  bool exact() const { return m_arrays.exact_scratch != nullptr; }

  GpuBuffer<uint8_t> pixels;  // n_inputs per instance
  GpuBuffer<WorkItem> items;  // one per instance

 private:
  uint32_t m_count = 0;
  InstanceSizes m_sizes;
  InstanceArrays m_arrays;
  std::vector<GpuBuffer<unsigned char>> m_buffers;
};

}  // namespace memsnn
