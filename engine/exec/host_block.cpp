// The threaded host executor's machinery (exec/host_block.hpp): barriers with divergence
// checks, the fiber scheduler and its context switch, the OS-thread pool, and the scratch
// the threads of one block share (shuffled permutations, compaction masks).
#include "exec/host_block.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <condition_variable>
#include <exception>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

// AddressSanitizer must be told when the stack changes under it (fiber switches).
#if defined(__SANITIZE_ADDRESS__)
#define MEMSNN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEMSNN_ASAN 1
#endif
#endif
#ifndef MEMSNN_ASAN
#define MEMSNN_ASAN 0
#endif
#if MEMSNN_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

// The fiber switch: a few instructions of assembly on x86-64 ELF (swapcontext makes a
// sigprocmask system call on every switch, which would dominate a barrier); ucontext
// elsewhere, or everywhere with -DMEMSNN_HOST_BLOCK_UCONTEXT.
#if defined(__x86_64__) && defined(__ELF__) && !defined(MEMSNN_HOST_BLOCK_UCONTEXT)
#define MEMSNN_FIBER_ASM 1
#else
#define MEMSNN_FIBER_ASM 0
#include <ucontext.h>
#endif

#if MEMSNN_FIBER_ASM
// memsnn_fiber_switch(save, load): pushes the callee-saved registers (System V: rbx, rbp,
// r12-r15, the MXCSR and x87 control words) on the current stack, stores the stack pointer
// in *save, switches to the stack load and pops the same registers from it. The switch
// happens inside an ordinary function call, so the compiler already assumes every other
// register clobbered.
extern "C" void memsnn_fiber_switch(void** save, void* load);
asm(R"(
    .pushsection .text
    .p2align 4
    .globl memsnn_fiber_switch
    .hidden memsnn_fiber_switch
    .type memsnn_fiber_switch, @function
memsnn_fiber_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size memsnn_fiber_switch, .-memsnn_fiber_switch
    .popsection
)");
#endif

namespace memsnn {
namespace {

using Body = std::function<void(HostBlock&)>;

// Thrown from a barrier to unwind a thread once the run has failed. Not a std::exception,
// so step code's catch (const std::exception&) lets it through.
struct RunCancelled {};

void asan_start_switch([[maybe_unused]] void** fake_stack, [[maybe_unused]] const void* bottom,
                       [[maybe_unused]] size_t size) {
#if MEMSNN_ASAN
  __sanitizer_start_switch_fiber(fake_stack, bottom, size);
#endif
}

void asan_finish_switch([[maybe_unused]] void* fake_stack, [[maybe_unused]] const void** bottom,
                        [[maybe_unused]] size_t* size) {
#if MEMSNN_ASAN
  __sanitizer_finish_switch_fiber(fake_stack, bottom, size);
#endif
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A Fisher-Yates permutation of [0, n) keyed by (seed, stream, counter): reproducible.
void shuffle_into(std::vector<uint32_t>& v, uint32_t n, uint64_t seed, uint64_t stream, uint64_t counter) {
  v.resize(n);
  for (uint32_t i = 0; i < n; ++i) v[i] = i;
  uint64_t state = seed;
  state = splitmix64(state) ^ stream;
  state = splitmix64(state) ^ counter;
  for (uint32_t i = n; i > 1; --i) {
    const uint64_t r = splitmix64(state) >> 32;
    const uint32_t j = static_cast<uint32_t>((r * i) >> 32);  // in [0, i)
    std::swap(v[i - 1], v[j]);
  }
}

constexpr uint64_t kPermutationStream = 1;
constexpr uint64_t kResumeStream = 2;

std::string describe(const HostBarrierSite& s) {
  std::ostringstream o;
  switch (s.primitive) {
    case HostPrimitive::kForEach: o << "for_each(count=" << s.arg << ")"; break;
    case HostPrimitive::kForEachColumn:
      o << "for_each_column(rows=" << (s.arg >> 32) << ", cols=" << (s.arg & 0xffffffffu) << ")";
      break;
    case HostPrimitive::kSync: o << "sync()"; break;
    case HostPrimitive::kCompact: o << "compact(count=" << s.arg << "), barrier " << s.step + 1 << " of 3"; break;
    case HostPrimitive::kArgMax: o << "arg_max(count=" << s.arg << "), barrier " << s.step + 1 << " of 2"; break;
    case HostPrimitive::kMaxOf: o << "max_of(count=" << s.arg << "), barrier " << s.step + 1 << " of 2"; break;
    case HostPrimitive::kCountIf: o << "count_if(count=" << s.arg << "), barrier " << s.step + 1 << " of 2"; break;
    case HostPrimitive::kBodyEnd: o << "the end of the body"; break;
  }
  return o.str();
}

bool same_site(const HostBarrierSite& a, const HostBarrierSite& b) {
  return a.primitive == b.primitive && a.step == b.step && a.arg == b.arg && a.sequence == b.sequence;
}

}  // namespace

// What both runtimes share: the blocks, their shared slots and scratch, the record of
// where each thread waits, and the run's failure.
class HostBlockRuntime {
 public:
  explicit HostBlockRuntime(const HostBlockOptions& options)
      : m_options(options),
        m_threads(options.threads),
        m_arg_slots(m_threads),
        m_max_slots(m_threads),
        m_count_slots(m_threads),
        m_sites(m_threads) {
    for (uint32_t t = 0; t < m_threads; ++t) {
      m_blocks.push_back(std::unique_ptr<HostBlock>(new HostBlock(this, t, m_threads, options.order)));
      HostBlock& b = *m_blocks.back();
      b.m_arg_slots = m_arg_slots.data();
      b.m_max_slots = m_max_slots.data();
      b.m_count_slots = m_count_slots.data();
    }
  }
  virtual ~HostBlockRuntime() = default;
  HostBlockRuntime(const HostBlockRuntime&) = delete;
  HostBlockRuntime& operator=(const HostBlockRuntime&) = delete;

  virtual void run(const Body& body) = 0;
  // Waits until every thread has arrived; throws RunCancelled once the run has failed.
  virtual void arrive(uint32_t thread, const HostBarrierSite& site) = 0;

  // The shuffled permutation of call number `call`: built by the first thread to ask, read
  // by all. It is rebuilt only by a later call, which no thread reaches before every thread
  // has passed this call's last barrier.
  const uint32_t* shuffled(uint64_t call, uint32_t count) {
    std::lock_guard<std::mutex> lock(m_scratch_mutex);
    if (m_perm_call == call) {
      check_same_call(call, m_perm_count, count);
    } else {
      shuffle_into(m_perm, count, m_options.shuffle_seed, kPermutationStream, call);
      m_perm_call = call;
      m_perm_count = count;
    }
    return m_perm.data();
  }

  // compact()'s per-k masks; grows only at the first thread's request in a call, before
  // any thread of that call writes (the same argument as above).
  uint32_t* compact_masks(uint64_t call, uint32_t count) {
    std::lock_guard<std::mutex> lock(m_scratch_mutex);
    if (m_masks_call == call) {
      check_same_call(call, m_masks_count, count);
    } else {
      if (m_masks.size() < count) m_masks.resize(count);
      m_masks_call = call;
      m_masks_count = count;
    }
    return m_masks.data();
  }

 protected:
  // Per-run state back to the start: call and barrier counters, scratch keys, failure.
  void begin_run() {
    for (auto& b : m_blocks) {
      b->m_calls = 0;
      b->m_barriers = 0;
    }
    m_perm_call = 0;
    m_masks_call = 0;
    m_error = nullptr;
    m_failed = false;
  }

  // Runs the body on one thread. An exception ends the run (fail); RunCancelled is the
  // unwinding that follows it.
  void run_body(uint32_t t, const Body& body) {
    try {
      body(*m_blocks[t]);
    } catch (const RunCancelled&) {
      return;
    } catch (...) {
      fail(std::current_exception());
      return;
    }
    finish(t, HostBarrierSite{HostPrimitive::kBodyEnd, 0, 0, m_blocks[t]->m_barriers + 1});
  }

  // A thread returned from the body: it arrives at a last barrier, the end of the body.
  virtual void finish(uint32_t t, const HostBarrierSite& end) = 0;
  virtual void fail(std::exception_ptr error) = 0;

  // Empty when every thread waits at the same site; else the logic_error's message.
  std::string divergence() const {
    bool all_same = true;
    for (uint32_t t = 1; t < m_threads && all_same; ++t) all_same = same_site(m_sites[t], m_sites[0]);
    if (all_same) return {};
    std::ostringstream o;
    o << "HostBlock: threads diverged at barrier #" << m_sites[0].sequence << " of " << m_threads
      << " threads:";
    std::vector<bool> listed(m_threads, false);
    const char* separator = " ";
    for (uint32_t t = 0; t < m_threads; ++t) {
      if (listed[t]) continue;
      uint32_t n = 0;
      for (uint32_t u = t; u < m_threads; ++u) {
        if (!listed[u] && same_site(m_sites[u], m_sites[t])) {
          listed[u] = true;
          ++n;
        }
      }
      o << separator << "thread " << t;
      if (n > 1) o << " and " << n - 1 << " more";
      o << " at " << describe(m_sites[t]);
      separator = "; ";
    }
    return o.str();
  }

  void record_failure(std::exception_ptr error) {
    if (!m_error) m_error = std::move(error);
    m_failed = true;
  }

  HostBlockOptions m_options;
  uint32_t m_threads;
  std::vector<std::unique_ptr<HostBlock>> m_blocks;
  std::vector<ArgMax> m_arg_slots;
  std::vector<double> m_max_slots;
  std::vector<uint32_t> m_count_slots;
  std::vector<HostBarrierSite> m_sites;  // where each thread waits in the current phase
  std::exception_ptr m_error;            // the first exception of the run
  bool m_failed = false;

 private:
  // Two threads in the same call must be in the same primitive with the same count.
  static void check_same_call(uint64_t call, uint32_t held, uint32_t count) {
    if (held != count) {
      throw std::logic_error("HostBlock: threads diverged at primitive call #" + std::to_string(call) +
                             ": counts " + std::to_string(held) + " and " + std::to_string(count));
    }
  }

  std::mutex m_scratch_mutex;
  std::vector<uint32_t> m_perm;
  uint64_t m_perm_call = 0;  // calls count from 1: 0 is none
  uint32_t m_perm_count = 0;
  std::vector<uint32_t> m_masks;
  uint64_t m_masks_call = 0;
  uint32_t m_masks_count = 0;
};

namespace {

// ---- Fibers: B contexts on the calling thread, switched at barriers ---------------------

struct FiberContext {
#if MEMSNN_FIBER_ASM
  void* sp = nullptr;
#else
  ucontext_t uc{};
#endif
};

void switch_context(FiberContext& from, FiberContext& to) {
#if MEMSNN_FIBER_ASM
  memsnn_fiber_switch(&from.sp, to.sp);
#else
  swapcontext(&from.uc, &to.uc);
#endif
}

// A context that starts entry() on the stack [lo, lo + size).
void make_context(FiberContext& c, char* lo, size_t size, void (*entry)()) {
#if MEMSNN_FIBER_ASM
  // The frame memsnn_fiber_switch pops: control words, six registers, then `ret` into
  // entry with rsp = top - 8, the alignment entry expects after a call (rsp + 8 a
  // multiple of 16). Its own return address is 0: entry never returns.
  const uintptr_t top = (reinterpret_cast<uintptr_t>(lo) + size) & ~uintptr_t{15};
  auto* sp = reinterpret_cast<uint64_t*>(top);
  *--sp = 0;
  *--sp = reinterpret_cast<uintptr_t>(entry);
  for (int i = 0; i < 6; ++i) *--sp = 0;  // rbp, rbx, r12-r15
  uint32_t mxcsr = 0;
  uint16_t fpcw = 0;
  __asm__ __volatile__("stmxcsr %0" : "=m"(mxcsr));
  __asm__ __volatile__("fnstcw %0" : "=m"(fpcw));
  *--sp = mxcsr | (static_cast<uint64_t>(fpcw) << 32);
  c.sp = sp;
#else
  getcontext(&c.uc);
  c.uc.uc_stack.ss_sp = lo;
  c.uc.uc_stack.ss_size = size;
  c.uc.uc_link = nullptr;
  makecontext(&c.uc, entry, 0);
#endif
}

class FiberRuntime;
thread_local FiberRuntime* t_starting_runtime = nullptr;  // read by a fiber's first instruction

// One barrier phase: the scheduler resumes every fiber in turn; each runs until it arrives
// at a barrier (or finishes) and switches back. When all have, the sites are compared and
// the next phase begins. Deterministic for a given order and seed.
//
// The C++ runtime keeps its exception state per OS thread, so fibers must not switch while
// an exception is in flight or inside a catch handler: arrive() never switches during
// unwinding, and the cancellation below completes each fiber's handler before the next
// one runs. (Step code that calls a primitive from inside its own catch handler is not
// supported.)
class FiberRuntime final : public HostBlockRuntime {
 public:
  explicit FiberRuntime(const HostBlockOptions& options) : HostBlockRuntime(options), m_fibers(m_threads) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    m_stack_bytes = (std::max<size_t>(options.fiber_stack_bytes, 16 * 1024) + page - 1) / page * page;
    const size_t per_fiber = m_stack_bytes + page;  // a guard page below each stack
    m_mapping_bytes = per_fiber * m_threads;
    void* mapping = mmap(nullptr, m_mapping_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                         -1, 0);
    if (mapping == MAP_FAILED) throw std::runtime_error("HostBlock: cannot map fiber stacks");
    m_mapping = static_cast<char*>(mapping);
    for (uint32_t t = 0; t < m_threads; ++t) {
      char* guard = m_mapping + per_fiber * t;
      mprotect(guard, page, PROT_NONE);  // an overflow faults instead of corrupting a neighbour
      m_fibers[t].stack = guard + page;
    }
    m_resume.resize(m_threads);
    for (uint32_t t = 0; t < m_threads; ++t) m_resume[t] = t;
  }

  ~FiberRuntime() override { munmap(m_mapping, m_mapping_bytes); }

  void run(const Body& body) override {
    if (m_running) throw std::logic_error("HostBlock: run() is not reentrant");
    // Restores the executor if the scheduler itself throws (e.g. out of memory).
    struct Running {
      FiberRuntime& rt;
      FiberRuntime* outer = t_starting_runtime;
      explicit Running(FiberRuntime& r) : rt(r) {
        rt.m_running = true;
        t_starting_runtime = &rt;
      }
      ~Running() {
        rt.m_running = false;
        t_starting_runtime = outer;
      }
    } running(*this);
    m_outer_exceptions = std::uncaught_exceptions();  // run() may itself be called while unwinding
    begin_run();
    m_body = &body;
    for (Fiber& f : m_fibers) {
#if MEMSNN_ASAN
      ASAN_UNPOISON_MEMORY_REGION(f.stack, m_stack_bytes);  // frames the last run left behind
#endif
      make_context(f.context, f.stack, m_stack_bytes, &FiberRuntime::entry);
      f.state = State::kReady;
    }
    for (uint64_t phase = 0;; ++phase) {
      if (m_options.order == HostThreadOrder::kShuffled) {
        shuffle_into(m_resume, m_threads, m_options.shuffle_seed, kResumeStream, phase);
      }
      for (const uint32_t t : m_resume) {
        resume(t);
        if (m_failed) break;
      }
      if (!m_failed) {
        std::string message = divergence();
        if (!message.empty()) {
          record_failure(std::make_exception_ptr(std::logic_error(message)));
        } else if (m_sites[0].primitive == HostPrimitive::kBodyEnd) {
          break;
        }
      }
      if (m_failed) {
        // Unwind every fiber that waits at a barrier: arrive() throws RunCancelled there.
        for (uint32_t t = 0; t < m_threads; ++t) {
          if (m_fibers[t].state == State::kWaiting) resume(t);
        }
        break;
      }
    }
    if (m_error) std::rethrow_exception(m_error);
  }

  void arrive(uint32_t thread, const HostBarrierSite& site) override {
    // A barrier reached while unwinding (a destructor in step code) is passed: switching
    // fibers mid-unwind would mix their exception state, which the OS thread holds.
    if (std::uncaught_exceptions() > m_outer_exceptions) return;
    if (m_failed) throw RunCancelled{};
    m_sites[thread] = site;
    Fiber& f = m_fibers[thread];
    f.state = State::kWaiting;
    asan_start_switch(&f.fake_stack, m_main_stack_bottom, m_main_stack_size);
    switch_context(f.context, m_main);
    asan_finish_switch(f.fake_stack, nullptr, nullptr);
    if (m_failed) throw RunCancelled{};
  }

 private:
  enum class State : uint8_t { kReady, kWaiting, kDone };
  struct Fiber {
    FiberContext context;
    char* stack = nullptr;
    State state = State::kReady;
    void* fake_stack = nullptr;  // ASan's fake stack while switched out
  };

  void resume(uint32_t t) {
    Fiber& f = m_fibers[t];
    if (f.state == State::kDone) return;
    m_current = t;
    asan_start_switch(&m_main_fake_stack, f.stack, m_stack_bytes);
    switch_context(m_main, f.context);
    asan_finish_switch(m_main_fake_stack, nullptr, nullptr);
  }

  // A fiber's first and last frame. Everything with a destructor lives in run_body, which
  // returns before the final switch; the frame itself is abandoned (the next run makes a
  // fresh context on the same stack).
  static void entry() {
    FiberRuntime& rt = *t_starting_runtime;
    const uint32_t t = rt.m_current;
    asan_finish_switch(nullptr, &rt.m_main_stack_bottom, &rt.m_main_stack_size);
    rt.run_body(t, *rt.m_body);
    rt.m_fibers[t].state = State::kDone;
    asan_start_switch(nullptr, rt.m_main_stack_bottom, rt.m_main_stack_size);
    switch_context(rt.m_fibers[t].context, rt.m_main);
    __builtin_unreachable();  // never resumed
  }

  void finish(uint32_t t, const HostBarrierSite& end) override { m_sites[t] = end; }
  void fail(std::exception_ptr error) override { record_failure(std::move(error)); }

  std::vector<Fiber> m_fibers;
  std::vector<uint32_t> m_resume;  // the order fibers run in this phase
  char* m_mapping = nullptr;
  size_t m_mapping_bytes = 0;
  size_t m_stack_bytes = 0;
  FiberContext m_main;  // the thread that called run()
  uint32_t m_current = 0;
  const Body* m_body = nullptr;
  bool m_running = false;
  int m_outer_exceptions = 0;  // exceptions in flight when run() began
  const void* m_main_stack_bottom = nullptr;
  size_t m_main_stack_size = 0;
  void* m_main_fake_stack = nullptr;
};

// ---- OS threads: a pool of B workers and a mutex/condition-variable barrier --------------

class ThreadRuntime final : public HostBlockRuntime {
 public:
  explicit ThreadRuntime(const HostBlockOptions& options) : HostBlockRuntime(options) {
    m_workers.reserve(m_threads);
    try {
      for (uint32_t t = 0; t < m_threads; ++t) m_workers.emplace_back([this, t] { work(t); });
    } catch (...) {
      stop();
      throw;
    }
  }

  ~ThreadRuntime() override { stop(); }

  void run(const Body& body) override {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      if (m_active != 0) throw std::logic_error("HostBlock: run() is not reentrant");
      begin_run();
      m_body = &body;
      m_arrived = 0;
      m_active = m_threads;
      ++m_run_generation;
    }
    m_start_cv.notify_all();
    std::exception_ptr error;
    {
      std::unique_lock<std::mutex> lock(m_mutex);
      m_done_cv.wait(lock, [&] { return m_active == 0; });
      error = m_error;
    }
    if (error) std::rethrow_exception(error);
  }

  void arrive(uint32_t thread, const HostBarrierSite& site) override {
    if (std::uncaught_exceptions() > 0) return;  // unwinding: the run is about to fail
    std::unique_lock<std::mutex> lock(m_mutex);
    if (m_failed) throw RunCancelled{};
    m_sites[thread] = site;
    const uint64_t phase = m_phase;
    if (++m_arrived == m_threads) {
      complete_phase();
    } else {
      m_barrier_cv.wait(lock, [&] { return m_phase != phase || m_failed; });
    }
    if (m_failed) throw RunCancelled{};
  }

 private:
  void work(uint32_t t) {
    uint64_t seen = 0;
    for (;;) {
      const Body* body = nullptr;
      {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_start_cv.wait(lock, [&] { return m_stop || m_run_generation != seen; });
        if (m_stop) return;
        seen = m_run_generation;
        body = m_body;
      }
      run_body(t, *body);
      std::lock_guard<std::mutex> lock(m_mutex);
      if (--m_active == 0) m_done_cv.notify_all();
    }
  }

  // With m_mutex held, once all B threads have arrived.
  void complete_phase() {
    std::string message = divergence();
    if (!message.empty()) record_failure(std::make_exception_ptr(std::logic_error(message)));
    m_arrived = 0;
    ++m_phase;
    m_barrier_cv.notify_all();
  }

  void finish(uint32_t t, const HostBarrierSite& end) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_failed) return;
    m_sites[t] = end;
    if (++m_arrived == m_threads) complete_phase();
  }

  void fail(std::exception_ptr error) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    record_failure(std::move(error));
    m_barrier_cv.notify_all();  // waiting threads unwind
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_stop = true;
    }
    m_start_cv.notify_all();
    for (std::thread& w : m_workers) w.join();
  }

  std::mutex m_mutex;
  std::condition_variable m_start_cv;
  std::condition_variable m_barrier_cv;
  std::condition_variable m_done_cv;
  std::vector<std::thread> m_workers;
  const Body* m_body = nullptr;
  uint64_t m_run_generation = 0;
  uint32_t m_active = 0;  // workers still in this run's body
  bool m_stop = false;
  uint32_t m_arrived = 0;  // at the current barrier
  uint64_t m_phase = 0;    // barriers completed
};

}  // namespace

// ---- HostBlock's out-of-line members -----------------------------------------------------

HostBlock::HostBlock(HostBlockRuntime* runtime, uint32_t thread, uint32_t threads, HostThreadOrder order)
    : m_runtime(runtime), m_thread(thread), m_threads(threads), m_order(order) {}

HostBlock::Order HostBlock::begin_call(uint32_t count) {
  ++m_calls;
  switch (m_order) {
    case HostThreadOrder::kShuffled: return Order{m_runtime->shuffled(m_calls, count), count, false};
    case HostThreadOrder::kReverse: return Order{nullptr, count, true};
    case HostThreadOrder::kForward: break;
  }
  return Order{nullptr, count, false};
}

uint32_t* HostBlock::compact_masks(uint32_t count) { return m_runtime->compact_masks(m_calls, count); }

void HostBlock::barrier(HostPrimitive primitive, uint8_t step, uint64_t arg) {
  m_runtime->arrive(m_thread, HostBarrierSite{primitive, step, arg, ++m_barriers});
}

// ---- The executor -----------------------------------------------------------------------

HostBlockExecutor::HostBlockExecutor(const HostBlockOptions& options) : m_options(options) {
  if (options.threads == 0) throw std::invalid_argument("HostBlock: threads must be at least 1");
  if (options.threading == HostThreading::kFibers) {
    m_runtime = std::make_unique<FiberRuntime>(options);
  } else {
    m_runtime = std::make_unique<ThreadRuntime>(options);
  }
}

HostBlockExecutor::~HostBlockExecutor() = default;

void HostBlockExecutor::run(const std::function<void(HostBlock&)>& body) { m_runtime->run(body); }

}  // namespace memsnn
