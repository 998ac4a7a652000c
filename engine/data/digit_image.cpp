// mnist_digit: ink, background, bounding box, area-averaged scaling, centring by the centre
// of mass (the steps listed in digit_image.hpp).
#include "data/digit_image.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace memsnn {
namespace {

// The picture's border: every pixel of the outermost rows and columns, once each.
std::vector<uint8_t> border_pixels(const GreyImage& p) {
  std::vector<uint8_t> border;
  for (int x = 0; x < p.width; ++x) {
    border.push_back(p.at(x, 0));
    if (p.height > 1) border.push_back(p.at(x, p.height - 1));
  }
  for (int y = 1; y + 1 < p.height; ++y) {
    border.push_back(p.at(0, y));
    if (p.width > 1) border.push_back(p.at(p.width - 1, y));
  }
  return border;
}

double mean_of(const std::vector<uint8_t>& v) {
  double sum = 0.0;
  for (const uint8_t x : v) sum += x;
  return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
}

// Source pixels and weights (summing to 1) of each of `out` pixels that cover `in` source
// pixels: output pixel o spans [o, o + 1) * in / out, weighted by overlap. Scale 1 is a copy.
struct Tap {
  int source;
  double weight;
};
std::vector<std::vector<Tap>> area_taps(int in, int out) {
  std::vector<std::vector<Tap>> taps(static_cast<size_t>(out));
  const double step = static_cast<double>(in) / out;
  for (int o = 0; o < out; ++o) {
    const double lo = o * step, hi = (o + 1) * step;
    for (int s = static_cast<int>(std::floor(lo)); s < in && s < hi; ++s) {
      const double overlap = std::min(hi, s + 1.0) - std::max(lo, static_cast<double>(s));
      if (overlap > 1e-12) taps[static_cast<size_t>(o)].push_back({s, overlap / step});
    }
  }
  return taps;
}

}  // namespace

void centre_of_mass(const std::vector<uint8_t>& pixels, int width, int height, double& x, double& y) {
  double sum = 0.0, sx = 0.0, sy = 0.0;
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) {
      const double v = pixels[static_cast<size_t>(r) * static_cast<size_t>(width) + static_cast<size_t>(c)];
      sum += v;
      sx += v * c;
      sy += v * r;
    }
  }
  x = sum > 0 ? sx / sum : (width - 1) / 2.0;
  y = sum > 0 ? sy / sum : (height - 1) / 2.0;
}

DigitImage mnist_digit(const GreyImage& picture) {
  if (picture.width <= 0 || picture.height <= 0) throw DataError("empty picture");
  DigitImage digit;
  // 1. Ink: the background is the majority, so a border lighter than the whole means dark ink.
  std::vector<uint8_t> border = border_pixels(picture);
  digit.inverted = mean_of(border) > mean_of(picture.pixels);
  const auto ink_of = [&](uint8_t v) { return digit.inverted ? static_cast<uint8_t>(255 - v) : v; };
  for (uint8_t& v : border) v = ink_of(v);

  // 2. Background: up to the border's 95th percentile is paper; the darkest ink becomes 255.
  const size_t p95 = std::min(border.size() - 1, border.size() * 95 / 100);
  std::nth_element(border.begin(), border.begin() + static_cast<ptrdiff_t>(p95), border.end());
  const int floor_level = border[p95];
  int top = 0;
  for (const uint8_t v : picture.pixels) top = std::max(top, static_cast<int>(ink_of(v)));
  if (top <= floor_level) {
    throw DataError("no digit found: the picture has no ink beyond its border's grey level " +
                    std::to_string(digit.inverted ? 255 - floor_level : floor_level));
  }
  const auto level = [&](int x, int y) {
    const int v = ink_of(picture.at(x, y)) - floor_level;
    return v <= 0 ? 0.0 : v * 255.0 / (top - floor_level);
  };

  // 3. Bounding box of the ink, scaled to kMnistBox on its longer side.
  int x0 = picture.width, y0 = picture.height, x1 = -1, y1 = -1;
  for (int y = 0; y < picture.height; ++y) {
    for (int x = 0; x < picture.width; ++x) {
      if (level(x, y) > 0) {
        x0 = std::min(x0, x), x1 = std::max(x1, x);
        y0 = std::min(y0, y), y1 = std::max(y1, y);
      }
    }
  }
  digit.box_x = x0, digit.box_y = y0, digit.box_width = x1 - x0 + 1, digit.box_height = y1 - y0 + 1;
  const double scale = static_cast<double>(kMnistBox) / std::max(digit.box_width, digit.box_height);
  const int w = std::clamp(static_cast<int>(std::lround(digit.box_width * scale)), 1, kMnistBox);
  const int h = std::clamp(static_cast<int>(std::lround(digit.box_height * scale)), 1, kMnistBox);
  digit.scaled_width = w, digit.scaled_height = h;
  const auto taps_x = area_taps(digit.box_width, w), taps_y = area_taps(digit.box_height, h);
  std::vector<uint8_t> scaled(static_cast<size_t>(w) * static_cast<size_t>(h));
  for (int oy = 0; oy < h; ++oy) {
    for (int ox = 0; ox < w; ++ox) {
      double sum = 0.0;
      for (const Tap& ty : taps_y[static_cast<size_t>(oy)]) {
        for (const Tap& tx : taps_x[static_cast<size_t>(ox)]) sum += ty.weight * tx.weight * level(x0 + tx.source, y0 + ty.source);
      }
      scaled[static_cast<size_t>(oy) * static_cast<size_t>(w) + static_cast<size_t>(ox)] =
          static_cast<uint8_t>(std::clamp(std::lround(sum), 0L, 255L));
    }
  }

  // 4. Centre of mass onto (14, 14) by a whole-pixel shift that keeps the box in the field.
  double cx = 0.0, cy = 0.0;
  centre_of_mass(scaled, w, h, cx, cy);
  const int left = std::clamp(static_cast<int>(std::lround(kMnistCentre - cx)), 0, kMnistSide - w);
  const int up = std::clamp(static_cast<int>(std::lround(kMnistCentre - cy)), 0, kMnistSide - h);
  digit.pixels.assign(static_cast<size_t>(kMnistSide) * kMnistSide, 0);
  for (int y = 0; y < h; ++y) {
    std::copy_n(scaled.begin() + static_cast<ptrdiff_t>(y) * w, w,
                digit.pixels.begin() + static_cast<ptrdiff_t>(y + up) * kMnistSide + left);
  }
  return digit;
}

}  // namespace memsnn
