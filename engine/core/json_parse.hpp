// JSON text parsed with errors that say where: every reader of a JSON file (configs, sweeps,
// devices, snn_crossbar's input, checkpoint headers) parses through here, so that a failure
// of any kind (syntax, a number beyond double, bad UTF-8) names the key being read, and
// nlohmann's exceptions never reach the user as "[json.exception...]" without a file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/printable.hpp"

namespace memsnn {

// nlohmann's message without its "[json.exception.<kind>.<id>] " prefix, on one line, raw
// bytes escaped.
inline std::string json_exception_text(const std::exception& e) {
  std::string_view what = e.what();
  if (what.rfind("[json.exception.", 0) == 0) {
    const size_t end = what.find("] ");
    if (end != std::string_view::npos) what.remove_prefix(end + 2);
  }
  return printable(what);
}

// Parses `text` into `out`. Returns "" on success, else one line for the caller to put
// after the file name: "invalid JSON at key 'protocol.rest_ms': number overflow ...". The
// key is the last one read before the failure (the dotted path of enclosing objects).
template <typename Json>
std::string parse_json_text(std::string_view text, Json& out) {
  std::vector<std::string> keys;  // keys[d - 1]: the key being read at object depth d
  const auto track = [&keys](int depth, typename Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::key && depth >= 1) {
      keys.resize(static_cast<size_t>(depth));
      keys.back() = parsed.template get<std::string>();
    } else if (event == Json::parse_event_t::object_end && depth >= 0 &&
               keys.size() > static_cast<size_t>(depth)) {
      keys.resize(static_cast<size_t>(depth));
    }
    return true;
  };
  try {
    out = Json::parse(text.begin(), text.end(), track);
    return "";
  } catch (const nlohmann::json::exception& e) {
    std::string path;
    for (const std::string& k : keys) {
      if (!k.empty()) path += (path.empty() ? "" : ".") + k;
    }
    return "invalid JSON" + (path.empty() ? std::string() : " at key '" + printable(path) + "'") + ": " +
           json_exception_text(e);
  }
}

}  // namespace memsnn
