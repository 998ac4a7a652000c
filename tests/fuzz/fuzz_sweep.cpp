// Fuzz target: a sweep file (apps/snn_sweep, docs/devices.md "Sweeps"): parsed, its grid
// expanded, and, for a small grid, every point's config checked, as snn_sweep does
// before it runs anything.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "sim/sweep.hpp"

namespace {
// Checking a point is a full config parse; a 100,000-point grid would make one input take
// seconds and starve the search. Parsing and expansion still see every grid.
constexpr size_t kMaxPointsChecked = 64;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = memsnn::fuzz::write_temp("sweep.json", data, size);
  memsnn::fuzz::expect_documented_errors([&] {
    const memsnn::Sweep sweep = memsnn::read_sweep_file(path);
    const std::vector<memsnn::SweepPoint> points = memsnn::expand_grid(sweep);
    if (points.size() <= kMaxPointsChecked) memsnn::validate_points(sweep, points);
    for (const memsnn::SweepPoint& p : points) {
      memsnn::point_label(sweep, p);
      if (p.index >= kMaxPointsChecked) break;
    }
  });
  return 0;
}
