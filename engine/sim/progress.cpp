#include "sim/progress.hpp"

#include <unistd.h>

#include <cmath>

namespace memsnn {
namespace {

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

}  // namespace

Progress::Progress(std::string label, uint64_t total, ProgressMode mode, std::FILE* out)
    : m_label(std::move(label)), m_total(total), m_mode(mode), m_out(out) {
  if (m_mode == ProgressMode::kAuto) m_mode = isatty(fileno(out)) ? ProgressMode::kBar : ProgressMode::kLines;
  m_start = m_last_print = std::chrono::steady_clock::now();
}

void Progress::update(uint64_t done, const std::string& note) {
  if (m_mode == ProgressMode::kQuiet) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - m_last_print).count();
  if (since < (m_mode == ProgressMode::kBar ? 0.2 : 10.0)) return;
  m_last_print = now;
  print(done, note, false);
}

void Progress::finish(const std::string& note) {
  if (m_mode == ProgressMode::kQuiet) return;
  print(m_total, note, true);
}

void Progress::print(uint64_t done, const std::string& note, bool final_line) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(m_total - done) / rate : NAN;
  const double frac = m_total ? static_cast<double>(done) / static_cast<double>(m_total) : 1.0;
  char stats[160];
  std::snprintf(stats, sizeof stats, "%llu/%llu  %.1f img/s  %s %s", static_cast<unsigned long long>(done),
                static_cast<unsigned long long>(m_total), rate, final_line ? "took" : "ETA",
                clock_text(final_line ? elapsed : eta).c_str());
  if (m_mode == ProgressMode::kBar) {
    constexpr int kWidth = 28;
    const int filled = static_cast<int>(frac * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(kWidth - filled), '.');
    std::fprintf(m_out, "\r%-6s [%s] %s  %s\033[K%s", m_label.c_str(), bar.c_str(), stats, note.c_str(),
                 final_line ? "\n" : "");
  } else {
    std::fprintf(m_out, "%-6s %5.1f%%  %s  %s\n", m_label.c_str(), 100.0 * frac, stats, note.c_str());
  }
  std::fflush(m_out);
}

}  // namespace memsnn
