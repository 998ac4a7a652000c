// Presets compiled in from engine/presets/*.json (see cmake/EmbedPresets.cmake).
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/network_config.hpp"
#include "core/error.hpp"

namespace memsnn {

const std::vector<std::pair<std::string_view, std::string_view>>& embedded_presets();

std::string preset_names() {
  std::string s;
  for (const auto& [name, text] : embedded_presets()) s += (s.empty() ? "" : ", ") + std::string(name);
  return s;
}

nlohmann::json preset_json(const std::string& name) {
  for (const auto& [preset, text] : embedded_presets()) {
    if (preset == name) {
      nlohmann::json j = nlohmann::json::parse(text);
      j.erase("description");
      return resolve_config_document(j);  // a preset may extend another through "base"
    }
  }
  throw ConfigError("unknown preset \"" + name + "\"; valid: " + preset_names());
}

}  // namespace memsnn
