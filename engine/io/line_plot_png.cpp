// Line plots as PNG (see line_plot_png.hpp): an RGB canvas, Bresenham lines, "nice" tick
// steps (1, 2 or 5 times a power of ten) and a 3 x 5 pixel font for the tick numbers.
//
// Layout: white background; the frame is the plot area's border; data map into the area
// less kInset pixels on each side, so a curve at the axis limits stays off the frame. Light
// grey grid lines at the ticks. Series colours cycle through kPalette.
#include "io/line_plot_png.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "io/atomic_file.hpp"
#include "io/png_encode.hpp"

namespace memsnn {
namespace {

struct Rgb {
  uint8_t r, g, b;
};

constexpr Rgb kWhite{255, 255, 255};
constexpr Rgb kBlack{0, 0, 0};
constexpr Rgb kGrid{225, 225, 225};
// Distinct on white and for common colour blindness (matplotlib's first six).
constexpr std::array<Rgb, 6> kPalette = {
    {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40}, {148, 103, 189}, {140, 86, 75}}};
constexpr int kInset = 4;        // pixels between the frame and the data range
constexpr int kFontScale = 2;    // each font pixel drawn 2 x 2
constexpr int kTickLength = 5;   // pixels, inward from the frame
constexpr uint32_t kMinSize = 64, kMaxSize = 8192;

// 3 x 5 glyphs, one row of 3 bits per entry (bit 2 = left column).
struct Glyph {
  char c;
  std::array<uint8_t, 5> rows;
};
constexpr std::array<Glyph, 14> kFont = {{{'0', {7, 5, 5, 5, 7}},
                                          {'1', {2, 6, 2, 2, 7}},
                                          {'2', {7, 1, 7, 4, 7}},
                                          {'3', {7, 1, 7, 1, 7}},
                                          {'4', {5, 5, 7, 1, 1}},
                                          {'5', {7, 4, 7, 1, 7}},
                                          {'6', {7, 4, 7, 5, 7}},
                                          {'7', {7, 1, 1, 1, 1}},
                                          {'8', {7, 5, 7, 5, 7}},
                                          {'9', {7, 5, 7, 1, 7}},
                                          {'.', {0, 0, 0, 0, 2}},
                                          {'-', {0, 0, 7, 0, 0}},
                                          {'+', {0, 2, 7, 2, 0}},
                                          {'e', {7, 4, 7, 4, 7}}}};

class Canvas {
 public:
  Canvas(int w, int h) : m_w(w), m_h(h), m_px(static_cast<size_t>(w) * static_cast<size_t>(h) * 3, 255) {}

  void set(int x, int y, Rgb c) {
    if (x < 0 || y < 0 || x >= m_w || y >= m_h) return;
    uint8_t* p = &m_px[(static_cast<size_t>(y) * static_cast<size_t>(m_w) + static_cast<size_t>(x)) * 3];
    p[0] = c.r;
    p[1] = c.g;
    p[2] = c.b;
  }
  void fill(int x0, int y0, int x1, int y1, Rgb c) {  // inclusive corners, any order
    for (int y = std::min(y0, y1); y <= std::max(y0, y1); ++y) {
      for (int x = std::min(x0, x1); x <= std::max(x0, x1); ++x) set(x, y, c);
    }
  }
  // Bresenham; `thick` 2 also sets the pixel below and right, so the curve reads clearly.
  void line(int x0, int y0, int x1, int y1, Rgb c, int thick) {
    const int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
    const int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) {
      fill(x0, y0, x0 + thick - 1, y0 + thick - 1, c);
      if (x0 == x1 && y0 == y1) break;
      const int e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }
  void text(int x, int y, const std::string& s, Rgb c) {  // (x, y): top left
    for (char ch : s) {
      for (const Glyph& g : kFont) {
        if (g.c != ch) continue;
        for (int r = 0; r < 5; ++r) {
          for (int k = 0; k < 3; ++k) {
            if ((g.rows[static_cast<size_t>(r)] >> (2 - k)) & 1) {
              fill(x + k * kFontScale, y + r * kFontScale, x + (k + 1) * kFontScale - 1,
                   y + (r + 1) * kFontScale - 1, c);
            }
          }
        }
      }
      x += 4 * kFontScale;
    }
  }
  static int text_width(const std::string& s) { return s.empty() ? 0 : (4 * static_cast<int>(s.size()) - 1) * kFontScale; }
  static int text_height() { return 5 * kFontScale; }
  const uint8_t* data() const { return m_px.data(); }

 private:
  int m_w, m_h;
  std::vector<uint8_t> m_px;
};

// An axis: its limits (whole tick steps) and the tick values between them.
struct Axis {
  double lo = 0.0, hi = 1.0;
  std::vector<double> ticks;
};

double nice_step(double span) {
  const double raw = span / 6.0;  // about six intervals
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  return (norm < 1.5 ? 1.0 : norm < 3.0 ? 2.0 : norm < 7.0 ? 5.0 : 10.0) * mag;
}

Axis make_axis(double lo, double hi) {
  if (!(hi - lo > 1e-12 * std::max(std::fabs(lo), std::fabs(hi)))) {  // one value: widen around it
    const double pad = lo != 0.0 ? 0.1 * std::fabs(lo) : 1.0;
    lo -= pad;
    hi += pad;
  }
  const double step = nice_step(hi - lo);
  // The small slack keeps a limit that is a tick already from gaining one more step.
  const double k_lo = std::floor(lo / step + 1e-9), k_hi = std::ceil(hi / step - 1e-9);
  Axis a;
  a.lo = k_lo * step;
  a.hi = k_hi * step;
  for (double k = k_lo; k <= k_hi; k += 1.0) a.ticks.push_back(std::fabs(k) < 0.5 ? 0.0 : k * step);
  return a;
}

// Plain decimals for ordinary magnitudes, else a mantissa and a short exponent ("2.5e-8"),
// with as many digits as the tick step needs. Steps are 1, 2 or 5 times 10^m.
std::string tick_label(double v, const Axis& a) {
  if (v == 0.0) return "0";
  const double step = a.ticks.size() > 1 ? a.ticks[1] - a.ticks[0] : 1.0;
  const int m = static_cast<int>(std::floor(std::log10(step) + 1e-9));
  const double big = std::max(std::fabs(a.lo), std::fabs(a.hi));
  char buf[48];
  if (big >= 1e-3 && big < 1e5 && m >= -4) {
    std::snprintf(buf, sizeof buf, "%.*f", std::max(0, -m), v);
    return buf;
  }
  const int decimals = std::clamp(static_cast<int>(std::floor(std::log10(big))) - m, 0, 9);
  std::snprintf(buf, sizeof buf, "%.*e", decimals, v);
  const std::string s = buf;
  const size_t e = s.find('e');
  std::string out = s.substr(0, e + 1);
  size_t i = e + 1;
  if (s[i] == '-') out += '-';
  if (s[i] == '-' || s[i] == '+') ++i;
  while (i + 1 < s.size() && s[i] == '0') ++i;
  return out + s.substr(i);
}

[[noreturn]] void fail(const std::string& what) { throw DataError("line plot: " + what); }

void check(const std::vector<PlotSeries>& series, const LinePlotStyle& style) {
  if (series.empty()) fail("no series to draw");
  if (style.width < kMinSize || style.width > kMaxSize || style.height < kMinSize || style.height > kMaxSize) {
    fail("size " + std::to_string(style.width) + " x " + std::to_string(style.height) + " is outside [64, 8192] pixels");
  }
  for (size_t s = 0; s < series.size(); ++s) {
    const PlotSeries& p = series[s];
    const std::string name = "series " + std::to_string(s);
    if (p.x.size() != p.y.size()) fail(name + " has " + std::to_string(p.x.size()) + " x and " + std::to_string(p.y.size()) + " y values");
    if (!p.y_err.empty() && p.y_err.size() != p.y.size()) {
      fail(name + " has " + std::to_string(p.y_err.size()) + " error bars for " + std::to_string(p.y.size()) + " points");
    }
    for (double e : p.y_err) {
      if (e < 0.0) fail(name + " has a negative error bar");
    }
  }
}

}  // namespace

std::string line_plot_png(const std::vector<PlotSeries>& series, const LinePlotStyle& style) {
  check(series, style);
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (const PlotSeries& p : series) {
    for (size_t i = 0; i < p.x.size(); ++i) {
      if (!std::isfinite(p.x[i]) || !std::isfinite(p.y[i])) continue;
      const double e = p.y_err.empty() || !std::isfinite(p.y_err[i]) ? 0.0 : p.y_err[i];
      x_lo = std::min(x_lo, p.x[i]);
      x_hi = std::max(x_hi, p.x[i]);
      y_lo = std::min(y_lo, p.y[i] - e);
      y_hi = std::max(y_hi, p.y[i] + e);
    }
  }
  if (!(x_lo <= x_hi)) fail("no finite point to draw");
  const Axis ax = make_axis(x_lo, x_hi), ay = make_axis(y_lo, y_hi);

  // Margins leave room for the widest y label and one row of x labels.
  int label_w = 0;
  if (style.tick_labels) {
    for (double t : ay.ticks) label_w = std::max(label_w, Canvas::text_width(tick_label(t, ay)));
  }
  const int w = static_cast<int>(style.width), h = static_cast<int>(style.height);
  const int left = style.tick_labels ? label_w + 12 : 12;
  const int bottom = h - 1 - (style.tick_labels ? Canvas::text_height() + 12 : 12);
  const int top = 12, right = w - 1 - (style.tick_labels ? 24 : 12);  // room for a centred last x label
  if (right - left < 4 * kInset || bottom - top < 4 * kInset) fail("the picture is too small for its tick labels");
  const auto px = [&](double x) {
    return left + kInset + static_cast<int>(std::lround((x - ax.lo) / (ax.hi - ax.lo) * (right - left - 2 * kInset)));
  };
  const auto py = [&](double y) {
    return bottom - kInset - static_cast<int>(std::lround((y - ay.lo) / (ay.hi - ay.lo) * (bottom - top - 2 * kInset)));
  };

  Canvas c(w, h);
  c.fill(0, 0, w - 1, h - 1, kWhite);
  for (double t : ax.ticks) {
    const int x = px(t);
    c.fill(x, top + 1, x, bottom - 1, kGrid);
    c.fill(x, bottom - kTickLength, x, bottom, kBlack);
    if (style.tick_labels) {
      const std::string s = tick_label(t, ax);
      c.text(x - Canvas::text_width(s) / 2, bottom + 6, s, kBlack);
    }
  }
  for (double t : ay.ticks) {
    const int y = py(t);
    c.fill(left + 1, y, right - 1, y, kGrid);
    c.fill(left, y, left + kTickLength, y, kBlack);
    if (style.tick_labels) {
      const std::string s = tick_label(t, ay);
      c.text(left - 6 - Canvas::text_width(s), y - Canvas::text_height() / 2, s, kBlack);
    }
  }
  c.fill(left, top, right, top, kBlack);
  c.fill(left, bottom, right, bottom, kBlack);
  c.fill(left, top, left, bottom, kBlack);
  c.fill(right, top, right, bottom, kBlack);

  for (size_t s = 0; s < series.size(); ++s) {
    const PlotSeries& p = series[s];
    const Rgb col = kPalette[s % kPalette.size()];
    bool have_prev = false;
    int prev_x = 0, prev_y = 0;
    for (size_t i = 0; i < p.x.size(); ++i) {
      if (!std::isfinite(p.x[i]) || !std::isfinite(p.y[i])) {
        have_prev = false;  // a gap in the data is a gap in the line
        continue;
      }
      const int x = px(p.x[i]), y = py(p.y[i]);
      if (!p.y_err.empty() && std::isfinite(p.y_err[i]) && p.y_err[i] > 0.0) {
        const int y0 = py(p.y[i] - p.y_err[i]), y1 = py(p.y[i] + p.y_err[i]);
        c.fill(x, y0, x, y1, col);
        c.fill(x - 3, y0, x + 3, y0, col);
        c.fill(x - 3, y1, x + 3, y1, col);
      }
      if (have_prev) c.line(prev_x, prev_y, x, y, col, 2);
      if (p.markers || (!have_prev && p.x.size() == 1)) c.fill(x - 2, y - 2, x + 2, y + 2, col);
      have_prev = true;
      prev_x = x;
      prev_y = y;
    }
  }

  std::string png = encode_png(c.data(), w, h, 3);
  if (png.empty()) fail("PNG encoding failed");
  return png;
}

void write_line_plot_png(const std::string& path, const std::vector<PlotSeries>& series, const LinePlotStyle& style) {
  std::string png;
  try {
    png = line_plot_png(series, style);
  } catch (const DataError& e) {
    throw DataError(path + ": " + e.what());
  }
  write_file_atomic(path, png);
}

}  // namespace memsnn
