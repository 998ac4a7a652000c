// Network instances in host memory: every array of instance_state.hpp's list, zeroed, for
// `count` instances. The CPU backend's simulations and the executor tests run the shared
// step on these; the CUDA backend allocates the same list in device memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "step/instance_state.hpp"

namespace memsnn {

class HostInstances {
 public:
  HostInstances() = default;
  HostInstances(const StepNetwork& net, uint32_t count, bool exact) : m_count(count) {
    m_sizes = instance_sizes(net, exact);
    for_each_instance_array(m_arrays, m_sizes, [&](auto*& ptr, size_t per_instance, const char*, ArrayRole) {
      using T = std::remove_reference_t<decltype(*ptr)>;
      const size_t bytes = per_instance * count * sizeof(T);
      m_blocks.emplace_back(new std::byte[bytes > 0 ? bytes : 1]());  // zeroed
      ptr = reinterpret_cast<T*>(m_blocks.back().get());
    });
  }

  uint32_t count() const { return m_count; }
  const InstanceSizes& sizes() const { return m_sizes; }
  // Base pointers; the caller sets g, read, theta and their strides.
  InstanceArrays& arrays() { return m_arrays; }
  const InstanceArrays& arrays() const { return m_arrays; }

 private:
  uint32_t m_count = 0;
  InstanceSizes m_sizes;
  InstanceArrays m_arrays;
  std::vector<std::unique_ptr<std::byte[]>> m_blocks;
};

}  // namespace memsnn
