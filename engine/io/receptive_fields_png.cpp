// Receptive-field picture of the learning layer: one greyscale tile per neuron, in a grid of
// ceil(sqrt(N)) tile columns and ceil(N / columns) tile rows, neuron j at tile row
// j / columns, tile column j % columns.
//
// Geometry: each tile is rows x cols input pixels, each enlarged to scale x scale. Adjacent
// tiles are separated by a gap of kGap = 1 image pixel (not enlarged by scale) of dark grey
// (value 40); there is no outer border. Slots past the last neuron are filled with the gap
// grey so that they differ from a tile of all-zero weights (black). Hence
//   width  = tile_columns * cols * scale + (tile_columns - 1) * kGap
//   height = tile_rows    * rows * scale + (tile_rows    - 1) * kGap
// Pixel value = round(255 * g / max_g), max_g over the whole layer (0 if max_g <= 0).
#include "io/receptive_fields_png.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "io/atomic_file.hpp"
#include "io/png_encode.hpp"

namespace memsnn {
namespace {

constexpr uint64_t kGap = 1;         // pixels between tiles
constexpr uint8_t kGapValue = 40;    // dark grey

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw DataError(path + ": " + what); }

// Integer ceil(sqrt(n)): start from the float estimate and correct it, so a perfect square
// such as 100 never becomes 11 columns through rounding.
uint64_t tile_columns(uint32_t n) {
  uint64_t grid_cols = static_cast<uint64_t>(std::ceil(std::sqrt(static_cast<double>(n))));
  while (grid_cols > 1 && (grid_cols - 1) * (grid_cols - 1) >= n) --grid_cols;
  while (grid_cols * grid_cols < n) ++grid_cols;
  return grid_cols;
}

}  // namespace

uint64_t receptive_fields_png_bound(uint32_t n_neurons, uint32_t rows, uint32_t cols, uint32_t scale) {
  if (n_neurons == 0) return 0;
  const uint64_t grid_cols = tile_columns(n_neurons);
  const uint64_t grid_rows = (n_neurons + grid_cols - 1) / grid_cols;
  const uint64_t width = grid_cols * cols * scale + (grid_cols - 1) * kGap;
  const uint64_t height = grid_rows * rows * scale + (grid_rows - 1) * kGap;
  const uint64_t raw = (width + 1) * height;  // one filter byte per row
  // stb's deflate spends at most 9 bits on an incompressible byte; 4 KiB for the framing.
  return raw + raw / 8 + 4096;
}

void write_receptive_fields_png(const std::string& path, const NetworkState& state, uint32_t rows, uint32_t cols,
                                uint32_t scale) {
  const uint32_t n = state.n_neurons;
  if (uint64_t{rows} * cols != state.n_inputs) {
    fail(path, "cannot draw receptive fields: image " + std::to_string(rows) + " x " + std::to_string(cols) +
                   " does not match n_inputs " + std::to_string(state.n_inputs));
  }
  if (state.g.size() != uint64_t{state.n_inputs} * n) {
    fail(path, "cannot draw receptive fields: " + std::to_string(state.g.size()) + " conductances, expected " +
                   std::to_string(uint64_t{state.n_inputs} * n));
  }
  if (n == 0 || rows == 0 || cols == 0) fail(path, "cannot draw receptive fields: empty layer or image");
  if (scale == 0) fail(path, "cannot draw receptive fields: scale must be at least 1");

  const uint64_t grid_cols = tile_columns(n);
  const uint64_t grid_rows = (n + grid_cols - 1) / grid_cols;

  const uint64_t tile_w = uint64_t{cols} * scale;
  const uint64_t tile_h = uint64_t{rows} * scale;
  const uint64_t width = grid_cols * tile_w + (grid_cols - 1) * kGap;
  const uint64_t height = grid_rows * tile_h + (grid_rows - 1) * kGap;
  // stb indexes with int; keep the whole buffer addressable by it.
  if (width > INT_MAX || height > INT_MAX || width * height > INT_MAX) {
    fail(path, "cannot draw receptive fields: picture of " + std::to_string(width) + " x " +
                   std::to_string(height) + " pixels is too large (reduce scale)");
  }

  float max_g = 0.0f;
  for (float v : state.g) {
    if (std::isfinite(v)) max_g = std::max(max_g, v);
  }

  std::vector<uint8_t> image(static_cast<size_t>(width * height), kGapValue);
  for (uint32_t j = 0; j < n; ++j) {
    const uint64_t x0 = (j % grid_cols) * (tile_w + kGap);
    const uint64_t y0 = (j / grid_cols) * (tile_h + kGap);
    for (uint32_t r = 0; r < rows; ++r) {
      for (uint32_t c = 0; c < cols; ++c) {
        const float g = state.g[(uint64_t{r} * cols + c) * n + j];
        uint8_t value = 0;
        // NaN, negative or an all-zero layer draw black rather than garbage.
        if (max_g > 0.0f && g > 0.0f) {
          const double scaled = std::round(255.0 * static_cast<double>(g) / static_cast<double>(max_g));
          value = static_cast<uint8_t>(std::clamp(scaled, 0.0, 255.0));
        }
        for (uint64_t dy = 0; dy < scale; ++dy) {
          uint8_t* row = image.data() + (y0 + uint64_t{r} * scale + dy) * width + x0 + uint64_t{c} * scale;
          std::fill(row, row + scale, value);
        }
      }
    }
  }

  const std::string png = encode_png(image.data(), static_cast<int>(width), static_cast<int>(height), 1);
  if (png.empty()) fail(path, "cannot encode receptive fields as PNG");
  write_file_atomic(path, png);
}

}  // namespace memsnn
