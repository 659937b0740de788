#include "router_provider_tasks.hpp"

#include "media.hpp"
#include "router_tasks.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>

namespace emulator::router {

namespace {

using json = nlohmann::ordered_json; // replies keep the field order the services write
using world_json = nlohmann::json;

struct Served {
  const world_json* model = nullptr;
  std::string task;
  std::string provider_id;
};

// The world's model that `provider` serves under this providerId (or, for Replicate's pinned
// versions, whose providerId ends in ":{version}").
Served served_by(const Context& ctx,
                 std::string_view provider,
                 std::string_view provider_id,
                 bool by_version = false) {
  if (!ctx.world.contains("models") || !ctx.world["models"].is_array())
    return {};
  for (const auto& model : ctx.world["models"]) {
    const world_json* mapping = mapping_of(model, provider);
    if (mapping == nullptr)
      continue;
    const std::string id = mapping->value("providerId", model.value("id", ""));
    const bool match = by_version
                           ? (!provider_id.empty() && ends_with(id, ":" + std::string(provider_id)))
                           : id == provider_id;
    if (match)
      return Served{&model, mapping->value("task", model.value("pipeline_tag", "")), id};
  }
  return {};
}

std::string
media_url(const Context& ctx, std::string_view kind, std::uint64_t seed, std::string_view name) {
  return ctx.cdn_url + "/provider-media/" + std::string(kind) + "/" + hex64(seed) + "/" +
         std::string(name);
}

std::optional<std::string> from_data_url(const std::string& url) {
  if (!starts_with(url, "data:"))
    return std::nullopt;
  const auto comma = url.find(',');
  if (comma == std::string::npos || url.substr(0, comma).find(";base64") == std::string::npos)
    return std::nullopt;
  return base64_decode(url.substr(comma + 1));
}

// A media field: a data: URL (huggingface_hub) or the bare base64 (huggingface.js wavespeed).
std::optional<std::string> from_data_or_base64(const std::string& value) {
  if (auto bytes = from_data_url(value))
    return bytes;
  if (value.empty() || starts_with(value, "http"))
    return std::nullopt;
  return base64_decode(value);
}

// The pipelines of router_tasks.cpp give the transcript and the embeddings.
std::string transcript(const world_json& model, const std::string& audio) {
  const Reply reply = run_task(TaskRequest{"automatic-speech-recognition", model.value("id", ""),
                                           &model, audio, "audio/wav"});
  const auto doc = world_json::parse(reply.body, nullptr, false);
  return doc.is_object() ? doc.value("text", "") : "";
}

double audio_seconds_of(const std::string& audio) {
  return media::audio_seconds(audio).value_or(static_cast<double>(audio.size()) / 32000.0);
}

// A minimal ISO base media file (ftyp, moov with mvhd, mdat): what clients sniff as video/mp4.
std::string make_mp4(std::uint64_t seed) {
  auto box = [](std::string_view type, const std::string& payload) {
    const std::uint32_t size = static_cast<std::uint32_t>(payload.size() + 8);
    std::string out;
    for (int shift = 24; shift >= 0; shift -= 8)
      out += static_cast<char>((size >> shift) & 0xFFU);
    return out + std::string(type) + payload;
  };
  std::string ftyp_payload = "isom";
  ftyp_payload += std::string("\0\0\x02\0", 4);
  ftyp_payload += "isomiso2mp41";
  std::string mvhd(100, '\0');
  mvhd[15] = static_cast<char>(0xE8); // timescale 1000
  mvhd[14] = 0x03;
  mvhd[19] = 0x0A; // duration 10 ms-ish units
  Rng rng(seed);
  std::string data(256, '\0');
  for (auto& c : data)
    c = static_cast<char>(rng.next() & 0xFFU);
  return box("ftyp", ftyp_payload) + box("moov", box("mvhd", mvhd)) + box("mdat", data);
}

// --- jobs ------------------------------------------------------------------------------------

struct Job {
  std::string provider;
  json document;      // the final result (fal-ai) or the job document once done
  int polls_left = 2; // status polls before the job is done
};

struct Jobs {
  std::mutex mutex;
  std::map<std::string, Job> by_id;
  std::atomic<std::uint64_t> counter{1};
};

Jobs& jobs() {
  static Jobs store;
  return store;
}

std::string new_job_id(std::string_view body) {
  const std::uint64_t n = jobs().counter.fetch_add(1);
  const std::string h = hex64(hash_bytes(body, n * 0x9e3779b97f4a7c15ULL));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-4" + h.substr(13, 3) + "-a" +
         hex64(n).substr(13, 3) + "-" + hex64(n * 2654435761ULL).substr(4, 12);
}

void keep(const std::string& id, Job job) {
  std::lock_guard lock(jobs().mutex);
  jobs().by_id[id] = std::move(job);
}

// Advances the job by one poll: the number of polls still needed (0 = done), nullopt if unknown.
std::optional<std::pair<int, json>> step_job(const std::string& id, std::string_view provider) {
  std::lock_guard lock(jobs().mutex);
  const auto found = jobs().by_id.find(id);
  if (found == jobs().by_id.end() || found->second.provider != provider)
    return std::nullopt;
  if (found->second.polls_left > 0)
    --found->second.polls_left;
  return std::make_pair(found->second.polls_left, found->second.document);
}

std::optional<std::pair<int, json>> peek_job(const std::string& id, std::string_view provider) {
  std::lock_guard lock(jobs().mutex);
  const auto found = jobs().by_id.find(id);
  if (found == jobs().by_id.end() || found->second.provider != provider)
    return std::nullopt;
  return std::make_pair(found->second.polls_left, found->second.document);
}

// --- results ---------------------------------------------------------------------------------

std::uint64_t seed_of(const world_json& body) {
  return hash_bytes(body.dump());
}

json embeddings_reply(const world_json& body, const Served& served) {
  const std::size_t dim = served.model->value("_embedding_dim", 384);
  std::vector<std::string> texts;
  if (body.contains("input") && body["input"].is_string())
    texts.push_back(body["input"].get<std::string>());
  if (body.contains("input") && body["input"].is_array()) {
    for (const auto& item : body["input"]) {
      if (item.is_string())
        texts.push_back(item.get<std::string>());
    }
  }
  json data = json::array();
  std::size_t tokens = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    json vector = json::array();
    for (double v : embed_text(texts[i], dim))
      vector.push_back(v);
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", vector}});
    tokens += split_words(texts[i]).size();
  }
  return {{"object", "list"},
          {"data", data},
          {"model", served.provider_id},
          {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
}

Reply wav_reply(std::uint64_t seed, double seconds) {
  Reply reply;
  reply.content_type = "audio/wav";
  reply.body = media::make_wav(media::make_tone(seconds, seed), 16000);
  return reply;
}

double speech_seconds(const std::string& text) {
  return std::clamp(static_cast<double>(split_words(text).size()) * 0.4, 0.4, 8.0);
}

Reply unprocessable(std::string_view detail) {
  return json_reply(422, json{{"detail", std::string(detail)}});
}

// --- fal-ai ----------------------------------------------------------------------------------

std::string fal_image_input(const world_json& body) {
  return body.value("image_url", "");
}

// The result of a fal-ai call for its task, or an error.
std::optional<json>
fal_result(const Context& ctx, const Served& s, const world_json& body, Reply& error) {
  const std::uint64_t seed = seed_of(body);
  if (s.task == "automatic-speech-recognition") {
    const auto audio = from_data_url(body.value("audio_url", ""));
    if (!audio) {
      error = unprocessable("audio_url: a data: URL or a URL to an audio file is required");
      return std::nullopt;
    }
    const std::string text = transcript(*s.model, *audio);
    return json{
        {"text", text},
        {"chunks", json::array({{{"timestamp", json::array({0.0, audio_seconds_of(*audio)})},
                                 {"text", text}}})}};
  }
  if (s.task == "text-to-speech") {
    const std::string text = body.value("text", "");
    if (text.empty()) {
      error = unprocessable("text: field required");
      return std::nullopt;
    }
    return json{{"audio",
                 {{"url", media_url(ctx, "audio", hash_bytes(text), "speech.wav")},
                  {"content_type", "audio/wav"},
                  {"file_name", "speech.wav"}}}};
  }
  if (s.task == "text-to-video" || s.task == "image-to-video") {
    if (s.task == "text-to-video" && body.value("prompt", "").empty()) {
      error = unprocessable("prompt: field required");
      return std::nullopt;
    }
    if (s.task == "image-to-video" && !from_data_url(fal_image_input(body))) {
      error = unprocessable("image_url: field required");
      return std::nullopt;
    }
    return json{{"video",
                 {{"url", media_url(ctx, "video", seed, "output.mp4")},
                  {"content_type", "video/mp4"},
                  {"file_name", "output.mp4"}}},
                {"seed", seed % 1000000007ULL}};
  }
  if (s.task == "image-to-image") {
    const auto image = from_data_url(fal_image_input(body));
    const auto size = image ? media::image_size(*image) : std::nullopt;
    if (!size) {
      error = unprocessable("image_url: an image is required");
      return std::nullopt;
    }
    return json{
        {"images", json::array({{{"url", media_url(ctx, "image", seed,
                                                   std::to_string(size->width) + "x" +
                                                       std::to_string(size->height) + ".jpg")},
                                 {"width", size->width},
                                 {"height", size->height},
                                 {"content_type", "image/jpeg"}}})},
        {"seed", seed % 1000000007ULL},
        {"prompt", body.value("prompt", "")}};
  }
  if (s.task == "image-segmentation") {
    const auto image = from_data_url(fal_image_input(body));
    const auto size = image ? media::image_size(*image) : std::nullopt;
    if (!size) {
      error = unprocessable("image_url: an image is required");
      return std::nullopt;
    }
    const std::string mask = media::make_png_mask(size->width, size->height, seed);
    const std::string url = body.value("sync_mode", false)
                                ? "data:image/png;base64," + base64_encode(mask)
                                : media_url(ctx, "mask", seed, "mask.png");
    return json{{"image",
                 {{"url", url},
                  {"content_type", "image/png"},
                  {"width", size->width},
                  {"height", size->height}}}};
  }
  return std::nullopt;
}

std::optional<Reply> fal_post(Context& ctx, const httplib::Request& req, const std::string& rest) {
  const Served s = served_by(ctx, "fal-ai", rest);
  if (s.model == nullptr || s.task == "text-to-image")
    return std::nullopt; // router.cpp answers text-to-image and unknown models
  const auto body = world_json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return unprocessable("Invalid JSON body");
  Reply error;
  auto result = fal_result(ctx, s, body, error);
  if (!result) {
    if (error.body.empty())
      return unprocessable("The emulator does not serve " + s.task + " on fal-ai");
    return error;
  }
  if (req.get_param_value("_subdomain") != "queue")
    return json_reply(200, *result); // fal.run's synchronous route
  // The queue names the app (owner/name) in its URLs, not the endpoint path below it, which is why
  // clients take the model path from response_url (huggingface_hub fal_ai.py).
  const auto first = rest.find('/');
  const auto second = first == std::string::npos ? std::string::npos : rest.find('/', first + 1);
  const std::string app = second == std::string::npos ? rest : rest.substr(0, second);
  const std::string id = new_job_id(req.body);
  keep(id, Job{"fal-ai", *result, 2});
  const std::string base = "https://queue.fal.run/" + app + "/requests/" + id;
  return json_reply(200, json{{"status", "IN_QUEUE"},
                              {"request_id", id},
                              {"response_url", base},
                              {"status_url", base + "/status"},
                              {"cancel_url", base + "/cancel"},
                              {"queue_position", 1}});
}

std::optional<Reply> fal_get(const std::string& rest) {
  const auto at = rest.find("/requests/");
  if (at == std::string::npos)
    return std::nullopt;
  std::string id = rest.substr(at + std::string_view("/requests/").size());
  const bool status = ends_with(id, "/status");
  if (status)
    id.resize(id.size() - std::string_view("/status").size());
  const std::string base = "https://queue.fal.run/" + rest.substr(0, at) + "/requests/" + id;
  if (status) {
    const auto job = step_job(id, "fal-ai");
    if (!job)
      return std::nullopt;
    const int left = job->first;
    json doc{{"status", left == 0   ? "COMPLETED"
                        : left == 1 ? "IN_PROGRESS"
                                    : "IN_QUEUE"},
             {"request_id", id},
             {"response_url", base},
             {"status_url", base + "/status"},
             {"cancel_url", base + "/cancel"}};
    if (left == 0)
      doc["metrics"] = {{"inference_time", 1.25}};
    if (left > 1)
      doc["queue_position"] = 0;
    return json_reply(200, doc);
  }
  const auto job = peek_job(id, "fal-ai");
  if (!job)
    return std::nullopt;
  if (job->first > 0)
    return json_reply(400, json{{"detail", "Request is still in progress"}});
  return json_reply(200, job->second);
}

// --- OpenAI-shaped routes (deepinfra, scaleway, together) ----------------------------------

Reply unknown_model(std::string_view provider, std::string_view provider_id) {
  return openai_error_reply(404,
                            "The model '" + std::string(provider_id) +
                                "' does not exist or is not served by " + std::string(provider) +
                                ".",
                            "invalid_request_error", "model", "model_not_found");
}

std::optional<Reply>
transcriptions(Context& ctx, const httplib::Request& req, const std::string& provider) {
  if (!req.is_multipart_form_data() || !req.has_file("file"))
    return openai_error_reply(400, "Expected a multipart/form-data body with a 'file' part",
                              "invalid_request_error", "file", "");
  const std::string model = req.get_file_value("model").content;
  const Served s = served_by(ctx, provider, model);
  if (s.model == nullptr || s.task != "automatic-speech-recognition")
    return unknown_model(provider, model);
  const std::string audio = req.get_file_value("file").content;
  const std::string text = transcript(*s.model, audio);
  const double seconds = audio_seconds_of(audio);
  return json_reply(
      200, json{{"task", "transcribe"},
                {"language", "english"},
                {"duration", seconds},
                {"text", text},
                {"segments",
                 json::array({{{"id", 0}, {"start", 0.0}, {"end", seconds}, {"text", text}}})}});
}

std::optional<Reply> openai_route(Context& ctx,
                                  const httplib::Request& req,
                                  const std::string& provider,
                                  const std::string& rest) {
  enum class Kind { embeddings, speech, images, videos } kind;
  if (rest == "v1/openai/embeddings" || rest == "v1/embeddings")
    kind = Kind::embeddings;
  else if (rest == "v1/openai/audio/speech" || rest == "v1/audio/speech")
    kind = Kind::speech;
  else if (rest == "v1/images/generations")
    kind = Kind::images;
  else if (rest == "v2/videos")
    kind = Kind::videos;
  else
    return std::nullopt;
  const auto body = world_json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return std::nullopt; // router.cpp answers the parse error
  const std::string model = body.value("model", "");
  const Served s = served_by(ctx, provider, model);
  switch (kind) {
  case Kind::embeddings:
    if (s.model == nullptr || s.task != "feature-extraction")
      return unknown_model(provider, model);
    if (!body.contains("input"))
      return openai_error_reply(400, "'input' is a required property", "invalid_request_error",
                                "input", "");
    return json_reply(200, embeddings_reply(body, s));
  case Kind::speech: {
    if (s.model == nullptr || s.task != "text-to-speech")
      return unknown_model(provider, model);
    const std::string text = body.value("input", "");
    if (text.empty())
      return openai_error_reply(400, "'input' is a required property", "invalid_request_error",
                                "input", "");
    return wav_reply(hash_bytes(text), speech_seconds(text));
  }
  case Kind::images: {
    if (s.model == nullptr || s.task != "image-to-image")
      return std::nullopt; // text-to-image: router.cpp
    std::string image_url = body.value("image_url", "");
    if (image_url.empty() && body.contains("reference_images") &&
        body["reference_images"].is_array() && !body["reference_images"].empty() &&
        body["reference_images"][0].is_string())
      image_url = body["reference_images"][0].get<std::string>();
    const auto image = from_data_url(image_url);
    const auto size = image ? media::image_size(*image) : std::nullopt;
    if (!size)
      return openai_error_reply(400, "image_url or reference_images: an image is required",
                                "invalid_request_error", "image_url", "");
    const std::uint64_t seed = seed_of(body);
    return json_reply(
        200, json{{"id", "img-" + hex64(seed)},
                  {"model", model},
                  {"object", "list"},
                  {"data", json::array({{{"index", 0},
                                         {"b64_json", base64_encode(media::make_jpeg(
                                                          size->width, size->height, seed))},
                                         {"type", "b64_json"}}})}});
  }
  case Kind::videos: {
    if (s.model == nullptr || (s.task != "text-to-video" && s.task != "image-to-video"))
      return unknown_model(provider, model);
    if (s.task == "text-to-video" && body.value("prompt", "").empty())
      return openai_error_reply(400, "prompt is required", "invalid_request_error", "prompt", "");
    if (s.task == "image-to-video") {
      const bool has_frame = body.contains("frame_images") && body["frame_images"].is_array() &&
                             !body["frame_images"].empty() && body["frame_images"][0].is_object() &&
                             from_data_url(body["frame_images"][0].value("input_image", ""));
      if (!has_frame)
        return openai_error_reply(400, "frame_images[0].input_image is required",
                                  "invalid_request_error", "frame_images", "");
    }
    const std::string id = "video_" + new_job_id(req.body);
    const std::uint64_t seed = seed_of(body);
    json job{{"id", id},
             {"object", "video"},
             {"model", model},
             {"status", "queued"},
             {"created_at", unix_now()}};
    json done = job;
    done["status"] = "completed";
    done["completed_at"] = unix_now();
    done["outputs"] = {{"video_url", media_url(ctx, "video", seed, "video.mp4")}, {"cost", 0.1}};
    keep(id, Job{provider, done, 2});
    return json_reply(200, job);
  }
  }
  return std::nullopt;
}

std::optional<Reply> together_get(const std::string& rest) {
  if (!starts_with(rest, "v2/videos/"))
    return std::nullopt;
  const std::string id = rest.substr(std::string_view("v2/videos/").size());
  const auto job = step_job(id, "together");
  if (!job)
    return json_reply(404, json{{"error", {{"message", "video not found"}, {"code", 404}}}});
  if (job->first == 0)
    return json_reply(200, job->second);
  json doc = job->second;
  doc.erase("outputs");
  doc.erase("completed_at");
  doc["status"] = "in_progress";
  return json_reply(200, doc);
}

// --- replicate ---------------------------------------------------------------------------------

std::optional<Reply>
replicate_post(Context& ctx, const httplib::Request& req, const std::string& rest) {
  const auto body = world_json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return std::nullopt;
  Served s;
  constexpr std::string_view k_models = "v1/models/";
  if (starts_with(rest, k_models) && ends_with(rest, "/predictions"))
    s = served_by(ctx, "replicate",
                  rest.substr(k_models.size(), rest.size() - k_models.size() -
                                                   std::string_view("/predictions").size()));
  else if (rest == "v1/predictions")
    s = served_by(ctx, "replicate", body.value("version", ""), true);
  if (s.model == nullptr || s.task == "text-to-image")
    return std::nullopt; // router.cpp: text-to-image and the errors
  const world_json input = body.value("input", world_json::object());
  const std::uint64_t seed = seed_of(body);
  json output;
  if (s.task == "automatic-speech-recognition") {
    const auto audio = from_data_url(input.value("audio", ""));
    if (!audio)
      return json_reply(422, json{{"title", "Input validation failed"},
                                  {"detail", "- input: audio is required"},
                                  {"status", 422}});
    output = {{"transcription", transcript(*s.model, *audio)},
              {"detected_language", "english"},
              {"segments", json::array()}};
  } else if (s.task == "text-to-speech") {
    const std::string text = input.value("text", "");
    if (text.empty())
      return json_reply(422, json{{"title", "Input validation failed"},
                                  {"detail", "- input: text is required"},
                                  {"status", 422}});
    output = media_url(ctx, "audio", hash_bytes(text), "output.wav");
  } else if (s.task == "image-to-image") {
    const auto image = from_data_url(input.value("input_image", input.value("image", "")));
    const auto size = image ? media::image_size(*image) : std::nullopt;
    if (!size)
      return json_reply(422, json{{"title", "Input validation failed"},
                                  {"detail", "- input: image is required"},
                                  {"status", 422}});
    output = media_url(ctx, "image", seed,
                       std::to_string(size->width) + "x" + std::to_string(size->height) + ".jpg");
  } else if (s.task == "text-to-video") {
    if (input.value("prompt", "").empty())
      return json_reply(422, json{{"title", "Input validation failed"},
                                  {"detail", "- input: prompt is required"},
                                  {"status", 422}});
    output = media_url(ctx, "video", seed, "output.mp4");
  } else {
    return std::nullopt;
  }
  const std::string id = hex64(seed).substr(0, 12) + hex64(jobs().counter.fetch_add(1)).substr(8);
  json prediction{{"id", id},
                  {"model", s.provider_id.substr(0, s.provider_id.find(':'))},
                  {"version", body.value("version", "hidden")},
                  {"input", json(input)},
                  {"logs", ""},
                  {"output", output},
                  {"data_removed", false},
                  {"error", nullptr},
                  {"status", "succeeded"},
                  {"created_at", "2026-01-01T00:00:00.000Z"},
                  {"urls",
                   {{"cancel", "https://api.replicate.com/v1/predictions/" + id + "/cancel"},
                    {"get", "https://api.replicate.com/v1/predictions/" + id},
                    {"stream", "https://stream.replicate.com/v1/files/" + id}}}};
  // Without `Prefer: wait` (which holds the reply until the prediction is done, as the official
  // clients ask) Replicate answers at once with a prediction still "starting", polled at urls.get.
  if (!starts_with(req.get_header_value("Prefer"), "wait")) {
    keep(id, Job{"replicate", prediction, 2});
    prediction["status"] = "starting";
    prediction["output"] = nullptr;
  }
  return json_reply(201, prediction);
}

std::optional<Reply> replicate_get(const std::string& rest) {
  if (!starts_with(rest, "v1/predictions/"))
    return std::nullopt;
  const std::string id = rest.substr(std::string_view("v1/predictions/").size());
  const auto job = step_job(id, "replicate");
  if (!job)
    return json_reply(404, json{{"detail", "Not found."}, {"status", 404}});
  json doc = job->second;
  if (job->first > 0) {
    doc["status"] = "processing";
    doc["output"] = nullptr;
    doc["logs"] = "generating...";
  }
  return json_reply(200, doc);
}

// --- wavespeed, novita, zai-org ----------------------------------------------------------------

std::optional<Reply>
wavespeed_post(Context& ctx, const httplib::Request& req, const std::string& rest) {
  constexpr std::string_view k_api = "api/v3/";
  if (!starts_with(rest, k_api))
    return std::nullopt;
  const std::string provider_id = rest.substr(k_api.size());
  const Served s = served_by(ctx, "wavespeed", provider_id);
  if (s.model == nullptr)
    return json_reply(404, json{{"code", 404}, {"message", "model not found: " + provider_id}});
  const auto body = world_json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return json_reply(400, json{{"code", 400}, {"message", "invalid JSON body"}});
  const bool from_image = s.task == "image-to-image" || s.task == "image-to-video";
  const auto image = from_image ? from_data_or_base64(body.value("image", "")) : std::nullopt;
  const auto size = image ? media::image_size(*image) : std::nullopt;
  if (from_image ? !size : body.value("prompt", "").empty())
    return json_reply(
        400,
        json{{"code", 400}, {"message", from_image ? "image is required" : "prompt is required"}});
  const std::uint64_t seed = seed_of(body);
  const bool video = s.task == "text-to-video" || s.task == "image-to-video";
  const std::string url = video ? media_url(ctx, "video", seed, "output.mp4")
                                : media_url(ctx, "image", seed,
                                            size ? std::to_string(size->width) + "x" +
                                                       std::to_string(size->height) + ".jpg"
                                                 : std::string("1024x1024.jpg"));
  const std::string id = hex64(seed).substr(0, 8) + hex64(jobs().counter.fetch_add(1)).substr(8);
  json data{{"id", id},
            {"model", provider_id},
            {"outputs", json::array()},
            {"urls", {{"get", "https://api.wavespeed.ai/api/v3/predictions/" + id + "/result"}}},
            {"has_nsfw_contents", json::array()},
            {"status", "created"},
            {"created_at", "2026-01-01T00:00:00.000Z"},
            {"error", ""}};
  json done = data;
  done["status"] = "completed";
  done["outputs"] = json::array({url});
  keep(id, Job{"wavespeed", json{{"code", 200}, {"message", "success"}, {"data", done}}, 2});
  return json_reply(200, json{{"code", 200}, {"message", "success"}, {"data", data}});
}

std::optional<Reply> wavespeed_get(const std::string& rest) {
  constexpr std::string_view k_prefix = "api/v3/predictions/";
  if (!starts_with(rest, k_prefix) || !ends_with(rest, "/result"))
    return std::nullopt;
  const std::string id = rest.substr(k_prefix.size(), rest.size() - k_prefix.size() -
                                                          std::string_view("/result").size());
  const auto job = step_job(id, "wavespeed");
  if (!job)
    return json_reply(404, json{{"code", 404}, {"message", "prediction not found"}});
  json doc = job->second;
  if (job->first > 0) {
    doc["data"]["status"] = "processing";
    doc["data"]["outputs"] = json::array();
  }
  return json_reply(200, doc);
}

// Novita's video: huggingface_hub posts to /v3/hf/{model} and gets the video at once;
// huggingface.js 4.13.30 posts to /v3/async/{model} and polls /v3/async/task-result?task_id=.
// Both routes are served.
std::optional<Reply>
novita_post(Context& ctx, const httplib::Request& req, const std::string& rest) {
  constexpr std::string_view k_hf = "v3/hf/";
  constexpr std::string_view k_async = "v3/async/";
  const bool async = starts_with(rest, k_async);
  if (!starts_with(rest, k_hf) && !async)
    return std::nullopt;
  const std::string provider_id = rest.substr(async ? k_async.size() : k_hf.size());
  const Served s = served_by(ctx, "novita", provider_id);
  if (s.model == nullptr || s.task != "text-to-video")
    return json_reply(404, json{{"code", 404},
                                {"reason", "MODEL_NOT_FOUND"},
                                {"message", "model not found: " + provider_id}});
  const auto body = world_json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || body.value("prompt", "").empty())
    return json_reply(
        400,
        json{{"code", 400}, {"reason", "INVALID_REQUEST_BODY"}, {"message", "prompt is required"}});
  const std::string url = media_url(ctx, "video", seed_of(body), "video.mp4");
  const json video{{"video_url", url}, {"video_url_ttl", "3600"}, {"video_type", "mp4"}};
  if (!async)
    return json_reply(200, json{{"video", video}});
  const std::string id = new_job_id(req.body);
  keep(id,
       Job{"novita",
           json{{"task",
                 {{"task_id", id}, {"status", "TASK_STATUS_SUCCEED"}, {"progress_percent", 100}}},
                {"videos", json::array({video})}},
           2});
  return json_reply(200, json{{"task_id", id}});
}

std::optional<Reply> novita_get(const httplib::Request& req, const std::string& rest) {
  if (rest != "v3/async/task-result")
    return std::nullopt;
  const auto job = step_job(req.get_param_value("task_id"), "novita");
  if (!job)
    return json_reply(
        404, json{{"code", 404}, {"reason", "TASK_NOT_FOUND"}, {"message", "task not found"}});
  json doc = job->second;
  if (job->first > 0) {
    doc["task"]["status"] = job->first > 1 ? "TASK_STATUS_QUEUED" : "TASK_STATUS_PROCESSING";
    doc["task"]["progress_percent"] = job->first > 1 ? 0 : 50;
    doc["videos"] = json::array();
  }
  return json_reply(200, doc);
}

std::optional<Reply> zai_post(Context& ctx, const httplib::Request& req, const std::string& rest) {
  if (rest != "api/paas/v4/async/images/generations")
    return std::nullopt;
  const auto body = world_json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return json_reply(400, json{{"error", {{"code", "1214"}, {"message", "invalid JSON body"}}}});
  const std::string model = body.value("model", "");
  const Served s = served_by(ctx, "zai-org", model);
  if (s.model == nullptr || s.task != "text-to-image")
    return json_reply(400, json{{"error", {{"code", "1211"}, {"message", "Unknown Model"}}}});
  if (body.value("prompt", "").empty())
    return json_reply(400, json{{"error", {{"code", "1214"}, {"message", "prompt is required"}}}});
  int width = 1024;
  int height = 1024;
  if (const std::string size = body.value("size", ""); !size.empty()) {
    const auto x = size.find('x');
    if (x != std::string::npos) {
      width = std::clamp(std::atoi(size.substr(0, x).c_str()), 8, 2048);
      height = std::clamp(std::atoi(size.substr(x + 1).c_str()), 8, 2048);
    }
  }
  const std::uint64_t seed = seed_of(body);
  const std::string id = hex64(seed).substr(0, 10) + hex64(jobs().counter.fetch_add(1)).substr(6);
  json done{
      {"model", model},
      {"id", id},
      {"request_id", id},
      {"task_status", "SUCCESS"},
      {"image_result", json::array({{{"url", media_url(ctx, "image", seed,
                                                       std::to_string(width) + "x" +
                                                           std::to_string(height) + ".jpg")}}})}};
  keep(id, Job{"zai-org", done, 1});
  return json_reply(
      200, json{{"model", model}, {"id", id}, {"request_id", id}, {"task_status", "PROCESSING"}});
}

std::optional<Reply> zai_get(const std::string& rest) {
  constexpr std::string_view k_prefix = "api/paas/v4/async-result/";
  if (!starts_with(rest, k_prefix))
    return std::nullopt;
  const auto job = step_job(rest.substr(k_prefix.size()), "zai-org");
  if (!job)
    return json_reply(404, json{{"error", {{"code", "1210"}, {"message", "task not found"}}}});
  json doc = job->second;
  if (job->first > 0) {
    doc["task_status"] = "PROCESSING";
    doc.erase("image_result");
  }
  return json_reply(200, doc);
}

} // namespace

std::optional<Reply> serve_provider_task(Context& ctx,
                                         const httplib::Request& req,
                                         const std::string& provider,
                                         const std::string& rest) {
  if (provider == "fal-ai")
    return fal_post(ctx, req, rest);
  if (provider == "replicate")
    return replicate_post(ctx, req, rest);
  if (provider == "wavespeed")
    return wavespeed_post(ctx, req, rest);
  if (provider == "novita") {
    if (auto reply = novita_post(ctx, req, rest))
      return reply;
  }
  if (provider == "zai-org") {
    if (auto reply = zai_post(ctx, req, rest))
      return reply;
  }
  if ((rest == "v1/openai/audio/transcriptions" && provider == "deepinfra") ||
      (rest == "v1/audio/transcriptions" && provider == "together"))
    return transcriptions(ctx, req, provider);
  return openai_route(ctx, req, provider, rest);
}

std::optional<Reply> poll_provider_job(Context&,
                                       const httplib::Request& req,
                                       const std::string& provider,
                                       const std::string& rest) {
  if (provider == "novita")
    return novita_get(req, rest);
  if (provider == "fal-ai")
    return fal_get(rest);
  if (provider == "together")
    return together_get(rest);
  if (provider == "replicate")
    return replicate_get(rest);
  if (provider == "wavespeed")
    return wavespeed_get(rest);
  if (provider == "zai-org")
    return zai_get(rest);
  return std::nullopt;
}

bool serve_provider_media(const httplib::Request& req, httplib::Response& res) {
  constexpr std::string_view k_prefix = "/provider-media/";
  if (!starts_with(req.path, k_prefix))
    return false;
  // Pre-signed storage refuses a second credential (S3: "Only one auth mechanism allowed").
  if (req.has_header("Authorization")) {
    res.status = 400;
    res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InvalidArgument</Code>"
                    "<Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                    "parameter, Signature query string parameter or the Authorization header "
                    "should be specified</Message></Error>",
                    "application/xml");
    return true;
  }
  // {kind}/{seed hex}/{name}
  const std::string rest = req.path.substr(k_prefix.size());
  const auto slash = rest.find('/');
  const auto slash2 = slash == std::string::npos ? std::string::npos : rest.find('/', slash + 1);
  if (slash2 == std::string::npos) {
    res.status = 404;
    res.set_content("Not Found", "text/plain");
    return true;
  }
  const std::string kind = rest.substr(0, slash);
  const std::string name = rest.substr(slash2 + 1);
  std::uint64_t seed = 0;
  for (const char c : rest.substr(slash + 1, slash2 - slash - 1)) {
    const auto digit = std::string_view("0123456789abcdef").find(c);
    if (digit == std::string_view::npos) {
      res.status = 404;
      res.set_content("Not Found", "text/plain");
      return true;
    }
    seed = (seed << 4U) | digit;
  }
  if (kind == "video") {
    res.set_content(make_mp4(seed), "video/mp4");
  } else if (kind == "audio") {
    res.set_content(media::make_wav(media::make_tone(1.2, seed), 16000), "audio/wav");
  } else if (kind == "mask") {
    res.set_content(media::make_png_mask(64, 64, seed), "image/png");
  } else if (kind == "image") {
    int width = 1024;
    int height = 768;
    if (const auto x = name.find('x'); x != std::string::npos) {
      width = std::clamp(std::atoi(name.substr(0, x).c_str()), 8, 2048);
      height = std::clamp(std::atoi(name.substr(x + 1).c_str()), 8, 2048);
    }
    res.set_content(media::make_jpeg(width, height, seed), "image/jpeg");
  } else {
    res.status = 404;
    res.set_content("Not Found", "text/plain");
  }
  return true;
}

} // namespace emulator::router
