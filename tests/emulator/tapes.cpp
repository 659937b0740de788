#include "tapes.hpp"

#include "router_util.hpp"

#include <nlohmann/json.hpp>

namespace emulator::router {

namespace {

constexpr std::string_view k_router_origin = "https://router.huggingface.co";

// Binary replies were recorded without their bytes (empty body): replaying them would hand out an
// empty "image", so those tapes are left to the generated answers.
bool is_media(std::string_view content_type) {
  return starts_with(content_type, "image/") || starts_with(content_type, "audio/") ||
         starts_with(content_type, "video/") ||
         starts_with(content_type, "application/octet-stream");
}

std::string decode_body(const std::string& body) {
  // data:<type>;base64,<payload> (binary replies); anything else is the text as recorded.
  if (!starts_with(body, "data:"))
    return body;
  const auto comma = body.find(',');
  const auto marker = body.find(";base64");
  if (comma == std::string::npos || marker == std::string::npos || marker > comma)
    return body;
  auto decoded = base64_decode(std::string_view(body).substr(comma + 1));
  return decoded ? *decoded : body;
}

} // namespace

void TapeStore::load(std::string_view text) {
  if (text.empty())
    return;
  const auto all = nlohmann::json::parse(text, nullptr, false);
  if (all.is_discarded() || !all.is_object())
    return;
  for (const auto& [key, tape] : all.items()) {
    const std::string url = tape.value("url", "");
    if (!starts_with(url, k_router_origin))
      continue;
    const auto& init = tape.value("init", nlohmann::json::object());
    const auto& response = tape.value("response", nlohmann::json::object());
    // Blob uploads were recorded without a body: nothing to compare a request with.
    if (!init.contains("body") || !init["body"].is_string())
      continue;
    Tape entry;
    entry.request_body = init["body"].get<std::string>();
    entry.status = response.value("status", 200);
    const auto& headers = response.value("headers", nlohmann::json::object());
    entry.content_type = headers.value("content-type", "application/json");
    entry.body = decode_body(response.value("body", ""));
    if (entry.body.empty() && is_media(entry.content_type))
      continue;
    std::string request_path = url.substr(k_router_origin.size());
    m_tapes[{init.value("method", "GET"), request_path}].push_back(std::move(entry));
    ++m_count;
  }
}

const Tape*
TapeStore::match(std::string_view method, std::string_view path, std::string_view body) const {
  const auto found = m_tapes.find({std::string(method), std::string(path)});
  if (found == m_tapes.end())
    return nullptr;
  const auto request_json = nlohmann::json::parse(body, nullptr, false);
  for (const Tape& tape : found->second) {
    if (!request_json.is_discarded()) {
      const auto tape_json = nlohmann::json::parse(tape.request_body, nullptr, false);
      if (!tape_json.is_discarded() && tape_json == request_json)
        return &tape;
    } else if (tape.request_body == body) {
      return &tape;
    }
  }
  return nullptr;
}

} // namespace emulator::router
