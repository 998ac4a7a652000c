// The operations of the layer networks' layers on the CPU (deep/layer_net_config.hpp's
// LayerKind): dense and conv2d products on Eigen (conv2d as im2col and one product per chunk
// of images), max and average pooling, flatten. They work on `rows` images at once, each
// stored as its LayerShape says (height-width-channel); the time steps are rows too, since a
// layer's operation has no memory of its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "deep/layer_net.hpp"
#include "deep/layer_shapes.hpp"

namespace memsnn {

// out[rows][shape.out] from in[rows][shape.in]. For max_pool, argmax[rows][shape.out] gets
// the index within its image of the input each output took (the first of equal values).
// `cols` is the im2col buffer of conv2d, kept by the caller so that it is allocated once.
void layer_op_forward(const LayerSpec& spec, const LayerShape& shape, const LayerParams& p, const float* in, size_t rows,
                      float* out, int32_t* argmax, std::vector<float>& cols);

// From g_out = dL/dout [rows][shape.out]: the weight and bias gradients (overwritten in g),
// and dL/din [rows][shape.in] into g_in unless it is null.
void layer_op_backward(const LayerSpec& spec, const LayerShape& shape, const LayerParams& p, const float* in,
                       const float* g_out, size_t rows, const int32_t* argmax, LayerParams& g, float* g_in,
                       std::vector<float>& cols);

}  // namespace memsnn
