// Tests for the threaded host executor (exec/host_block.hpp): every Block primitive against
// SerialBlock for many block sizes, index orders and both threadings; a multi-phase SPMD
// program equal to serial, and the same program with one barrier removed, or with a racy
// shared write, caught deterministically by the fibers; divergent control flow and
// exceptions end run() with an error instead of a hang, and the executor stays usable.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <future>
#include <initializer_list>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "exec/host_block.hpp"
#include "exec/serial_block.hpp"

namespace {

using memsnn::ArgMax;
using memsnn::HostBlock;
using memsnn::HostBlockExecutor;
using memsnn::HostBlockOptions;
using memsnn::HostThreading;
using memsnn::HostThreadOrder;
using memsnn::kNoIndex;
using memsnn::SerialBlock;

// A hang is the failure the divergence and exception tests look for: past this many
// seconds the test program stops with a message instead of blocking CI.
constexpr auto kHangLimit = std::chrono::seconds(60);
// Iterations of the multi-phase program: enough for every shuffled schedule to expose a
// missing barrier (each iteration misses it with probability at most 1/B).
constexpr int kProgramIterations = 16;
constexpr uint32_t kProgramRows = 4;
constexpr uint64_t kSeed = 0x5eed'1234ull;

struct Config {
  uint32_t threads;
  HostThreadOrder order;
  HostThreading threading;
};

const char* order_name(HostThreadOrder o) {
  switch (o) {
    case HostThreadOrder::kForward: return "forward";
    case HostThreadOrder::kReverse: return "reverse";
    case HostThreadOrder::kShuffled: return "shuffled";
  }
  return "?";
}

std::string config_name(const testing::TestParamInfo<Config>& info) {
  const Config& c = info.param;
  return std::string(c.threading == HostThreading::kFibers ? "fibers" : "threads") + "_B" + std::to_string(c.threads) +
         "_" + order_name(c.order);
}

HostBlockOptions options_of(const Config& c) {
  HostBlockOptions o;
  o.threads = c.threads;
  o.order = c.order;
  o.threading = c.threading;
  o.shuffle_seed = kSeed;
  return o;
}

constexpr HostThreadOrder kOrders[] = {HostThreadOrder::kForward, HostThreadOrder::kReverse,
                                       HostThreadOrder::kShuffled};

// Fibers at every size; OS threads only small (B threads share 2 cores in CI).
std::vector<Config> all_configs() {
  std::vector<Config> v;
  for (uint32_t b : {1u, 3u, 32u, 128u, 256u}) {
    for (HostThreadOrder o : kOrders) v.push_back({b, o, HostThreading::kFibers});
  }
  for (uint32_t b : {1u, 3u, 32u}) {
    for (HostThreadOrder o : kOrders) v.push_back({b, o, HostThreading::kOsThreads});
  }
  return v;
}

// Fibers with at least two threads, where a hazard must show, in the given orders.
std::vector<Config> hazard_configs(std::initializer_list<HostThreadOrder> orders) {
  std::vector<Config> v;
  for (uint32_t b : {3u, 32u, 128u, 256u}) {
    for (HostThreadOrder o : orders) v.push_back({b, o, HostThreading::kFibers});
  }
  return v;
}

// Fibers in every order and OS threads, from min_threads up.
std::vector<Config> error_configs(uint32_t min_threads) {
  std::vector<Config> v;
  for (uint32_t b : {1u, 4u, 64u}) {
    for (HostThreadOrder o : kOrders) {
      if (b >= min_threads) v.push_back({b, o, HostThreading::kFibers});
    }
  }
  for (uint32_t b : {1u, 4u, 16u}) {
    if (b >= min_threads) v.push_back({b, HostThreadOrder::kShuffled, HostThreading::kOsThreads});
  }
  return v;
}

std::vector<uint32_t> counts_for(uint32_t threads) {
  std::vector<uint32_t> v = {0, 1, threads - 1, threads, threads + 1, 1000};
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

uint32_t hash32(uint32_t k, uint32_t salt) {
  uint64_t z = (static_cast<uint64_t>(salt) << 32 | k) + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return static_cast<uint32_t>((z ^ (z >> 31)) >> 32);
}

float unit(uint32_t h) { return static_cast<float>(h >> 8) / 16777216.0f; }  // [0, 1)

template <class T>
bool bitwise_equal(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// The thread a primitive hands index k to, where the order makes it predictable.
uint32_t expected_owner(uint32_t k, uint32_t count, uint32_t threads, HostThreadOrder order) {
  return (order == HostThreadOrder::kReverse ? count - 1 - k : k) % threads;
}

// Runs fn on another thread and stops the program if it does not finish in time.
template <class F>
void within_limit(F&& fn) {
  std::packaged_task<void()> task(std::forward<F>(fn));
  std::future<void> done = task.get_future();
  std::thread runner(std::move(task));
  if (done.wait_for(kHangLimit) != std::future_status::ready) {
    std::fprintf(stderr, "test_host_block: run() hung; stopping\n");
    std::fflush(stderr);
    std::_Exit(1);
  }
  runner.join();
  done.get();
}

// ---- Primitives against SerialBlock -----------------------------------------------------

class ExecutorPrimitives : public testing::TestWithParam<Config> {
 protected:
  ExecutorPrimitives() : m_executor(options_of(GetParam())) {}
  uint32_t threads() const { return GetParam().threads; }
  HostThreadOrder order() const { return GetParam().order; }
  HostBlockExecutor m_executor;
};

TEST_P(ExecutorPrimitives, ForEachTouchesEveryIndexOnceOnItsOwner) {
  for (uint32_t count : counts_for(threads())) {
    std::vector<uint32_t> hits(count, 0);
    std::vector<uint32_t> owner(count, kNoIndex);
    std::vector<uint32_t> per_thread(threads(), 0);
    m_executor.run([&](HostBlock& b) {
      b.for_each(count, [&](uint32_t k) {
        ++hits[k];
        owner[k] = b.thread_index();
        ++per_thread[b.thread_index()];
      });
    });
    for (uint32_t k = 0; k < count; ++k) {
      ASSERT_EQ(hits[k], 1u) << "count " << count << " k " << k;
      if (order() != HostThreadOrder::kShuffled) {
        ASSERT_EQ(owner[k], expected_owner(k, count, threads(), order())) << "count " << count << " k " << k;
      }
    }
    // Thread t holds positions t, t + B, ...: the counts differ by at most one, lower first.
    for (uint32_t t = 0; t < threads(); ++t) {
      const uint32_t expected = count / threads() + (t < count % threads() ? 1 : 0);
      EXPECT_EQ(per_thread[t], expected) << "count " << count << " thread " << t;
    }
  }
}

TEST_P(ExecutorPrimitives, ForEachColumnKeepsEachColumnOnOneThreadInRowOrder) {
  for (uint32_t cols : counts_for(threads())) {
    for (uint32_t rows : {0u, 1u, 5u}) {
      const auto value = [&](uint32_t r, uint32_t c) { return unit(hash32(r * 7919u + c, 11)) - 0.5f; };
      std::vector<float> serial_sums(cols, 0.25f);
      SerialBlock serial;
      serial.for_each_column(rows, cols, [&](uint32_t r, uint32_t c) { serial_sums[c] += value(r, c); });

      std::vector<float> sums(cols, 0.25f);
      std::vector<std::vector<std::pair<uint32_t, uint32_t>>> seen(threads());
      m_executor.run([&](HostBlock& b) {
        b.for_each_column(rows, cols, [&](uint32_t r, uint32_t c) {
          seen[b.thread_index()].emplace_back(r, c);
          sums[c] += value(r, c);
        });
      });

      std::vector<uint32_t> column_thread(cols, kNoIndex);
      std::vector<uint32_t> next_row(cols, 0);
      for (uint32_t t = 0; t < threads(); ++t) {
        for (const auto& [r, c] : seen[t]) {
          ASSERT_LT(c, cols);
          if (column_thread[c] == kNoIndex) column_thread[c] = t;
          ASSERT_EQ(column_thread[c], t) << "column " << c << " on two threads";
          ASSERT_EQ(r, next_row[c]) << "column " << c << " rows out of order";
          ++next_row[c];
        }
      }
      for (uint32_t c = 0; c < cols; ++c) {
        ASSERT_EQ(next_row[c], rows) << "column " << c;
        if (rows > 0 && order() != HostThreadOrder::kShuffled) {
          ASSERT_EQ(column_thread[c], expected_owner(c, cols, threads(), order()));
        }
      }
      EXPECT_TRUE(bitwise_equal(sums, serial_sums)) << "rows " << rows << " cols " << cols;
    }
  }
}

// Masks of several densities, including none, all 32 lanes, and only the outer lanes.
uint32_t test_mask(uint32_t k, int pattern) {
  const uint32_t h = hash32(k, 21 + static_cast<uint32_t>(pattern));
  switch (pattern) {
    case 0: return 0;
    case 1: return (h & 7) == 0 ? 1u << (h >> 27) : 0u;
    case 2: return h;
    case 3: return 0xffffffffu;
    default: return (h & 1 ? 1u : 0u) | (h & 2 ? 0x80000000u : 0u);
  }
}

TEST_P(ExecutorPrimitives, CompactMatchesSerial) {
  constexpr uint32_t kSentinel = 0xdeadbeefu;
  for (uint32_t count : counts_for(threads())) {
    for (int pattern = 0; pattern < 5; ++pattern) {
      const auto value_of = [](uint32_t k, uint32_t lane) { return k * 32 + lane; };
      std::vector<uint32_t> serial_out(static_cast<size_t>(count) * 32 + 4, kSentinel);
      SerialBlock serial;
      const uint32_t serial_total = serial.compact(
          count, [&](uint32_t k) { return test_mask(k, pattern); }, value_of, serial_out.data());

      std::vector<uint32_t> out(serial_out.size(), kSentinel);
      std::vector<uint32_t> totals(threads(), kNoIndex);
      std::vector<uint32_t> mask_calls(count, 0);
      std::vector<uint32_t> mask_thread(count, kNoIndex);
      m_executor.run([&](HostBlock& b) {
        totals[b.thread_index()] = b.compact(
            count,
            [&](uint32_t k) {
              ++mask_calls[k];
              mask_thread[k] = b.thread_index();
              return test_mask(k, pattern);
            },
            value_of, out.data());
      });
      for (uint32_t t = 0; t < threads(); ++t) ASSERT_EQ(totals[t], serial_total) << "thread " << t;
      EXPECT_EQ(out, serial_out) << "count " << count << " pattern " << pattern;
      for (uint32_t k = 0; k < count; ++k) {
        ASSERT_EQ(mask_calls[k], 1u) << "k " << k;
        if (order() != HostThreadOrder::kShuffled) {
          ASSERT_EQ(mask_thread[k], expected_owner(k, count, threads(), order()));
        }
      }
    }
  }
}

// Margins with ties, zeros, negatives and NaNs: the cases where executors could disagree.
float test_margin(uint32_t k, uint32_t count, int pattern) {
  const uint32_t h = hash32(k, 31 + static_cast<uint32_t>(pattern));
  switch (pattern) {
    case 0: return static_cast<float>(static_cast<int>(h % 17) - 8) * 0.125f;  // many ties
    case 1: return (h & 3) == 0 ? 0.0f : (h & 3) == 1 ? -0.0f : -unit(h);       // nothing above 0
    case 2:
      if (k % 5 == 2) return std::numeric_limits<float>::quiet_NaN();
      return (h & 1) ? 0.0f : static_cast<float>(h % 5) * 0.25f;
    case 3: return 0.5f;                                                             // all tie
    default: return static_cast<float>(k + 1) / static_cast<float>(count);          // last wins
  }
}

TEST_P(ExecutorPrimitives, ArgMaxMatchesSerial) {
  for (uint32_t count : counts_for(threads())) {
    for (int pattern = 0; pattern < 5; ++pattern) {
      SerialBlock serial;
      const ArgMax expected = serial.arg_max(count, [&](uint32_t k) { return test_margin(k, count, pattern); });
      std::vector<ArgMax> results(threads(), ArgMax{-1.0f, 12345});
      std::vector<uint32_t> calls(count, 0);
      m_executor.run([&](HostBlock& b) {
        results[b.thread_index()] = b.arg_max(count, [&](uint32_t k) {
          ++calls[k];
          return test_margin(k, count, pattern);
        });
      });
      for (uint32_t t = 0; t < threads(); ++t) {
        ASSERT_EQ(results[t].index, expected.index) << "count " << count << " pattern " << pattern << " thread " << t;
        ASSERT_EQ(std::memcmp(&results[t].value, &expected.value, sizeof(float)), 0)
            << results[t].value << " vs " << expected.value;
      }
      for (uint32_t k = 0; k < count; ++k) ASSERT_EQ(calls[k], 1u);
    }
  }
}

double test_value(uint32_t k, uint32_t count, int pattern) {
  const uint32_t h = hash32(k, 41 + static_cast<uint32_t>(pattern));
  switch (pattern) {
    case 0: return static_cast<double>(unit(h));
    case 1: return k % 7 == 3 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(unit(h));
    case 2: return (h & 1) ? 0.0 : -0.0;
    default: return k + 1 == count ? 1e300 : 1e-300;
  }
}

TEST_P(ExecutorPrimitives, MaxOfMatchesSerial) {
  for (uint32_t count : counts_for(threads())) {
    for (int pattern = 0; pattern < 4; ++pattern) {
      SerialBlock serial;
      const double expected = serial.max_of(count, [&](uint32_t k) { return test_value(k, count, pattern); });
      std::vector<double> results(threads(), -1.0);
      std::vector<uint32_t> calls(count, 0);
      m_executor.run([&](HostBlock& b) {
        results[b.thread_index()] = b.max_of(count, [&](uint32_t k) {
          ++calls[k];
          return test_value(k, count, pattern);
        });
      });
      for (uint32_t t = 0; t < threads(); ++t) {
        ASSERT_EQ(std::memcmp(&results[t], &expected, sizeof(double)), 0)
            << "count " << count << " pattern " << pattern << ": " << results[t] << " vs " << expected;
      }
      for (uint32_t k = 0; k < count; ++k) ASSERT_EQ(calls[k], 1u);
    }
  }
}

// Each thread writes its own slot, then after sync() reads every slot.
TEST_P(ExecutorPrimitives, SyncIsARealBarrier) {
  std::vector<uint32_t> slots(threads(), 0);
  std::vector<uint32_t> wrong(threads(), 0);
  m_executor.run([&](HostBlock& b) {
    for (uint32_t phase = 1; phase <= 5; ++phase) {
      slots[b.thread_index()] = phase;
      b.sync();
      for (uint32_t t = 0; t < b.thread_count(); ++t) wrong[b.thread_index()] += slots[t] != phase ? 1 : 0;
      b.sync();
    }
  });
  for (uint32_t t = 0; t < threads(); ++t) EXPECT_EQ(wrong[t], 0u) << "thread " << t;
}

INSTANTIATE_TEST_SUITE_P(All, ExecutorPrimitives, testing::ValuesIn(all_configs()), config_name);

// ---- A multi-phase SPMD program ------------------------------------------------------------

// The shape of a time step: neighbour reads, a column accumulation, a reduction, a shared
// scalar read by every thread and then updated by one, compaction and arg-max.
struct ProgramState {
  explicit ProgramState(uint32_t size) : n(size), a(n), tmp(n), drive(n), theta(n), spike_list(2 * static_cast<size_t>(n)) {
    for (uint32_t k = 0; k < n; ++k) {
      a[k] = unit(hash32(k, 1));
      drive[k] = 0.05f * unit(hash32(k, 2));
      theta[k] = 0.4f + 0.4f * unit(hash32(k, 3));
    }
  }
  uint32_t n;
  std::vector<float> a, tmp, drive, theta;
  float gain = 1.0f;
  std::vector<uint32_t> spike_list;  // this iteration's compaction
  std::vector<uint32_t> spike_log;   // every iteration's, appended by one thread
  std::vector<uint32_t> winners;
  std::vector<double> peaks;
};

bool same_state(const ProgramState& x, const ProgramState& y) {
  return bitwise_equal(x.a, y.a) && bitwise_equal(x.tmp, y.tmp) && std::memcmp(&x.gain, &y.gain, sizeof(float)) == 0 &&
         x.spike_log == y.spike_log && x.winners == y.winners && bitwise_equal(x.peaks, y.peaks);
}

template <bool kWithSync, class Block>
void run_program(Block& b, ProgramState& s) {
  const uint32_t n = s.n;
  for (int it = 0; it < kProgramIterations; ++it) {
    b.for_each(n, [&](uint32_t k) {
      const float left = s.a[(k + n - 1) % n];
      const float right = s.a[(k + 1) % n];
      s.tmp[k] = 0.25f * left + 0.5f * s.a[k] + 0.25f * right + s.drive[k];
    });
    b.for_each_column(kProgramRows, n, [&](uint32_t r, uint32_t c) { s.tmp[c] += 0.125f * s.a[(c + 7 * (r + 1)) % n]; });
    b.for_each(n, [&](uint32_t k) { s.a[k] = s.tmp[k]; });
    const double peak = b.max_of(n, [&](uint32_t k) { return static_cast<double>(std::fabs(s.a[k])); });
    const float gain = s.gain;          // every thread reads the shared gain ...
    if constexpr (kWithSync) b.sync();  // ... before one of them overwrites it
    b.for_each(1, [&](uint32_t) {
      s.gain = 0.5f * gain + 0.5f / (1.0f + static_cast<float>(peak));
      s.peaks.push_back(peak);
    });
    b.for_each(n, [&](uint32_t k) { s.a[k] = s.a[k] * gain - 0.05f; });
    const uint32_t spikes = b.compact(
        n,
        [&](uint32_t k) { return (s.a[k] > s.theta[k] ? 1u : 0u) | (s.a[k] > 2.0f * s.theta[k] ? 2u : 0u); },
        [](uint32_t k, uint32_t lane) { return 2 * k + lane; }, s.spike_list.data());
    const ArgMax win = b.arg_max(n, [&](uint32_t k) { return s.a[k] - s.theta[k]; });
    b.for_each(1, [&](uint32_t) {
      s.spike_log.insert(s.spike_log.end(), s.spike_list.begin(), s.spike_list.begin() + spikes);
      s.winners.push_back(win.index);
    });
    b.for_each(spikes, [&](uint32_t i) {
      const uint32_t e = s.spike_list[i];
      if (e % 2 == 0) s.a[e / 2] -= s.theta[e / 2];  // lane 0 resets; lane 1 only records
    });
  }
}

template <bool kWithSync>
ProgramState serial_program(uint32_t n) {
  ProgramState s(n);
  SerialBlock b;
  run_program<kWithSync>(b, s);
  return s;
}

template <bool kWithSync>
ProgramState host_program(HostBlockExecutor& executor, uint32_t n) {
  ProgramState s(n);
  executor.run([&](HostBlock& b) { run_program<kWithSync>(b, s); });
  return s;
}

class ExecutorPrograms : public testing::TestWithParam<Config> {};

TEST_P(ExecutorPrograms, MultiPhaseProgramEqualsSerial) {
  HostBlockExecutor executor(options_of(GetParam()));
  for (uint32_t n : {7u, 200u}) {
    const ProgramState expected = serial_program<true>(n);
    ASSERT_FALSE(expected.spike_log.empty());  // the program exercises compaction
    for (int repeat = 0; repeat < 2; ++repeat) {  // runs are reproducible on one executor
      EXPECT_TRUE(same_state(host_program<true>(executor, n), expected)) << "n " << n << " repeat " << repeat;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, ExecutorPrograms, testing::ValuesIn(all_configs()), config_name);

// ---- Hazards the fibers must expose -------------------------------------------------------

class ExecutorMissingBarrier : public testing::TestWithParam<Config> {};
class ExecutorRacyWrite : public testing::TestWithParam<Config> {};

// Without the sync(), fibers that run after the gain's writer read the new gain: the result
// differs from serial in every order (fiber 0 owns the writer and is resumed first in
// forward and reverse; shuffled puts it last with probability 1/B per iteration).
TEST_P(ExecutorMissingBarrier, DiffersFromSerial) {
  HostBlockExecutor executor(options_of(GetParam()));
  for (uint32_t n : {7u, 200u}) {
    EXPECT_TRUE(same_state(host_program<true>(executor, n), serial_program<true>(n))) << "n " << n;
    EXPECT_FALSE(same_state(host_program<false>(executor, n), serial_program<false>(n))) << "n " << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Fibers, ExecutorMissingBarrier, testing::ValuesIn(hazard_configs(
                             {HostThreadOrder::kForward, HostThreadOrder::kReverse, HostThreadOrder::kShuffled})),
                         config_name);

// Pairs of indices add into one location: (1e8 + 1) - 1e8 = 0 in float, (1e8 - 1e8) + 1 = 1,
// so the sum shows which of the pair ran first. Reverse and shuffled orders run some
// pairs opposite to serial. (Forward order need not: at B = 32 it runs every pair as serial.)
TEST_P(ExecutorRacyWrite, AccumulationDiffersFromSerial) {
  constexpr uint32_t kPairs = 500;
  std::vector<float> x(2 * kPairs);
  for (uint32_t j = 0; j < kPairs; ++j) {
    x[2 * j] = 1.0f;
    x[2 * j + 1] = -1e8f;
  }
  const auto racy = [&](auto& b, std::vector<float>& acc) {
    b.for_each(2 * kPairs, [&](uint32_t k) { acc[k / 2] += x[k]; });
  };
  std::vector<float> expected(kPairs, 1e8f);
  SerialBlock serial;
  racy(serial, expected);
  std::vector<float> got(kPairs, 1e8f);
  HostBlockExecutor executor(options_of(GetParam()));
  executor.run([&](HostBlock& b) { racy(b, got); });
  EXPECT_FALSE(bitwise_equal(got, expected));
}

INSTANTIATE_TEST_SUITE_P(Fibers, ExecutorRacyWrite,
                         testing::ValuesIn(hazard_configs({HostThreadOrder::kReverse, HostThreadOrder::kShuffled})),
                         config_name);

// ---- Divergence and exceptions --------------------------------------------------------------

// Checks shared by the divergence and exception tests.
class ExecutorErrorTest : public testing::TestWithParam<Config> {
 protected:
  // Runs body expecting a std::logic_error that reports divergence, then checks that the
  // executor still runs a correct program.
  void expect_divergence(HostBlockExecutor& executor, const std::function<void(HostBlock&)>& body,
                         const std::string& mentions) {
    within_limit([&] {
      try {
        executor.run(body);
        ADD_FAILURE() << "run() returned normally";
      } catch (const std::logic_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("threads diverged"), std::string::npos) << what;
        EXPECT_NE(what.find(mentions), std::string::npos) << what;
      }
    });
    expect_usable(executor);
  }

  void expect_usable(HostBlockExecutor& executor) {
    within_limit([&] { EXPECT_TRUE(same_state(host_program<true>(executor, 50), serial_program<true>(50))); });
  }
};

class ExecutorDivergence : public ExecutorErrorTest {};
class ExecutorExceptions : public ExecutorErrorTest {};

TEST_P(ExecutorDivergence, ExtraSyncOnOneThreadThrows) {
  HostBlockExecutor executor(options_of(GetParam()));
  std::vector<float> v(100, 0.0f);
  expect_divergence(
      executor,
      [&](HostBlock& b) {
        b.for_each(100, [&](uint32_t k) { v[k] += 1.0f; });
        if (b.thread_index() == 0) b.sync();
        b.sync();
      },
      "the end of the body");
}

TEST_P(ExecutorDivergence, DifferentPrimitivesThrow) {
  HostBlockExecutor executor(options_of(GetParam()));
  expect_divergence(
      executor,
      [&](HostBlock& b) {
        b.sync();
        if (b.thread_index() == b.thread_count() - 1) {
          b.max_of(10, [](uint32_t k) { return static_cast<double>(k); });
        } else {
          b.for_each(10, [](uint32_t) {});
        }
      },
      "max_of(count=10)");
}

TEST_P(ExecutorDivergence, DifferentCountsThrow) {
  HostBlockExecutor executor(options_of(GetParam()));
  expect_divergence(
      executor, [&](HostBlock& b) { b.for_each(b.thread_index() == 1 ? 9 : 8, [](uint32_t) {}); }, "diverged");
}

INSTANTIATE_TEST_SUITE_P(All, ExecutorDivergence, testing::ValuesIn(error_configs(2)), config_name);

// Every thread holds an object with a destructor; one throws mid-primitive. run() rethrows
// it, every other thread is unwound (all destructors run), and the executor is reusable.
TEST_P(ExecutorExceptions, PropagateAndUnwindEveryThread) {
  HostBlockExecutor executor(options_of(GetParam()));
  struct Counted {
    explicit Counted(std::atomic<int>& live) : m_live(live) { ++m_live; }
    ~Counted() { --m_live; }
    std::atomic<int>& m_live;
  };
  std::atomic<int> live{0};
  std::atomic<int> constructed{0};
  const uint32_t n = 3 * GetParam().threads + 2;
  std::vector<float> v(n, 0.0f);
  within_limit([&] {
    try {
      executor.run([&](HostBlock& b) {
        Counted guard(live);
        ++constructed;
        b.for_each(n, [&](uint32_t k) { v[k] = 1.0f; });
        b.sync();
        b.for_each(n, [&](uint32_t k) {
          if (k == n - 2) throw std::runtime_error("boom at k=" + std::to_string(k));
          v[k] += 1.0f;
        });
        b.max_of(n, [&](uint32_t k) { return static_cast<double>(v[k]); });
      });
      ADD_FAILURE() << "run() returned normally";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), "boom at k=" + std::to_string(n - 2));
    }
  });
  EXPECT_EQ(constructed.load(), static_cast<int>(GetParam().threads));
  EXPECT_EQ(live.load(), 0);
  expect_usable(executor);
}

// A barrier in a destructor (a scope guard in step code) is a real barrier normally and is
// passed while the thread unwinds, so an exception still ends the run cleanly.
TEST_P(ExecutorExceptions, BarrierInDestructorDuringUnwinding) {
  HostBlockExecutor executor(options_of(GetParam()));
  struct SyncOnExit {
    HostBlock& b;
    ~SyncOnExit() { b.sync(); }
  };
  std::vector<uint32_t> slots(GetParam().threads, 0);
  uint32_t wrong = 0;
  within_limit([&] {
    executor.run([&](HostBlock& b) {
      {
        SyncOnExit guard{b};
        slots[b.thread_index()] = 1;
      }
      b.for_each(1, [&](uint32_t) {
        for (uint32_t v : slots) wrong += v != 1 ? 1 : 0;
      });
    });
  });
  EXPECT_EQ(wrong, 0u);
  within_limit([&] {
    EXPECT_THROW(executor.run([&](HostBlock& b) {
                   SyncOnExit guard{b};
                   b.sync();
                   if (b.thread_index() == b.thread_count() / 2) throw std::domain_error("mid");
                   b.sync();
                 }),
                 std::domain_error);
  });
  expect_usable(executor);
}

TEST_P(ExecutorExceptions, FromEveryThreadRethrowOne) {
  HostBlockExecutor executor(options_of(GetParam()));
  within_limit([&] {
    EXPECT_THROW(executor.run([](HostBlock& b) {
                   if (b.thread_index() % 2 == 0) throw std::out_of_range("even");
                   b.sync();
                   throw std::out_of_range("odd");
                 }),
                 std::out_of_range);
  });
  expect_usable(executor);
}

INSTANTIATE_TEST_SUITE_P(All, ExecutorExceptions, testing::ValuesIn(error_configs(1)), config_name);

TEST(ExecutorOptions, RejectsZeroThreads) {
  HostBlockOptions o;
  o.threads = 0;
  EXPECT_THROW(HostBlockExecutor{o}, std::invalid_argument);
}

}  // namespace
