// Layer-network checkpoint files (deep/layer_checkpoint.hpp).
#include "deep/layer_checkpoint.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/json_parse.hpp"
#include "io/atomic_file.hpp"
#include "io/byte_io.hpp"

namespace memsnn {
namespace {

constexpr std::string_view kMagic = "MEMSNNLN";
constexpr uint32_t kVersion = 1;
constexpr size_t kFixedHeaderBytes = 8 + 4 + 8;
constexpr size_t kCrcBytes = 4;

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw DataError(path + ": " + what); }

uint64_t layer_bytes(uint64_t n_in, uint64_t n_out) { return 4 * (n_out * n_in + n_out + 3); }

void check_finite(const std::string& path, const LayerNetConfig& config, const LayerNetParams& params, const std::string& prefix) {
  for (size_t l = 0; l < params.layers.size(); ++l) {
    const LayerParams& p = params.layers[l];
    const auto bad = [](float x) { return !std::isfinite(x); };
    std::string what;
    if (std::any_of(p.weights.begin(), p.weights.end(), bad)) what = "weights";
    if (std::any_of(p.bias.begin(), p.bias.end(), bad)) what = "biases";
    if (!(p.beta >= 0.0f && p.beta <= 1.0f)) what = "beta (outside [0, 1])";
    // Layers without neurons carry a threshold of 0.
    const bool spiking = l < config.layers.size() && config.layers[l].spiking;
    if (spiking && (!(p.threshold > 0.0f) || bad(p.threshold))) what = "threshold (not positive)";
    if (!spiking && p.threshold != 0.0f) what = "threshold (not 0 in a layer without neurons)";
    if (!(p.alpha >= 0.0f && p.alpha <= 1.0f)) what = "alpha (outside [0, 1])";
    if (!what.empty()) fail(path, prefix + "layer " + std::to_string(l) + " has invalid " + what);
  }
}

}  // namespace

bool is_layer_checkpoint(std::string_view first_bytes) { return first_bytes.substr(0, kMagic.size()) == kMagic; }

void save_layer_checkpoint(const std::string& path, const LayerCheckpoint& ck) {
  check_finite(path, ck.config, ck.params, "cannot save: ");
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& p : ck.params.layers) layers.push_back({{"n_in", p.n_in}, {"n_out", p.n_out}});
  std::string text;
  try {
    const TensorShape& in = ck.params.input;
    text = nlohmann::json{{"config", layer_net_config_to_json(ck.config)},
                          {"info", ck.info},
                          {"input", {in.channels, in.height, in.width}},
                          {"layers", layers}}
               .dump();
  } catch (const nlohmann::json::exception& e) {
    fail(path, std::string("cannot save: header cannot be encoded as JSON: ") + e.what());
  }
  ByteWriter w;
  w.raw(kMagic);
  w.u32(kVersion);
  w.u64(text.size());
  w.raw(text);
  for (const auto& p : ck.params.layers) {
    for (const float v : p.weights) w.f32(v);
    for (const float v : p.bias) w.f32(v);
    w.f32(p.beta);
    w.f32(p.threshold);
    w.f32(p.alpha);
  }
  w.u32(crc_of(w.bytes().data(), w.bytes().size()));
  write_file_atomic(path, w.bytes());
}

LayerCheckpoint load_layer_checkpoint(const std::string& path) {
  const std::string bytes = read_binary_file(path, "checkpoint");
  const size_t magic_have = std::min(bytes.size(), kMagic.size());
  if (std::string_view(bytes).substr(0, magic_have) != kMagic.substr(0, magic_have)) {
    fail(path, "bad magic: not a memsnn layer-network checkpoint (expected it to start with \"MEMSNNLN\")");
  }
  if (bytes.size() < kFixedHeaderBytes + kCrcBytes) {
    fail(path, "truncated: file ends after " + std::to_string(bytes.size()) + " bytes, inside the fixed header");
  }
  ByteReader r(bytes);
  r.raw(kMagic.size());
  const uint32_t version = r.u32();
  if (version != kVersion) {
    fail(path, "unsupported version " + std::to_string(version) + " (this build reads version " + std::to_string(kVersion) + ")");
  }
  const uint64_t json_len = r.u64();
  if (json_len > r.remaining()) {
    fail(path, "truncated: header says " + std::to_string(json_len) + "-byte JSON header, " +
                   std::to_string(r.remaining()) + " bytes remain");
  }
  LayerCheckpoint ck;
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(r.raw(static_cast<size_t>(json_len)));
  } catch (const nlohmann::json::exception& e) {
    fail(path, "JSON header is malformed: " + json_exception_text(e));
  }
  if (!header.is_object() || !header.contains("config") || !header.contains("layers") || !header["layers"].is_array()) {
    fail(path, "JSON header lacks \"config\" or \"layers\"");
  }
  try {
    ck.config = layer_net_config_from_json(header["config"]);
  } catch (const ConfigError& e) {
    fail(path, std::string("checkpoint config: ") + e.what());
  }
  ck.info = header.value("info", nlohmann::json::object());
  const nlohmann::json& layers = header["layers"];
  if (layers.size() != ck.config.layers.size()) {
    fail(path, "header lists " + std::to_string(layers.size()) + " layers, its config " + std::to_string(ck.config.layers.size()));
  }
  // The image shape (channels, height, width); files without it hold dense layers only and
  // take a flat vector of the first layer's inputs.
  TensorShape input;
  if (header.contains("input")) {
    const nlohmann::json& in = header["input"];
    const auto dim = [&](size_t i) -> uint32_t {
      if (!in.is_array() || in.size() != 3 || !in[i].is_number_unsigned() || in[i].get<uint64_t>() == 0 ||
          in[i].get<uint64_t>() > (1u << 16)) {
        fail(path, "header \"input\" is not [channels, height, width] of integers 1..65536");
      }
      return in[i].get<uint32_t>();
    };
    input = {dim(0), dim(1), dim(2)};
  } else if (!layers.empty() && layers[0].is_object() && layers[0].contains("n_in") && layers[0]["n_in"].is_number_unsigned()) {
    input = {1, 1, static_cast<uint32_t>(std::min<uint64_t>(layers[0]["n_in"].get<uint64_t>(), 1u << 24))};
  }
  std::vector<LayerShape> shapes;
  try {
    shapes = layer_shapes(ck.config, input);
  } catch (const ConfigError& e) {
    fail(path, std::string("checkpoint config does not fit its input ") + shape_text(input) + ": " + e.what());
  }
  ck.params.input = input;
  uint64_t need = 0;
  for (size_t l = 0; l < layers.size(); ++l) {
    const nlohmann::json& s = layers[l];
    const auto size_of = [&](const char* key) -> uint32_t {
      if (!s.is_object() || !s.contains(key) || !s[key].is_number_unsigned() || s[key].get<uint64_t>() > (1u << 24)) {
        fail(path, "header layers[" + std::to_string(l) + "]." + key + " is missing or not an integer 0..16777216");
      }
      return s[key].get<uint32_t>();
    };
    LayerParams p;
    p.n_in = size_of("n_in");
    p.n_out = size_of("n_out");
    if (p.n_in != shapes[l].weight_cols || p.n_out != shapes[l].weight_rows) {
      fail(path, "header layers[" + std::to_string(l) + "] sizes " + std::to_string(p.n_out) + "x" + std::to_string(p.n_in) +
                     " disagree with the config's " + std::to_string(shapes[l].weight_rows) + "x" + std::to_string(shapes[l].weight_cols));
    }
    need += layer_bytes(p.n_in, p.n_out);
    ck.params.layers.push_back(std::move(p));
  }
  if (r.remaining() != need + kCrcBytes) {
    fail(path, std::string(r.remaining() < need + kCrcBytes ? "truncated" : "trailing bytes") + ": " +
                   std::to_string(r.remaining()) + " bytes after the header, the layers need " +
                   std::to_string(need + kCrcBytes));
  }
  for (auto& p : ck.params.layers) {
    p.weights.resize(static_cast<size_t>(p.n_out) * p.n_in);
    p.bias.resize(p.n_out);
    for (float& v : p.weights) v = r.f32();
    for (float& v : p.bias) v = r.f32();
    p.beta = r.f32();
    p.threshold = r.f32();
    p.alpha = r.f32();
  }
  const size_t crc_pos = r.pos();
  const uint32_t stored = r.u32();
  if (stored != crc_of(bytes.data(), crc_pos)) fail(path, "CRC mismatch: the file is damaged");
  check_finite(path, ck.config, ck.params, "");
  return ck;
}

}  // namespace memsnn
