// A small line plot as a PNG: one or more (x, y) series, each in its own colour, with optional
// vertical error bars, inside a frame with tick marks and numeric tick labels. No text beyond
// the numbers (no titles or legend): apps say in their docs what the axes are.
// Used by snn_device (conductance against pulse number) and meant for sweep tools (accuracy
// against a parameter, error bars = spread over seeds).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace memsnn {

struct PlotSeries {
  std::vector<double> x;
  std::vector<double> y;
  std::vector<double> y_err;  // empty, or one half-height per point: a bar from y - e to y + e (e >= 0)
  bool markers = false;       // a small square at every point as well as the line
};

struct LinePlotStyle {
  uint32_t width = 640;      // pixels, [64, 8192]
  uint32_t height = 400;     // pixels, [64, 8192]
  bool tick_labels = true;   // numbers at the ticks (built-in 3 x 5 pixel digits)
};

// The plot as PNG bytes. Axes span every finite point (and error bar), widened to whole tick
// steps; non-finite points are skipped and break the line. Throws DataError saying what is
// wrong (no series, sizes differ, a negative error bar, no finite point, a bad size).
std::string line_plot_png(const std::vector<PlotSeries>& series, const LinePlotStyle& style = {});

// The same, written atomically to `path` (DataError naming it on failure).
void write_line_plot_png(const std::string& path, const std::vector<PlotSeries>& series,
                         const LinePlotStyle& style = {});

}  // namespace memsnn
