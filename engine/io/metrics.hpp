// metrics.json: accuracy, confusion matrix, spikes per sample, time per phase and rates.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/report.hpp"

namespace memsnn {

nlohmann::json phase_to_json(const PhaseReport& p);
nlohmann::json train_to_json(const TrainReport& r);
nlohmann::json eval_to_json(const EvalReport& r);
// The "ensemble" block of `size` members (member k with seed + k): each member's test
// accuracy, their mean and standard deviation, and each member's train and test reports
// (either list may be empty: not trained, not tested).
nlohmann::json ensemble_to_json(uint32_t size, uint64_t seed, const std::vector<TrainReport>& train,
                                const std::vector<EvalReport>& test);

}  // namespace memsnn
