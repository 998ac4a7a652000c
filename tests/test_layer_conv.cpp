// Layers of the layer networks beyond dense ones (deep/layer_ops.hpp, deep/layer_shapes.hpp,
// deep/layer_net.cpp): conv2d against a direct convolution written here, pooling against hand-computed values, every
// operation's backward pass against finite differences, whole networks with spatial layers
// against finite differences where the loss is smooth, a conv layer whose kernel covers the
// image equal bit for bit to the dense layer it is (so the spiking path inherits the dense
// path's checks against forward-mode differentiation); residual and dropout layers by finite
// differences (a dropout mask is fixed by its Philox key, so the loss stays smooth) and the
// dropout mask's statistics; configs, shapes and checkpoints.
//
// Tolerances: the operations compute in float and the references in double. A product term
// of inputs and weights of size ~1 summed over at most a few hundred terms keeps float's
// relative error below ~1e-5. The operations are linear in their weights and inputs (max
// pooling piecewise so), so central differences have no curvature error and only float's
// cancellation, ~1e-6 / h.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/network_config.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "deep/layer_checkpoint.hpp"
#include "deep/layer_loss.hpp"
#include "deep/layer_ops.hpp"
#include "deep/layer_trainer.hpp"
#include "fixtures.hpp"

using namespace memsnn;
namespace fs = std::filesystem;

namespace {

::testing::AssertionResult close(double engine, double reference, double rel, double floor) {
  if (std::fabs(engine - reference) <= rel * (std::fabs(reference) + floor)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "engine " << engine << " vs reference " << reference;
}

// Seeded values uniform in [-1, 1).
std::vector<float> random_values(size_t n, uint32_t key) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = 2.0f * u32_to_unit_float(random_u32(77, key, static_cast<uint32_t>(i), 0, 0)) - 1.0f;
  return v;
}

LayerSpec conv_spec(uint32_t channels, uint32_t kernel, uint32_t stride, uint32_t padding) {
  LayerSpec s;
  s.kind = LayerKind::kConv2d;
  s.channels = channels;
  s.kernel = kernel;
  s.stride = stride;
  s.padding = padding;
  s.spiking = false;
  return s;
}

LayerSpec pool_spec(LayerKind kind, uint32_t kernel) {
  LayerSpec s;
  s.kind = kind;
  s.kernel = kernel;
  s.spiking = false;
  return s;
}

LayerSpec dense_spec(uint32_t size, bool spiking) {
  LayerSpec s;
  s.size = size;
  s.spiking = spiking;
  return s;
}

LayerShape shape_of(const LayerSpec& spec, TensorShape in) {
  LayerNetConfig c;
  c.layers = {spec};
  return layer_shapes(c, in)[0];
}

LayerParams params_of(const LayerShape& s, uint32_t key) {
  LayerParams p;
  p.n_in = s.weight_cols;
  p.n_out = s.weight_rows;
  p.weights = random_values(static_cast<size_t>(p.n_in) * p.n_out, key);
  p.bias = random_values(p.n_out, key + 1);
  return p;
}

// in [H][W][C] -> out [OH][OW][O], the definition of deep/layer_net_config.hpp's conv2d in double.
std::vector<double> direct_convolution(const LayerSpec& spec, const LayerShape& s, const LayerParams& p, const float* in) {
  std::vector<double> out(s.out.size());
  const int64_t K = spec.kernel, C = s.in.channels;
  for (uint32_t oy = 0; oy < s.out.height; ++oy) {
    for (uint32_t ox = 0; ox < s.out.width; ++ox) {
      for (uint32_t o = 0; o < s.out.channels; ++o) {
        double sum = p.bias[o];
        for (int64_t ky = 0; ky < K; ++ky) {
          for (int64_t kx = 0; kx < K; ++kx) {
            const int64_t iy = oy * int64_t{spec.stride} - spec.padding + ky, ix = ox * int64_t{spec.stride} - spec.padding + kx;
            if (iy < 0 || ix < 0 || iy >= s.in.height || ix >= s.in.width) continue;
            for (int64_t c = 0; c < C; ++c) {
              sum += static_cast<double>(p.weights[((o * K + ky) * K + kx) * C + c]) * in[(iy * s.in.width + ix) * C + c];
            }
          }
        }
        out[(static_cast<size_t>(oy) * s.out.width + ox) * s.out.channels + o] = sum;
      }
    }
  }
  return out;
}

TEST(LayerOps, Conv2dEqualsADirectConvolution) {
  // Stride, padding, several input channels, and a chunk boundary (rows > the images of one chunk
  // would need a large layer; chunks are checked by the 300-row case).
  struct Case {
    TensorShape in;
    uint32_t channels, kernel, stride, padding;
    size_t rows;
  };
  for (const Case& k : {Case{{3, 6, 5}, 4, 3, 2, 1, 2}, Case{{1, 7, 7}, 2, 5, 1, 0, 3}, Case{{2, 9, 9}, 3, 3, 1, 2, 1},
                        Case{{12, 12, 12}, 64, 5, 1, 0, 300}}) {
    const LayerSpec spec = conv_spec(k.channels, k.kernel, k.stride, k.padding);
    const LayerShape s = shape_of(spec, k.in);
    const LayerParams p = params_of(s, 3);
    const std::vector<float> in = random_values(k.rows * s.in.size(), 5);
    std::vector<float> out(k.rows * s.out.size()), cols;
    layer_op_forward(spec, s, p, in.data(), k.rows, out.data(), nullptr, cols);
    for (size_t r = 0; r < k.rows; r += std::max<size_t>(1, k.rows / 7)) {
      const std::vector<double> want = direct_convolution(spec, s, p, in.data() + r * s.in.size());
      for (size_t i = 0; i < want.size(); ++i) {
        ASSERT_TRUE(close(out[r * s.out.size() + i], want[i], 1e-5, 1.0)) << "image " << r << " output " << i;
      }
    }
  }
}

TEST(LayerOps, PoolingTakesTheWindowsMaximumOrMeanPerChannel) {
  // Two channels of a 4x5 image (HWC: value = 10 * (y * 5 + x) + c); windows of 2, the last
  // column dropped. Channel 1 of the first window has a tie: the first of the equal values wins.
  const TensorShape in{2, 4, 5};
  std::vector<float> image(in.size());
  for (uint32_t y = 0; y < 4; ++y) {
    for (uint32_t x = 0; x < 5; ++x) {
      for (uint32_t c = 0; c < 2; ++c) image[(y * 5 + x) * 2 + c] = static_cast<float>(10 * (y * 5 + x) + c);
    }
  }
  image[(0 * 5 + 0) * 2 + 1] = 61.0f;  // equal to (1, 1)'s channel 1
  const LayerSpec max = pool_spec(LayerKind::kMaxPool, 2), avg = pool_spec(LayerKind::kAvgPool, 2);
  const LayerShape s = shape_of(max, in);
  ASSERT_EQ(s.out, (TensorShape{2, 2, 2}));
  std::vector<float> out(s.out.size()), cols;
  std::vector<int32_t> argmax(s.out.size());
  layer_op_forward(max, s, {}, image.data(), 1, out.data(), argmax.data(), cols);
  EXPECT_EQ(out, (std::vector<float>{60, 61, 80, 81, 160, 161, 180, 181}));
  EXPECT_EQ(argmax[1], 1) << "the tie goes to the first input of the window";
  EXPECT_EQ(argmax[2], (1 * 5 + 3) * 2);
  layer_op_forward(avg, s, {}, image.data(), 1, out.data(), nullptr, cols);
  EXPECT_FLOAT_EQ(out[0], (0 + 10 + 50 + 60) / 4.0f);
  EXPECT_FLOAT_EQ(out[1], (61 + 11 + 51 + 61) / 4.0f);
  EXPECT_FLOAT_EQ(out[7], (121 + 131 + 171 + 181) / 4.0f);
}

// Central differences of L = sum_k r_k out_k, with respect to every weight, bias and input,
// against layer_op_backward with g_out = r.
void check_backward_by_differences(const LayerSpec& spec, TensorShape in_shape, size_t rows, const std::vector<float>& in0) {
  const LayerShape s = shape_of(spec, in_shape);
  LayerParams p = params_of(s, 11);
  std::vector<float> in = in0;
  const std::vector<float> r = random_values(rows * s.out.size(), 13);
  std::vector<float> out(rows * s.out.size()), cols;
  std::vector<int32_t> argmax(spec.kind == LayerKind::kMaxPool ? out.size() : 0);
  const auto loss = [&] {
    layer_op_forward(spec, s, p, in.data(), rows, out.data(), argmax.data(), cols);
    double sum = 0.0;
    for (size_t k = 0; k < out.size(); ++k) sum += static_cast<double>(r[k]) * out[k];
    return sum;
  };
  loss();  // argmax for the backward pass
  LayerParams g = p;
  std::vector<float> g_in(in.size());
  layer_op_backward(spec, s, p, in.data(), r.data(), rows, argmax.data(), g, g_in.data(), cols);
  // h well below the 0.1 spacing of max pooling's inputs: no window changes its maximum.
  const float h = spec.kind == LayerKind::kMaxPool ? 0.01f : 0.5f;
  const auto difference = [&](float& x) {
    const float x0 = x;
    x = x0 + h;
    const double up = loss();
    x = x0 - h;
    const double down = loss();
    x = x0;
    return (up - down) / (2.0 * h);
  };
  for (size_t i = 0; i < p.weights.size(); ++i) ASSERT_TRUE(close(g.weights[i], difference(p.weights[i]), 1e-4, 1.0)) << "weight " << i;
  for (size_t i = 0; i < p.bias.size(); ++i) ASSERT_TRUE(close(g.bias[i], difference(p.bias[i]), 1e-4, 1.0)) << "bias " << i;
  for (size_t i = 0; i < in.size(); ++i) ASSERT_TRUE(close(g_in[i], difference(in[i]), 1e-4, 1.0)) << "input " << i;
}

TEST(LayerOps, BackwardPassesEqualFiniteDifferences) {
  const TensorShape in{3, 6, 6};
  const size_t rows = 2;
  // Inputs for max pooling: distinct values 0.1 apart, in a seeded order.
  std::vector<float> distinct(rows * in.size());
  for (size_t i = 0; i < distinct.size(); ++i) distinct[i] = 0.1f * static_cast<float>(i) - 10.0f;
  for (size_t i = distinct.size(); i > 1; --i) std::swap(distinct[i - 1], distinct[random_u32(3, 3, static_cast<uint32_t>(i), 0, 0) % i]);
  check_backward_by_differences(conv_spec(4, 3, 1, 0), in, rows, random_values(rows * in.size(), 17));
  check_backward_by_differences(conv_spec(2, 3, 2, 1), in, rows, random_values(rows * in.size(), 19));
  check_backward_by_differences(pool_spec(LayerKind::kMaxPool, 2), in, rows, distinct);
  check_backward_by_differences(pool_spec(LayerKind::kAvgPool, 3), in, rows, random_values(rows * in.size(), 23));
  check_backward_by_differences(dense_spec(5, false), in, rows, random_values(rows * in.size(), 29));
  LayerSpec flatten;
  flatten.kind = LayerKind::kFlatten;
  flatten.spiking = false;
  check_backward_by_differences(flatten, in, rows, random_values(rows * in.size(), 31));
}

Dataset image_data(uint32_t n, uint32_t side, uint32_t classes) {
  Dataset d;
  d.rows = side;
  d.cols = side;
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t k = 0; k < side * side; ++k) d.pixels.push_back(static_cast<uint8_t>(random_u32(41, 9, i, 0, k) & 0xff));
    d.labels.push_back(static_cast<uint8_t>(i % classes));
  }
  return d;
}

// BPTT's gradients of every weight and bias of `layers` against central differences of the
// loss, in the training phase with presentation ordinals `ordinals`. Returns how many were
// checked.
size_t check_gradients_by_differences(const LayerNetConfig& c, const Dataset& data, const std::vector<uint32_t>& ordinals, float h,
                                      const std::vector<size_t>& layers) {
  LayerNetParams p = init_layer_net(c, image_shape(data));
  ForwardTrace tr;
  std::vector<uint32_t> images(data.size());
  for (uint32_t i = 0; i < images.size(); ++i) images[i] = i;
  encode_batch(c, data, images, ordinals, 0, tr);
  const std::vector<uint8_t> labels(data.labels.begin(), data.labels.end());
  const auto loss = [&] {
    forward(c, p, tr);
    return layer_loss(c, tr, labels).loss;
  };
  forward(c, p, tr);
  const BatchLoss bl = layer_loss(c, tr, labels);
  LayerNetParams g = zeros_like(p);
  backward(c, p, tr, bl.g_s, bl.g_u, g);
  size_t checked = 0;
  for (const size_t l : layers) {
    for (int kind = 0; kind < 2; ++kind) {
      std::vector<float>& values = kind == 0 ? p.layers[l].weights : p.layers[l].bias;
      const std::vector<float>& grads = kind == 0 ? g.layers[l].weights : g.layers[l].bias;
      for (size_t i = 0; i < values.size(); ++i) {
        const float x0 = values[i];
        values[i] = x0 + h;
        const double up = loss();
        values[i] = x0 - h;
        const double down = loss();
        values[i] = x0;
        EXPECT_TRUE(close(grads[i], (up - down) / (2.0 * h), 2e-3, 1e-2))
            << "coding " << static_cast<int>(c.coding) << " layer " << l << (kind ? " bias " : " weight ") << i;
        ++checked;
      }
    }
  }
  return checked;
}

TEST(LayerNetSpatial, SmoothNetworkGradientsEqualFiniteDifferences) {
  // conv2d -> max_pool -> avg_pool -> flatten -> dense of Leaky neurons that never fire
  // (threshold 1e6): the membrane loss is then smooth in every parameter (piecewise so
  // through max pooling), and BPTT's gradient must equal the loss's finite differences. Direct
  // input runs the layers below the neurons once for all steps; rate input at every step.
  // Rate input is binary, so equal windows tie in max pooling, where the loss has a kink and
  // finite differences average its two sides: that case pools by the mean (max pooling's
  // gradient per row is checked above).
  for (const InputCoding coding : {InputCoding::kDirect, InputCoding::kRate}) {
    LayerNetConfig c;
    c.seed = 3;
    c.steps = 6;
    c.coding = coding;
    const LayerKind first_pool = coding == InputCoding::kDirect ? LayerKind::kMaxPool : LayerKind::kAvgPool;
    c.layers = {conv_spec(3, 3, 1, 1), pool_spec(first_pool, 2), pool_spec(LayerKind::kAvgPool, 2), {}, dense_spec(3, true)};
    c.layers[3].kind = LayerKind::kFlatten;
    c.layers[3].spiking = false;
    c.layers[4].neuron.beta = 0.8f;
    c.layers[4].neuron.threshold = 1e6f;
    c.training.loss = LossKind::kCeMembrane;
    // h small enough that no max-pooling window changes its maximum.
    const size_t checked = check_gradients_by_differences(c, image_data(2, 8, 3), {0, 1}, 2e-3f, {0, 4});
    EXPECT_EQ(checked, 3u * 9 + 3 + 3 * 12 + 3u);  // conv 3x(3x3x1) + 3, dense 3x(2x2x3) + 3
  }
}

TEST(LayerNetSpatial, AConvWhoseKernelCoversTheImageIsTheDenseLayerBitForBit) {
  // conv2d(16 channels, 8x8 kernel) on an 8x8 image is a dense layer of 16 (same weight order,
  // same initial draws). Both hidden layers spike, so the spiking path's surrogate gradients,
  // checked for dense layers against forward-mode differentiation in test_layer_net, carry
  // over to conv2d. Same products of the same shapes: equal bit for bit.
  for (const InputCoding coding : {InputCoding::kDirect, InputCoding::kRate}) {
    LayerNetConfig dense;
    dense.seed = 9;
    dense.steps = 10;
    dense.coding = coding;
    dense.layers = {dense_spec(16, true), dense_spec(4, true)};
    for (auto& l : dense.layers) l.neuron.threshold = 0.3f;
    dense.training.loss = LossKind::kCeRate;
    LayerNetConfig conv = dense;
    conv.layers[0] = conv_spec(16, 8, 1, 0);
    conv.layers[0].spiking = true;
    conv.layers[0].neuron = dense.layers[0].neuron;
    const Dataset data = image_data(5, 8, 4);
    const LayerNetParams pd = init_layer_net(dense, image_shape(data)), pc = init_layer_net(conv, image_shape(data));
    ASSERT_EQ(pd.layers[0].weights, pc.layers[0].weights);
    ForwardTrace td, tc;
    const std::vector<uint32_t> images = {0, 1, 2, 3, 4};
    encode_batch(dense, data, images, images, 0, td);
    encode_batch(conv, data, images, images, 0, tc);
    forward(dense, pd, td);
    forward(conv, pc, tc);
    ASSERT_GT(spike_totals(td)[0], 0.0) << "the hidden layer must spike for the test to mean anything";
    EXPECT_EQ(td.s, tc.s);
    EXPECT_EQ(td.u, tc.u);
    const std::vector<uint8_t> labels(data.labels.begin(), data.labels.end());
    const BatchLoss bd = layer_loss(dense, td, labels), bc = layer_loss(conv, tc, labels);
    LayerNetParams gd = zeros_like(pd), gc = zeros_like(pc);
    backward(dense, pd, td, bd.g_s, bd.g_u, gd);
    backward(conv, pc, tc, bc.g_s, bc.g_u, gc);
    for (size_t l = 0; l < 2; ++l) {
      EXPECT_EQ(gd.layers[l].weights, gc.layers[l].weights) << "layer " << l;
      EXPECT_EQ(gd.layers[l].bias, gc.layers[l].bias) << "layer " << l;
    }
  }
}

TEST(LayerNetSpatial, ResidualAndDropoutGradientsEqualFiniteDifferences) {
  // conv2d -> dropout -> residual (adds the conv's output) -> flatten -> non-firing dense, in
  // the training phase. With direct input the conv's output is one value for all steps while
  // the dropout's changes every step: the residual sums the two, and the conv's gradient
  // must gather both paths, summed over the steps.
  for (const InputCoding coding : {InputCoding::kDirect, InputCoding::kRate}) {
    LayerNetConfig c;
    c.seed = 4;
    c.steps = 5;
    c.coding = coding;
    c.layers = {conv_spec(2, 3, 1, 1), {}, {}, {}, dense_spec(3, true)};
    c.layers[1].kind = LayerKind::kDropout;
    c.layers[1].rate = 0.3f;
    c.layers[1].spiking = false;
    c.layers[2].kind = LayerKind::kResidual;
    c.layers[2].from = 0;
    c.layers[2].spiking = false;
    c.layers[3].kind = LayerKind::kFlatten;
    c.layers[3].spiking = false;
    c.layers[4].neuron.threshold = 1e6f;
    c.training.loss = LossKind::kCeMembrane;
    // The dropout's output changes with the step (checked below); h: linear below the membranes.
    EXPECT_EQ(check_gradients_by_differences(c, image_data(2, 5, 3), {7, 8}, 1e-2f, {0, 4}), 2u * 9 + 2 + 3 * 50 + 3u);
    ForwardTrace tr;
    const Dataset data = image_data(2, 5, 3);
    encode_batch(c, data, std::vector<uint32_t>{0, 1}, std::vector<uint32_t>{7, 8}, 0, tr);
    forward(c, init_layer_net(c, image_shape(data)), tr);
    EXPECT_FALSE(tr.constant[2]) << "the dropout's output changes with the step";
  }
}

TEST(LayerNetSpatial, DropoutKeepsOneMinusTheRateScaledAndOnlyWhileTraining) {
  LayerNetConfig c;
  c.steps = 4;
  c.layers = {{}, dense_spec(3, true)};
  c.layers[0].kind = LayerKind::kDropout;
  c.layers[0].rate = 0.25f;
  c.layers[0].spiking = false;
  const Dataset data = image_data(50, 10, 3);
  const LayerNetParams p = init_layer_net(c, image_shape(data));
  std::vector<uint32_t> images(50);
  for (uint32_t i = 0; i < 50; ++i) images[i] = i;
  ForwardTrace tr;
  encode_batch(c, data, images, images, 0, tr);
  forward(c, p, tr);
  size_t kept = 0, scaled = 0;
  for (const float m : tr.mask[0]) {
    kept += m != 0.0f;
    scaled += m == 1.0f / 0.75f;
  }
  const double n = static_cast<double>(tr.mask[0].size());  // 4 steps x 50 images x 100 values
  // Binomial(20000, 0.75): sd 0.0031 of the fraction; 5 sd.
  EXPECT_NEAR(static_cast<double>(kept) / n, 0.75, 0.016);
  EXPECT_EQ(kept, scaled);
  // A new mask at every step.
  EXPECT_FALSE(std::equal(tr.mask[0].begin(), tr.mask[0].begin() + 5000, tr.mask[0].begin() + 5000));
  // Testing: the input as it is, once for all steps.
  encode_batch(c, data, images, images, 1, tr);
  forward(c, p, tr);
  EXPECT_TRUE(tr.constant[0]);
  EXPECT_EQ(tr.s[0], tr.input);
}

std::string config_error(const nlohmann::json& doc, TensorShape input = {1, 28, 28}) {
  try {
    check_layer_shapes(layer_net_config_from_json(doc), input, 10);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(LayerConfigSpatial, TheCnnPresetChainsItsShapesAndBadLayersAreNamed) {
  const LayerNetConfig c = layer_net_config_from_json(preset_json("spiking_cnn"));
  const std::vector<LayerShape> s = layer_shapes(c, {1, 28, 28});
  const std::vector<TensorShape> want = {{12, 24, 24}, {12, 12, 12}, {64, 8, 8}, {64, 4, 4}, {1024, 1, 1}, {10, 1, 1}};
  ASSERT_EQ(s.size(), want.size());
  for (size_t l = 0; l < s.size(); ++l) EXPECT_EQ(s[l].out, want[l]) << "layer " << l;
  EXPECT_EQ(s[2].weight_cols, 5u * 5 * 12);
  EXPECT_EQ(std::vector<bool>({c.layers[0].spiking, c.layers[1].spiking, c.layers[4].spiking}), std::vector<bool>({false, true, false}));
  EXPECT_EQ(layer_net_config_to_json(layer_net_config_from_json(layer_net_config_to_json(c))), layer_net_config_to_json(c));

  nlohmann::json doc = preset_json("spiking_cnn");
  doc["layers"][2]["kernel"] = 13;
  EXPECT_EQ(config_error(doc), "config key 'layers[2].kernel': a 13x13 kernel is larger than its input 12x12x12 with padding 0");
  doc = preset_json("spiking_cnn");
  doc["layers"][3]["kernel"] = 9;
  EXPECT_EQ(config_error(doc), "config key 'layers[3].kernel': a 9x9 window is larger than its input 64x8x8");
  doc = preset_json("spiking_cnn");
  doc["layers"][5]["size"] = 12;
  EXPECT_EQ(config_error(doc), "config key 'layers[5].size': the output layer has 12 neurons, the data has 10 classes");
  doc = preset_json("spiking_cnn");
  doc["layers"][5]["neuron"] = {{"type", "none"}};
  EXPECT_EQ(config_error(doc).rfind("config key 'layers[5]': the output layer must have neurons", 0), 0u) << config_error(doc);
  doc = preset_json("spiking_cnn");
  doc["layers"][4]["neuron"] = {{"type", "leaky"}};
  EXPECT_EQ(config_error(doc), "config key 'layers[4].neuron': a flatten layer has no neurons");
  doc = preset_json("spiking_cnn");
  doc["layers"][1].erase("kernel");
  EXPECT_EQ(config_error(doc), "config key 'layers[1].kernel': missing (window height and width)");
  doc = preset_json("spiking_cnn");
  doc["layers"][0]["size"] = 5;  // a dense key on a conv layer
  EXPECT_NE(config_error(doc).find("layers[0].size"), std::string::npos) << config_error(doc);
  doc = preset_json("spiking_cnn");
  doc["layers"][4] = {{"type", "residual"}, {"from", 0}};
  EXPECT_EQ(config_error(doc), "config key 'layers[4].from': layer 0's output 12x24x24 differs from this layer's input 64x4x4");
  doc["layers"][4] = {{"type", "residual"}, {"from", 3}};
  EXPECT_EQ(config_error(doc), "config key 'layers[4].from': 3 is out of range [0, 2]");
  doc["layers"][4] = {{"type", "dropout"}, {"rate", 1.0}};
  EXPECT_EQ(config_error(doc), "config key 'layers[4].rate': must be below 1 (1 drops everything)");
  doc = preset_json("spiking_cnn");
  doc["layers"][0]["neuron"]["beta"] = 0.5;  // a neuron key on "none"
  EXPECT_NE(config_error(doc).find("layers[0].neuron.beta"), std::string::npos) << config_error(doc);
}

TEST(LayerCheckpointSpatial, AConvNetworkAndItsInputShapeComeBackExactly) {
  const fixtures::TempDir tmp;
  const LayerNetConfig c = layer_net_config_from_json(preset_json("spiking_cnn"));
  LayerCheckpoint ck{c, init_layer_net(c, {1, 28, 28}), {{"epochs_trained", 1}}};
  ck.params.layers[1].beta = 0.25f;
  const std::string path = (tmp.path() / "cnn.bin").string();
  save_layer_checkpoint(path, ck);
  const LayerCheckpoint back = load_layer_checkpoint(path);
  EXPECT_EQ(back.params.input, (TensorShape{1, 28, 28}));
  ASSERT_EQ(back.params.layers.size(), ck.params.layers.size());
  for (size_t l = 0; l < ck.params.layers.size(); ++l) {
    EXPECT_EQ(back.params.layers[l].weights, ck.params.layers[l].weights) << l;
    EXPECT_EQ(back.params.layers[l].bias, ck.params.layers[l].bias) << l;
    EXPECT_EQ(back.params.layers[l].beta, ck.params.layers[l].beta) << l;
  }
  EXPECT_EQ(layer_net_config_to_json(back.config), layer_net_config_to_json(c));
}

}  // namespace
