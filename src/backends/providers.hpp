// PRIVATE to the backends layer: the Inference Providers hfrun knows, as data: one row per
// (provider, task) pair that huggingface_hub's provider table supports (inference/_providers/*.py
// at commit ee0a4510, checked against huggingface.js providers/*.ts): the route under the router
// ({router}/{provider}{route}), how the body is built, how the reply is waited for and how its
// result is read. docs/serverless.md says how a provider is chosen and prints the matrix generated
// from this table (`hfrun serverless --provider-matrix`).
#pragma once

#include <hfrun/backends/providers.hpp>
#include <hfrun/tasks/task.hpp>
#include <span>
#include <string>
#include <string_view>

namespace hfrun::backends {

// How the request body is made from the user's inputs and the mapping's providerId.
enum class BodyStyle {
  chat,                 // the task codec's OpenAI chat body, "model" = providerId
  completions,          // the task codec's OpenAI completions body, "model" = providerId
  embeddings,           // {"input", "model", ...params} (OpenAI embeddings)
  transcription,        // multipart/form-data: file + model + params (OpenAI transcriptions)
  speech,               // {"input", "model", ...params} (OpenAI speech), audio bytes back
  fal_prompt,           // {"prompt", "sync_mode": true, ...params}; width+height -> image_size
  fal_text,             // {"text", ...params} (fal-ai text-to-speech)
  fal_audio_url,        // {"audio_url": data URL, ...params}
  fal_image_url,        // {"image_url", "image_urls": [..], "prompt"?, ...params}
  fal_video_image,      // {"image_url", "prompt"?, ...params}
  fal_segmentation,     // {"image_url", ...params, "sync_mode": true}
  replicate_prompt,     // {"input": {"prompt", ...params}} (+ "version" for "owner/model:ver")
  replicate_text,       // {"input": {"text", ...params}}
  replicate_audio,      // {"input": {"audio": data URL, ...params}}
  replicate_image,      // {"input": {"image", "images", "input_image", "input_images", ...}}
  openai_image,         // {"prompt", "model", "response_format": "b64_json", ...params}
  together_image,       // as openai_image with "response_format": "base64", steps renamed
  together_image_edit,  // {"prompt", "image_url" | "reference_images", "model", ...}
  together_video,       // {"prompt", "model", ...params}
  together_image_video, // {"model", "frame_images": [{"input_image", "frame": "first"}], ...}
  nscale_image,         // openai_image with width+height -> "size" "WxH"
  prompt_only,          // {"prompt", ...params} (wavespeed, novita)
  wavespeed_image,      // {"image": data URL, "prompt"?, ...params}
  zai_image,            // {"model", "prompt", "size"?, ...params}
};

// How the reply becomes the final result document.
enum class ReplyStyle {
  direct,       // the reply is the result
  fal_queue,    // POST ...?_subdomain=queue -> {request_id, response_url}; poll .../status
  replicate,    // a prediction: poll urls.get while "starting" / "processing"
  together_job, // {"id","status"}: poll {url}/{id} while "queued" / "in_progress"
  wavespeed,    // {"data":{"urls":{"get"}}}: poll it while "created" / "processing"
  zai_job,      // {"id","task_status":"PROCESSING"}: poll /api/paas/v4/async-result/{id}
};

// Where the result is in the final document (binary tasks: a URL fetched without the token).
enum class ResultShape {
  codec,          // what the task codec reads (raw bytes, b64_json, images[].url, output, ...)
  novita_video,   // {"video": {"video_url"}}
  together_video, // {"outputs": {"video_url"}}
  wavespeed,      // {"data": {"outputs": [url]}}
  zai_images,     // {"image_result": [{"url"}]}
  replicate_text, // output: "text" | ["text"] | {"transcription" | "translation"}
  fal_mask,       // {"image": {"url"}}: one mask, fetched, as the segmentation [{label, mask}]
};

// Who may call the provider.
enum class KeyRule {
  router,       // an HF token through the router
  provider_key, // only the provider's own key, never through the router (openai)
};

struct ProviderTask {
  std::string_view provider;
  tasks::TaskId task;
  // Below {router}/{provider}; "{id}" is the providerId. fal-ai and replicate vary the route with
  // the providerId (see provider_route).
  std::string_view route;
  BodyStyle body;
  ReplyStyle reply;
  ResultShape result;
  KeyRule key = KeyRule::router;
};

// Every (provider, task) row, provider by provider (hf-inference is not here: its routes come from
// the task table, models/{id}[/pipeline/..]).
[[nodiscard]] std::span<const ProviderTask> provider_tasks();
// The row for this pair; nullptr when hfrun does not run that task on that provider.
[[nodiscard]] const ProviderTask* find_provider_task(std::string_view provider, tasks::TaskId task);

// How hfrun runs a row, as --list-providers and the docs matrix say it: "direct" (one request),
// "polled" (a queued job), or "own key" (not through the router with an HF token).
[[nodiscard]] std::string_view run_style(const ProviderTask& row);
// Whether the name is a provider hfrun knows (hf-inference included).
[[nodiscard]] bool is_known_provider(std::string_view name);
// "baseten, cerebras, ..." for error messages (hf-inference included).
[[nodiscard]] std::string provider_names();
// The tasks this provider runs, "conversational, text-generation" (for hints).
[[nodiscard]] std::string provider_task_names(std::string_view provider);

// The path below {router}/{provider} for this row and providerId: "{id}" replaced; replicate's
// "owner/model:version" posts to /v1/predictions.
[[nodiscard]] std::string provider_route(const ProviderTask& row, std::string_view provider_id);

// The chat-routing policies the router accepts as a model suffix (`model:fastest`).
[[nodiscard]] bool is_routing_policy(std::string_view suffix);

} // namespace hfrun::backends
