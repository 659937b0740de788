#include "detail.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/util/json.hpp>
#include <sstream>

namespace hfrun::tasks {

std::string snippet(std::string_view body) {
  constexpr std::size_t k_max = 200;
  std::string out;
  for (const char c : body.substr(0, k_max)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? ' ' : c;
  }
  if (body.size() > k_max) {
    // Do not cut a UTF-8 sequence in half.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) {
      out.pop_back();
    }
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) {
      out.pop_back();
    }
    out += "...";
  }
  return out;
}

namespace detail {

Result<std::string> read_text_file(const std::filesystem::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ErrorKind::usage, "cannot read " + std::string(what) + " file " + path.string(),
                "check the path");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json parse_json(std::string_view text) {
  return util::parse_untrusted(text);
}

Error bad_response(std::string_view task, std::string_view why, std::string_view body) {
  Error e = make_error(ErrorKind::bad_response,
                       std::string(task) + ": " + std::string(why) + ": " + snippet(body));
  e.hint = "the server's reply does not have the shape of a " + std::string(task) +
           " result; check --task, or use --raw to see the body";
  return e;
}

std::string media_type(std::string_view content_type) {
  const auto semi = content_type.find(';');
  std::string type(content_type.substr(0, semi));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) {
    type.pop_back();
  }
  const auto first = type.find_first_not_of(" \t");
  type = first == std::string::npos ? std::string() : type.substr(first);
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

bool is_json_body(std::string_view content_type, std::string_view body) {
  const std::string type = media_type(content_type);
  if (type.find("json") != std::string::npos) {
    return true;
  }
  if (!type.empty() && type != "text/plain" && type != "application/octet-stream") {
    return false;
  }
  const auto first = body.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (body[first] == '[' || body[first] == '{');
}

std::string error_message(const nlohmann::json& body) {
  // The replace handler keeps dump() from throwing on invalid UTF-8.
  const auto dump = [](const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  const nlohmann::json* error = util::json_member(body, "error");
  if (error == nullptr || error->is_null()) {
    return {};
  }
  if (auto text = util::as_string(*error)) {
    return *text;
  }
  if (auto message = util::json_string(*error, "message")) {
    return *message;
  }
  if (error->is_array()) {
    std::string joined;
    for (const auto& item : *error) {
      if (!joined.empty()) {
        joined += "; ";
      }
      joined += util::as_string(item).value_or(dump(item));
    }
    return joined;
  }
  return dump(*error);
}

namespace {
constexpr std::string_view k_call_marker = "\x01"
                                           "call"
                                           "\x01 ";
} // namespace

std::string example_hint(const TaskSpec& spec) {
  return "for example: " + std::string(k_call_marker) + std::string(spec.example);
}

std::string with_call(std::string hint, std::string_view call) {
  if (const auto at = hint.find(k_call_marker); at != std::string::npos) {
    hint.replace(at, k_call_marker.size(), call.empty() ? std::string() : std::string(call) + " ");
  }
  return hint;
}

} // namespace detail
} // namespace hfrun::tasks
