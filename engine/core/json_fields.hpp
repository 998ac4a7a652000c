// A strict reader for the fields of one JSON object, used by every config reader (network
// config, devices, app inputs): every key must be read, numbers must be in range, and errors
// name the key path ("config key 'a.b': ...") and the allowed values or range.
#pragma once

#include <cmath>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace memsnn {

class JsonFields {
 public:
  JsonFields(const nlohmann::json& j, std::string path) : m_json(j), m_path(std::move(path)) {
    if (!m_json.is_object()) fail(m_path.empty() ? "config" : m_path, "must be a JSON object");
  }

  std::string path(const std::string& key) const { return m_path.empty() ? key : m_path + "." + key; }
  bool has(const std::string& key) const { return m_json.contains(key); }

  // Number in [lo, hi] (an open lower bound with lo_open). Returns false if absent.
  bool number(const std::string& key, double& out, double lo, double hi, const char* unit = "", bool lo_open = false) {
    const nlohmann::json* v = take(key);
    if (!v) return false;
    if (!v->is_number()) fail(path(key), "must be a number");
    const double x = v->get<double>();
    const bool below = lo_open ? !(x > lo) : !(x >= lo);
    if (!std::isfinite(x) || below || x > hi) {
      fail(path(key), fmt(x) + " is out of range " + (lo_open ? "(" : "[") + fmt(lo) + ", " + fmt(hi) + "]" +
                          (*unit ? std::string(" ") + unit : ""));
    }
    out = x;
    return true;
  }
  bool number(const std::string& key, float& out, double lo, double hi, const char* unit = "", bool lo_open = false) {
    double x = out;
    if (!number(key, x, lo, hi, unit, lo_open)) return false;
    out = static_cast<float>(x);
    return true;
  }

  // Integer in [lo, hi]. Unsigned targets reject negative values as "must be a non-negative
  // integer"; signed ones say "must be an integer".
  template <typename Int>
  bool integer(const std::string& key, Int& out, std::conditional_t<std::is_unsigned_v<Int>, uint64_t, int64_t> lo,
               std::conditional_t<std::is_unsigned_v<Int>, uint64_t, int64_t> hi) {
    const nlohmann::json* v = take(key);
    if (!v) return false;
    if constexpr (std::is_unsigned_v<Int>) {
      if (!v->is_number_integer() || (!v->is_number_unsigned() && v->get<int64_t>() < 0)) {
        fail(path(key), "must be a non-negative integer");
      }
      const uint64_t x = v->get<uint64_t>();
      if (x < lo || x > hi) out_of_range(key, std::to_string(x), std::to_string(lo), std::to_string(hi));
      out = static_cast<Int>(x);
    } else {
      if (!v->is_number_integer()) fail(path(key), "must be an integer");
      const int64_t x = v->is_number_unsigned() ? static_cast<int64_t>(v->get<uint64_t>()) : v->get<int64_t>();
      if (x < lo || x > hi) out_of_range(key, std::to_string(x), std::to_string(lo), std::to_string(hi));
      out = static_cast<Int>(x);
    }
    return true;
  }

  bool boolean(const std::string& key, bool& out) {
    const nlohmann::json* v = take(key);
    if (!v) return false;
    if (!v->is_boolean()) fail(path(key), "must be true or false");
    out = v->get<bool>();
    return true;
  }

  bool string(const std::string& key, std::string& out) {
    const nlohmann::json* v = take(key);
    if (!v) return false;
    if (!v->is_string()) fail(path(key), "must be a string");
    out = v->get<std::string>();
    return true;
  }

  // A string from a fixed set; the error lists the valid choices. Returns false if absent.
  bool choice(const std::string& key, std::string& out, const std::vector<std::string>& allowed) {
    std::string s;
    if (!string(key, s)) return false;
    bool ok = false;
    for (const auto& a : allowed) ok = ok || a == s;
    if (!ok) fail(path(key), "unknown value \"" + s + "\"; valid: " + join(allowed));
    out = s;
    return true;
  }

  // A list of distinct class labels 0..255.
  bool class_list(const std::string& key, std::vector<uint32_t>& out) {
    const nlohmann::json* v = take(key);
    if (!v) return false;
    if (!v->is_array()) fail(path(key), "must be a list of class labels");
    std::vector<uint32_t> list;
    for (const auto& e : *v) {
      // nlohmann keeps integers built in C++ as signed, parsed ones as unsigned: take both.
      if (!e.is_number_integer() || e.get<int64_t>() < 0 || e.get<int64_t>() > 255) {
        fail(path(key), "entries must be class labels in [0, 255]");
      }
      const auto label = e.get<uint32_t>();
      for (const uint32_t seen : list) {
        if (seen == label) fail(path(key), "class " + std::to_string(label) + " is listed twice");
      }
      list.push_back(label);
    }
    out = list;
    return true;
  }

  // A list of numbers, each in (lo, hi]; size in [min_n, max_n].
  bool number_list(const std::string& key, std::vector<double>& out, double lo, double hi, size_t min_n, size_t max_n,
                   const char* unit) {
    const nlohmann::json* v = take(key);
    if (!v) return false;
    if (!v->is_array()) fail(path(key), "must be a list of numbers");
    if (v->size() < min_n || v->size() > max_n) {
      fail(path(key), "has " + std::to_string(v->size()) + " entries; allowed " + std::to_string(min_n) + " .. " + std::to_string(max_n));
    }
    std::vector<double> list;
    for (const auto& e : *v) {
      if (!e.is_number()) fail(path(key), "entries must be numbers");
      const double x = e.get<double>();
      if (!std::isfinite(x) || !(x > lo) || x > hi) {
        fail(path(key), "entry " + fmt(x) + " is out of range (" + fmt(lo) + ", " + fmt(hi) + "] " + unit);
      }
      list.push_back(x);
    }
    out = list;
    return true;
  }

  // A value of any type, checked by the caller.
  const nlohmann::json* any(const std::string& key) { return take(key); }

  const nlohmann::json* object(const std::string& key) {
    const nlohmann::json* v = take(key);
    if (v && !v->is_object()) fail(path(key), "must be a JSON object");
    return v;
  }

  // Marks a key as valid here without reading it (read elsewhere).
  void allow(const std::string& key) { take(key); }

  // Every key of the object must have been read.
  void finish() const {
    for (const auto& item : m_json.items()) {
      if (!m_seen.count(item.key())) {
        std::vector<std::string> keys(m_asked.begin(), m_asked.end());
        fail(path(item.key()), "unknown key; valid keys here: " + join(keys));
      }
    }
  }

  [[noreturn]] static void fail(const std::string& key, const std::string& what) {
    throw ConfigError("config key '" + key + "': " + what);
  }

  [[noreturn]] void out_of_range(const std::string& key, const std::string& x, const std::string& lo,
                                 const std::string& hi) const {
    fail(path(key), x + " is out of range [" + lo + ", " + hi + "]");
  }

  static std::string fmt(double x) {
    std::ostringstream s;
    s << x;
    return s.str();
  }

  static std::string join(const std::vector<std::string>& items) {
    std::string s;
    for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
    return s;
  }

 private:
  const nlohmann::json* take(const std::string& key) {
    m_asked.insert(key);
    auto it = m_json.find(key);
    if (it == m_json.end()) return nullptr;
    m_seen.insert(key);
    return &*it;
  }

  const nlohmann::json& m_json;
  std::string m_path;
  std::set<std::string> m_seen;
  std::set<std::string> m_asked;
};

}  // namespace memsnn
