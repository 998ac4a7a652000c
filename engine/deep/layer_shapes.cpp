// Shapes of the layer networks (deep/layer_shapes.hpp).
#include "deep/layer_shapes.hpp"

#include <string>

#include "core/error.hpp"

namespace memsnn {
namespace {

[[noreturn]] void fail(size_t layer, const char* key, const std::string& what) {
  throw ConfigError("config key 'layers[" + std::to_string(layer) + "]" + (*key ? "." : "") + key + "': " + what);
}

}  // namespace

std::string shape_text(const TensorShape& s) {
  if (s.height == 1 && s.width == 1) return std::to_string(s.channels);
  return std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" + std::to_string(s.width);
}

std::vector<LayerShape> layer_shapes(const LayerNetConfig& config, TensorShape input) {
  std::vector<LayerShape> shapes;
  TensorShape in = input;
  for (size_t l = 0; l < config.layers.size(); ++l) {
    const LayerSpec& spec = config.layers[l];
    LayerShape s;
    s.in = in;
    switch (spec.kind) {
      case LayerKind::kDense:
        s.out = {spec.size, 1, 1};
        s.weight_rows = spec.size;
        s.weight_cols = static_cast<uint32_t>(in.size());
        break;
      case LayerKind::kConv2d: {
        const uint64_t h = in.height + 2ull * spec.padding, w = in.width + 2ull * spec.padding;
        if (spec.kernel > h || spec.kernel > w) {
          fail(l, "kernel", "a " + std::to_string(spec.kernel) + "x" + std::to_string(spec.kernel) + " kernel is larger than its input " +
                                shape_text(in) + " with padding " + std::to_string(spec.padding));
        }
        s.out = {spec.channels, static_cast<uint32_t>((h - spec.kernel) / spec.stride + 1),
                 static_cast<uint32_t>((w - spec.kernel) / spec.stride + 1)};
        s.weight_rows = spec.channels;
        s.weight_cols = spec.kernel * spec.kernel * in.channels;
        break;
      }
      case LayerKind::kMaxPool:
      case LayerKind::kAvgPool:
        if (spec.kernel > in.height || spec.kernel > in.width) {
          fail(l, "kernel", "a " + std::to_string(spec.kernel) + "x" + std::to_string(spec.kernel) + " window is larger than its input " +
                                shape_text(in));
        }
        s.out = {in.channels, in.height / spec.kernel, in.width / spec.kernel};
        break;
      case LayerKind::kFlatten:
        s.out = {static_cast<uint32_t>(in.size()), 1, 1};
        break;
      case LayerKind::kResidual: {
        if (spec.from + 1 >= l) fail(l, "from", "must name a layer before the one just before it (0.." + std::to_string(l < 2 ? 0 : l - 2) + ")");
        const TensorShape& other = shapes[spec.from].out;
        if (!(other == in)) {
          fail(l, "from", "layer " + std::to_string(spec.from) + "'s output " + shape_text(other) + " differs from this layer's input " + shape_text(in));
        }
        s.out = in;
        break;
      }
      case LayerKind::kDropout:
        s.out = in;
        break;
    }
    if (s.out.size() > (1ull << 26)) fail(l, "", "its output " + shape_text(s.out) + " has more than 2^26 values per image");
    if (static_cast<uint64_t>(s.weight_rows) * s.weight_cols > (1ull << 28)) {
      fail(l, "", "its weights " + std::to_string(s.weight_rows) + "x" + std::to_string(s.weight_cols) + " exceed 2^28 values");
    }
    shapes.push_back(s);
    in = s.out;
  }
  return shapes;
}

}  // namespace memsnn
