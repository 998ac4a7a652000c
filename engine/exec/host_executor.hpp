// The host executors the CPU backend can run the shared step on: serial (the reference,
// and the fast path), or threaded (B cooperative threads with real barriers, the way a CUDA
// thread block runs it; exec/host_block.hpp), which the tests use to check the step's
// parallel logic without a GPU.
#pragma once

#include <memory>
#include <string>

#include "exec/host_block.hpp"
#include "exec/serial_block.hpp"

namespace memsnn {

struct HostExecutorOptions {
  bool threaded = false;
  HostBlockOptions block;  // threaded only
};

// "serial", or "threaded_32_forward_fibers" and the like (test names, logs).
inline std::string describe(const HostExecutorOptions& o) {
  if (!o.threaded) return "serial";
  const HostBlockOptions& b = o.block;
  const char* order = b.order == HostThreadOrder::kForward ? "forward"
                      : b.order == HostThreadOrder::kReverse ? "reverse" : "shuffled";
  return "threaded_" + std::to_string(b.threads) + "_" + order + "_" +
         (b.threading == HostThreading::kFibers ? "fibers" : "os_threads");
}

class HostExecutor {
 public:
  explicit HostExecutor(const HostExecutorOptions& options = {})
      : m_options(options), m_block(options.threaded ? std::make_unique<HostBlockExecutor>(options.block) : nullptr) {}

  const HostExecutorOptions& options() const { return m_options; }

  // body(block) on this executor: once with a SerialBlock, or on every thread of the block.
  template <class Body>
  void run(Body&& body) {
    if (!m_block) {
      SerialBlock b;
      body(b);
      return;
    }
    m_block->run([&](HostBlock& b) { body(b); });
  }

 private:
  HostExecutorOptions m_options;
  std::unique_ptr<HostBlockExecutor> m_block;
};

}  // namespace memsnn
