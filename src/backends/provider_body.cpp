// The bodies of third-party provider rows (providers.hpp BodyStyle), as huggingface_hub's
// inference/_providers/*.py build them: the providerId as "model" where the provider wants one,
// the provider's own field names, and uploaded media as data: URLs.
#include "provider_calls.hpp"

#include <fstream>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/util/base64.hpp>
#include <hfrun/util/json.hpp>

namespace hfrun::backends {

namespace {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;

std::string_view task_name(const ProviderTask& row) {
  return tasks::task(row.task).name;
}

Result<std::string> prompt_of(const ProviderTask& row, const tasks::Inputs& in) {
  if (in.text && !in.text->empty()) {
    return *in.text;
  }
  if (const auto prompt = util::json_string(in.params, "prompt")) {
    return *prompt;
  }
  return fail(ErrorKind::usage, std::string(task_name(row)) + " needs a prompt: --text \"...\"");
}

// The uploaded file's bytes (image, audio), at most k_max_inline_upload.
Result<std::string> file_bytes(const ProviderTask& row, const tasks::Inputs& in) {
  if (!in.file) {
    return fail(ErrorKind::usage, std::string(task_name(row)) + " takes a file: --file PATH",
                "e.g. hfrun serverless MODEL --provider " + std::string(row.provider) +
                    " --file input");
  }
  std::ifstream file(*in.file, std::ios::binary | std::ios::ate);
  if (!file) {
    return fail(ErrorKind::usage, "cannot read " + in.file->string());
  }
  const auto size = static_cast<std::size_t>(file.tellg());
  if (size > k_max_inline_upload) {
    return fail(ErrorKind::usage,
                in.file->string() + " is too large for provider " + std::string(row.provider) +
                    " (" + std::to_string(size >> 20) + " MiB): it takes the file inline, as a " +
                    "data: URL, up to " + std::to_string(k_max_inline_upload >> 20) + " MiB");
  }
  std::string bytes(size, '\0');
  file.seekg(0);
  file.read(bytes.data(), static_cast<std::streamsize>(size));
  if (!file) {
    return fail(ErrorKind::usage, "cannot read " + in.file->string());
  }
  if (bytes.empty()) {
    return fail(ErrorKind::usage, in.file->string() + " is empty");
  }
  return bytes;
}

// The user's parameters, minus those the body sets itself.
ordered params_without(const tasks::Inputs& in, std::initializer_list<std::string_view> drop) {
  ordered out = ordered::object();
  if (!in.params.is_object()) {
    return out;
  }
  for (const auto& [key, value] : in.params.items()) {
    bool dropped = false;
    for (const auto name : drop) {
      dropped = dropped || key == name;
    }
    if (!dropped && !value.is_null()) {
      out[key] = value;
    }
  }
  return out;
}

void rename(ordered& body, std::string_view from, std::string_view to) {
  const auto it = body.find(std::string(from));
  if (it != body.end()) {
    ordered value = *it;
    body.erase(it);
    body[std::string(to)] = std::move(value);
  }
}

void merge(ordered& body, const ordered& extra) {
  for (const auto& [key, value] : extra.items()) {
    body[key] = value;
  }
}

// "owner/model:version" -> the version; "" for "owner/model".
std::string replicate_version(const std::string& provider_id) {
  const auto colon = provider_id.find(':');
  return colon == std::string::npos ? std::string() : provider_id.substr(colon + 1);
}

ProviderBody json_body(const ordered& body) {
  return ProviderBody{"application/json", body.dump(), {}};
}

Result<ProviderBody> replicate_body(const std::string& provider_id, ordered input) {
  ordered body{{"input", std::move(input)}};
  if (const std::string version = replicate_version(provider_id); !version.empty()) {
    body["version"] = version;
  }
  return json_body(body);
}

// width + height -> {"image_size": {"width", "height"}} (fal-ai) or "size": "WxH".
void size_from_width_height(ordered& body, bool as_object) {
  if (!body.contains("width") || !body.contains("height")) {
    return;
  }
  ordered width = body["width"];   // json: trusted
  ordered height = body["height"]; // json: trusted
  body.erase("width");
  body.erase("height");
  if (as_object) {
    body["image_size"] = ordered{{"width", width}, {"height", height}};
  } else {
    body["size"] =
        (width.is_string() ? width.get<std::string>() : width.dump()) + "x" + // json: trusted
        (height.is_string() ? height.get<std::string>() : height.dump());     // json: trusted
  }
}

std::string form_value(const json& value) {
  if (value.is_string()) {
    return value.get<std::string>(); // json: trusted
  }
  return value.dump();
}

Result<ProviderBody> transcription(const ProviderTask& row,
                                   const std::string& provider_id,
                                   const tasks::Inputs& in,
                                   const std::string& boundary) {
  HFRUN_TRY_ASSIGN(audio, file_bytes(row, in));
  std::string type = tasks::type_from_magic(audio);
  const std::string ext = type == "audio/flac" ? ".flac" : type == "audio/mpeg" ? ".mp3" : ".wav";
  std::string out;
  const std::string dash = "--" + boundary + "\r\n";
  out += dash + "Content-Disposition: form-data; name=\"file\"; filename=\"audio" + ext +
         "\"\r\nContent-Type: " + (type.empty() ? "application/octet-stream" : type) + "\r\n\r\n";
  out += audio + "\r\n";
  json fields = in.params.is_object() ? in.params : json::object();
  fields["model"] = provider_id; // last: a parameter cannot replace the mapped model
  for (const auto& [key, value] : fields.items()) {
    if (value.is_null()) {
      continue;
    }
    out += dash + "Content-Disposition: form-data; name=\"" + key + "\"\r\n\r\n" +
           form_value(value) + "\r\n";
  }
  out += "--" + boundary + "--\r\n";
  return ProviderBody{"multipart/form-data; boundary=" + boundary, std::move(out), {}};
}

} // namespace

std::string data_url(std::string_view bytes, std::string_view fallback_type) {
  std::string type = tasks::type_from_magic(bytes);
  if (type.empty()) {
    type = fallback_type;
  }
  return "data:" + type + ";base64," + util::base64_encode(bytes);
}

std::vector<std::pair<std::string, std::string>> provider_headers(const ProviderTask& row) {
  if (row.provider == "replicate") {
    return {{"Prefer", "wait"}}; // hold the reply up to 60 s for a finished prediction
  }
  if (row.provider == "zai-org") {
    return {{"Accept-Language", "en-US,en"}, {"x-source-channel", "hugging_face"}};
  }
  return {};
}

Result<ProviderBody> provider_body(const ProviderTask& row,
                                   const std::string& provider_id,
                                   const tasks::Inputs& in,
                                   const std::string& boundary) {
  Result<ProviderBody> out = fail(ErrorKind::internal, "no provider body");
  switch (row.body) {
  case BodyStyle::chat:
  case BodyStyle::completions:
  case BodyStyle::embeddings:
    return fail(ErrorKind::internal, "the task codec builds this body");
  case BodyStyle::transcription:
    out = transcription(row, provider_id, in, boundary);
    break;
  case BodyStyle::speech: {
    HFRUN_TRY_ASSIGN(text, prompt_of(row, in));
    ordered body{{"input", text}};
    merge(body, params_without(in, {"input", "model"}));
    body["model"] = provider_id;
    out = json_body(body);
    break;
  }
  case BodyStyle::fal_prompt: {
    HFRUN_TRY_ASSIGN(prompt, prompt_of(row, in));
    ordered body{{"prompt", prompt}};
    merge(body, params_without(in, {"prompt"}));
    size_from_width_height(body, true);
    if (row.task == tasks::TaskId::text_to_image && !body.contains("sync_mode")) {
      body["sync_mode"] = true; // the image comes back inline as a data: URL
    }
    out = json_body(body);
    break;
  }
  case BodyStyle::fal_text: {
    HFRUN_TRY_ASSIGN(text, prompt_of(row, in));
    ordered body{{"text", text}};
    merge(body, params_without(in, {"text"}));
    out = json_body(body);
    break;
  }
  case BodyStyle::fal_audio_url: {
    HFRUN_TRY_ASSIGN(audio, file_bytes(row, in));
    ordered body{{"audio_url", data_url(audio, "audio/mpeg")}};
    merge(body, params_without(in, {"audio_url"}));
    out = json_body(body);
    break;
  }
  case BodyStyle::fal_image_url:
  case BodyStyle::fal_video_image:
  case BodyStyle::fal_segmentation: {
    HFRUN_TRY_ASSIGN(image, file_bytes(row, in));
    const bool segmentation = row.body == BodyStyle::fal_segmentation;
    const std::string url = data_url(image, segmentation ? "image/png" : "image/jpeg");
    ordered body{{"image_url", url}};
    if (row.body == BodyStyle::fal_image_url) {
      body["image_urls"] = ordered::array({url});
    }
    if (in.text && !in.text->empty() && !segmentation) {
      body["prompt"] = *in.text;
    }
    ordered params = params_without(in, {"image_url", "image_urls"});
    rename(params, "target_size", "image_size");
    merge(body, params);
    if (segmentation) {
      body["sync_mode"] = true;
    }
    out = json_body(body);
    break;
  }
  case BodyStyle::replicate_prompt:
  case BodyStyle::replicate_text: {
    HFRUN_TRY_ASSIGN(prompt, prompt_of(row, in));
    const bool text = row.body == BodyStyle::replicate_text;
    ordered input{{text ? "text" : "prompt", prompt}};
    merge(input, params_without(in, {text ? "text" : "prompt"}));
    out = replicate_body(provider_id, std::move(input));
    break;
  }
  case BodyStyle::replicate_audio: {
    HFRUN_TRY_ASSIGN(audio, file_bytes(row, in));
    ordered input{{"audio", data_url(audio, "audio/wav")}};
    merge(input, params_without(in, {"audio"}));
    out = replicate_body(provider_id, std::move(input));
    break;
  }
  case BodyStyle::replicate_image: {
    HFRUN_TRY_ASSIGN(image, file_bytes(row, in));
    const std::string url = data_url(image, "image/jpeg");
    // Replicate models name their image input differently: all four, as huggingface_hub sends.
    ordered input{{"image", url},
                  {"images", ordered::array({url})},
                  {"input_image", url},
                  {"input_images", ordered::array({url})}};
    if (in.text && !in.text->empty()) {
      input["prompt"] = *in.text;
    }
    merge(input, params_without(in, {"image", "images", "input_image", "input_images"}));
    out = replicate_body(provider_id, std::move(input));
    break;
  }
  case BodyStyle::openai_image:
  case BodyStyle::together_image:
  case BodyStyle::nscale_image: {
    HFRUN_TRY_ASSIGN(prompt, prompt_of(row, in));
    ordered body{{"prompt", prompt}};
    body["response_format"] = row.body == BodyStyle::together_image ? "base64" : "b64_json";
    ordered params = params_without(in, {"prompt", "model"});
    if (row.body == BodyStyle::together_image) {
      rename(params, "num_inference_steps", "steps");
    }
    if (row.body == BodyStyle::nscale_image) {
      params.erase("num_inference_steps"); // not Nscale parameters
      params.erase("cfg_scale");
      size_from_width_height(params, false);
    }
    merge(body, params);
    body["model"] = provider_id;
    out = json_body(body);
    break;
  }
  case BodyStyle::together_image_edit: {
    HFRUN_TRY_ASSIGN(image, file_bytes(row, in));
    const std::string url = data_url(image, "image/jpeg");
    std::string prompt = in.text.value_or(util::string_or(in.params, "prompt", ""));
    ordered body{{"prompt", prompt}};
    // FLUX.1 Kontext takes image_url; the other models reference_images (huggingface_hub).
    std::string lowered = provider_id;
    for (auto& c : lowered) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (lowered.find("kontext") != std::string::npos &&
        lowered.find("flux.1") != std::string::npos) {
      body["image_url"] = url;
    } else {
      body["reference_images"] = ordered::array({url});
    }
    body["response_format"] = "base64";
    ordered params = params_without(in, {"prompt", "model"});
    rename(params, "num_inference_steps", "steps");
    merge(body, params);
    body["model"] = provider_id;
    out = json_body(body);
    break;
  }
  case BodyStyle::together_video:
  case BodyStyle::together_image_video: {
    ordered body = ordered::object();
    if (row.body == BodyStyle::together_video) {
      HFRUN_TRY_ASSIGN(prompt, prompt_of(row, in));
      body["prompt"] = prompt;
      body["model"] = provider_id;
    } else {
      HFRUN_TRY_ASSIGN(image, file_bytes(row, in));
      body["model"] = provider_id;
      body["frame_images"] =
          ordered::array({{{"input_image", data_url(image, "image/png")}, {"frame", "first"}}});
      if (in.text && !in.text->empty()) {
        body["prompt"] = *in.text;
      }
    }
    ordered params = params_without(in, {"model"});
    rename(params, "num_inference_steps", "steps");
    if (const auto it = params.find("target_size"); it != params.end() && it->is_object()) {
      const ordered size = *it;
      params.erase("target_size");
      for (const char* key : {"width", "height"}) {
        if (const auto v = size.find(key); v != size.end()) {
          params[key] = *v;
        }
      }
    }
    merge(body, params);
    out = json_body(body);
    break;
  }
  case BodyStyle::prompt_only: {
    HFRUN_TRY_ASSIGN(prompt, prompt_of(row, in));
    ordered body{{"prompt", prompt}};
    merge(body, params_without(in, {"prompt"}));
    out = json_body(body);
    break;
  }
  case BodyStyle::wavespeed_image: {
    HFRUN_TRY_ASSIGN(image, file_bytes(row, in));
    ordered body{{"image", data_url(image, "image/jpeg")}};
    merge(body, params_without(in, {"image", "prompt"}));
    std::string prompt = in.text.value_or(util::string_or(in.params, "prompt", ""));
    if (!prompt.empty()) {
      body["prompt"] = prompt;
    }
    out = json_body(body);
    break;
  }
  case BodyStyle::zai_image: {
    HFRUN_TRY_ASSIGN(prompt, prompt_of(row, in));
    ordered body{{"model", provider_id}, {"prompt", prompt}};
    ordered params = params_without(in, {"model", "prompt"});
    size_from_width_height(params, false);
    merge(body, params);
    out = json_body(body);
    break;
  }
  }
  if (out) {
    out->headers = provider_headers(row);
  }
  return out;
}

} // namespace hfrun::backends
