// Progress output: a live bar with rate, ETA and running accuracy on a terminal, plain
// lines every few seconds otherwise, nothing when quiet.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace memsnn {

enum class ProgressMode { kAuto, kBar, kLines, kQuiet };

class Progress {
 public:
  Progress(std::string label, uint64_t total, ProgressMode mode, std::FILE* out = stderr);
  // done: items finished so far; note: extra text such as "acc 81.2%".
  void update(uint64_t done, const std::string& note = "");
  void finish(const std::string& note = "");

 private:
  void print(uint64_t done, const std::string& note, bool final_line);

  std::string m_label;
  uint64_t m_total;
  ProgressMode m_mode;
  std::FILE* m_out;
  std::chrono::steady_clock::time_point m_start;
  std::chrono::steady_clock::time_point m_last_print;
};

}  // namespace memsnn
