#include "providers.hpp"

#include <array>

namespace hfrun::backends {

namespace {

using tasks::TaskId;
using B = BodyStyle;
using R = ReplyStyle;
using S = ResultShape;

constexpr ProviderTask
row(std::string_view provider, TaskId task, std::string_view route, B body, R reply, S result) {
  return ProviderTask{provider, task, route, body, reply, result, KeyRule::router};
}

// One row per pair of huggingface_hub's PROVIDERS table (inference/_providers/__init__.py), in its
// order. Routes and bodies: the provider's module there (deepinfra.py, fal_ai.py, ...). Four pairs
// only huggingface.js has (@huggingface/inference 4.13.30 lib/getProviderHelper.ts): deepinfra
// text-to-image, ovhcloud and scaleway text-generation, together automatic-speech-recognition.
constexpr std::array k_rows{
    row("baseten", TaskId::conversational, "/v1/chat/completions", B::chat, R::direct, S::codec),
    row("cerebras", TaskId::conversational, "/v1/chat/completions", B::chat, R::direct, S::codec),
    row("cohere",
        TaskId::conversational,
        "/compatibility/v1/chat/completions",
        B::chat,
        R::direct,
        S::codec),
    row("deepinfra",
        TaskId::automatic_speech_recognition,
        "/v1/openai/audio/transcriptions",
        B::transcription,
        R::direct,
        S::codec),
    row("deepinfra",
        TaskId::conversational,
        "/v1/openai/chat/completions",
        B::chat,
        R::direct,
        S::codec),
    row("deepinfra",
        TaskId::feature_extraction,
        "/v1/openai/embeddings",
        B::embeddings,
        R::direct,
        S::codec),
    row("deepinfra",
        TaskId::text_generation,
        "/v1/openai/completions",
        B::completions,
        R::direct,
        S::codec),
    row("deepinfra",
        TaskId::text_to_image,
        "/v1/openai/images/generations",
        B::openai_image,
        R::direct,
        S::codec),
    row("deepinfra",
        TaskId::text_to_speech,
        "/v1/openai/audio/speech",
        B::speech,
        R::direct,
        S::codec),
    row("fal-ai",
        TaskId::automatic_speech_recognition,
        "/{id}",
        B::fal_audio_url,
        R::direct,
        S::codec),
    row("fal-ai", TaskId::text_to_image, "/{id}", B::fal_prompt, R::direct, S::codec),
    row("fal-ai", TaskId::text_to_speech, "/{id}", B::fal_text, R::direct, S::codec),
    row("fal-ai", TaskId::text_to_video, "/{id}", B::fal_prompt, R::fal_queue, S::codec),
    row("fal-ai", TaskId::image_to_video, "/{id}", B::fal_video_image, R::fal_queue, S::codec),
    row("fal-ai", TaskId::image_to_image, "/{id}", B::fal_image_url, R::fal_queue, S::codec),
    row("fal-ai",
        TaskId::image_segmentation,
        "/{id}",
        B::fal_segmentation,
        R::fal_queue,
        S::fal_mask),
    row("featherless-ai",
        TaskId::conversational,
        "/v1/chat/completions",
        B::chat,
        R::direct,
        S::codec),
    row("featherless-ai",
        TaskId::text_generation,
        "/v1/completions",
        B::completions,
        R::direct,
        S::codec),
    row("fireworks-ai",
        TaskId::conversational,
        "/inference/v1/chat/completions",
        B::chat,
        R::direct,
        S::codec),
    row("groq",
        TaskId::conversational,
        "/openai/v1/chat/completions",
        B::chat,
        R::direct,
        S::codec),
    row("novita",
        TaskId::text_generation,
        "/v3/openai/completions",
        B::completions,
        R::direct,
        S::codec),
    row("novita",
        TaskId::conversational,
        "/v3/openai/chat/completions",
        B::chat,
        R::direct,
        S::codec),
    row("novita", TaskId::text_to_video, "/v3/hf/{id}", B::prompt_only, R::direct, S::novita_video),
    row("nscale", TaskId::conversational, "/v1/chat/completions", B::chat, R::direct, S::codec),
    row("nscale",
        TaskId::text_to_image,
        "/v1/images/generations",
        B::nscale_image,
        R::direct,
        S::codec),
    ProviderTask{"openai", TaskId::conversational, "/v1/chat/completions", B::chat, R::direct,
                 S::codec, KeyRule::provider_key},
    row("ovhcloud", TaskId::conversational, "/v1/chat/completions", B::chat, R::direct, S::codec),
    row("ovhcloud",
        TaskId::text_generation,
        "/v1/completions",
        B::completions,
        R::direct,
        S::codec),
    row("publicai", TaskId::conversational, "/v1/chat/completions", B::chat, R::direct, S::codec),
    row("replicate",
        TaskId::automatic_speech_recognition,
        "/v1/models/{id}/predictions",
        B::replicate_audio,
        R::replicate,
        S::replicate_text),
    row("replicate",
        TaskId::image_to_image,
        "/v1/models/{id}/predictions",
        B::replicate_image,
        R::replicate,
        S::codec),
    row("replicate",
        TaskId::text_to_image,
        "/v1/models/{id}/predictions",
        B::replicate_prompt,
        R::replicate,
        S::codec),
    row("replicate",
        TaskId::text_to_speech,
        "/v1/models/{id}/predictions",
        B::replicate_text,
        R::replicate,
        S::codec),
    row("replicate",
        TaskId::text_to_video,
        "/v1/models/{id}/predictions",
        B::replicate_prompt,
        R::replicate,
        S::codec),
    row("scaleway", TaskId::conversational, "/v1/chat/completions", B::chat, R::direct, S::codec),
    row("scaleway",
        TaskId::feature_extraction,
        "/v1/embeddings",
        B::embeddings,
        R::direct,
        S::codec),
    row("scaleway",
        TaskId::text_generation,
        "/v1/completions",
        B::completions,
        R::direct,
        S::codec),
    row("together",
        TaskId::automatic_speech_recognition,
        "/v1/audio/transcriptions",
        B::transcription,
        R::direct,
        S::codec),
    row("together", TaskId::conversational, "/v1/chat/completions", B::chat, R::direct, S::codec),
    row("together",
        TaskId::feature_extraction,
        "/v1/embeddings",
        B::embeddings,
        R::direct,
        S::codec),
    row("together",
        TaskId::image_to_image,
        "/v1/images/generations",
        B::together_image_edit,
        R::direct,
        S::codec),
    row("together",
        TaskId::image_to_video,
        "/v2/videos",
        B::together_image_video,
        R::together_job,
        S::together_video),
    row("together",
        TaskId::text_generation,
        "/v1/completions",
        B::completions,
        R::direct,
        S::codec),
    row("together",
        TaskId::text_to_image,
        "/v1/images/generations",
        B::together_image,
        R::direct,
        S::codec),
    row("together", TaskId::text_to_speech, "/v1/audio/speech", B::speech, R::direct, S::codec),
    row("together",
        TaskId::text_to_video,
        "/v2/videos",
        B::together_video,
        R::together_job,
        S::together_video),
    row("wavespeed",
        TaskId::text_to_image,
        "/api/v3/{id}",
        B::prompt_only,
        R::wavespeed,
        S::wavespeed),
    row("wavespeed",
        TaskId::text_to_video,
        "/api/v3/{id}",
        B::prompt_only,
        R::wavespeed,
        S::wavespeed),
    row("wavespeed",
        TaskId::image_to_image,
        "/api/v3/{id}",
        B::wavespeed_image,
        R::wavespeed,
        S::wavespeed),
    row("wavespeed",
        TaskId::image_to_video,
        "/api/v3/{id}",
        B::wavespeed_image,
        R::wavespeed,
        S::wavespeed),
    row("zai-org",
        TaskId::conversational,
        "/api/paas/v4/chat/completions",
        B::chat,
        R::direct,
        S::codec),
    row("zai-org",
        TaskId::text_to_image,
        "/api/paas/v4/async/images/generations",
        B::zai_image,
        R::zai_job,
        S::zai_images),
};

} // namespace

std::span<const ProviderTask> provider_tasks() {
  return k_rows;
}

const ProviderTask* find_provider_task(std::string_view provider, tasks::TaskId task) {
  for (const auto& r : k_rows) {
    if (r.provider == provider && r.task == task) {
      return &r;
    }
  }
  return nullptr;
}

bool is_known_provider(std::string_view name) {
  if (name == "hf-inference") {
    return true;
  }
  for (const auto& r : k_rows) {
    if (r.provider == name) {
      return true;
    }
  }
  return false;
}

std::string provider_names() {
  std::string out;
  std::string_view last;
  bool hf_inference_listed = false;
  for (const auto& r : k_rows) {
    if (!hf_inference_listed && r.provider > std::string_view("hf-inference")) {
      out += (out.empty() ? "" : ", ") + std::string("hf-inference");
      hf_inference_listed = true;
    }
    if (r.provider != last) {
      out += (out.empty() ? "" : ", ") + std::string(r.provider);
      last = r.provider;
    }
  }
  return out;
}

std::string provider_task_names(std::string_view provider) {
  std::string out;
  for (const auto& r : k_rows) {
    if (r.provider == provider) {
      out += (out.empty() ? "" : ", ") + std::string(tasks::task(r.task).name);
    }
  }
  return out;
}

std::string provider_route(const ProviderTask& r, std::string_view provider_id) {
  std::string path(r.route);
  if (r.provider == "replicate" && provider_id.find(':') != std::string_view::npos) {
    return "/v1/predictions"; // a pinned version: {"version": ...} in the body
  }
  if (const auto at = path.find("{id}"); at != std::string::npos) {
    path.replace(at, 4, provider_id);
  }
  return path;
}

bool is_routing_policy(std::string_view suffix) {
  return suffix == "fastest" || suffix == "cheapest" || suffix == "preferred";
}

std::string_view run_style(const ProviderTask& row) {
  if (row.key == KeyRule::provider_key) {
    return "own key";
  }
  switch (row.reply) {
  case ReplyStyle::direct:
    return "direct";
  case ReplyStyle::fal_queue:
  case ReplyStyle::replicate:
  case ReplyStyle::together_job:
  case ReplyStyle::wavespeed:
  case ReplyStyle::zai_job:
    return "polled";
  }
  return "direct";
}

} // namespace hfrun::backends
