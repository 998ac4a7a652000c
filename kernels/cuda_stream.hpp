// RAII CUDA streams and events: CudaStream owns a non-blocking stream, CudaEvent an event
// for ordering and timing (elapsed_ms). Both move-only; a moved-from one is empty.
#pragma once

#include <utility>

#include <cuda_runtime.h>

#include "kernels/cuda_check.hpp"

namespace memsnn {

class CudaEvent {
 public:
  // Timing costs a little on every record; pass false for events used only for ordering.
  explicit CudaEvent(bool timing = true) {
    CUDA_CHECK(cudaEventCreateWithFlags(&m_event, timing ? cudaEventDefault : cudaEventDisableTiming));
  }
  ~CudaEvent() {
    if (m_event) CUDA_CHECK_NOTHROW(cudaEventDestroy(m_event));
  }
  CudaEvent(const CudaEvent&) = delete;
  CudaEvent& operator=(const CudaEvent&) = delete;
  CudaEvent(CudaEvent&& other) noexcept : m_event(std::exchange(other.m_event, nullptr)) {}
  CudaEvent& operator=(CudaEvent&& other) noexcept {
    if (this != &other) {
      if (m_event) CUDA_CHECK_NOTHROW(cudaEventDestroy(m_event));
      m_event = std::exchange(other.m_event, nullptr);
    }
    return *this;
  }

  cudaEvent_t get() const noexcept { return m_event; }
  void record(cudaStream_t stream = nullptr) { CUDA_CHECK(cudaEventRecord(m_event, stream)); }
  // Blocks the host until the work recorded before the event is done.
  void synchronize() const { CUDA_CHECK(cudaEventSynchronize(m_event)); }
  // True once that work is done; never blocks.
  bool done() const {
    const cudaError_t err = cudaEventQuery(m_event);
    if (err == cudaErrorNotReady) return false;
    CUDA_CHECK(err);
    return true;
  }

 private:
  cudaEvent_t m_event = nullptr;
};

// Milliseconds between two recorded timing events; `stop` must have completed (synchronize it).
inline float elapsed_ms(const CudaEvent& start, const CudaEvent& stop) {
  float ms = 0.0f;
  CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  return ms;
}

class CudaStream {
 public:
  // Non-blocking: it does not wait for the legacy default stream 0, so other libraries'
  // work on stream 0 never serialises ours.
  CudaStream() { CUDA_CHECK(cudaStreamCreateWithFlags(&m_stream, cudaStreamNonBlocking)); }
  ~CudaStream() {
    if (m_stream) CUDA_CHECK_NOTHROW(cudaStreamDestroy(m_stream));
  }
  CudaStream(const CudaStream&) = delete;
  CudaStream& operator=(const CudaStream&) = delete;
  CudaStream(CudaStream&& other) noexcept : m_stream(std::exchange(other.m_stream, nullptr)) {}
  CudaStream& operator=(CudaStream&& other) noexcept {
    if (this != &other) {
      if (m_stream) CUDA_CHECK_NOTHROW(cudaStreamDestroy(m_stream));
      m_stream = std::exchange(other.m_stream, nullptr);
    }
    return *this;
  }

  // An empty (moved-from) stream gives nullptr, which CUDA reads as the legacy stream 0.
  cudaStream_t get() const noexcept { return m_stream; }
  void synchronize() const { CUDA_CHECK(cudaStreamSynchronize(m_stream)); }
  // Later work on this stream waits until `event` has completed (no host blocking).
  void wait(const CudaEvent& event) const { CUDA_CHECK(cudaStreamWaitEvent(m_stream, event.get(), 0)); }

 private:
  cudaStream_t m_stream = nullptr;
};

}  // namespace memsnn
