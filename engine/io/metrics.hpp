// metrics.json: accuracy, confusion matrix, spikes per sample, time per phase and rates.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/report.hpp"

namespace memsnn {

nlohmann::json phase_to_json(const PhaseReport& p);
nlohmann::json train_to_json(const TrainReport& r);
nlohmann::json eval_to_json(const EvalReport& r);

}  // namespace memsnn
