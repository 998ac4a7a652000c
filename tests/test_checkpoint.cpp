// Tests for result files: checkpoint round trip bit for bit, atomic writes, one clear
// DataError (file name + problem) per kind of checkpoint damage, and the receptive-field PNG
// geometry and pixel values.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "fixtures.hpp"
#include "io/atomic_file.hpp"
#include "io/checkpoint.hpp"
#include "io/receptive_fields_png.hpp"

// Only the test decodes PNGs; the engine only writes them.
#pragma GCC diagnostic push
#include "io/stb_warnings_off.hpp"
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
#pragma GCC diagnostic pop

namespace fs = std::filesystem;
using memsnn::Checkpoint;
using memsnn::DataError;
using memsnn::NetworkState;

namespace {

using memsnn::fixtures::TempDir;

std::string read_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_raw(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Runs `call`, requires a DataError, and requires every fragment in its one-line message.
void expect_data_error(const std::function<void()>& call, const std::vector<std::string>& fragments) {
  try {
    call();
    ADD_FAILURE() << "expected DataError, nothing was thrown";
  } catch (const DataError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "message is not one line: " << msg;
    for (const std::string& f : fragments) {
      EXPECT_NE(msg.find(f), std::string::npos) << "message lacks \"" << f << "\": " << msg;
    }
  }
}

NetworkState random_state(uint32_t n_inputs, uint32_t n_neurons, bool with_theta, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> gd(0.0f, 1.0f);
  std::uniform_real_distribution<double> td(0.0, 20.0);
  std::uniform_int_distribution<int32_t> ld(-1, 9);
  NetworkState s;
  s.n_inputs = n_inputs;
  s.n_neurons = n_neurons;
  s.g.resize(size_t{n_inputs} * n_neurons);
  for (float& v : s.g) v = gd(rng);
  if (with_theta) {
    s.theta.resize(n_neurons);
    for (double& v : s.theta) v = td(rng);
  }
  s.labels.resize(n_neurons);
  for (int32_t& v : s.labels) v = ld(rng);
  return s;
}

Checkpoint sample_checkpoint() {
  Checkpoint ck;
  ck.state = random_state(784, 10, true, 42);
  ck.config = {
      {"name", "diehl_cook_2015"},
      {"seed", 1234},
      {"dt_ms", 0.5},
      {"populations", {{{"name", "exc"}, {"size", 10}, {"tau_ms", 100.0 / 3.0}}}},
      {"device", {{"g_min_S", 1.0e-9}, {"g_max_S", 3.7e-6}, {"nonlinear", true}}},
  };
  ck.info = {{"samples_trained", 60000}, {"commit", "abc123"}, {"time", "2024-01-01T00:00:00Z"}};
  return ck;
}

// Layout offsets of a saved checkpoint, read back from its own fixed header.
struct Layout {
  size_t json_begin = 20;
  size_t g_begin = 0;
  size_t theta_begin = 0;
  size_t labels_begin = 0;
  size_t crc_begin = 0;
};

Layout layout_of(const std::string& bytes, const NetworkState& s) {
  uint64_t json_len = 0;
  for (int i = 0; i < 8; ++i) json_len |= uint64_t{static_cast<uint8_t>(bytes[12 + i])} << (8 * i);
  Layout l;
  l.g_begin = l.json_begin + json_len;
  l.theta_begin = l.g_begin + 4 * s.g.size();
  l.labels_begin = l.theta_begin + 8 * s.theta.size();
  l.crc_begin = l.labels_begin + 4 * s.labels.size();
  return l;
}

// Rewrites the trailing CRC so that a deliberately inconsistent body passes the CRC check
// and reaches the value checks behind it.
std::string with_fixed_crc(std::string bytes) {
  const size_t body = bytes.size() - 4;
  const uint32_t crc = static_cast<uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(body)));
  for (int i = 0; i < 4; ++i) bytes[body + i] = static_cast<char>(static_cast<uint8_t>(crc >> (8 * i)));
  return bytes;
}

// A checkpoint built by hand from a header and the raw sections, with a correct CRC.
std::string build_raw(const nlohmann::json& header, const std::string& sections) {
  const std::string text = header.dump();
  std::string out = "MEMSNNCK";
  auto put = [&](uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>(static_cast<uint8_t>(v >> (8 * i))));
  };
  put(1, 4);
  put(text.size(), 8);
  out += text;
  out += sections;
  put(0, 4);
  return with_fixed_crc(out);
}

// ---------------------------------------------------------------------------------------
// Atomic writes

TEST(AtomicFile, WritesOverwritesAndLeavesNoTempFile) {
  TempDir dir;
  const std::string path = dir.file("result.bin");
  memsnn::write_file_atomic(path, "first version, longer than the second");
  EXPECT_EQ(read_raw(path), "first version, longer than the second");
  memsnn::write_file_atomic(path, std::string("second\0binary", 13));
  EXPECT_EQ(read_raw(path), std::string("second\0binary", 13));
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"result.bin"});
}

TEST(AtomicFile, EmptyContent) {
  TempDir dir;
  const std::string path = dir.file("empty");
  memsnn::write_file_atomic(path, "");
  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ(fs::file_size(path), 0u);
}

TEST(AtomicFile, MissingDirectoryThrowsNamingThePath) {
  TempDir dir;
  const std::string path = dir.file("no_such_dir/result.bin");
  expect_data_error([&] { memsnn::write_file_atomic(path, "data"); }, {path, "No such file or directory"});
  EXPECT_TRUE(names_in(dir.path()).empty());
}

TEST(AtomicFile, EnsureDirectoryCreatesParentsAndRejectsFiles) {
  TempDir dir;
  const std::string nested = dir.file("a/b/c");
  memsnn::ensure_directory(nested);
  EXPECT_TRUE(fs::is_directory(nested));
  memsnn::ensure_directory(nested);  // already there: fine

  const std::string file = dir.file("plain_file");
  write_raw(file, "x");
  expect_data_error([&] { memsnn::ensure_directory(file); }, {file});
  expect_data_error([&] { memsnn::ensure_directory(file + "/sub"); }, {file + "/sub"});
}

namespace {

// A pid that certainly belonged to a process that has exited: a child that exits at once,
// reaped before we return.
long dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return static_cast<long>(pid);
}

std::string this_host() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

}  // namespace

// Issue 17: a kill during write_file_atomic left "<file>.tmp.<pid>" behind forever. Opening
// the output folder removes the temp files of processes that are gone (on this host); the
// temp files of live processes, of other hosts and files that only look alike stay.
TEST(AtomicFile, StaleTempFilesOfDeadProcessesGoWhenTheFolderIsOpened) {
  TempDir dir;
  const std::string host = this_host();
  const std::string dead = std::to_string(dead_pid());
  const std::vector<std::string> stale = {"checkpoint.bin.tmp." + dead,               // as older builds named them
                                          "metrics.json.tmp." + host + "." + dead};
  std::vector<std::string> kept = {"config.json.tmp." + host + "." + std::to_string(::getpid()),  // this process
                                   "fields.png.tmp." + host + ".1",                                // pid 1 lives
                                   "other.bin.tmp.another-host.example." + dead,                   // not this host
                                   "notes.tmp.txt", "data.tmp.12x", "checkpoint.bin"};
  for (const auto& name : stale) write_raw(dir.file(name), "partial");
  for (const auto& name : kept) write_raw(dir.file(name), "keep");
  memsnn::ensure_directory(dir.str());
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(names_in(dir.path()), kept);

  // A program that writes a single file (no folder to open) clears that file's own leftovers.
  write_raw(dir.file("out.json.tmp." + dead), "partial");
  memsnn::write_file_atomic(dir.file("out.json"), "{}");
  EXPECT_FALSE(fs::exists(dir.file("out.json.tmp." + dead)));
  EXPECT_EQ(read_raw(dir.file("out.json")), "{}");
}

// ---------------------------------------------------------------------------------------
// Checkpoint round trip

void expect_same(const Checkpoint& a, const Checkpoint& b) {
  EXPECT_EQ(a.config, b.config);
  EXPECT_EQ(a.info, b.info);
  EXPECT_EQ(a.state.n_inputs, b.state.n_inputs);
  EXPECT_EQ(a.state.n_neurons, b.state.n_neurons);
  ASSERT_EQ(a.state.g.size(), b.state.g.size());
  ASSERT_EQ(a.state.theta.size(), b.state.theta.size());
  // Bit for bit, not approximately: a reload must continue exactly where training stopped.
  EXPECT_EQ(std::memcmp(a.state.g.data(), b.state.g.data(), a.state.g.size() * sizeof(float)), 0);
  if (!a.state.theta.empty()) {
    EXPECT_EQ(std::memcmp(a.state.theta.data(), b.state.theta.data(), a.state.theta.size() * sizeof(double)), 0);
  }
  EXPECT_EQ(a.state.labels, b.state.labels);
}

TEST(Checkpoint, RoundTripBitForBit) {
  TempDir dir;
  const std::string path = dir.file("model.ckpt");
  Checkpoint ck = sample_checkpoint();
  // Awkward values that a text format would lose.
  ck.state.g[0] = std::numeric_limits<float>::denorm_min();
  ck.state.g[1] = -0.0f;
  ck.state.g[2] = std::nextafter(1.0f, 2.0f);
  ck.state.theta[0] = 0.1 + 0.2;
  memsnn::save_checkpoint(path, ck);
  expect_same(ck, memsnn::load_checkpoint(path));
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"model.ckpt"});

  const std::string bytes = read_raw(path);
  EXPECT_EQ(bytes.substr(0, 8), "MEMSNNCK");
  const Layout l = layout_of(bytes, ck.state);
  EXPECT_EQ(l.crc_begin + 4, bytes.size());
  const nlohmann::json header = nlohmann::json::parse(bytes.substr(l.json_begin, l.g_begin - l.json_begin));
  EXPECT_EQ(header["n_inputs"], 784);
  EXPECT_EQ(header["n_neurons"], 10);
  EXPECT_EQ(header["n_theta"], 10);
  EXPECT_EQ(header["units"]["theta"], "mV");
  EXPECT_TRUE(header["units"]["g"].is_string());
}

TEST(Checkpoint, RoundTripWithoutThetaAndNullInfo) {
  TempDir dir;
  const std::string path = dir.file("model.ckpt");
  Checkpoint ck;
  ck.state = random_state(16, 3, false, 7);
  ck.config = {{"name", "tiny"}};
  memsnn::save_checkpoint(path, ck);
  const Checkpoint back = memsnn::load_checkpoint(path);
  expect_same(ck, back);
  EXPECT_TRUE(back.state.theta.empty());
  EXPECT_TRUE(back.info.is_null());
}

TEST(Checkpoint, SaveOverwritesExisting) {
  TempDir dir;
  const std::string path = dir.file("model.ckpt");
  Checkpoint a = sample_checkpoint();
  memsnn::save_checkpoint(path, a);
  Checkpoint b;
  b.state = random_state(4, 2, true, 99);
  b.config = {{"name", "second"}};
  memsnn::save_checkpoint(path, b);
  expect_same(b, memsnn::load_checkpoint(path));
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"model.ckpt"});
}

TEST(Checkpoint, SaveRejectsInconsistentState) {
  TempDir dir;
  const std::string path = dir.file("model.ckpt");
  Checkpoint ck = sample_checkpoint();
  ck.state.g.pop_back();
  expect_data_error([&] { memsnn::save_checkpoint(path, ck); }, {path, "conductances"});
  ck = sample_checkpoint();
  ck.state.labels[3] = 10;
  expect_data_error([&] { memsnn::save_checkpoint(path, ck); }, {path, "label of neuron 3"});
  ck = sample_checkpoint();
  ck.state.g[5] = std::numeric_limits<float>::quiet_NaN();
  expect_data_error([&] { memsnn::save_checkpoint(path, ck); }, {path, "not finite"});
  EXPECT_FALSE(fs::exists(path));
}

TEST(Checkpoint, SaveIntoMissingDirectoryThrows) {
  TempDir dir;
  const std::string path = dir.file("missing/model.ckpt");
  expect_data_error([&] { memsnn::save_checkpoint(path, sample_checkpoint()); }, {path});
}

// ---------------------------------------------------------------------------------------
// Damaged checkpoints: each names the file and the problem.

class DamagedCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    good_path_ = dir_.file("model.ckpt");
    ck_ = sample_checkpoint();
    memsnn::save_checkpoint(good_path_, ck_);
    good_ = read_raw(good_path_);
    layout_ = layout_of(good_, ck_.state);
  }
  // Writes `bytes` as a damaged copy and expects load to fail naming it and `problem`.
  void expect_rejected(const std::string& bytes, const std::vector<std::string>& problem) {
    const std::string path = dir_.file("damaged.ckpt");
    write_raw(path, bytes);
    std::vector<std::string> fragments = problem;
    fragments.push_back(path);
    SCOPED_TRACE("damaged copy of " + std::to_string(bytes.size()) + " bytes");
    expect_data_error([&] { memsnn::load_checkpoint(path); }, fragments);
  }

  TempDir dir_;
  std::string good_path_;
  Checkpoint ck_;
  std::string good_;
  Layout layout_;
};

TEST_F(DamagedCheckpoint, MissingFile) {
  const std::string path = dir_.file("absent.ckpt");
  expect_data_error([&] { memsnn::load_checkpoint(path); }, {path, "No such file or directory"});
}

TEST_F(DamagedCheckpoint, BadMagic) {
  std::string bytes = good_;
  bytes[3] = 'X';
  expect_rejected(bytes, {"bad magic"});
  expect_rejected("PK\x03\x04", {"bad magic"});
  expect_rejected("", {"truncated"});
}

TEST_F(DamagedCheckpoint, UnsupportedVersion) {
  std::string bytes = good_;
  bytes[8] = 2;
  expect_rejected(bytes, {"unsupported version 2"});
}

TEST_F(DamagedCheckpoint, TruncatedInFixedHeader) {
  for (size_t len : {size_t{4}, size_t{8}, size_t{12}, size_t{19}}) {
    expect_rejected(good_.substr(0, len), {"truncated", "fixed header"});
  }
}

TEST_F(DamagedCheckpoint, TruncatedInJsonHeader) {
  const size_t len = (layout_.json_begin + layout_.g_begin) / 2;
  expect_rejected(good_.substr(0, len), {"truncated", "JSON header"});
}

TEST_F(DamagedCheckpoint, TruncatedInConductances) {
  const size_t len = layout_.g_begin + 1200;
  expect_rejected(good_.substr(0, len),
                  {"truncated: header says 7840 conductances", "file ends after 1200 bytes"});
  expect_rejected(good_.substr(0, layout_.g_begin), {"truncated", "conductances"});
}

TEST_F(DamagedCheckpoint, TruncatedInThetaAndLabels) {
  expect_rejected(good_.substr(0, layout_.theta_begin + 12), {"truncated", "10 thresholds"});
  expect_rejected(good_.substr(0, layout_.labels_begin + 7), {"truncated", "10 labels"});
}

TEST_F(DamagedCheckpoint, TruncatedBeforeCrc) {
  expect_rejected(good_.substr(0, layout_.crc_begin), {"truncated", "CRC"});
  expect_rejected(good_.substr(0, good_.size() - 1), {"truncated", "CRC"});
}

TEST_F(DamagedCheckpoint, TrailingBytes) {
  expect_rejected(good_ + "junk", {"4 unexpected bytes after the CRC"});
}

TEST_F(DamagedCheckpoint, FlippedByteInConductancesFailsCrc) {
  std::string bytes = good_;
  bytes[layout_.g_begin + 4 * 1000 + 2] ^= 0x10;
  expect_rejected(bytes, {"CRC mismatch"});
}

TEST_F(DamagedCheckpoint, FlippedByteInCrcFailsCrc) {
  std::string bytes = good_;
  bytes[layout_.crc_begin] ^= 0x01;
  expect_rejected(bytes, {"CRC mismatch"});
}

TEST_F(DamagedCheckpoint, LabelOutOfRange) {
  std::string bytes = good_;
  bytes[layout_.labels_begin + 4 * 2] = 12;  // little-endian low byte of label 2
  bytes[layout_.labels_begin + 4 * 2 + 1] = 0;
  bytes[layout_.labels_begin + 4 * 2 + 2] = 0;
  bytes[layout_.labels_begin + 4 * 2 + 3] = 0;
  expect_rejected(with_fixed_crc(bytes), {"label of neuron 2 is 12"});
}

TEST_F(DamagedCheckpoint, NonFiniteConductance) {
  std::string bytes = good_;
  const uint32_t nan_bits = 0x7fc00000u;
  for (int i = 0; i < 4; ++i) {
    bytes[layout_.g_begin + 4 * 25 + i] = static_cast<char>(static_cast<uint8_t>(nan_bits >> (8 * i)));
  }
  // Element 25 of [input][neuron] with 10 neurons: input 2, neuron 5.
  expect_rejected(with_fixed_crc(bytes), {"conductance of input 2, neuron 5 is not finite"});
}

TEST_F(DamagedCheckpoint, InconsistentHeader) {
  const nlohmann::json base = {{"config", {{"name", "x"}}}, {"info", nullptr}, {"n_inputs", 2},
                               {"n_neurons", 3},          {"n_theta", 0}};
  const std::string sections = std::string(4 * 6, '\0') + std::string(4 * 3, '\0');  // g, labels (0)

  nlohmann::json h = base;
  h["n_theta"] = 2;
  expect_rejected(build_raw(h, sections), {"n_theta 2, expected 0 or n_neurons (3)"});
  h = base;
  h.erase("n_neurons");
  expect_rejected(build_raw(h, sections), {"header lacks \"n_neurons\""});
  h = base;
  h["n_inputs"] = -4;
  expect_rejected(build_raw(h, sections), {"\"n_inputs\" is -4"});
  h = base;
  h.erase("config");
  expect_rejected(build_raw(h, sections), {"header lacks \"config\""});
}

TEST_F(DamagedCheckpoint, HandBuiltFileLoads) {
  // The hand-built layout above is the documented one: unmodified, it loads.
  const nlohmann::json header = {{"config", {{"name", "x"}}}, {"info", nullptr}, {"n_inputs", 2},
                                 {"n_neurons", 3},          {"n_theta", 0}};
  std::string sections(4 * 6, '\0');
  sections += std::string("\xff\xff\xff\xff\x00\x00\x00\x00\x09\x00\x00\x00", 12);  // labels -1, 0, 9
  const std::string path = dir_.file("hand.ckpt");
  write_raw(path, build_raw(header, sections));
  const Checkpoint back = memsnn::load_checkpoint(path);
  EXPECT_EQ(back.state.labels, (std::vector<int32_t>{-1, 0, 9}));
  EXPECT_EQ(back.state.g, std::vector<float>(6, 0.0f));
}

TEST_F(DamagedCheckpoint, MalformedJson) {
  std::string bytes = good_;
  bytes[layout_.json_begin] = '[';  // '{' becomes '[': the header no longer parses
  expect_rejected(with_fixed_crc(bytes), {"JSON header is malformed"});
}

// Issue 17: a checkpoint with a valid CRC whose conductances were all 1e19 loaded and
// evaluated. Conductances are normalised, so they must lie in [0, 1] (up to rounding).
TEST_F(DamagedCheckpoint, ConductancesOutsideTheNormalisedRange) {
  auto with_g = [&](float value, size_t first, size_t count) {
    std::string bytes = good_;
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    for (size_t k = first; k < first + count; ++k) {
      for (int i = 0; i < 4; ++i) {
        bytes[layout_.g_begin + 4 * k + i] = static_cast<char>(static_cast<uint8_t>(bits >> (8 * i)));
      }
    }
    return with_fixed_crc(bytes);
  };
  expect_rejected(with_g(1e19f, 0, ck_.state.g.size()), {"conductances", "input 0, neuron 0", "1e+19", "[0, 1]"});
  expect_rejected(with_g(-0.5f, 13, 1), {"conductances", "input 1, neuron 3", "-0.5", "[0, 1]"});
  expect_rejected(with_g(1.5f, 7839, 1), {"conductances", "input 783, neuron 9", "1.5"});
}

TEST(Checkpoint, SaveRejectsConductancesOutsideTheRange) {
  TempDir dir;
  Checkpoint ck = sample_checkpoint();
  ck.state.g[5] = 1e19f;
  const std::string path = dir.file("model.ckpt");
  expect_data_error([&] { memsnn::save_checkpoint(path, ck); }, {path, "cannot save", "conductances", "1e+19"});
  EXPECT_FALSE(fs::exists(path));
}

// Issue 17: the parser's message quoted the corrupt header's raw bytes (not UTF-8) into the
// error line; they are escaped.
TEST_F(DamagedCheckpoint, CorruptHeaderBytesAreEscapedNotEchoed) {
  std::string bytes = good_;
  const size_t at = bytes.find("diehl_cook_2015");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 5] = '\xff';
  bytes[at + 6] = '\x07';
  const std::string path = dir_.file("damaged.ckpt");
  write_raw(path, with_fixed_crc(bytes));
  try {
    memsnn::load_checkpoint(path);
    ADD_FAILURE() << "expected DataError";
  } catch (const DataError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("JSON header"), std::string::npos) << msg;
    EXPECT_NE(msg.find("\\xff"), std::string::npos) << msg;
    for (const char c : msg) {
      const auto u = static_cast<unsigned char>(c);
      EXPECT_TRUE(u >= 0x20 && u < 0x7f) << "raw byte " << static_cast<int>(u) << " in: " << msg;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Receptive-field picture

// Geometry documented in receptive_fields_png.cpp: a 1-pixel gap between tiles, no border.
constexpr int kGap = 1;

TEST(ReceptiveFieldsPng, GridGeometryAndPixels) {
  TempDir dir;
  const std::string path = dir.file("fields.png");
  const uint32_t rows = 28, cols = 28, n = 10, scale = 2;
  NetworkState s;
  s.n_inputs = rows * cols;
  s.n_neurons = n;
  s.g.assign(size_t{s.n_inputs} * n, 0.25f);
  s.g[(0 * cols + 0) * n + 0] = 2.0f;   // neuron 0, pixel (0, 0): the layer's maximum
  s.g[(3 * cols + 5) * n + 5] = 1.0f;   // neuron 5, pixel (3, 5): half the maximum
  s.g[(1 * cols + 1) * n + 9] = 0.0f;   // neuron 9, pixel (1, 1): zero
  s.labels.assign(n, -1);
  memsnn::write_receptive_fields_png(path, s, rows, cols, scale);
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"fields.png"});

  const std::string bytes = read_raw(path);
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));

  // 10 neurons: ceil(sqrt(10)) = 4 tile columns, 3 tile rows.
  const int grid_cols = 4, grid_rows = 3;
  const int expect_w = grid_cols * cols * scale + (grid_cols - 1) * kGap;
  const int expect_h = grid_rows * rows * scale + (grid_rows - 1) * kGap;
  EXPECT_EQ(expect_w, 4 * 28 * 2 + 3);
  EXPECT_EQ(expect_h, 3 * 28 * 2 + 2);
  int w = 0, h = 0, comp = 0;
  ASSERT_EQ(stbi_info(path.c_str(), &w, &h, &comp), 1);
  EXPECT_EQ(w, expect_w);
  EXPECT_EQ(h, expect_h);
  EXPECT_EQ(comp, 1);

  stbi_uc* pixels = stbi_load(path.c_str(), &w, &h, &comp, 1);
  ASSERT_NE(pixels, nullptr);
  auto at = [&](int x, int y) { return static_cast<int>(pixels[y * w + x]); };
  const int tile = static_cast<int>(cols * scale);
  // Neuron 0, pixel (0, 0) = max -> 255 over its 2x2 block; next input pixel 0.25/2 -> 32.
  EXPECT_EQ(at(0, 0), 255);
  EXPECT_EQ(at(1, 1), 255);
  EXPECT_EQ(at(2, 0), 32);
  // Gap column after tile 0 and gap row after tile row 0.
  EXPECT_EQ(at(tile, 0), 40);
  EXPECT_EQ(at(0, tile), 40);
  // Neuron 5: tile row 1, tile column 1; its pixel (3, 5) = half the maximum -> 128.
  const int x5 = 1 * (tile + kGap) + 5 * static_cast<int>(scale);
  const int y5 = 1 * (tile + kGap) + 3 * static_cast<int>(scale);
  EXPECT_EQ(at(x5, y5), 128);
  EXPECT_EQ(at(x5 + 1, y5 + 1), 128);
  // Neuron 9: tile row 2, tile column 1; its pixel (1, 1) is zero -> black.
  EXPECT_EQ(at(1 * (tile + kGap) + 2, 2 * (tile + kGap) + 2), 0);
  // Slots 10 and 11 hold no neuron: background grey.
  EXPECT_EQ(at(3 * (tile + kGap) + 10, 2 * (tile + kGap) + 10), 40);
  stbi_image_free(pixels);
}

TEST(ReceptiveFieldsPng, PerfectSquareAndAllZeroLayer) {
  TempDir dir;
  const std::string path = dir.file("zero.png");
  NetworkState s;
  s.n_inputs = 4 * 3;
  s.n_neurons = 9;  // exactly 3 x 3 tiles
  s.g.assign(size_t{s.n_inputs} * s.n_neurons, 0.0f);
  memsnn::write_receptive_fields_png(path, s, 4, 3, 1);
  int w = 0, h = 0, comp = 0;
  stbi_uc* pixels = stbi_load(path.c_str(), &w, &h, &comp, 1);
  ASSERT_NE(pixels, nullptr);
  EXPECT_EQ(w, 3 * 3 + 2 * kGap);
  EXPECT_EQ(h, 3 * 4 + 2 * kGap);
  EXPECT_EQ(pixels[0], 0);  // max 0 is guarded: black, not NaN garbage
  stbi_image_free(pixels);
}

TEST(ReceptiveFieldsPng, ShapeMismatchThrows) {
  TempDir dir;
  const std::string path = dir.file("bad.png");
  NetworkState s;
  s.n_inputs = 28 * 28;
  s.n_neurons = 2;
  s.g.assign(size_t{s.n_inputs} * 2, 0.5f);
  expect_data_error([&] { memsnn::write_receptive_fields_png(path, s, 14, 14, 2); }, {path, "n_inputs 784"});
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
