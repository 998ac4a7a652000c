// Checkpoint files: serialises the learnt state with its config into the layout documented
// in checkpoint.hpp, and reads it back checking every size against the bytes present, so a
// damaged file gives one line naming the file and the problem instead of garbage weights.
#include "io/checkpoint.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/json_parse.hpp"
#include "io/atomic_file.hpp"
#include "io/byte_io.hpp"

namespace memsnn {
namespace {

constexpr std::string_view kMagic = "MEMSNNCK";
constexpr uint32_t kVersion = 1;
constexpr size_t kFixedHeaderBytes = 8 + 4 + 8;  // magic, version, json_len
constexpr size_t kCrcBytes = 4;
constexpr int32_t kMinLabel = -1;  // -1 = neuron never won, no class assigned
constexpr int32_t kMaxLabel = 9;
// Conductances are stored normalised to [0, 1]; float rounding of (G - G_min) / (G_max -
// G_min) may step a few ulps outside, a value further out is damage, not rounding.
constexpr float kConductanceSlack = 1e-6f;

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw DataError(path + ": " + what); }

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}


// Value checks shared by save and load: a state that load would reject must not be saved,
// or a long training run would only find out when evaluating.
void check_state(const std::string& path, const NetworkState& s, const char* when) {
  const uint64_t n_g = uint64_t{s.n_inputs} * s.n_neurons;
  const std::string prefix = std::string(when);
  if (s.g.size() != n_g) {
    fail(path, prefix + "state has " + std::to_string(s.g.size()) + " conductances, expected n_inputs " +
                   std::to_string(s.n_inputs) + " x n_neurons " + std::to_string(s.n_neurons) + " = " +
                   std::to_string(n_g));
  }
  if (!s.theta.empty() && s.theta.size() != s.n_neurons) {
    fail(path, prefix + "state has " + std::to_string(s.theta.size()) + " thresholds, expected 0 or n_neurons (" +
                   std::to_string(s.n_neurons) + ")");
  }
  if (s.labels.size() != s.n_neurons) {
    fail(path, prefix + "state has " + std::to_string(s.labels.size()) + " labels, expected n_neurons (" +
                   std::to_string(s.n_neurons) + ")");
  }
  for (size_t k = 0; k < s.g.size(); ++k) {
    if (!std::isfinite(s.g[k])) {
      fail(path, prefix + "conductance of input " + std::to_string(k / s.n_neurons) + ", neuron " +
                     std::to_string(k % s.n_neurons) + " is not finite");
    }
    if (s.g[k] < -kConductanceSlack || s.g[k] > 1.0f + kConductanceSlack) {
      std::ostringstream value;
      value << s.g[k];
      fail(path, prefix + "conductances: input " + std::to_string(k / s.n_neurons) + ", neuron " +
                     std::to_string(k % s.n_neurons) + " is " + value.str() +
                     ", outside the normalised range [0, 1]");
    }
  }
  for (size_t j = 0; j < s.theta.size(); ++j) {
    if (!std::isfinite(s.theta[j])) fail(path, prefix + "threshold of neuron " + std::to_string(j) + " is not finite");
  }
  for (size_t j = 0; j < s.labels.size(); ++j) {
    if (s.labels[j] < kMinLabel || s.labels[j] > kMaxLabel) {
      fail(path, prefix + "label of neuron " + std::to_string(j) + " is " + std::to_string(s.labels[j]) +
                     ", expected -1..9");
    }
  }
}

// A size field of the JSON header: present, a non-negative integer, and fitting in u32.
uint32_t header_size(const std::string& path, const nlohmann::json& header, const char* key) {
  const auto it = header.find(key);
  if (it == header.end()) fail(path, std::string("header lacks \"") + key + "\"");
  if (!it->is_number_unsigned() || it->get<uint64_t>() > std::numeric_limits<uint32_t>::max()) {
    fail(path, std::string("header \"") + key + "\" is " + it->dump() + ", expected an integer 0..4294967295");
  }
  return static_cast<uint32_t>(it->get<uint64_t>());
}


}  // namespace

void save_checkpoint(const std::string& path, const Checkpoint& ck) {
  const NetworkState& s = ck.state;
  check_state(path, s, "cannot save: ");

  const nlohmann::json header = {
      {"config", ck.config},
      {"info", ck.info},
      {"n_inputs", s.n_inputs},
      {"n_neurons", s.n_neurons},
      {"n_theta", s.theta.size()},
      {"units",
       {{"g", "normalised conductance (G - g_min_S)/(g_max_S - g_min_S)"}, {"theta", "mV"}}},
  };
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception& e) {
    // dump() throws on strings that are not valid UTF-8 (e.g. a path in info).
    fail(path, std::string("cannot save: header cannot be encoded as JSON: ") + e.what());
  }

  ByteWriter w;
  w.reserve(kFixedHeaderBytes + text.size() + 4 * s.g.size() + 8 * s.theta.size() + 4 * s.labels.size() +
            kCrcBytes);
  w.raw(kMagic);
  w.u32(kVersion);
  w.u64(text.size());
  w.raw(text);
  for (float v : s.g) w.f32(v);
  for (double v : s.theta) w.f64(v);
  for (int32_t v : s.labels) w.i32(v);
  w.u32(crc_of(w.bytes().data(), w.bytes().size()));

  write_file_atomic(path, w.bytes());
}

uint64_t checkpoint_file_bytes(uint32_t n_inputs, uint32_t n_neurons, uint32_t n_theta, uint64_t header_json_bytes) {
  return kFixedHeaderBytes + header_json_bytes + 4 * uint64_t{n_inputs} * n_neurons + 8 * uint64_t{n_theta} +
         4 * uint64_t{n_neurons} + kCrcBytes;
}

Checkpoint load_checkpoint(const std::string& path) {
  const std::string bytes = read_binary_file(path, "checkpoint");
  ByteReader r(bytes);

  // Magic first, on whatever prefix exists: a short file of another kind is "bad magic",
  // a short file that starts like a checkpoint is "truncated".
  const size_t magic_have = std::min(bytes.size(), kMagic.size());
  if (std::string_view(bytes).substr(0, magic_have) != kMagic.substr(0, magic_have)) {
    fail(path, "bad magic: not a memsnn checkpoint (expected it to start with \"MEMSNNCK\")");
  }
  if (bytes.size() < kFixedHeaderBytes) {
    fail(path, "truncated: file ends after " + std::to_string(bytes.size()) + " bytes, inside the " +
                   std::to_string(kFixedHeaderBytes) + "-byte fixed header");
  }
  r.raw(kMagic.size());
  const uint32_t version = r.u32();
  if (version != kVersion) {
    fail(path, "unsupported version " + std::to_string(version) + " (this build reads version " +
                   std::to_string(kVersion) + ")");
  }
  const uint64_t json_len = r.u64();
  if (json_len > r.remaining()) {
    fail(path, "truncated: header says " + std::to_string(json_len) + "-byte JSON header, file ends after " +
                   std::to_string(r.remaining()) + " bytes of it");
  }

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(r.raw(static_cast<size_t>(json_len)));
  } catch (const nlohmann::json::exception& e) {
    // Escaped: the parser quotes the damaged bytes, which need not be text.
    fail(path, "JSON header is malformed: " + json_exception_text(e));
  }
  if (!header.is_object()) fail(path, "JSON header is not an object");
  for (const char* key : {"config", "info"}) {
    if (!header.contains(key)) fail(path, std::string("header lacks \"") + key + "\"");
  }
  const uint32_t n_inputs = header_size(path, header, "n_inputs");
  const uint32_t n_neurons = header_size(path, header, "n_neurons");
  const uint32_t n_theta = header_size(path, header, "n_theta");
  if (n_theta != 0 && n_theta != n_neurons) {
    fail(path, "header says n_theta " + std::to_string(n_theta) + ", expected 0 or n_neurons (" +
                   std::to_string(n_neurons) + ")");
  }

  // Each section: compare the count against the bytes left before touching them. Counts
  // are compared as elements (remaining / width) so that no product can overflow.
  const uint64_t n_g = uint64_t{n_inputs} * n_neurons;
  auto need = [&](uint64_t count, size_t width, const char* what) {
    if (count > r.remaining() / width) {
      fail(path, "truncated: header says " + std::to_string(count) + " " + what + " (" +
                     std::to_string(count * width) + " bytes), file ends after " + std::to_string(r.remaining()) +
                     " bytes of them");
    }
  };
  Checkpoint ck;
  NetworkState& s = ck.state;
  s.n_inputs = n_inputs;
  s.n_neurons = n_neurons;

  need(n_g, 4, "conductances");
  s.g.resize(static_cast<size_t>(n_g));
  for (float& v : s.g) v = r.f32();
  need(n_theta, 8, "thresholds");
  s.theta.resize(n_theta);
  for (double& v : s.theta) v = r.f64();
  need(n_neurons, 4, "labels");
  s.labels.resize(n_neurons);
  for (int32_t& v : s.labels) v = r.i32();

  if (r.remaining() < kCrcBytes) {
    fail(path, "truncated: file ends " + std::to_string(r.remaining()) + " bytes into the 4-byte CRC");
  }
  const size_t crc_pos = r.pos();
  const uint32_t stored = r.u32();
  if (r.remaining() != 0) {
    fail(path, std::to_string(r.remaining()) + " unexpected bytes after the CRC (sizes inconsistent with header)");
  }
  const uint32_t computed = crc_of(bytes.data(), crc_pos);
  if (stored != computed) {
    fail(path, "CRC mismatch: stored " + hex32(stored) + ", computed " + hex32(computed) + " (file is corrupt)");
  }

  // The CRC only proves the file is what was written; the values must still make sense.
  check_state(path, s, "");
  ck.config = std::move(header["config"]);
  ck.info = std::move(header["info"]);
  return ck;
}

}  // namespace memsnn
