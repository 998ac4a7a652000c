// Config parsing and validation: presets load, round trip, and every kind of bad input
// fails with a message naming the key and the allowed range.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/network_config.hpp"
#include "core/error.hpp"
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
