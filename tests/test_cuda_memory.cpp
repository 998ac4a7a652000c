// GPU: GpuBuffer, PinnedBuffer, CudaStream and CudaEvent (kernels/gpu_buffer.hpp,
// kernels/cuda_stream.hpp): copies, clearing, ownership, size checks and the one-line
// out-of-memory error (label gpu; skipped without a device).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <cuda_runtime.h>

#include "core/error.hpp"
#include "fixtures.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/gpu_buffer.hpp"

using namespace memsnn;

static_assert(!std::is_copy_constructible_v<GpuBuffer<float>>);
static_assert(!std::is_copy_assignable_v<GpuBuffer<float>>);
static_assert(std::is_nothrow_move_constructible_v<GpuBuffer<float>>);
static_assert(!std::is_copy_constructible_v<PinnedBuffer<float>>);
static_assert(!std::is_copy_constructible_v<CudaStream>);
static_assert(!std::is_copy_constructible_v<CudaEvent>);

namespace {

// Every test needs a device; without one it skips and says why.
class CudaMemory : public ::testing::Test {
 protected:
  void SetUp() override { MEMSNN_SKIP_WITHOUT_GPU(); }
};

std::vector<float> ramp(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = 0.5f * static_cast<float>(i) - 17.0f;
  return v;
}

}  // namespace

TEST_F(CudaMemory, UploadDownloadRoundTrip) {
  const std::vector<float> host = ramp(10007);  // not a multiple of any warp or block
  GpuBuffer<float> buf(host.size(), "round trip");
  EXPECT_EQ(buf.size(), host.size());
  EXPECT_EQ(buf.bytes(), host.size() * sizeof(float));
  ASSERT_NE(buf.data(), nullptr);

  buf.upload(host);
  std::vector<float> back(host.size(), 0.0f);
  buf.download(back);
  EXPECT_EQ(back, host);

  // The same on a stream of our own.
  CudaStream stream;
  std::vector<float> other = ramp(host.size());
  for (auto& x : other) x *= -3.0f;
  buf.upload(other, stream.get());
  buf.download(back, stream.get());
  EXPECT_EQ(back, other);
}

TEST_F(CudaMemory, FillZeroClearsEveryElement) {
  std::vector<uint32_t> host(4099, 0xdeadbeefu);
  GpuBuffer<uint32_t> buf(host.size(), "fill test");
  buf.upload(host);
  CudaStream stream;
  buf.fill_zero(stream.get());
  buf.download(host, stream.get());
  for (size_t i = 0; i < host.size(); ++i) ASSERT_EQ(host[i], 0u) << "element " << i;
}

TEST_F(CudaMemory, MoveLeavesTheSourceEmpty) {
  const std::vector<float> host = ramp(256);
  GpuBuffer<float> a(host.size(), "moved");
  a.upload(host);
  const float* p = a.data();

  GpuBuffer<float> b(std::move(a));
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(b.data(), p);
  EXPECT_EQ(b.size(), host.size());

  GpuBuffer<float> c(8, "overwritten");
  c = std::move(b);  // c's old allocation is freed, b's moves in
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.data(), nullptr);
  EXPECT_EQ(c.data(), p);
  std::vector<float> back(host.size());
  c.download(back);
  EXPECT_EQ(back, host);

  PinnedBuffer<float> pa(16, "pinned moved");
  PinnedBuffer<float> pb(std::move(pa));
  EXPECT_EQ(pa.size(), 0u);
  EXPECT_EQ(pa.data(), nullptr);
  EXPECT_EQ(pb.size(), 16u);

  CudaStream s1;
  const cudaStream_t raw = s1.get();
  CudaStream s2(std::move(s1));
  EXPECT_EQ(s1.get(), nullptr);
  EXPECT_EQ(s2.get(), raw);
}

TEST_F(CudaMemory, SizeMismatchThrowsBackendError) {
  GpuBuffer<float> buf(100, "mismatch test");
  std::vector<float> small(99), large(101);
  EXPECT_THROW(buf.upload(small), BackendError);
  EXPECT_THROW(buf.upload(large), BackendError);
  EXPECT_THROW(buf.download(small), BackendError);
  try {
    buf.download(large);
    FAIL() << "download into 101 elements did not throw";
  } catch (const BackendError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("mismatch test"), std::string::npos) << msg;
    EXPECT_NE(msg.find("101"), std::string::npos) << msg;
    EXPECT_NE(msg.find("100"), std::string::npos) << msg;
  }
}

TEST_F(CudaMemory, AbsurdAllocationSaysOutOfMemoryInOneLine) {
  constexpr size_t kBytes = size_t{1} << 50;  // 1 PiB: no device has it
  try {
    GpuBuffer<uint8_t> buf(kBytes, "absurd test buffer");
    FAIL() << "allocating 1 PiB did not throw";
  } catch (const BackendError& e) {
    const std::string msg = e.what();
    std::printf("%s\n", msg.c_str());
    EXPECT_NE(msg.find("out of memory"), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::to_string(kBytes)), std::string::npos) << msg;
    EXPECT_NE(msg.find("absurd test buffer"), std::string::npos) << msg;
    EXPECT_NE(msg.find("free of"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  // The failure must not linger as the runtime's last error for the next launch check.
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  GpuBuffer<float> after(1024, "after the failure");
  EXPECT_EQ(after.size(), 1024u);
}

TEST_F(CudaMemory, ResizeChangesTheSizeAndZeroIsEmpty) {
  GpuBuffer<double> buf(10, "resized");
  buf.resize(1000);
  EXPECT_EQ(buf.size(), 1000u);
  std::vector<double> host(1000, 2.5), back(1000);
  buf.upload(host);
  buf.download(back);
  EXPECT_EQ(back, host);
  buf.resize(0);
  EXPECT_TRUE(buf.empty());
  EXPECT_EQ(buf.data(), nullptr);
  buf.fill_zero();  // nothing to clear: a no-op, not an error
}

TEST_F(CudaMemory, PinnedStagingRoundTripOnAStream) {
  constexpr size_t kN = 1 << 16;
  PinnedBuffer<int32_t> in(kN, "pinned in"), out(kN, "pinned out");
  for (size_t i = 0; i < kN; ++i) in[i] = static_cast<int32_t>(i * 7) - 1000;
  GpuBuffer<int32_t> dev(kN, "pinned round trip");
  CudaStream stream;
  dev.upload_async(in.data(), in.size(), stream.get());
  dev.download_async(out.data(), out.size(), stream.get());
  stream.synchronize();
  for (size_t i = 0; i < kN; ++i) ASSERT_EQ(out[i], in[i]) << "element " << i;
}

TEST_F(CudaMemory, EventTimingIsNonNegative) {
  CudaStream stream;
  CudaEvent start, stop;
  GpuBuffer<float> buf(size_t{1} << 22, "timed clears");
  start.record(stream.get());
  for (int i = 0; i < 4; ++i) buf.fill_zero(stream.get());
  stop.record(stream.get());
  stop.synchronize();
  EXPECT_TRUE(stop.done());
  const float ms = elapsed_ms(start, stop);
  std::printf("4 clears of %zu bytes: %.3f ms\n", buf.bytes(), static_cast<double>(ms));
  EXPECT_GE(ms, 0.0f);

  // A stream can wait on another stream's event.
  CudaStream other;
  CudaEvent ready(false);
  ready.record(stream.get());
  other.wait(ready);
  other.synchronize();
}
