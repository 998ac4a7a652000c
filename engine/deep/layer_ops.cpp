// Layer operations on the CPU (deep/layer_ops.hpp).
#include "deep/layer_ops.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <Eigen/Core>

namespace memsnn {
namespace {

using MatR = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapR = Eigen::Map<MatR>;
using ConstMapR = Eigen::Map<const MatR>;
using ConstRowVec = Eigen::Map<const Eigen::RowVectorXf>;

Eigen::Index ix(size_t n) { return static_cast<Eigen::Index>(n); }

// out[k] = sum over the rows of g[row][k], row by row: the same order whatever the buffers'
// alignment (Eigen's colwise().sum() on a map vectorises from the first aligned element, so
// its rounding followed the allocation).
void column_sums(const float* g, size_t rows, size_t n, float* out) {
  std::fill(out, out + n, 0.0f);
  for (size_t r = 0; r < rows; ++r) {
    const float* row = g + r * n;
    for (size_t k = 0; k < n; ++k) out[k] += row[k];
  }
}

// Images per conv2d chunk: an im2col buffer of about 2^21 floats (8 MB).
size_t chunk_images(const LayerShape& s) {
  const size_t per_image = static_cast<size_t>(s.out.height) * s.out.width * s.weight_cols;
  return std::max<size_t>(1, (size_t{1} << 21) / per_image);
}

// Visits the window entries of `images` images in im2col's order ([image][oy][ox] x
// [ky][kx], C values each): f(image, entry, offset), entry counting from 0, offset the index
// within the image of the entry's C input values, or -1 in the zero padding.
template <typename F>
void for_each_window_entry(const LayerSpec& spec, const LayerShape& s, size_t images, F&& f) {
  const TensorShape& I = s.in;
  const int64_t K = spec.kernel, C = I.channels;
  size_t entry = 0;
  for (size_t b = 0; b < images; ++b) {
    for (uint32_t oy = 0; oy < s.out.height; ++oy) {
      for (uint32_t ox = 0; ox < s.out.width; ++ox) {
        for (int64_t ky = 0; ky < K; ++ky) {
          const int64_t iy = static_cast<int64_t>(oy) * spec.stride - spec.padding + ky;
          for (int64_t kx = 0; kx < K; ++kx, ++entry) {
            const int64_t ixx = static_cast<int64_t>(ox) * spec.stride - spec.padding + kx;
            const bool inside = iy >= 0 && ixx >= 0 && iy < I.height && ixx < I.width;
            f(b, entry, inside ? (iy * I.width + ixx) * C : int64_t{-1});
          }
        }
      }
    }
  }
}

// The input windows of `images` images as rows of cols: [image][oy][ox] x [ky][kx][c], zero
// outside the input (padding).
void im2col(const LayerSpec& spec, const LayerShape& s, const float* in, size_t images, float* cols) {
  const size_t C = s.in.channels, n_in = s.in.size();
  for_each_window_entry(spec, s, images, [&](size_t b, size_t entry, int64_t offset) {
    float* to = cols + entry * C;
    if (offset < 0) {
      std::fill(to, to + C, 0.0f);
    } else {
      std::memcpy(to, in + b * n_in + static_cast<size_t>(offset), C * sizeof(float));
    }
  });
}

// The adjoint of im2col: each column entry added back to the input it was copied from.
void col2im_add(const LayerSpec& spec, const LayerShape& s, const float* cols, size_t images, float* g_in) {
  const size_t C = s.in.channels, n_in = s.in.size();
  for_each_window_entry(spec, s, images, [&](size_t b, size_t entry, int64_t offset) {
    if (offset < 0) return;
    float* to = g_in + b * n_in + static_cast<size_t>(offset);
    const float* from = cols + entry * C;
    for (size_t c = 0; c < C; ++c) to[c] += from[c];
  });
}

void conv_forward(const LayerSpec& spec, const LayerShape& s, const LayerParams& p, const float* in, size_t rows, float* out,
                  std::vector<float>& cols) {
  const size_t positions = static_cast<size_t>(s.out.height) * s.out.width, KC = s.weight_cols, O = s.weight_rows;
  const size_t chunk = chunk_images(s);
  cols.resize(chunk * positions * KC);
  const ConstMapR w(p.weights.data(), ix(O), ix(KC));
  const ConstRowVec bias(p.bias.data(), ix(O));
  for (size_t first = 0; first < rows; first += chunk) {
    const size_t images = std::min(chunk, rows - first);
    im2col(spec, s, in + first * s.in.size(), images, cols.data());
    MapR o(out + first * s.out.size(), ix(images * positions), ix(O));
    o.noalias() = ConstMapR(cols.data(), ix(images * positions), ix(KC)) * w.transpose();
    o.rowwise() += bias;
  }
}

void conv_backward(const LayerSpec& spec, const LayerShape& s, const LayerParams& p, const float* in, const float* g_out,
                   size_t rows, LayerParams& g, float* g_in, std::vector<float>& cols) {
  const size_t positions = static_cast<size_t>(s.out.height) * s.out.width, KC = s.weight_cols, O = s.weight_rows;
  const size_t chunk = chunk_images(s);
  cols.resize(chunk * positions * KC);
  const ConstMapR w(p.weights.data(), ix(O), ix(KC));
  MapR g_w(g.weights.data(), ix(O), ix(KC));
  g_w.setZero();
  column_sums(g_out, rows * positions, O, g.bias.data());
  if (g_in) std::fill(g_in, g_in + rows * s.in.size(), 0.0f);
  for (size_t first = 0; first < rows; first += chunk) {
    const size_t images = std::min(chunk, rows - first);
    const ConstMapR g_chunk(g_out + first * s.out.size(), ix(images * positions), ix(O));
    im2col(spec, s, in + first * s.in.size(), images, cols.data());
    g_w.noalias() += g_chunk.transpose() * ConstMapR(cols.data(), ix(images * positions), ix(KC));
    if (g_in) {
      // The windows' gradients reuse the im2col buffer, then go back to their inputs.
      MapR(cols.data(), ix(images * positions), ix(KC)).noalias() = g_chunk * w;
      col2im_add(spec, s, cols.data(), images, g_in + first * s.in.size());
    }
  }
}

void pool_forward(const LayerSpec& spec, const LayerShape& s, const float* in, size_t rows, float* out, int32_t* argmax) {
  const TensorShape& I = s.in;
  const size_t C = I.channels, K = spec.kernel;
  const bool max = spec.kind == LayerKind::kMaxPool;
  const float scale = 1.0f / static_cast<float>(K * K);
  for (size_t b = 0; b < rows; ++b) {
    const float* image = in + b * I.size();
    float* o = out + b * s.out.size();
    int32_t* a = max ? argmax + b * s.out.size() : nullptr;
    for (uint32_t oy = 0; oy < s.out.height; ++oy) {
      for (uint32_t ox = 0; ox < s.out.width; ++ox) {
        const size_t at = (static_cast<size_t>(oy) * s.out.width + ox) * C;
        for (size_t c = 0; c < C; ++c) {
          float best = 0.0f, sum = 0.0f;
          int32_t best_at = -1;
          for (size_t ky = 0; ky < K; ++ky) {
            for (size_t kx = 0; kx < K; ++kx) {
              const size_t i = ((oy * K + ky) * I.width + ox * K + kx) * C + c;
              const float v = image[i];
              sum += v;
              if (best_at < 0 || v > best) {
                best = v;
                best_at = static_cast<int32_t>(i);
              }
            }
          }
          if (max) {
            o[at + c] = best;
            a[at + c] = best_at;
          } else {
            o[at + c] = sum * scale;
          }
        }
      }
    }
  }
}

void pool_backward(const LayerSpec& spec, const LayerShape& s, const float* g_out, size_t rows, const int32_t* argmax, float* g_in) {
  const TensorShape& I = s.in;
  const size_t C = I.channels, K = spec.kernel, n_out = s.out.size();
  std::fill(g_in, g_in + rows * I.size(), 0.0f);
  if (spec.kind == LayerKind::kMaxPool) {
    for (size_t b = 0; b < rows; ++b) {
      for (size_t k = 0; k < n_out; ++k) g_in[b * I.size() + static_cast<size_t>(argmax[b * n_out + k])] += g_out[b * n_out + k];
    }
    return;
  }
  const float scale = 1.0f / static_cast<float>(K * K);
  for (size_t b = 0; b < rows; ++b) {
    float* image = g_in + b * I.size();
    for (uint32_t oy = 0; oy < s.out.height; ++oy) {
      for (uint32_t ox = 0; ox < s.out.width; ++ox) {
        const float* g = g_out + b * n_out + (static_cast<size_t>(oy) * s.out.width + ox) * C;
        for (size_t ky = 0; ky < K; ++ky) {
          for (size_t kx = 0; kx < K; ++kx) {
            float* to = image + ((oy * K + ky) * I.width + ox * K + kx) * C;
            for (size_t c = 0; c < C; ++c) to[c] += g[c] * scale;
          }
        }
      }
    }
  }
}

}  // namespace

void layer_op_forward(const LayerSpec& spec, const LayerShape& shape, const LayerParams& p, const float* in, size_t rows,
                      float* out, int32_t* argmax, std::vector<float>& cols) {
  switch (spec.kind) {
    case LayerKind::kDense: {
      const size_t n = shape.weight_rows, n_in = shape.weight_cols;
      MapR o(out, ix(rows), ix(n));
      o.noalias() = ConstMapR(in, ix(rows), ix(n_in)) * ConstMapR(p.weights.data(), ix(n), ix(n_in)).transpose();
      o.rowwise() += ConstRowVec(p.bias.data(), ix(n));
      return;
    }
    case LayerKind::kConv2d:
      conv_forward(spec, shape, p, in, rows, out, cols);
      return;
    case LayerKind::kMaxPool:
    case LayerKind::kAvgPool:
      pool_forward(spec, shape, in, rows, out, argmax);
      return;
    case LayerKind::kFlatten:
      std::copy(in, in + rows * shape.in.size(), out);
      return;
    case LayerKind::kResidual:
    case LayerKind::kDropout:
      throw std::logic_error("layer_op_forward: residual and dropout layers run in deep/layer_net.cpp");
  }
}

void layer_op_backward(const LayerSpec& spec, const LayerShape& shape, const LayerParams& p, const float* in,
                       const float* g_out, size_t rows, const int32_t* argmax, LayerParams& g, float* g_in,
                       std::vector<float>& cols) {
  switch (spec.kind) {
    case LayerKind::kDense: {
      // dW = g^T x and db = the column sums of g, over every row (image and step); dx = g W.
      const size_t n = shape.weight_rows, n_in = shape.weight_cols;
      const ConstMapR g_all(g_out, ix(rows), ix(n));
      const ConstMapR w(p.weights.data(), ix(n), ix(n_in));
      MapR(g.weights.data(), ix(n), ix(n_in)).noalias() = g_all.transpose() * ConstMapR(in, ix(rows), ix(n_in));
      column_sums(g_out, rows, n, g.bias.data());
      if (g_in) MapR(g_in, ix(rows), ix(n_in)).noalias() = g_all * w;
      return;
    }
    case LayerKind::kConv2d:
      conv_backward(spec, shape, p, in, g_out, rows, g, g_in, cols);
      return;
    case LayerKind::kMaxPool:
    case LayerKind::kAvgPool:
      if (g_in) pool_backward(spec, shape, g_out, rows, argmax, g_in);
      return;
    case LayerKind::kFlatten:
      if (g_in) std::copy(g_out, g_out + rows * shape.in.size(), g_in);
      return;
    case LayerKind::kResidual:
    case LayerKind::kDropout:
      throw std::logic_error("layer_op_backward: residual and dropout layers run in deep/layer_net.cpp");
  }
}

}  // namespace memsnn
