// Config parsing and validation: presets load, round trip, and every kind of bad input
// fails with a message naming the key and the allowed range.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/network_config.hpp"
#include "core/error.hpp"
#include "fixtures.hpp"
#include "network/network.hpp"

using namespace memsnn;
using nlohmann::json;

namespace {

// Applies `patch` to the D&C preset and expects a ConfigError whose message contains
// every fragment.
void expect_error(const json& patch, std::initializer_list<std::string> fragments) {
  json doc = preset_json("diehl_cook_2015");
  doc.merge_patch(patch);
  try {
    const NetworkConfig c = config_from_json(doc);
    build_network(c, 28, 28);
    FAIL() << "no error for " << patch.dump();
  } catch (const ConfigError& e) {
    for (const auto& f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(Config, PresetsParseAndBuild) {
  for (const char* name : {"diehl_cook_2015", "anddudkin_mem"}) {
    const NetworkConfig c = config_from_json(preset_json(name));
    EXPECT_EQ(c.name, name);
    const uint32_t side = c.encoder.downsample == 2 ? 14 : 28;
    const Network net = build_network(c, 28, 28);
    EXPECT_EQ(net.n_inputs, side * side);
  }
}

TEST(Config, DiehlCookPresetHasThePaperValues) {
  const NetworkConfig c = config_from_json(preset_json("diehl_cook_2015"));
  const auto& e = c.populations.at("exc");
  const auto& i = c.populations.at("inh");
  EXPECT_EQ(c.dt_ms, 0.5);
  EXPECT_EQ(e.tau_m_ms, 100.0);
  EXPECT_EQ(e.v_thresh_mV, -52.0);
  EXPECT_EQ(e.adaptive_threshold.theta_plus_mV, 0.05);
  EXPECT_EQ(e.adaptive_threshold.tau_theta_ms, 1e7);
  EXPECT_EQ(i.v_reset_mV, -45.0);
  EXPECT_EQ(i.e_inh_mV, -85.0);
  EXPECT_EQ(c.projections.at("exc_inh").weight, 10.4);
  EXPECT_EQ(c.projections.at("inh_exc").weight, 17.0);
  EXPECT_EQ(c.learning.normalize_sum, 78.0);
  EXPECT_EQ(c.learning.nu_pre, 1e-4);
  EXPECT_EQ(c.learning.nu_post, 1e-2);
  EXPECT_EQ(c.encoder.max_rate_hz, 63.75);
  EXPECT_EQ(c.protocol.presentation_ms, 350.0);
  EXPECT_EQ(c.protocol.rest_ms, 150.0);
}

TEST(Config, RoundTripThroughJsonIsExact) {
  const NetworkConfig a = config_from_json(preset_json("diehl_cook_2015"));
  const json ja = config_to_json(a);
  EXPECT_EQ(config_to_json(config_from_json(ja)), ja);
}

TEST(Config, BaseMergesOverridesOverAPreset) {
  const json doc = resolve_config_document(json::parse(R"({"base": "diehl_cook_2015", "seed": 7,
      "populations": {"exc": {"size": 400}}})"));
  const NetworkConfig c = config_from_json(doc);
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.populations.at("exc").size, 400u);
  EXPECT_EQ(c.populations.at("exc").tau_m_ms, 100.0) << "untouched keys keep the preset's values";
  EXPECT_THROW(resolve_config_document(json::parse(R"({"base": "nope"})")), ConfigError);
}

TEST(Config, UnknownKeysAreErrorsThatListTheValidOnes) {
  expect_error({{"learnin", json::object()}}, {"'learnin'", "unknown key", "learning"});
  expect_error({{"learning", {{"nu_pree", 1}}}}, {"'learning.nu_pree'", "unknown key", "nu_pre"});
  expect_error({{"populations", {{"exc", {{"tau_mem_ms", 5}}}}}}, {"populations.exc.tau_mem_ms", "unknown key"});
}

TEST(Config, WrongTypesAreErrors) {
  expect_error({{"dt_ms", "0.5"}}, {"'dt_ms'", "must be a number"});
  expect_error({{"populations", {{"exc", {{"size", 10.5}}}}}}, {"populations.exc.size", "integer"});
  expect_error({{"populations", {{"exc", {{"size", -3}}}}}}, {"populations.exc.size", "integer"});
  expect_error({{"protocol", {{"shuffle_epochs", 1}}}}, {"protocol.shuffle_epochs", "true or false"});
  expect_error({{"learning", "stdp"}}, {"'learning'", "JSON object"});
}

TEST(Config, OutOfRangeValuesNameTheRange) {
  expect_error({{"dt_ms", 0}}, {"'dt_ms'", "out of range", "(0, 100]"});
  expect_error({{"learning", {{"nu_post", 2}}}}, {"learning.nu_post", "[0, 1]"});
  expect_error({{"populations", {{"exc", {{"tau_m_ms", -1}}}}}}, {"populations.exc.tau_m_ms", "out of range"});
  expect_error({{"device", {{"g_min_S", 1e-4}, {"g_max_S", 1e-6}}}}, {"device.g_max_S", "greater"});
  expect_error({{"learning", {{"w_min", 0.5}, {"w_max", 0.4}}}}, {"learning.w_max"});
  expect_error({{"learning", {{"normalize_sum", 1000}}}}, {"learning.normalize_sum", "cannot exceed"});
}

TEST(Config, UnknownTypesListTheValidOnes) {
  expect_error({{"populations", {{"exc", {{"type", "izhikevich"}}}}}},
               {"populations.exc.type", "izhikevich", "lif_conductance", "lif_current"});
  expect_error({{"device", {{"type", "pcm"}}}}, {"device.type", "ideal"});
  expect_error({{"projections", {{"exc_inh", {{"type", "gaussian"}}}}}}, {"projections.exc_inh.type", "one_to_one"});
}

TEST(Config, TopologyErrorsNameTheProjection) {
  expect_error({{"projections", {{"exc_inh", {{"to", "nobody"}}}}}}, {"projections.exc_inh.to", "nobody"});
  expect_error({{"populations", {{"inh", {{"size", 50}}}}}}, {"projections.", "equal size"});
  expect_error({{"populations", {{"input", {{"size", 100}}}}}}, {"populations.input.size", "784"});
  expect_error({{"encoder", {{"downsample", 3}}}}, {"encoder.downsample", "does not divide"});
  expect_error({{"projections", {{"input_exc", nullptr}}}}, {"projections", "dense_crossbar"});
}

TEST(Config, UnreadableFilesNameTheFile) {
  try {
    read_json_file("/nonexistent/cfg.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/cfg.json"), std::string::npos);
  }
}

// The keys added for the anddudkin_mem network.

TEST(Config, AnddudkinPresetHasTheSourceValues) {
  const NetworkConfig c = config_from_json(preset_json("anddudkin_mem"));
  const auto& e = c.populations.at("exc");
  EXPECT_EQ(c.dt_ms, 1.0);
  EXPECT_EQ(e.type, NeuronKind::kLifCurrent);
  EXPECT_TRUE(e.refractory_leak);
  EXPECT_EQ(e.v_floor_mV, 0.0);
  EXPECT_EQ(e.adaptive_threshold.theta_min_mV, 20.0);
  EXPECT_EQ(e.adaptive_threshold.theta_max_mV, 24.0);  // the source's U_tr * 1.2
  const auto& x = c.projections.at("input_exc");
  EXPECT_EQ(x.init_distribution, "normal");
  EXPECT_EQ(x.init_mean, 0.7);
  EXPECT_EQ(x.init_std, 0.2);
  const auto& w = c.projections.at("lateral");
  EXPECT_EQ(w.type, ProjectionKind::kWinnerTakeAll);
  EXPECT_EQ(w.weight, 5.0);
  EXPECT_EQ(w.refractory_ms, 6.0);
  EXPECT_EQ(c.learning.type, "window");
  EXPECT_EQ(c.learning.a_plus, 0.005);
  EXPECT_EQ(c.learning.a_minus, 0.003);
  EXPECT_EQ(c.learning.tau_plus_ms, 4.0);
  EXPECT_EQ(c.learning.window_ms, 10.0);
  EXPECT_EQ(c.protocol.test_presentation_ms, 200.0);
  EXPECT_EQ(c.protocol.classes, (std::vector<uint32_t>{0, 1, 2, 5, 9}));
}

TEST(Config, NewKeysRoundTrip) {
  // The anddudkin preset sets every new key away from its default (init_distribution aside,
  // whose default "uniform" the D&C round trip carries).
  const NetworkConfig a = config_from_json(preset_json("anddudkin_mem"));
  const json ja = config_to_json(a);
  EXPECT_EQ(config_to_json(config_from_json(ja)), ja);
  // The written document holds the values (not only something that parses back the same).
  EXPECT_EQ(ja["populations"]["exc"]["refractory_leak"], true);
  EXPECT_EQ(ja["populations"]["exc"]["v_floor_mV"], 0.0);
  EXPECT_EQ(ja["populations"]["exc"]["adaptive_threshold"]["theta_min_mV"], 20.0);
  EXPECT_EQ(ja["populations"]["exc"]["adaptive_threshold"]["theta_max_mV"], 24.0);
  EXPECT_EQ(ja["projections"]["input_exc"]["init_distribution"], "normal");
  EXPECT_EQ(ja["projections"]["input_exc"]["init_mean"], 0.7);
  EXPECT_EQ(ja["projections"]["input_exc"]["init_std"], 0.2);
  EXPECT_EQ(ja["projections"]["lateral"]["type"], "winner_take_all");
  EXPECT_EQ(ja["projections"]["lateral"]["weight"], 5.0);
  EXPECT_EQ(ja["projections"]["lateral"]["refractory_ms"], 6.0);
  EXPECT_FALSE(ja["projections"]["input_exc"].contains("refractory_ms"));  // winner_take_all only
  EXPECT_EQ(ja["learning"]["type"], "window");
  EXPECT_EQ(ja["learning"]["a_plus"], 0.005);
  EXPECT_EQ(ja["learning"]["a_minus"], 0.003);
  EXPECT_EQ(ja["learning"]["tau_plus_ms"], 4.0);
  EXPECT_EQ(ja["learning"]["window_ms"], 10.0);
  EXPECT_EQ(ja["protocol"]["test_presentation_ms"], 200.0);
  EXPECT_EQ(ja["protocol"]["classes"], json::parse("[0, 1, 2, 5, 9]"));
  // Parsed back, the struct has them too.
  const NetworkConfig b = config_from_json(ja);
  EXPECT_TRUE(b.populations.at("exc").refractory_leak);
  EXPECT_EQ(b.populations.at("exc").adaptive_threshold.theta_max_mV, 24.0);
  EXPECT_EQ(b.projections.at("lateral").type, ProjectionKind::kWinnerTakeAll);
  EXPECT_EQ(b.projections.at("lateral").refractory_ms, 6.0);
  EXPECT_EQ(b.projections.at("input_exc").init_distribution, "normal");
  EXPECT_EQ(b.learning.tau_plus_ms, 4.0);
  EXPECT_EQ(b.protocol.classes, (std::vector<uint32_t>{0, 1, 2, 5, 9}));
  // The D&C preset writes the defaults of the new keys: empty class list, 0 test length.
  const json jd = config_to_json(config_from_json(preset_json("diehl_cook_2015")));
  EXPECT_EQ(jd["protocol"]["classes"], json::array());
  EXPECT_EQ(jd["protocol"]["test_presentation_ms"], 0.0);
  EXPECT_EQ(jd["projections"]["input_exc"]["init_distribution"], "uniform");
  EXPECT_EQ(jd["populations"]["exc"]["refractory_leak"], false);
}

TEST(Config, NewKeyErrorsNameTheKey) {
  // theta_min above theta_max.
  expect_error({{"populations", {{"exc", {{"adaptive_threshold", {{"theta_min_mV", 30}, {"theta_max_mV", 25}}}}}}}},
               {"populations.exc.adaptive_threshold.theta_max_mV", "theta_min_mV"});
  // An unknown initial distribution lists the valid ones.
  expect_error({{"projections", {{"input_exc", {{"init_distribution", "gaussian"}}}}}},
               {"projections.input_exc.init_distribution", "\"gaussian\"", "normal", "uniform"});
  // Class lists: a duplicate, a label above 255, a negative or fractional one, not a list.
  // (Lists parsed from text, as config files arrive: the parser stores 0 and up as unsigned.)
  expect_error({{"protocol", {{"classes", json::parse("[1, 1]")}}}}, {"protocol.classes", "class 1 is listed twice"});
  expect_error({{"protocol", {{"classes", json::parse("[0, 300]")}}}}, {"protocol.classes", "[0, 255]"});
  expect_error({{"protocol", {{"classes", json::parse("[2, -1]")}}}}, {"protocol.classes", "[0, 255]"});
  expect_error({{"protocol", {{"classes", json::parse("[1.5]")}}}}, {"protocol.classes", "[0, 255]"});
  expect_error({{"protocol", {{"classes", 3}}}}, {"protocol.classes", "list"});
  expect_error({{"protocol", {{"classes", "0,1"}}}}, {"protocol.classes", "list"});
  // A winner-take-all projection must act on one population, and only one may exist.
  expect_error({{"projections",
                 {{"wta", {{"type", "winner_take_all"}, {"from", "exc"}, {"to", "inh"}, {"weight", 5}}}}}},
               {"projections.wta.to", "winner_take_all", "end where it starts"});
  expect_error({{"projections",
                 {{"wta_a", {{"type", "winner_take_all"}, {"from", "exc"}, {"to", "exc"}}},
                  {"wta_b", {{"type", "winner_take_all"}, {"from", "inh"}, {"to", "inh"}}}}}},
               {"projections.wta_b", "at most one winner_take_all"});
  // A window longer than the table allows: 600 ms at dt 0.5 ms is 1200 steps > 1024.
  expect_error({{"learning", {{"type", "window"}, {"window_ms", 600}}}}, {"learning.window_ms", "1024"});
  // Learning types, test length and the new ranges.
  expect_error({{"learning", {{"type", "hebb"}}}}, {"learning.type", "\"hebb\"", "window"});
  expect_error({{"protocol", {{"test_presentation_ms", -5}}}}, {"protocol.test_presentation_ms", "out of range"});
  expect_error({{"protocol", {{"test_presentation_ms", 0.2}}}},  // 0.4 steps rounds to 0
               {"protocol.test_presentation_ms", "shorter than one time step"});
  expect_error({{"populations", {{"exc", {{"v_floor_mV", -2000}}}}}}, {"populations.exc.v_floor_mV", "[-1000, 1000]"});
  expect_error({{"populations", {{"exc", {{"refractory_leak", 1}}}}}},
               {"populations.exc.refractory_leak", "true or false"});
  expect_error({{"projections", {{"input_exc", {{"init_std", 2}}}}}}, {"projections.input_exc.init_std", "[0, 1]"});
  expect_error({{"learning", {{"a_plus", 1.5}}}}, {"learning.a_plus", "[0, 1]"});
  // Keys of one projection type are unknown on another.
  expect_error({{"projections", {{"exc_inh", {{"refractory_ms", 3}}}}}},
               {"projections.exc_inh.refractory_ms", "unknown key"});
  expect_error({{"projections", {{"exc_inh", {{"init_mean", 0.5}}}}}},
               {"projections.exc_inh.init_mean", "unknown key"});
}

TEST(Config, EnsembleSizeIsCheckedAndRoundTrips) {
  expect_error({{"protocol", {{"ensemble", 0}}}}, {"protocol.ensemble", "[1, 1024]"});
  expect_error({{"protocol", {{"ensemble", 1025}}}}, {"protocol.ensemble", "[1, 1024]"});
  expect_error({{"protocol", {{"ensemble", -1}}}}, {"protocol.ensemble", "non-negative integer"});
  expect_error({{"protocol", {{"ensemble", 2.5}}}}, {"protocol.ensemble"});
  json doc = preset_json("diehl_cook_2015");
  EXPECT_EQ(config_from_json(doc).protocol.ensemble, 1u);  // the default
  doc["protocol"]["ensemble"] = 1024;
  const NetworkConfig c = config_from_json(doc);
  EXPECT_EQ(c.protocol.ensemble, 1024u);
  EXPECT_EQ(config_from_json(config_to_json(c)).protocol.ensemble, 1024u);
}

TEST(Config, WindowAndClassBoundariesAreAccepted) {
  // 512 ms at dt 0.5 ms is exactly 1024 steps: allowed, a table of 1025 entries.
  json doc = preset_json("diehl_cook_2015");
  doc["learning"]["type"] = "window";
  doc["learning"]["window_ms"] = 512;
  const Network net = build_network(config_from_json(doc), 28, 28);
  EXPECT_EQ(net.window.window_steps, 1024u);
  EXPECT_EQ(net.window_potentiation.size(), 1025u);
  // Labels 0 and 255 are both in range; theta_min == theta_max is a valid (fixed) range
  // when theta_init lies in it.
  doc["protocol"]["classes"] = json::parse("[255, 0]");
  doc["populations"]["exc"]["adaptive_threshold"]["theta_init_mV"] = 21;
  doc["populations"]["exc"]["adaptive_threshold"]["theta_min_mV"] = 21;
  doc["populations"]["exc"]["adaptive_threshold"]["theta_max_mV"] = 21;
  const NetworkConfig c = config_from_json(doc);
  EXPECT_EQ(c.protocol.classes, (std::vector<uint32_t>{255, 0}));  // kept in the given order
  EXPECT_EQ(c.populations.at("exc").adaptive_threshold.theta_min_mV, 21.0);
  // A list built in C++ holds signed integers; it is read like a parsed one.
  doc["protocol"]["classes"] = {1, 2};
  EXPECT_EQ(config_from_json(doc).protocol.classes, (std::vector<uint32_t>{1, 2}));
}

TEST(Config, ThetaInitMustLieInTheThetaRange) {
  expect_error({{"populations", {{"exc", {{"adaptive_threshold", {{"theta_min_mV", 25}, {"theta_max_mV", 30}}}}}}}},
               {"populations.exc.adaptive_threshold.theta_init_mV", "outside", "[25, 30]"});
}

// Issue 17: llround(ms / dt) cast to int32 wrapped (refractory 2^30 ms at dt 0.5 ms gave
// -2^31 steps: no refractory period at all). Every ms -> steps conversion is checked.
TEST(Config, MillisecondsBeyondTheStepCounterAreErrorsNamingTheKey) {
  expect_error({{"populations", {{"exc", {{"refractory_ms", 1073741824}}}}}},
               {"populations.exc.refractory_ms", "1073741824", "time steps"});
  expect_error({{"populations", {{"inh", {{"spike_block_ms", 1e12}}}}}}, {"populations.inh.spike_block_ms", "time steps"});
  expect_error({{"dt_ms", 1e-9}}, {"refractory_ms", "time steps"});  // 5 ms at 1 ps
  // Long but representable periods stay exact.
  json doc = preset_json("diehl_cook_2015");
  doc["populations"]["exc"]["refractory_ms"] = 1e6;
  const Network net = build_network(config_from_json(doc), 28, 28);
  bool found = false;
  for (const auto& p : net.populations) {
    if (p.name == "exc") {
      EXPECT_EQ(p.constants.refractory_steps, 2000000);
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

namespace {

// The ConfigError message of read_json_file on a file holding `text` ("" if none; any other
// exception fails the test).
std::string read_error(const fixtures::TempDir& dir, const std::string& text) {
  const std::string path = dir.file("cfg.json");
  std::ofstream(path, std::ios::binary) << text;
  try {
    read_json_file(path);
  } catch (const ConfigError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected ConfigError, got: " << e.what();
  }
  return "";
}

bool all_printable_ascii(const std::string& s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) return false;
  }
  return true;
}

}  // namespace

// Issue 17: nlohmann's out_of_range (a number too large for a double) escaped read_json_file
// as "[json.exception.out_of_range.406] ..." without the file; raw bytes of a corrupt file
// were echoed into the message.
TEST(Config, JsonErrorsNameTheFileAndKeyAndEscapeRawBytes) {
  const fixtures::TempDir dir;
  const std::string overflow = read_error(dir, R"({"name": "x", "dt_ms": 1e999})");
  EXPECT_NE(overflow.find(dir.file("cfg.json")), std::string::npos) << overflow;
  EXPECT_NE(overflow.find("'dt_ms'"), std::string::npos) << overflow;
  EXPECT_EQ(overflow.find("[json.exception"), std::string::npos) << overflow;
  const std::string nested = read_error(dir, R"({"protocol": {"rest_ms": -1e999}})");
  EXPECT_NE(nested.find("'protocol.rest_ms'"), std::string::npos) << nested;
  const std::string bytes = read_error(dir, "{\"name\": \"a\xff\x01\"}");
  EXPECT_NE(bytes.find(dir.file("cfg.json")), std::string::npos) << bytes;
  EXPECT_TRUE(all_printable_ascii(bytes)) << bytes;
  EXPECT_EQ(bytes.find('\n'), std::string::npos) << bytes;
}
