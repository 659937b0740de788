#include <hfrun/util/json.hpp>
#include <limits>

namespace hfrun::util {

using nlohmann::json;

bool json_depth_within(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return false;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

json parse_untrusted(std::string_view text, std::size_t max_depth) {
  if (!json_depth_within(text, max_depth)) {
    return json(json::value_t::discarded);
  }
  return json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

const json* json_member(const json& obj, std::string_view key) {
  if (!obj.is_object()) {
    return nullptr;
  }
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::optional<std::string> as_string(const json& value) {
  if (const auto* s = value.get_ptr<const json::string_t*>()) {
    return *s;
  }
  return std::nullopt;
}

// nlohmann's integer pointer is also non-null for an unsigned value (is_number_integer() is true
// for both), so the unsigned case is told first.
std::optional<double> as_number(const json& value) {
  if (const auto* u = value.get_ptr<const json::number_unsigned_t*>()) {
    return static_cast<double>(*u);
  }
  if (const auto* i = value.get_ptr<const json::number_integer_t*>()) {
    return static_cast<double>(*i);
  }
  if (const auto* f = value.get_ptr<const json::number_float_t*>()) {
    return *f;
  }
  return std::nullopt;
}

std::optional<std::int64_t> as_int(const json& value) {
  if (const auto* u = value.get_ptr<const json::number_unsigned_t*>()) {
    if (*u <= static_cast<json::number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
      return static_cast<std::int64_t>(*u);
    }
    return std::nullopt;
  }
  if (const auto* i = value.get_ptr<const json::number_integer_t*>()) {
    return static_cast<std::int64_t>(*i);
  }
  return std::nullopt;
}

std::optional<bool> as_bool(const json& value) {
  if (const auto* b = value.get_ptr<const json::boolean_t*>()) {
    return *b;
  }
  return std::nullopt;
}

std::optional<std::string> json_string(const json& obj, std::string_view key) {
  const json* v = json_member(obj, key);
  return v == nullptr ? std::nullopt : as_string(*v);
}

std::optional<double> json_number(const json& obj, std::string_view key) {
  const json* v = json_member(obj, key);
  return v == nullptr ? std::nullopt : as_number(*v);
}

std::optional<std::int64_t> json_int(const json& obj, std::string_view key) {
  const json* v = json_member(obj, key);
  return v == nullptr ? std::nullopt : as_int(*v);
}

std::optional<bool> json_bool(const json& obj, std::string_view key) {
  const json* v = json_member(obj, key);
  return v == nullptr ? std::nullopt : as_bool(*v);
}

const json* json_array(const json& obj, std::string_view key) {
  const json* v = json_member(obj, key);
  return v != nullptr && v->is_array() ? v : nullptr;
}

const json* json_object(const json& obj, std::string_view key) {
  const json* v = json_member(obj, key);
  return v != nullptr && v->is_object() ? v : nullptr;
}

std::string string_or(const json& obj, std::string_view key, std::string_view fallback) {
  if (const json* v = json_member(obj, key)) {
    if (const auto* s = v->get_ptr<const json::string_t*>()) {
      return *s;
    }
  }
  return std::string(fallback);
}

double number_or(const json& obj, std::string_view key, double fallback) {
  return json_number(obj, key).value_or(fallback);
}

std::int64_t int_or(const json& obj, std::string_view key, std::int64_t fallback) {
  return json_int(obj, key).value_or(fallback);
}

bool bool_or(const json& obj, std::string_view key, bool fallback) {
  return json_bool(obj, key).value_or(fallback);
}

json number_or_null(const json& obj, std::string_view key) {
  const json* v = json_member(obj, key);
  return v != nullptr && v->is_number() ? *v : json();
}

json member_or(const json& obj, std::string_view key, const json& fallback) {
  const json* v = json_member(obj, key);
  return v != nullptr ? *v : fallback;
}

} // namespace hfrun::util
