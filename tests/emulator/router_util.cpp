#include "router_util.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace emulator::router {

std::uint64_t hash_bytes(std::string_view bytes, std::uint64_t seed) {
  std::uint64_t h = seed;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t Rng::next() {
  std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31U);
}

double Rng::uniform() {
  return static_cast<double>(next() >> 11U) * 0x1.0p-53;
}

std::size_t Rng::below(std::size_t n) {
  return static_cast<std::size_t>(next() % n);
}

namespace {
constexpr std::string_view k_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+' || c == '-')
    return 62;
  if (c == '/' || c == '_')
    return 63;
  return -1;
}
} // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16U) |
                   (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8U) |
                   static_cast<unsigned char>(bytes[i + 2]);
    out += k_alphabet[(n >> 18U) & 63U];
    out += k_alphabet[(n >> 12U) & 63U];
    out += k_alphabet[(n >> 6U) & 63U];
    out += k_alphabet[n & 63U];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16U;
    if (rest == 2)
      n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8U;
    out += k_alphabet[(n >> 18U) & 63U];
    out += k_alphabet[(n >> 12U) & 63U];
    out += rest == 2 ? k_alphabet[(n >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  unsigned buffer = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (const char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    if (c == '\n' || c == '\r')
      continue;
    const int v = decode_char(c);
    if (v < 0 || padding > 0)
      return std::nullopt;
    buffer = (buffer << 6U) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  if (padding > 2)
    return std::nullopt;
  return out;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (const char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      if (!current.empty())
        words.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty())
    words.push_back(std::move(current));
  return words;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

double round_score(double value) {
  return std::round(value * 1e8) / 1e8;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void send(httplib::Response& res, const Reply& reply) {
  res.status = reply.status;
  for (const auto& [name, value] : reply.headers)
    res.set_header(name, value);
  if (!reply.stream) {
    res.set_content(reply.body, reply.content_type.c_str());
    return;
  }
  res.set_header("Cache-Control", "no-cache");
  auto events = std::make_shared<std::vector<std::string>>(reply.events);
  res.set_chunked_content_provider(reply.content_type,
                                   [events](std::size_t, httplib::DataSink& sink) {
                                     for (const auto& event : *events) {
                                       if (!sink.write(event.data(), event.size()))
                                         return false;
                                     }
                                     sink.done();
                                     return true;
                                   });
}

Reply json_reply(int status, const nlohmann::ordered_json& body) {
  Reply reply;
  reply.status = status;
  reply.body = body.dump();
  return reply;
}

Reply error_reply(int status, std::string_view message) {
  return json_reply(status, nlohmann::ordered_json{{"error", std::string(message)}});
}

Reply error_list_reply(int status, std::string_view message) {
  return json_reply(status, nlohmann::ordered_json{
                                {"error", nlohmann::ordered_json::array({std::string(message)})}});
}

Reply openai_error_reply(int status,
                         std::string_view message,
                         std::string_view type,
                         std::string_view param,
                         std::string_view code) {
  nlohmann::ordered_json error{{"message", std::string(message)}, {"type", std::string(type)}};
  error["param"] =
      param.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(std::string(param));
  error["code"] =
      code.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(std::string(code));
  return json_reply(status, nlohmann::ordered_json{{"error", error}});
}

Reply tgi_error_reply(int status, std::string_view message, std::string_view error_type) {
  return json_reply(status, nlohmann::ordered_json{{"error", std::string(message)},
                                                   {"error_type", std::string(error_type)}});
}

std::string sse_frame(std::string_view payload) {
  std::string frame = "data: ";
  frame += payload;
  frame += "\n\n";
  return frame;
}

const nlohmann::json* mapping_of(const nlohmann::json& model, std::string_view provider) {
  if (!model.contains("inferenceProviderMapping"))
    return nullptr;
  const nlohmann::json& mappings = model["inferenceProviderMapping"];
  if (mappings.is_object()) {
    const auto found = mappings.find(std::string(provider));
    return found != mappings.end() && found->is_object() ? &*found : nullptr;
  }
  if (mappings.is_array()) {
    for (const auto& entry : mappings) {
      if (entry.is_object() && entry.value("provider", "") == provider)
        return &entry;
    }
  }
  return nullptr;
}

std::string hex64(std::uint64_t value) {
  static constexpr std::string_view k_hex = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4U)
    out[static_cast<std::size_t>(i)] = k_hex[value & 15U];
  return out;
}

bool is_sentence_transformers(const nlohmann::json& model) {
  if (model.value("library_name", "") == "sentence-transformers")
    return true;
  if (model.contains("tags") && model["tags"].is_array()) {
    for (const auto& tag : model["tags"]) {
      if (tag == "sentence-transformers")
        return true;
    }
  }
  return false;
}

} // namespace emulator::router
