// Losses and readouts of the layer networks (deep/layer_loss.hpp).
#include "deep/layer_loss.hpp"

#include <algorithm>
#include <cmath>

namespace memsnn {
namespace {

// log-softmax cross-entropy of one row of logits for class y; writes softmax(x) - onehot(y),
// times scale, into grad.
double cross_entropy(const float* x, uint32_t classes, uint32_t y, float scale, float* grad) {
  double top = x[0];
  for (uint32_t c = 1; c < classes; ++c) top = std::max(top, static_cast<double>(x[c]));
  double sum = 0.0;
  for (uint32_t c = 0; c < classes; ++c) sum += std::exp(static_cast<double>(x[c]) - top);
  for (uint32_t c = 0; c < classes; ++c) {
    const double p = std::exp(static_cast<double>(x[c]) - top) / sum;
    grad[c] = static_cast<float>(scale * (p - (c == y ? 1.0 : 0.0)));
  }
  return -(static_cast<double>(x[y]) - top - std::log(sum));
}

}  // namespace

std::vector<float> spike_count_scores(const ForwardTrace& trace) {
  const std::vector<float>& s = trace.s.back();
  const size_t row = s.size() / trace.steps;
  std::vector<float> counts(row, 0.0f);
  for (size_t t = 0; t < trace.steps; ++t) {
    for (size_t k = 0; k < row; ++k) counts[k] += s[t * row + k];
  }
  return counts;
}

std::vector<float> membrane_scores(const LayerNetConfig& config, const ForwardTrace& trace) {
  const std::vector<float>& u = trace.u.back();
  const size_t row = u.size() / trace.steps;
  if (config.readout == MembraneReadout::kLast) return {u.end() - static_cast<std::ptrdiff_t>(row), u.end()};
  std::vector<float> score(u.begin(), u.begin() + static_cast<std::ptrdiff_t>(row));
  for (size_t t = 1; t < trace.steps; ++t) {
    for (size_t k = 0; k < row; ++k) {
      const float x = u[t * row + k];
      score[k] = config.readout == MembraneReadout::kMax ? std::max(score[k], x) : score[k] + x;
    }
  }
  return score;
}

uint32_t predicted_class(std::span<const float> scores, uint32_t classes, uint32_t b) {
  const float* x = scores.data() + static_cast<size_t>(b) * classes;
  uint32_t best = 0;
  for (uint32_t c = 1; c < classes; ++c) best = x[c] > x[best] ? c : best;
  return best;
}

BatchLoss layer_loss(const LayerNetConfig& config, const ForwardTrace& trace, std::span<const uint8_t> labels) {
  const uint32_t T = trace.steps, B = trace.batch;
  const uint32_t C = static_cast<uint32_t>(trace.s.back().size() / (static_cast<size_t>(T) * B));
  const size_t row = static_cast<size_t>(B) * C;
  BatchLoss out;
  out.g_s.assign(static_cast<size_t>(T) * row, 0.0f);
  const float inv_b = 1.0f / static_cast<float>(B);
  std::vector<float> grad(C);
  switch (config.training.loss) {
    case LossKind::kCeCount: {
      const std::vector<float> counts = spike_count_scores(trace);
      for (uint32_t b = 0; b < B; ++b) {
        out.loss += cross_entropy(counts.data() + static_cast<size_t>(b) * C, C, labels[b], inv_b, grad.data());
        for (uint32_t t = 0; t < T; ++t) std::copy(grad.begin(), grad.end(), out.g_s.begin() + static_cast<std::ptrdiff_t>(t * row + b * C));
      }
      out.loss /= B;
      break;
    }
    case LossKind::kCeRate:
    case LossKind::kCeMembrane: {
      const bool membrane = config.training.loss == LossKind::kCeMembrane;
      const std::vector<float>& x = membrane ? trace.u.back() : trace.s.back();
      std::vector<float>& g = membrane ? out.g_u : out.g_s;
      g.assign(static_cast<size_t>(T) * row, 0.0f);
      const float scale = membrane ? inv_b : inv_b / static_cast<float>(T);
      for (uint32_t t = 0; t < T; ++t) {
        for (uint32_t b = 0; b < B; ++b) {
          const size_t at = t * row + static_cast<size_t>(b) * C;
          out.loss += cross_entropy(x.data() + at, C, labels[b], scale, g.data() + at);
        }
      }
      out.loss /= membrane ? B : static_cast<double>(B) * T;
      break;
    }
    case LossKind::kMseCount: {
      const std::vector<float> counts = spike_count_scores(trace);
      const double scale = 1.0 / (static_cast<double>(B) * C * T);
      for (uint32_t b = 0; b < B; ++b) {
        for (uint32_t c = 0; c < C; ++c) {
          const double target = T * static_cast<double>(c == labels[b] ? config.training.correct_rate : config.training.incorrect_rate);
          const double diff = counts[static_cast<size_t>(b) * C + c] - target;
          out.loss += diff * diff * scale;
          for (uint32_t t = 0; t < T; ++t) out.g_s[t * row + static_cast<size_t>(b) * C + c] = static_cast<float>(2.0 * diff * scale);
        }
      }
      break;
    }
  }
  return out;
}

}  // namespace memsnn
