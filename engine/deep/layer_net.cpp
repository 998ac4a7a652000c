// Forward and backward passes of the layer networks on the CPU (deep/layer_net.hpp): the
// layers' operations (deep/layer_ops.hpp) over all steps at once, the shared per-element maths
// for the neurons step by step.
#include "deep/layer_net.hpp"

#include <algorithm>
#include <cmath>

#include "core/rng.hpp"
#include "deep/layer_ops.hpp"
#include "model/alif.hpp"
#include "model/leaky.hpp"
#include "model/poisson.hpp"
#include "model/spike_encoders.hpp"
#include "model/synaptic.hpp"

namespace memsnn {
namespace {

LeakyParams neuron_of(const LayerNetConfig& config, const LayerParams& p, size_t layer) {
  LeakyParams n = config.layers[layer].neuron;
  n.beta = p.beta;
  n.threshold = p.threshold;
  return n;
}

}  // namespace

LayerNetParams init_layer_net(const LayerNetConfig& config, TensorShape input) {
  LayerNetParams params;
  params.input = input;
  const std::vector<LayerShape> shapes = layer_shapes(config, input);
  for (size_t l = 0; l < config.layers.size(); ++l) {
    LayerParams p;
    p.n_in = shapes[l].weight_cols;
    p.n_out = shapes[l].weight_rows;
    p.weights.resize(static_cast<size_t>(p.n_out) * p.n_in);
    p.bias.resize(p.n_out);
    const double bound = p.n_in ? 1.0 / std::sqrt(static_cast<double>(p.n_in)) : 0.0;
    const auto draw = [&](uint32_t row, uint32_t col) {
      const uint32_t bits = random_u32(config.seed, static_cast<uint32_t>(Stream::kLayerInit), static_cast<uint32_t>(l), row, col);
      return static_cast<float>((2.0 * static_cast<double>(u32_to_unit_float(bits)) - 1.0) * bound);
    };
    for (uint32_t r = 0; r < p.n_out; ++r) {
      for (uint32_t c = 0; c < p.n_in; ++c) p.weights[static_cast<size_t>(r) * p.n_in + c] = draw(r, c);
      p.bias[r] = draw(r, p.n_in);
    }
    p.beta = config.layers[l].spiking ? config.layers[l].neuron.beta : 0.0f;
    p.threshold = config.layers[l].spiking ? config.layers[l].neuron.threshold : 0.0f;
    p.alpha = config.layers[l].spiking && config.layers[l].synaptic ? config.layers[l].alpha : 0.0f;
    params.layers.push_back(std::move(p));
  }
  return params;
}

LayerNetParams zeros_like(const LayerNetParams& params) {
  LayerNetParams z = params;
  for (auto& l : z.layers) {
    std::fill(l.weights.begin(), l.weights.end(), 0.0f);
    std::fill(l.bias.begin(), l.bias.end(), 0.0f);
    l.beta = 0.0f;
    l.threshold = 0.0f;
    l.alpha = 0.0f;
  }
  return z;
}

void encode_batch(const LayerNetConfig& config, const Dataset& data, std::span<const uint32_t> images,
                  std::span<const uint32_t> ordinals, uint32_t phase, ForwardTrace& trace) {
  const uint32_t n_in = static_cast<uint32_t>(data.pixels_per_image());
  const uint32_t batch = static_cast<uint32_t>(images.size());
  trace.batch = batch;
  trace.steps = config.steps;
  trace.n_inputs = n_in;
  trace.phase = phase;
  trace.ordinals.assign(ordinals.begin(), ordinals.end());
  if (config.coding == InputCoding::kDirect) {
    trace.input.resize(static_cast<size_t>(batch) * n_in);
    for (uint32_t b = 0; b < batch; ++b) {
      const auto px = data.image(images[b]);
      for (uint32_t i = 0; i < n_in; ++i) trace.input[static_cast<size_t>(b) * n_in + i] = static_cast<float>(px[i]) / 255.0f;
    }
    return;
  }
  trace.input.assign(static_cast<size_t>(config.steps) * batch * n_in, 0.0f);
  if (config.coding == InputCoding::kLatency || config.coding == InputCoding::kDelta) {
    for (uint32_t b = 0; b < batch; ++b) {
      const auto px = data.image(images[b]);
      for (uint32_t i = 0; i < n_in; ++i) {
        const double x = static_cast<double>(px[i]) / 255.0;
        const int32_t t = config.coding == InputCoding::kDelta
                              ? delta_spike_step(x, config.threshold)
                              : latency_spike_step(x, config.steps, config.latency, config.threshold, config.tau);
        if (t >= 0) trace.input[(static_cast<size_t>(t) * batch + b) * n_in + i] = 1.0f;
      }
    }
    return;
  }
  const uint32_t stream = input_stream(phase, 0);
  std::vector<uint32_t> threshold(n_in);
  for (uint32_t b = 0; b < batch; ++b) {
    const auto px = data.image(images[b]);
    for (uint32_t i = 0; i < n_in; ++i) {
      threshold[i] = bernoulli_threshold(static_cast<double>(config.rate_gain) * static_cast<double>(px[i]) / 255.0);
    }
    for (uint32_t t = 0; t < config.steps; ++t) {
      float* x = trace.input.data() + (static_cast<size_t>(t) * batch + b) * n_in;
      for (uint32_t i = 0; i < n_in; ++i) {
        x[i] = random_u32(config.seed, stream, ordinals[b], t, i) < threshold[i] ? 1.0f : 0.0f;
      }
    }
  }
}

namespace {

// The input of layer l at every step it is stored for, and whether it is the same at every step.
struct LayerInput {
  const float* data;
  bool constant;
};

LayerInput layer_input(const LayerNetConfig& config, const ForwardTrace& trace, size_t l) {
  if (l == 0) return {trace.input.data(), config.coding == InputCoding::kDirect};
  return {trace.s[l - 1].data(), trace.constant[l - 1] != 0};
}

bool dropout_active(const LayerSpec& spec, const ForwardTrace& trace) {
  return spec.kind == LayerKind::kDropout && trace.phase == 0 && spec.rate > 0.0f;
}

// Whether layer l's operation gives the same output at every step (and so runs once).
bool operation_constant(const LayerSpec& spec, const ForwardTrace& trace, const LayerInput& in) {
  if (spec.kind == LayerKind::kResidual) return in.constant && trace.constant[spec.from] != 0;
  if (dropout_active(spec, trace)) return false;  // a new mask at every step
  return in.constant;
}

// The operation of layer l over `rows` = steps x B images into out: residual and dropout
// here (they read more than their input), the others in deep/layer_ops.cpp.
void run_operation(const LayerNetConfig& config, const LayerShape& shape, const LayerParams& p, ForwardTrace& trace, size_t l,
                   const LayerInput& in, bool constant, float* out) {
  const LayerSpec& spec = config.layers[l];
  const size_t T = constant ? 1 : trace.steps, B = trace.batch, n = shape.out.size();
  const auto at_step = [&](const float* x, bool x_constant, size_t t) { return x + (x_constant ? 0 : t * B * n); };
  if (spec.kind == LayerKind::kResidual) {
    const LayerInput other{trace.s[spec.from].data(), trace.constant[spec.from] != 0};
    for (size_t t = 0; t < T; ++t) {
      const float* a = at_step(in.data, in.constant, t);
      const float* b = at_step(other.data, other.constant, t);
      float* o = out + t * B * n;
      for (size_t k = 0; k < B * n; ++k) o[k] = a[k] + b[k];
    }
    return;
  }
  if (spec.kind == LayerKind::kDropout) {
    std::vector<float>& mask = trace.mask[l];
    if (!dropout_active(spec, trace)) {
      mask.clear();
      std::copy(in.data, in.data + T * B * n, out);
      return;
    }
    // Kept with probability 1 - rate: u32 >= rate 2^32.
    const uint32_t drop_below = bernoulli_threshold(static_cast<double>(spec.rate));
    const float keep = 1.0f / (1.0f - spec.rate);
    mask.resize(T * B * n);
    for (size_t t = 0; t < T; ++t) {
      const float* a = at_step(in.data, in.constant, t);
      const uint32_t step_and_layer = (static_cast<uint32_t>(l) << 20) | static_cast<uint32_t>(t);
      for (size_t b = 0; b < B; ++b) {
        for (size_t i = 0; i < n; ++i) {
          const size_t k = (t * B + b) * n + i;
          const uint32_t bits = random_u32(config.seed, static_cast<uint32_t>(Stream::kDropout), trace.ordinals[b], step_and_layer,
                                           static_cast<uint32_t>(i));
          mask[k] = bits < drop_below ? 0.0f : keep;
          out[k] = a[b * n + i] * mask[k];
        }
      }
    }
    return;
  }
  layer_op_forward(spec, shape, p, in.data, (constant ? 1 : trace.steps) * B, out, trace.argmax[l].data(), trace.scratch_cols);
}

// Adds g ([steps][B][n], steps = 1 when g_constant) to target, the gradient of an output
// kept for `target_constant ? 1 : T` steps: summed over the steps when the target is one value
// used at every step.
void add_gradient(const float* g, bool g_constant, size_t T, size_t B, size_t n, bool target_constant, std::vector<float>& target) {
  const size_t target_size = (target_constant ? 1 : T) * B * n;
  if (target.size() != target_size) target.assign(target_size, 0.0f);
  const size_t steps = g_constant ? 1 : T;
  for (size_t t = 0; t < steps; ++t) {
    float* to = target.data() + (target_constant ? 0 : t * B * n);
    const float* from = g + t * B * n;
    for (size_t k = 0; k < B * n; ++k) to[k] += from[k];
  }
}

}  // namespace

void forward(const LayerNetConfig& config, const LayerNetParams& params, ForwardTrace& trace) {
  const size_t T = trace.steps, B = trace.batch;
  const size_t n_layers = params.layers.size();
  const std::vector<LayerShape> shapes = layer_shapes(config, params.input);
  trace.u.resize(n_layers);
  trace.s.resize(n_layers);
  trace.syn.resize(n_layers);
  trace.adapt.resize(n_layers);
  trace.mask.resize(n_layers);
  trace.argmax.resize(n_layers);
  trace.constant.assign(n_layers, 0);
  for (size_t l = 0; l < n_layers; ++l) {
    const LayerParams& p = params.layers[l];
    const LayerSpec& spec = config.layers[l];
    const size_t n = shapes[l].out.size();
    const LayerInput in = layer_input(config, trace, l);
    // A constant input (direct coding, through layers without neurons) gives the same output
    // at every step: the operation runs once for all steps.
    const bool op_constant = operation_constant(spec, trace, in);
    const size_t rows = (op_constant ? 1 : T) * B;
    trace.argmax[l].resize(spec.kind == LayerKind::kMaxPool ? rows * n : 0);
    if (!spec.spiking) {
      trace.constant[l] = op_constant;
      trace.s[l].resize(rows * n);
      trace.u[l].clear();
      trace.syn[l].clear();
      trace.adapt[l].clear();
      run_operation(config, shapes[l], p, trace, l, in, op_constant, trace.s[l].data());
      continue;
    }
    std::vector<float>& current = trace.scratch_current;
    current.resize(rows * n);
    run_operation(config, shapes[l], p, trace, l, in, op_constant, current.data());
    const LeakyParams neuron = neuron_of(config, p, l);
    const bool synaptic = spec.synaptic;
    trace.u[l].resize(T * B * n);
    trace.s[l].resize(T * B * n);
    trace.syn[l].resize(synaptic ? T * B * n : 0);
    trace.adapt[l].resize(spec.alif ? T * B * n : 0);
    for (size_t t = 0; t < T; ++t) {
      float* u = trace.u[l].data() + t * B * n;
      float* s = trace.s[l].data() + t * B * n;
      const float* u_prev = t > 0 ? u - B * n : nullptr;
      const float* s_prev = t > 0 ? s - B * n : nullptr;
      const float* i_t = current.data() + (op_constant ? 0 : t * B * n);
      if (spec.alif) {
        float* b = trace.adapt[l].data() + t * B * n;
        const float* b_before = t > 0 ? b - B * n : nullptr;
        for (size_t k = 0; k < B * n; ++k) {
          const float b_prev = t > 0 ? b_before[k] : 0.0f, sp = t > 0 ? s_prev[k] : 0.0f;
          b[k] = alif_adaptation(spec.adaptation, b_prev, sp);
          float v = t > 0 ? u_prev[k] : 0.0f;
          s[k] = alif_step(neuron, spec.adaptation, v, i_t[k], sp, b_prev, b[k]);
          u[k] = v;
        }
        continue;
      }
      if (synaptic) {
        float* syn = trace.syn[l].data() + t * B * n;
        const float* syn_prev = t > 0 ? syn - B * n : nullptr;
        for (size_t k = 0; k < B * n; ++k) {
          syn[k] = synaptic_current(p.alpha, t > 0 ? syn_prev[k] : 0.0f, i_t[k]);
          float v = t > 0 ? u_prev[k] : 0.0f;
          s[k] = leaky_step(neuron, v, syn[k], t > 0 ? s_prev[k] : 0.0f);
          u[k] = v;
        }
        continue;
      }
      for (size_t k = 0; k < B * n; ++k) {
        float v = t > 0 ? u_prev[k] : 0.0f;
        s[k] = leaky_step(neuron, v, i_t[k], t > 0 ? s_prev[k] : 0.0f);
        u[k] = v;
      }
    }
  }
}

void backward(const LayerNetConfig& config, const LayerNetParams& params, ForwardTrace& trace,
              const std::vector<float>& g_s_out, const std::vector<float>& g_u_out, LayerNetParams& grads) {
  const size_t T = trace.steps, B = trace.batch;
  const size_t n_layers = params.layers.size();
  const std::vector<LayerShape> shapes = layer_shapes(config, params.input);
  std::vector<float>& g_s = trace.scratch_g_s;                // dL/d(output) of the layer being processed
  std::vector<float>& g_s_below = trace.scratch_g_s_below;    // dL/d(output) of the layer below
  std::vector<float>& g_current = trace.scratch_g_current;    // dL/dI, [T][B][n]
  std::vector<float>& g_u_next = trace.scratch_g_u_next;
  std::vector<float>& g_syn_next = trace.scratch_g_syn_next;
  g_s.assign(g_s_out.begin(), g_s_out.end());
  std::vector<std::vector<float>>& g_extra = trace.scratch_g_extra;  // per layer: from residual layers
  g_extra.resize(n_layers);
  for (auto& g : g_extra) g.clear();
  for (size_t l = n_layers; l-- > 0;) {
    const LayerParams& p = params.layers[l];
    LayerParams& g = grads.layers[l];
    const LayerSpec& spec = config.layers[l];
    const size_t n = shapes[l].out.size();
    const LayerInput in = layer_input(config, trace, l);
    const bool op_constant = operation_constant(spec, trace, in);
    const size_t rows = (op_constant ? 1 : T) * B;
    // Residual layers above that added this layer's output send their share of its gradient.
    if (!g_extra[l].empty()) {
      for (size_t k = 0; k < g_s.size(); ++k) g_s[k] += g_extra[l][k];
    }
    const float* g_op_out = g_s.data();  // dL/d(the operation's output), [rows][n]
    if (spec.spiking) {
      const LeakyParams neuron = neuron_of(config, p, l);
      const bool direct_membrane = l + 1 == n_layers && !g_u_out.empty();
      g_current.resize(T * B * n);  // every entry written below
      g_u_next.assign(B * n, 0.0f);
      const bool synaptic = spec.synaptic;
      g_syn_next.assign(synaptic ? B * n : 0, 0.0f);
      std::vector<float>& g_b_next = trace.scratch_g_b_next;
      g_b_next.assign(spec.alif ? B * n : 0, 0.0f);
      double g_beta = 0.0, g_threshold = 0.0, g_alpha = 0.0;
      const bool learn_beta = spec.learn_beta, learn_threshold = spec.learn_threshold;
      const bool learn_alpha = synaptic && spec.learn_alpha;
      for (size_t t = T; t-- > 0;) {
        const size_t at = t * B * n;
        const float* u = trace.u[l].data() + at;
        const float* s = trace.s[l].data() + at;
        const float* u_prev = t > 0 ? u - B * n : nullptr;
        const float* s_prev = t > 0 ? s - B * n : nullptr;
        const float* gs = g_s.data() + at;
        float* gi = g_current.data() + at;
        if (spec.alif) {
          const float* b = trace.adapt[l].data() + at;
          for (size_t k = 0; k < B * n; ++k) {
            float g_a = 0.0f, g_b = 0.0f;
            const float gu = alif_grad(neuron, spec.adaptation, config.surrogate, u[k], s[k], b[k], gs[k],
                                       direct_membrane ? g_u_out[at + k] : 0.0f, g_u_next[k], g_b_next[k], g_a, g_b);
            gi[k] = leaky_grad_current(neuron, gu, t > 0 ? s_prev[k] : 0.0f);
            g_u_next[k] = gu;
            g_b_next[k] = g_b;
            if (learn_threshold) g_threshold += g_a;  // dA[t]/dU_thr = 1
          }
        } else {
          // The gradient itself, in a loop without the learnable terms so that it vectorises.
          for (size_t k = 0; k < B * n; ++k) {
            const float gu = leaky_grad_u(neuron, config.surrogate, u[k], s[k], gs[k], direct_membrane ? g_u_out[at + k] : 0.0f,
                                          g_u_next[k]);
            gi[k] = leaky_grad_current(neuron, gu, t > 0 ? s_prev[k] : 0.0f);
            g_u_next[k] = gu;
          }
        }
        if (learn_beta && t > 0) {
          // dU[t]/dbeta = U[t-1], times (1 - S[t-1]) for a zero reset: leaky_grad_current's factor.
          for (size_t k = 0; k < B * n; ++k) g_beta += static_cast<double>(leaky_grad_current(neuron, g_u_next[k], s_prev[k])) * u_prev[k];
        }
        if (learn_threshold && !spec.alif) {  // ALIF's is summed with its gradient above
          for (size_t k = 0; k < B * n; ++k) {
            g_threshold -= static_cast<double>(gs[k]) * surrogate_derivative(config.surrogate, u[k] - neuron.threshold) +
                           static_cast<double>(g_u_next[k]) * (t > 0 ? s_prev[k] : 0.0f);
          }
        }
        if (synaptic) {
          // The membrane's share above becomes the synaptic current's gradient, which carries
          // back through alpha.
          const float* syn_prev = t > 0 ? trace.syn[l].data() + at - B * n : nullptr;
          for (size_t k = 0; k < B * n; ++k) {
            gi[k] = synaptic_grad(p.alpha, gi[k], g_syn_next[k]);
            g_syn_next[k] = gi[k];
          }
          if (learn_alpha && t > 0) {
            for (size_t k = 0; k < B * n; ++k) g_alpha += static_cast<double>(gi[k]) * syn_prev[k];
          }
        }
      }
      g.beta = static_cast<float>(g_beta);
      g.alpha = static_cast<float>(g_alpha);
      g.threshold = static_cast<float>(g_threshold);
      // A constant input fed every step: its gradient is the sum over the steps.
      if (op_constant) {
        for (size_t t = 1; t < T; ++t) {
          const float* from = g_current.data() + t * B * n;
          for (size_t k = 0; k < B * n; ++k) g_current[k] += from[k];
        }
      }
      g_op_out = g_current.data();
    }
    if (spec.kind == LayerKind::kResidual || spec.kind == LayerKind::kDropout) {
      // No parameters; the gradient goes to the input (and to layer `from`), summed over the
      // steps where that output is one value for all steps.
      if (spec.kind == LayerKind::kResidual) {
        add_gradient(g_op_out, op_constant, T, B, n, trace.constant[spec.from] != 0, g_extra[spec.from]);
      }
      std::vector<float>& through = trace.scratch_current;  // the gradient past the dropout mask
      if (dropout_active(spec, trace)) {
        through.resize(T * B * n);
        for (size_t k = 0; k < T * B * n; ++k) through[k] = g_op_out[k] * trace.mask[l][k];
        g_op_out = through.data();
      }
      g_s_below.clear();
      add_gradient(g_op_out, op_constant, T, B, n, in.constant, g_s_below);
    } else {
      float* g_in = nullptr;
      if (l > 0) {
        g_s_below.resize(rows * shapes[l].in.size());  // written whole by the operation
        g_in = g_s_below.data();
      }
      layer_op_backward(spec, shapes[l], p, in.data, g_op_out, rows, trace.argmax[l].data(), g, g_in, trace.scratch_cols);
    }
    if (l > 0) g_s.swap(g_s_below);
  }
}

std::vector<double> spike_totals(const ForwardTrace& trace) {
  std::vector<double> totals;
  for (size_t l = 0; l < trace.s.size(); ++l) {
    if (trace.u[l].empty()) continue;  // no neurons
    const std::vector<float>& s = trace.s[l];
    // Spikes are 0 or 1: a float sum is exact up to 2^24, so sum each step's slice in float
    // (a loop that vectorises) and the slices in double.
    const size_t slice = s.size() / trace.steps;
    double sum = 0.0;
    for (size_t t = 0; t < trace.steps; ++t) {
      float part = 0.0f;
      for (size_t k = 0; k < slice; ++k) part += s[t * slice + k];
      sum += part;
    }
    totals.push_back(sum / static_cast<double>(slice / trace.batch));
  }
  return totals;
}

}  // namespace memsnn
