// Memory for the CUDA backend: GpuBuffer<T> owns a GPU array, PinnedBuffer<T> a
// page-locked host array for staging; both move-only. Kernels take raw pointers and sizes
// (data(), size()), never the owning buffers.
// A failed allocation throws BackendError with one line: the size asked for, what it was
// for, and the free and total GPU memory.
#pragma once

#include <cstddef>
#include <cstdio>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#if __cplusplus >= 202002L
#include <span>
#endif

#include <cuda_runtime.h>

#include "core/error.hpp"
#include "kernels/cuda_check.hpp"

namespace memsnn {

namespace detail {

// "3.2 GiB", "12.0 MiB" or "0.5 KiB": the scale a person reads at a glance; the exact
// byte count goes beside it.
inline std::string byte_text(size_t bytes) {
  const double kib = static_cast<double>(bytes) / 1024.0;
  char buf[48];
  if (kib >= 1024.0 * 1024.0) {
    std::snprintf(buf, sizeof buf, "%.1f GiB", kib / (1024.0 * 1024.0));
  } else if (kib >= 1024.0) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", kib / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f KiB", kib);
  }
  return buf;
}

inline std::string label_text(const std::string& what, const char* fallback) {
  return what.empty() ? std::string(fallback) : what;
}

// count * element bytes, refusing sizes that wrap around size_t (they would allocate little).
inline size_t checked_bytes(size_t count, size_t element, const std::string& what, const char* kind) {
  if (element != 0 && count > std::numeric_limits<size_t>::max() / element) {
    throw BackendError(std::string("CUDA out of memory: asked for ") + std::to_string(count) + " elements of " +
                       std::to_string(element) + " bytes for " + label_text(what, kind) +
                       ", more bytes than size_t holds");
  }
  return count * element;
}

[[noreturn]] inline void throw_gpu_alloc_error(cudaError_t err, size_t bytes, const std::string& what) {
  // A failed cudaMalloc stays the runtime's "last error"; clear it, or the next
  // CUDA_CHECK_LAUNCH would blame an innocent kernel.
  (void)cudaGetLastError();
  const std::string asked =
      byte_text(bytes) + " (" + std::to_string(bytes) + " bytes) for " + label_text(what, "a GPU buffer");
  if (err != cudaErrorMemoryAllocation) {
    throw BackendError("CUDA allocation of " + asked + " failed: " + cudaGetErrorString(err));
  }
  std::string msg = "CUDA out of memory: asked for " + asked;
  size_t free_bytes = 0, total_bytes = 0;
  if (cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess) {
    msg += "; " + byte_text(free_bytes) + " free of " + byte_text(total_bytes);
  } else {
    (void)cudaGetLastError();
  }
  throw BackendError(msg);
}

// How each kind of memory is had and given back.
struct GpuMemory {
  static constexpr const char* kKind = "a GPU buffer";
  static void* allocate(size_t bytes, const std::string& what) {
    void* p = nullptr;
    const cudaError_t err = cudaMalloc(&p, bytes);
    if (err != cudaSuccess) throw_gpu_alloc_error(err, bytes, what);
    return p;
  }
  static void release(void* p) noexcept { CUDA_CHECK_NOTHROW(cudaFree(p)); }
};

struct PinnedMemory {
  static constexpr const char* kKind = "a pinned host buffer";
  static void* allocate(size_t bytes, const std::string& what) {
    void* p = nullptr;
    const cudaError_t err = cudaMallocHost(&p, bytes);
    if (err != cudaSuccess) {
      (void)cudaGetLastError();  // as for GPU allocations: do not leave it for a launch check
      throw BackendError("CUDA pinned host allocation of " + byte_text(bytes) + " (" + std::to_string(bytes) +
                         " bytes) for " + label_text(what, kKind) + " failed: " + cudaGetErrorString(err));
    }
    return p;
  }
  static void release(void* p) noexcept { CUDA_CHECK_NOTHROW(cudaFreeHost(p)); }
};

// A move-only owning array of `size()` elements in `Memory`; the label names it in errors.
template <class T, class Memory>
class OwnedArray {
  static_assert(std::is_trivially_copyable_v<T>, "CUDA buffers copy their elements as bytes");

 public:
  OwnedArray() = default;
  explicit OwnedArray(size_t count, const char* what = nullptr) : m_what(what ? what : "") { allocate(count); }
  ~OwnedArray() { release(); }

  OwnedArray(const OwnedArray&) = delete;
  OwnedArray& operator=(const OwnedArray&) = delete;
  OwnedArray(OwnedArray&& other) noexcept
      : m_data(std::exchange(other.m_data, nullptr)),
        m_size(std::exchange(other.m_size, 0)),
        m_what(std::move(other.m_what)) {}
  OwnedArray& operator=(OwnedArray&& other) noexcept {
    if (this != &other) {
      release();
      m_data = std::exchange(other.m_data, nullptr);
      m_size = std::exchange(other.m_size, 0);
      m_what = std::move(other.m_what);
    }
    return *this;
  }

  size_t size() const noexcept { return m_size; }
  bool empty() const noexcept { return m_size == 0; }
  size_t bytes() const noexcept { return m_size * sizeof(T); }
  T* data() noexcept { return m_data; }
  const T* data() const noexcept { return m_data; }
  const std::string& label() const noexcept { return m_what; }

  // Discards the contents. The old allocation goes first, so peak memory is the larger of
  // the two; if the new one fails the buffer is left empty.
  void resize(size_t count) {
    if (count == m_size) return;
    release();
    allocate(count);
  }

 protected:
  T* m_data = nullptr;
  size_t m_size = 0;
  std::string m_what;

 private:
  void allocate(size_t count) {
    const size_t n_bytes = checked_bytes(count, sizeof(T), m_what, Memory::kKind);
    if (count == 0) return;
    m_data = static_cast<T*>(Memory::allocate(n_bytes, m_what));
    m_size = count;
  }
  void release() noexcept {
    if (m_data) Memory::release(m_data);
    m_data = nullptr;
    m_size = 0;
  }
};

}  // namespace detail

// An owning GPU array of `size()` elements. Its contents start undefined (fill_zero
// clears them).
template <class T>
class GpuBuffer : public detail::OwnedArray<T, detail::GpuMemory> {
  using Base = detail::OwnedArray<T, detail::GpuMemory>;

 public:
  using Base::Base;

  // Copies the whole buffer from the host and returns once it is done, so `host` may be
  // changed right away. Counts must match exactly.
  void upload(const T* host, size_t count, cudaStream_t stream = nullptr) {
    upload_async(host, count, stream);
    CUDA_CHECK(cudaStreamSynchronize(stream));
  }
  // Copies the whole buffer to the host and returns once `host` holds it.
  void download(T* host, size_t count, cudaStream_t stream = nullptr) const {
    download_async(host, count, stream);
    CUDA_CHECK(cudaStreamSynchronize(stream));
  }

  // Ordered on `stream` and returning at once: `host` must stay valid (and, for a download,
  // unread) until the stream has passed the copy. Pinned host memory makes them overlap.
  void upload_async(const T* host, size_t count, cudaStream_t stream = nullptr) {
    check_count(count, "upload");
    if (this->m_size) CUDA_CHECK(cudaMemcpyAsync(this->m_data, host, this->bytes(), cudaMemcpyHostToDevice, stream));
  }
  void download_async(T* host, size_t count, cudaStream_t stream = nullptr) const {
    check_count(count, "download");
    if (this->m_size) CUDA_CHECK(cudaMemcpyAsync(host, this->m_data, this->bytes(), cudaMemcpyDeviceToHost, stream));
  }

#if __cplusplus >= 202002L
  void upload(std::span<const T> host, cudaStream_t stream = nullptr) { upload(host.data(), host.size(), stream); }
  void download(std::span<T> host, cudaStream_t stream = nullptr) const {
    download(host.data(), host.size(), stream);
  }
#endif

  // Asynchronous on `stream` (a non-blocking stream does not wait for the legacy stream 0).
  void fill_zero(cudaStream_t stream = nullptr) {
    if (this->m_size) CUDA_CHECK(cudaMemsetAsync(this->m_data, 0, this->bytes(), stream));
  }

 private:
  void check_count(size_t count, const char* op) const {
    if (count != this->m_size) {
      throw BackendError(std::string(op) + " of " + std::to_string(count) + " elements to or from " +
                         detail::label_text(this->m_what, "a GPU buffer") + " of " +
                         std::to_string(this->m_size) + " elements");
    }
  }
};

// Page-locked host memory (cudaMallocHost): the staging side of asynchronous copies.
template <class T>
class PinnedBuffer : public detail::OwnedArray<T, detail::PinnedMemory> {
  using Base = detail::OwnedArray<T, detail::PinnedMemory>;

 public:
  using Base::Base;

  T& operator[](size_t i) noexcept { return this->m_data[i]; }
  const T& operator[](size_t i) const noexcept { return this->m_data[i]; }
  T* begin() noexcept { return this->m_data; }
  T* end() noexcept { return this->m_data + this->m_size; }
  const T* begin() const noexcept { return this->m_data; }
  const T* end() const noexcept { return this->m_data + this->m_size; }
#if __cplusplus >= 202002L
  std::span<T> span() noexcept { return {this->m_data, this->m_size}; }
  std::span<const T> span() const noexcept { return {this->m_data, this->m_size}; }
#endif
};

}  // namespace memsnn
