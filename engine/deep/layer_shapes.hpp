// The shapes of a layer network's activations and weights, worked out from the config and the
// input image before any training, so that a layer that does not fit its input fails first,
// naming the layer (docs/supervised.md).
#pragma once

#include <cstdint>
#include <vector>

#include "deep/layer_net_config.hpp"

namespace memsnn {

// An activation of one image: channels x height x width, stored height-width-channel.
struct TensorShape {
  uint32_t channels = 1;
  uint32_t height = 1;
  uint32_t width = 1;
  uint64_t size() const { return static_cast<uint64_t>(channels) * height * width; }
  bool operator==(const TensorShape&) const = default;
};

struct LayerShape {
  TensorShape in;
  TensorShape out;
  uint32_t weight_rows = 0;  // dense: outputs; conv2d: output channels; 0: no weights
  uint32_t weight_cols = 0;  // dense: inputs; conv2d: kernel x kernel x input channels
};

// Every layer's shapes for an input of shape `input`. Throws ConfigError naming the layer
// ("config key 'layers[2].kernel': ...") for a kernel or window larger than its input, or an
// activation of more than 2^26 values.
std::vector<LayerShape> layer_shapes(const LayerNetConfig& config, TensorShape input);

// "12x24x24" (channels x height x width), or "784" for a flat vector.
std::string shape_text(const TensorShape& s);

}  // namespace memsnn
