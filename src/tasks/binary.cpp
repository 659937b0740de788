// Binary results (images, audio) in every form providers send them.
#include "detail.hpp"

#include <hfrun/tasks/codec.hpp>
#include <hfrun/util/base64.hpp>
#include <hfrun/util/json.hpp>

namespace hfrun::tasks {
namespace {

using json = nlohmann::json;
using util::base64_decode;
using util::base64_encode;
using util::json_array;
using util::json_member;
using util::json_object;

// "data:image/jpeg;base64,...." -> bytes; nullopt when not a base64 data: URL.
std::optional<BinaryResult> from_data_url(std::string_view url) {
  if (!url.starts_with("data:")) {
    return std::nullopt;
  }
  const auto comma = url.find(',');
  if (comma == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view meta = url.substr(5, comma - 5);
  if (!meta.ends_with(";base64")) {
    return std::nullopt;
  }
  auto bytes = base64_decode(url.substr(comma + 1));
  if (!bytes) {
    return std::nullopt;
  }
  BinaryResult out;
  out.bytes = std::move(*bytes);
  out.content_type = detail::media_type(meta.substr(0, meta.size() - 7));
  return out;
}

Result<BinaryResult>
from_url_value(const TaskSpec& spec, const json& value, std::string type, std::string_view body) {
  const auto* url_ptr = value.get_ptr<const json::string_t*>();
  if (url_ptr == nullptr) {
    return unexpected(detail::bad_response(spec.name, "expected a URL", body));
  }
  const std::string& url = *url_ptr;
  if (url.starts_with("data:")) {
    auto decoded = from_data_url(url);
    if (!decoded) {
      return unexpected(detail::bad_response(spec.name, "malformed data: URL", body));
    }
    return *decoded;
  }
  BinaryResult out;
  out.kind = BinaryResult::Kind::url;
  out.url = url;
  out.content_type = std::move(type);
  return out;
}

Result<BinaryResult>
from_base64(const TaskSpec& spec, const json& value, std::string type, std::string_view body) {
  const auto* text = value.get_ptr<const json::string_t*>();
  if (text == nullptr) {
    return unexpected(detail::bad_response(spec.name, "expected base64 data", body));
  }
  auto bytes = base64_decode(*text);
  if (!bytes) {
    return unexpected(detail::bad_response(spec.name, "malformed base64 data", body));
  }
  BinaryResult out;
  out.bytes = std::move(*bytes);
  out.content_type = type.empty() ? type_from_magic(out.bytes) : std::move(type);
  return out;
}

std::string string_at(const json& obj, const char* key) {
  return util::string_or(obj, key, "");
}

// The "url" of a media object ({"url": ...}), or the value itself (a bare URL string); null when
// an object has no "url" (from_url_value then reports "expected a URL").
json url_of(const json& media) {
  return media.is_object() ? util::member_or(media, "url") : media;
}

} // namespace

bool is_binary_content_type(std::string_view content_type) {
  const std::string type = detail::media_type(content_type);
  return type.starts_with("image/") || type.starts_with("audio/") || type.starts_with("video/") ||
         type == "application/octet-stream";
}

Result<std::vector<BinaryResult>>
binary_result(const TaskSpec& spec, std::string_view content_type, std::string_view body) {
  std::vector<BinaryResult> out;
  if (is_binary_content_type(content_type) || !detail::is_json_body(content_type, body)) {
    if (!content_type.empty() && !is_binary_content_type(content_type)) {
      return unexpected(detail::bad_response(
          spec.name, "expected an image or audio reply, got " + detail::media_type(content_type),
          body));
    }
    if (body.empty()) {
      return unexpected(detail::bad_response(spec.name, "empty reply", body));
    }
    BinaryResult raw;
    raw.bytes = std::string(body);
    raw.content_type = detail::media_type(content_type);
    out.push_back(std::move(raw));
    return out;
  }
  const json parsed = detail::parse_json(body);
  if (parsed.is_discarded()) {
    return unexpected(detail::bad_response(spec.name, "invalid JSON", body));
  }
  if (const std::string error = detail::error_message(parsed); !error.empty()) {
    return unexpected(detail::bad_response(spec.name, "error in a success reply: " + error, body));
  }
  auto add = [&](Result<BinaryResult> item) -> Result<void> {
    if (!item) {
      return unexpected(std::move(item.error()));
    }
    out.push_back(std::move(*item));
    return {};
  };
  if (parsed.is_array()) {
    // hf-inference audio-to-audio: [{"label","blob","content-type"}].
    for (const auto& item : parsed) {
      const json* blob = json_member(item, "blob");
      if (blob == nullptr) {
        return unexpected(
            detail::bad_response(spec.name, "expected [{label, blob, content-type}]", body));
      }
      auto decoded = from_base64(spec, *blob, string_at(item, "content-type"), body);
      if (decoded) {
        decoded->label = string_at(item, "label");
      }
      HFRUN_TRY(add(std::move(decoded)));
    }
  } else if (const json* data = json_array(parsed, "data")) {
    // OpenAI images (Together, Nscale, Nebius): {"data":[{"b64_json"} | {"url"}]}.
    for (const auto& item : *data) {
      if (const json* b64 = json_member(item, "b64_json")) {
        HFRUN_TRY(add(from_base64(spec, *b64, "", body)));
      } else if (const json* url = json_member(item, "url")) {
        HFRUN_TRY(add(from_url_value(spec, *url, "", body)));
      } else {
        return unexpected(detail::bad_response(spec.name, "expected data[].b64_json", body));
      }
    }
  } else if (const json* images = json_array(parsed, "images")) {
    // fal-ai: {"images":[{"url","content_type"}]}; the URL may be a data: URL (sync_mode).
    // Hyperbolic: {"images":[{"image":"<base64>"}]}.
    for (const auto& item : *images) {
      const json* image = json_member(item, "image");
      if (image != nullptr && json_member(item, "url") == nullptr) {
        HFRUN_TRY(add(from_base64(spec, *image, "", body)));
        continue;
      }
      HFRUN_TRY(add(from_url_value(spec, url_of(item), string_at(item, "content_type"), body)));
    }
  } else if (const json* output_member = json_member(parsed, "output")) {
    // Replicate prediction: "output" is a URL or a list of URLs; null while still running.
    const json& output = *output_member;
    if (output.is_string()) {
      HFRUN_TRY(add(from_url_value(spec, output, "", body)));
    } else if (output.is_array()) {
      for (const auto& item : output) {
        HFRUN_TRY(add(from_url_value(spec, item, "", body)));
      }
    } else {
      return unexpected(detail::bad_response(
          spec.name, "prediction has no output yet (status " + string_at(parsed, "status") + ")",
          body));
    }
  } else if (parsed.is_object()) {
    // Single media objects: fal-ai {"image":{"url"}}, {"audio":{"url"}}, {"video":{"url"}};
    // BFL {"result":{"sample": url}}.
    for (const char* key : {"image", "audio", "video", "audio_url"}) {
      if (const json* media = json_member(parsed, key)) {
        HFRUN_TRY(
            add(from_url_value(spec, url_of(*media), string_at(*media, "content_type"), body)));
        break;
      }
    }
    const json* result = json_object(parsed, "result");
    const json* sample = result != nullptr ? json_member(*result, "sample") : nullptr;
    if (out.empty() && sample != nullptr) {
      HFRUN_TRY(add(from_url_value(spec, *sample, "", body)));
    }
  }
  if (out.empty()) {
    return unexpected(detail::bad_response(spec.name, "no image or audio in the reply", body));
  }
  return out;
}

std::string type_from_magic(std::string_view bytes) {
  if (bytes.starts_with("\xFF\xD8\xFF")) {
    return "image/jpeg";
  }
  if (bytes.starts_with("\x89PNG\r\n\x1A\n")) {
    return "image/png";
  }
  if (bytes.size() >= 12 && bytes.starts_with("RIFF") && bytes.substr(8, 4) == "WEBP") {
    return "image/webp";
  }
  if (bytes.size() >= 12 && bytes.starts_with("RIFF") && bytes.substr(8, 4) == "WAVE") {
    return "audio/wav";
  }
  if (bytes.starts_with("fLaC")) {
    return "audio/flac";
  }
  if (bytes.size() >= 12 && bytes.substr(4, 4) == "ftyp") {
    return "video/mp4"; // ISO base media (MP4): the ftyp box comes first
  }
  if (bytes.starts_with("\x1A\x45\xDF\xA3")) {
    return "video/webm"; // Matroska/WebM EBML header
  }
  return {};
}

} // namespace hfrun::tasks
