// snn_device: one memristor device under a list of pulse trains; prints its conductance and
// state after every single pulse (JSON, or CSV with --csv) and can draw conductance against
// pulse number (--plot), so users can plot LTP/LTD curves and check a model against their
// measurements. Input keys, the voltage convention per model and an example: docs/devices.md.
//
// Non-idealities (the network config's device.nonideal): c2c_sigma (write noise, one draw per
// pulse train, added after its last pulse) and d2d_sigma (cell 0's conductance range) are
// applied exactly as a crossbar write does (device_programming.hpp); the others describe
// reads, faults of many cells or drift, not a pulse train, and are refused unless off.
//
// Exit status: 0 ok; 1 bad input (file, key, type or value); 2 bad command line.
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include "app_main.hpp"
#include "core/error.hpp"
#include "core/json_parse.hpp"
#include "core/json_fields.hpp"
#include "device/device_build.hpp"
#include "device/device_json.hpp"
#include "device/device_noise.hpp"
#include "device/device_programming.hpp"
#include "io/atomic_file.hpp"
#include "io/line_plot_png.hpp"

namespace {

using nlohmann::json;
using namespace memsnn;

constexpr int64_t kMaxCount = 10000000;  // pulses per train, and in all (one output entry each)
constexpr double kMaxVoltage = 1e3;      // V, as the device config's pulses
constexpr double kMaxWidth = 1.0;        // s
constexpr double kRangeSlack = 1e-6;     // relative: initial_conductance typed with rounded digits


struct PulseTrain {
  double voltage_V = 0.0;
  double width_s = 0.0;
  uint32_t count = 1;
};

struct Request {
  DeviceSpec spec;
  DeviceNonIdealities nonideal;
  bool has_initial_g = false, has_initial_state = false;
  double initial_g_S = 0.0, initial_state = 0.0;
  std::vector<PulseTrain> trains;
  json trains_json;  // echoed into the output
};

// What the state variable is, its range and whether it is an integer (docs/devices.md).
struct StateRange {
  float lo = 0.0f, hi = 1.0f;
  bool integer = false;
  const char* meaning = "";
};

StateRange state_range(const DeviceModel& m) {
  switch (m.kind) {
    case DeviceModelKind::kDiscrete:
      return {0.0f, static_cast<float>(m.discrete.count - 1), true, "level index k, G = levels[k] (0 = G_min)"};
    case DeviceModelKind::kChenGap: return {m.chen.gap_min_nm, m.chen.gap_max_nm, false, "tunnelling gap g [nm]"};
    case DeviceModelKind::kVteam: return {m.vteam.x_on_nm, m.vteam.x_off_nm, false, "state variable x [nm]"};
    default: return {0.0f, 1.0f, false, "normalised conductance w = (G - G_min) / (G_max - G_min)"};
  }
}

json read_document(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(path + ": cannot open the input file");
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  json doc;
  const std::string error = parse_json_text(text, doc);
  if (!error.empty()) throw DataError(path + ": " + error);
  return doc;
}

// device.nonideal: c2c_sigma and d2d_sigma apply; the rest must be off (0; drift_t0_s is inert
// without drift), so a network config's device can be pasted as it is.
DeviceNonIdealities read_nonideal(const json& j) {
  JsonFields r(j, "device.nonideal");
  DeviceNonIdealities n;
  r.number("c2c_sigma", n.c2c_sigma, 0.0, 1.0);
  r.number("d2d_sigma", n.d2d_sigma, 0.0, kMaxD2dSigma);
  for (const char* key : {"read_sigma", "stuck_at_min", "stuck_at_max", "drift_nu", "drift_time_s"}) {
    double x = 0.0;
    r.number(key, x, 0.0, 1e12);
    if (x != 0.0) {
      JsonFields::fail(r.path(key), "is not applied by snn_device (one device under pulses: no network read, "
                                    "faults or drift); set it to 0 or remove it (c2c_sigma and d2d_sigma are applied)");
    }
  }
  double t0 = 1.0;
  r.number("drift_t0_s", t0, 0.0, 1e12, "s", true);
  r.finish();
  return n;
}

// The device: a preset name or a device object; the network config's programming keys are
// accepted and ignored, its nonideal object read above.
void read_device(const json& d, Request& q) {
  json model = d;
  if (d.is_object()) {
    for (const char* k : {"mapping", "rounding", "trace_v_max_pot_V", "trace_v_max_dep_V", "normalization",
                          "read_width_s"}) {
      model.erase(k);
    }
    if (d.contains("nonideal")) {
      q.nonideal = read_nonideal(d.at("nonideal"));
      model.erase("nonideal");
    }
  }
  q.spec = device_from_json(model, "device");
}

void read_pulses(const json& list, Request& q) {
  if (!list.is_array()) JsonFields::fail("pulses", "must be a list of {\"voltage\": V, \"width\": s, \"count\": n}");
  int64_t total = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    JsonFields p(list[i], "pulses[" + std::to_string(i) + "]");
    PulseTrain t;
    const bool has_voltage = p.number("voltage", t.voltage_V, -kMaxVoltage, kMaxVoltage, "V");
    const bool has_width = p.number("width", t.width_s, 0.0, kMaxWidth, "s", true);
    int32_t count = 1;
    p.integer("count", count, 1, kMaxCount);
    p.finish();  // a misspelt key before the "missing" one it explains
    if (!has_voltage) JsonFields::fail(p.path("voltage"), "missing (V)");
    if (!has_width) JsonFields::fail(p.path("width"), "missing (s)");
    t.count = static_cast<uint32_t>(count);
    total += count;
    if (total > kMaxCount) {
      JsonFields::fail("pulses", "more than " + std::to_string(kMaxCount) + " pulses in all (one output entry each)");
    }
    q.trains.push_back(t);
    q.trains_json.push_back({{"voltage", t.voltage_V}, {"width", t.width_s}, {"count", t.count}});
  }
}

Request parse_request(const json& doc) {
  if (!doc.is_object()) throw ConfigError("the document must be a JSON object with keys device, pulses, ...");
  JsonFields r(doc, "");
  Request q;
  q.trains_json = json::array();
  r.allow("device");
  r.allow("pulses");
  q.has_initial_g = r.number("initial_conductance", q.initial_g_S, -1e12, 1e12, "S");
  q.has_initial_state = r.number("initial_state", q.initial_state, -1e12, 1e12);
  r.finish();  // unknown keys first: a misspelt key explains a "missing" one
  if (!doc.contains("device")) JsonFields::fail("device", "missing: a preset name or a device object (docs/devices.md)");
  if (!doc.contains("pulses")) JsonFields::fail("pulses", "missing: a list of {\"voltage\": V, \"width\": s, \"count\": n}");
  if (q.has_initial_g && q.has_initial_state) {
    JsonFields::fail("initial_conductance", "give initial_conductance or initial_state, not both");
  }
  read_device(doc.at("device"), q);
  read_pulses(doc.at("pulses"), q);
  return q;
}

Request read_request(const std::string& src) {
  const json doc = read_document(src);
  try {
    return parse_request(doc);
  } catch (const ConfigError& e) {
    throw DataError(src + ": " + e.what());
  } catch (const DataError& e) {  // a table device's files
    throw DataError(src + ": " + e.what());
  } catch (const json::exception& e) {  // an access not guarded by the readers
    throw DataError(src + ": " + json_exception_text(e));
  }
}

// The run: the state and conductance after every single pulse.
struct Curve {
  CellRange range;
  float initial_state = 0.0f;
  double initial_g_S = 0.0;
  std::vector<double> g_S;
  std::vector<float> state;
  std::vector<size_t> train;  // the pulse train of each entry
};

float initial_state(const Request& q, const DeviceModel& m, const CellRange& r) {
  const StateRange sr = state_range(m);
  if (q.has_initial_state) {
    const float s = static_cast<float>(q.initial_state);
    if (!(s >= sr.lo && s <= sr.hi) || (sr.integer && s != static_cast<float>(static_cast<int64_t>(s)))) {
      JsonFields::fail("initial_state", JsonFields::fmt(q.initial_state) + " is outside the " + device_kind_name(m.kind) +
                                            " model's states: " + (sr.integer ? "an integer in " : "") + "[" +
                                            JsonFields::fmt(sr.lo) + ", " + JsonFields::fmt(sr.hi) + "] (" + sr.meaning + ")");
    }
    return s;
  }
  double g = q.has_initial_g ? q.initial_g_S : r.g_lo_S;
  const double slack = kRangeSlack * r.g_hi_S;
  if (!(g >= r.g_lo_S - slack && g <= r.g_hi_S + slack)) {
    JsonFields::fail("initial_conductance", JsonFields::fmt(g) + " S is outside the device's range [" + JsonFields::fmt(r.g_lo_S) +
                                                ", " + JsonFields::fmt(r.g_hi_S) + "] S");
  }
  g = g < r.g_lo_S ? r.g_lo_S : (g > r.g_hi_S ? r.g_hi_S : g);
  return device_state_for_conductance(m, cell_to_model_conductance(m, r, g));
}

Curve run_pulses(const Request& q, uint64_t seed) {
  DeviceProgramming prog;  // projection 0, cell 0: the one device
  prog.model = q.spec.model;
  prog.nonideal = q.nonideal;
  const DeviceModel& m = prog.model;
  Curve c;
  c.range = cell_range(prog, seed, 0);
  float state = initial_state(q, m, c.range);
  c.initial_state = state;
  c.initial_g_S = model_to_cell_conductance(m, c.range, device_read_conductance(m, state));
  for (size_t k = 0; k < q.trains.size(); ++k) {
    const PulseTrain& t = q.trains[k];
    for (uint32_t i = 0; i < t.count; ++i) {
      state = device_apply_pulse(m, state, t.voltage_V, t.width_s);
      // A train is one write, as in a crossbar: its noise lands after its last pulse. 0 V writes nothing.
      if (i + 1 == t.count && q.nonideal.c2c_sigma > 0.0 && t.voltage_V != 0.0) {
        const WriteDraw d = write_draw(seed, prog.projection, WritePhase::kPreSpike, static_cast<uint32_t>(k), 0);
        const double g = device_read_conductance(m, state) +
                         c2c_write_noise(q.nonideal.c2c_sigma, m.g_max_S - m.g_min_S, static_cast<int32_t>(t.count), d.normal);
        state = device_state_for_conductance(m, g);
      }
      c.g_S.push_back(model_to_cell_conductance(m, c.range, device_read_conductance(m, state)));
      c.state.push_back(state);
      c.train.push_back(k);
    }
  }
  return c;
}

std::string num(double x) { return json(x).dump(); }
// A float state in its shortest round-trip form (0.023633588, not its double's 17 digits).
std::string num(float x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

std::string json_text(const Request& q, const Curve& c, uint64_t seed) {
  const DeviceModel& m = q.spec.model;
  std::string out = "{\n  \"device_type\": " + json(device_kind_name(m.kind)).dump() + ",\n";
  if (!q.spec.preset.empty()) out += "  \"preset\": " + json(q.spec.preset).dump() + ",\n";
  out += "  \"g_min_S\": " + num(m.g_min_S) + ",\n  \"g_max_S\": " + num(m.g_max_S) + ",\n";
  if (q.nonideal.d2d_sigma > 0.0) {
    out += "  \"cell_g_min_S\": " + num(c.range.g_lo_S) + ",\n  \"cell_g_max_S\": " + num(c.range.g_hi_S) + ",\n";
  }
  out += "  \"state_meaning\": " + json(state_range(m).meaning).dump() + ",\n";
  out += "  \"seed\": " + std::to_string(seed) + ",\n  \"c2c_sigma\": " + num(q.nonideal.c2c_sigma) +
         ",\n  \"d2d_sigma\": " + num(q.nonideal.d2d_sigma) + ",\n";
  out += "  \"initial_conductance_S\": " + num(c.initial_g_S) + ",\n  \"initial_state\": " + num(c.initial_state) + ",\n";
  out += "  \"pulse_count\": " + std::to_string(c.g_S.size()) + ",\n  \"pulses\": " + q.trains_json.dump() + ",\n";
  out += "  \"device\": " + device_to_json(q.spec).dump() + ",\n";
  out += "  \"conductance\": [";
  for (size_t i = 0; i < c.g_S.size(); ++i) out += (i ? ", " : "") + num(c.g_S[i]);
  out += "],\n  \"state\": [";
  for (size_t i = 0; i < c.state.size(); ++i) out += (i ? ", " : "") + num(c.state[i]);
  return out + "]\n}\n";
}

std::string csv_text(const Request& q, const Curve& c) {
  std::string out = "pulse,voltage_V,width_s,conductance_S,state\n";
  for (size_t i = 0; i < c.g_S.size(); ++i) {
    const PulseTrain& t = q.trains[c.train[i]];
    out += std::to_string(i + 1) + "," + num(t.voltage_V) + "," + num(t.width_s) + "," + num(c.g_S[i]) + "," +
           num(c.state[i]) + "\n";
  }
  return out;
}

// Conductance against pulse number, pulse 0 being the initial state.
std::string plot_png(const Curve& c) {
  PlotSeries s;
  s.x.push_back(0.0);
  s.y.push_back(c.initial_g_S);
  for (size_t i = 0; i < c.g_S.size(); ++i) {
    s.x.push_back(static_cast<double>(i + 1));
    s.y.push_back(c.g_S[i]);
  }
  s.markers = c.g_S.size() <= 200;  // single pulses stay visible on short curves
  return line_plot_png({s});
}

// Both outputs are checked before either is written, so an error leaves neither behind.
void check_folder(const std::string& path) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty() && !std::filesystem::is_directory(dir)) throw DataError(path + ": the folder " + dir.string() + " does not exist");
}

int run(const cxxopts::ParseResult& args) {
  if (!args.count("input")) throw UsageError("--input FILE is required (- reads standard input)");
  const uint64_t seed = args["seed"].as<uint64_t>();
  const std::string src = args["input"].as<std::string>();
  const Request q = read_request(src);
  Curve c;
  try {
    c = run_pulses(q, seed);  // checks the initial state against the device
  } catch (const ConfigError& e) {
    throw DataError(src + ": " + e.what());
  }
  const std::string text = args.count("csv") ? csv_text(q, c) : json_text(q, c, seed);
  std::string png;
  if (args.count("plot")) {
    check_folder(args["plot"].as<std::string>());
    png = plot_png(c);
  }
  if (args.count("output")) check_folder(args["output"].as<std::string>());
  if (args.count("plot")) write_file_atomic(args["plot"].as<std::string>(), png);
  if (args.count("output")) {
    write_file_atomic(args["output"].as<std::string>(), text);
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("snn_device",
                           "One memristor device under pulse trains: conductance and state after every pulse. Input JSON "
                           "keys: device (preset name or device object), initial_conductance (S) or initial_state, "
                           "pulses (list of {voltage: V, width: s, count: n}). docs/devices.md, section snn_device.");
  // clang-format off
  options.add_options()
    ("input", "Input JSON file (- for standard input)", cxxopts::value<std::string>())
    ("output", "Output file, written atomically (default: standard output)", cxxopts::value<std::string>())
    ("seed", "Seed of the write noise (c2c_sigma) and of the device's spread (d2d_sigma)", cxxopts::value<uint64_t>()->default_value("1"))
    ("csv", "Write CSV (pulse,voltage_V,width_s,conductance_S,state) instead of JSON")
    ("plot", "Also draw conductance (S) against pulse number (0 = initial) as a PNG", cxxopts::value<std::string>())
    ("h,help", "Show this help");
  // clang-format on
  return memsnn::app_main("snn_device", options, argc, argv,
                          [&](const cxxopts::ParseResult& args) { return run(args); });
}
