#include "io/metrics.hpp"

namespace memsnn {

nlohmann::json phase_to_json(const PhaseReport& p) {
  const double images = p.images ? static_cast<double>(p.images) : 1.0;
  const DeviceTally& d = p.device;
  // Memristor-Spikelearn's accounting: programming pulses and energy, read energy.
  const nlohmann::json device = {{"potentiation_pulses", d.pot_pulses},
                                 {"depression_pulses", d.dep_pulses},
                                 {"pulses_per_image", static_cast<double>(d.pot_pulses + d.dep_pulses) / images},
                                 {"program_energy_J", d.program_energy_J},
                                 {"program_energy_J_per_image", d.program_energy_J / images},
                                 {"read_energy_J", d.read_energy_J},
                                 {"read_energy_J_per_image", d.read_energy_J / images}};
  return {{"images", p.images},
          {"device", device},
          {"presentations", p.attempts},
          {"retries_per_image", static_cast<double>(p.attempts - p.images) / images},
          {"gave_up", p.gave_up},
          {"input_spikes_per_image", static_cast<double>(p.input_spikes) / images},
          {"layer_spikes_per_image", static_cast<double>(p.layer_spikes) / images},
          {"sample_steps", p.sample_steps},
          {"seconds", p.seconds},
          {"images_per_second", p.images_per_second()},
          {"sample_steps_per_second", p.sample_steps_per_second()}};
}

nlohmann::json train_to_json(const TrainReport& r) {
  nlohmann::json j = phase_to_json(r.phase);
  j["label_assignment_seconds"] = r.label_seconds;
  j["assigned_neurons"] = r.assigned_neurons;
  j["running_accuracy"] = r.running_accuracy;
  return j;
}

nlohmann::json eval_to_json(const EvalReport& r) {
  nlohmann::json j = phase_to_json(r.phase);
  j["accuracy"] = r.accuracy();
  j["correct"] = r.correct;
  j["no_prediction"] = r.no_prediction;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : r.confusion) rows.push_back(row);
  j["confusion_matrix"] = rows;
  j["confusion_matrix_layout"] = "rows: true class 0-9, columns: predicted class 0-9 (no prediction excluded)";
  return j;
}

nlohmann::json ensemble_to_json(uint32_t size, uint64_t seed, const std::vector<TrainReport>& train,
                                const std::vector<EvalReport>& test) {
  const AccuracySpread acc = accuracy_spread(test);
  nlohmann::json members = nlohmann::json::array();
  for (uint32_t k = 0; k < size; ++k) {
    nlohmann::json m = {{"member", k}, {"seed", seed + k}};
    if (k < train.size()) m["train"] = train_to_json(train[k]);
    if (k < test.size()) m["test"] = eval_to_json(test[k]);
    members.push_back(m);
  }
  return {{"size", size},
          {"test_accuracy", acc.members},
          {"test_accuracy_mean", acc.mean},
          {"test_accuracy_std", acc.std},
          {"test_accuracy_std_kind", "sample standard deviation (n - 1); 0 for one member"},
          {"members", members}};
}

}  // namespace memsnn
