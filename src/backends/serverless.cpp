// The serverless backend: Inference Providers through the router. plan() decides the task, the
// provider, its row of the provider table (providers.hpp) and the URL (one Hub request when the
// model must be looked up); encode() is the task codec's, or the row's own body
// (provider_body.cpp); execute() follows queued jobs to their end (provider_job_runner.cpp) and
// fetches results that providers hand out as URLs, without the token.
#include "provider_calls.hpp"
#include "provider_job_runner.hpp"
#include "providers.hpp"
#include "serverless_backend.hpp"

#include <hfrun/http/bodies.hpp>
#include <hfrun/hub/model_info.hpp>
#include <hfrun/util/json.hpp>
#include <random>

namespace hfrun::backends {

namespace {

struct ModelName {
  std::string id;
  std::string suffix; // after ':' (provider or routing policy), may be empty
};

ModelName split_model(const std::string& model) {
  const auto colon = model.rfind(':');
  if (colon == std::string::npos) {
    return {model, ""};
  }
  return {model.substr(0, colon), model.substr(colon + 1)};
}

// hf-inference serves a sentence-transformers model under either task (huggingface.js
// EQUIVALENT_SENTENCE_TRANSFORMERS_TASKS).
bool same_task(std::string_view a, std::string_view b) {
  auto st = [](std::string_view t) {
    return t == "feature-extraction" || t == "sentence-similarity";
  };
  return a == b || (st(a) && st(b));
}

std::string
warning_for_status(const std::string& provider, const std::string& id, const std::string& status) {
  if (status == "staging") {
    return "provider " + provider + " serves " + id +
           " in staging mode: meant for test purposes only (visible to the provider's members)";
  }
  if (status == "error") {
    return "the latest automated health check of " + id + " on " + provider +
           " did not complete successfully: the call might fail";
  }
  return {};
}

const hub::ProviderMapping* mapping_entry(const std::vector<hub::ProviderMapping>& mapping,
                                          std::string_view provider) {
  for (const auto& entry : mapping) {
    if (entry.provider == provider) {
      return &entry;
    }
  }
  return nullptr;
}

std::string supported_tasks(const std::vector<hub::ProviderMapping>& mapping) {
  std::string out;
  for (const auto& entry : mapping) {
    if (!entry.task.empty() && out.find(entry.task) == std::string::npos) {
      out += (out.empty() ? "" : ", ") + entry.task;
    }
  }
  return out;
}

// hf-inference's URL shapes (huggingface.js providers/hf-inference.ts): most tasks post to the
// model, embeddings and similarity to the task's pipeline, chat to the OpenAI route.
// Text-generation posts TGI's body to the model, as huggingface_hub does, and falls back to
// `/v1/completions` (huggingface.js's route) when the model has only the OpenAI routes.
std::string hf_inference_path(tasks::TaskId id) {
  using tasks::TaskId;
  switch (id) {
  case TaskId::feature_extraction:
  case TaskId::sentence_similarity:
    return "/pipeline/" + std::string(tasks::task(id).name);
  case TaskId::conversational:
    return "/v1/chat/completions";
  case TaskId::text_generation:
  case TaskId::text_ranking:
  case TaskId::text_classification:
  case TaskId::token_classification:
  case TaskId::question_answering:
  case TaskId::summarization:
  case TaskId::translation:
  case TaskId::fill_mask:
  case TaskId::zero_shot_classification:
  case TaskId::table_question_answering:
  case TaskId::text_to_image:
  case TaskId::image_to_image:
  case TaskId::image_classification:
  case TaskId::object_detection:
  case TaskId::image_segmentation:
  case TaskId::image_to_text:
  case TaskId::automatic_speech_recognition:
  case TaskId::audio_classification:
  case TaskId::audio_to_audio:
  case TaskId::text_to_speech:
  case TaskId::zero_shot_image_classification:
  case TaskId::visual_question_answering:
  case TaskId::document_question_answering:
  case TaskId::tabular_classification:
  case TaskId::tabular_regression:
  case TaskId::text_to_video:
  case TaskId::image_to_video:
    return "";
  }
  return "";
}

// A multipart boundary no upload contains by chance (RFC 2046 §5.1.1: up to 70 characters).
std::string multipart_boundary() {
  static constexpr std::string_view k_hex = "0123456789abcdef";
  std::random_device device;
  std::string out = "hfrun-";
  for (int i = 0; i < 32; ++i) {
    out += k_hex[device() % 16];
  }
  return out;
}

std::string
task_hint(const std::string& command, const std::string& id, const std::string& supported) {
  return supported == "conversational"
             ? "chat with it: hfrun " + command + " " + id + " --text \"Hello\""
             : "run it with --task " + supported;
}

// openai is reachable only with OpenAI's own key (huggingface_hub openai.py refuses an hf_ token),
// and hfrun calls every provider through the router with the Hugging Face token.
Error provider_key_only(std::string_view provider) {
  return make_error(ErrorKind::usage,
                    "provider " + std::string(provider) +
                        " is not reachable through the Hugging Face router: it takes only " +
                        std::string(provider) +
                        "'s own API key, and hfrun sends your Hugging Face token to the router",
                    "pick another provider with --provider (or let the router choose: --provider "
                    "auto); to use " +
                        std::string(provider) + " itself, call its API with its key");
}

class ServerlessBackend final : public Backend {
public:
  bool needs_lookup(const Call& call) const override;
  Result<Plan> plan(client::Client& client, const Call& call) override;
  Result<http::Request>
  encode(const Plan& plan, const tasks::Inputs& inputs, const EncodeContext& context) override;
  Result<Outcome> execute(client::Client& client,
                          const Plan& plan,
                          http::Request& request,
                          const ExecuteOptions& options) override;

private:
  // hf-inference text-generation: TGI's native body, falling back to OpenAI completions.
  [[nodiscard]] bool tgi_generation(const Plan& plan) const {
    return m_provider == "hf-inference" && plan.task->id == tasks::TaskId::text_generation;
  }

  std::string m_provider; // what plan() chose: a provider name, or "auto" (the router's choice)
  const ProviderTask* m_row = nullptr; // the provider table's row; null: hf-inference, the router
};

bool ServerlessBackend::needs_lookup(const Call& call) const {
  const auto [id, suffix] = split_model(call.target);
  if (!call.task) {
    return true;
  }
  const tasks::TaskSpec* spec = tasks::find_task(*call.task);
  if (spec == nullptr) {
    return false; // planning fails on the unknown task before any request
  }
  const std::string chosen = call.option("provider", "auto");
  if (spec->id == tasks::TaskId::conversational && chosen == "auto") {
    return false; // the router itself routes chat, a `:provider` suffix included
  }
  const std::string provider = chosen != "auto" ? chosen : suffix;
  return provider != "hf-inference";
}

Result<Plan> ServerlessBackend::plan(client::Client& client, const Call& call) {
  Plan plan;
  const auto [given_id, suffix] = split_model(call.target);
  std::string id = given_id;
  plan.target = id;
  HFRUN_TRY(hub::validate_repo_id(id));
  if (client.config().offline) {
    return fail(ErrorKind::usage,
                "hfrun " + call.command + " needs the network, and HF_HUB_OFFLINE is set",
                "unset HF_HUB_OFFLINE (or set it to 0) to call Inference Providers");
  }

  std::string provider = call.option("provider", "auto");
  const bool provider_given = provider != "auto";
  const bool policy_suffix = is_routing_policy(suffix);
  bool provider_from_suffix = false;
  if (!suffix.empty() && !policy_suffix) {
    if (suffix == "auto") {
      return fail(ErrorKind::usage, "':auto' is not a model suffix the router accepts",
                  "leave the suffix out: the router picks a provider by itself");
    }
    if (!is_known_provider(suffix)) {
      return fail(ErrorKind::usage, "unknown provider '" + suffix + "' in '" + call.target + "'",
                  "known providers: " + provider_names() +
                      "; policies: fastest, cheapest, preferred");
    }
    if (provider_given && provider != suffix) {
      return fail(ErrorKind::usage,
                  "the model names provider " + suffix + " but --provider says " + provider);
    }
    provider = suffix;
    provider_from_suffix = !provider_given;
  }
  if (provider != "auto" && !is_known_provider(provider)) {
    return fail(ErrorKind::usage, "unknown provider '" + provider + "'",
                "use auto or one of: " + provider_names());
  }
  if (const ProviderTask* chat = find_provider_task(provider, tasks::TaskId::conversational);
      chat != nullptr && chat->key == KeyRule::provider_key) {
    return unexpected(provider_key_only(provider));
  }

  HFRUN_TRY_ASSIGN(requested, requested_task(call));
  if (policy_suffix && requested != nullptr && requested->id != tasks::TaskId::conversational) {
    return fail(ErrorKind::usage, "':" + suffix + "' routing only applies to chat",
                "drop the suffix, or use --task conversational");
  }

  std::vector<hub::ProviderMapping> mapping;
  std::string pipeline_tag;
  if (needs_lookup(call)) {
    hub::ModelQuery query{id, "", {"pipeline_tag", "inferenceProviderMapping"}};
    HFRUN_TRY_ASSIGN(info, hub::fetch_model_info(client, query));
    mapping = hub::provider_mappings(info);
    pipeline_tag = util::string_or(info, "pipeline_tag", "");
    // A renamed repo: the Hub redirected the lookup; the inference goes to the current id.
    if (const std::string current = util::string_or(info, "id", ""); !current.empty()) {
      id = current;
      plan.target = id;
    }
  }

  // The task: --task wins; else the provider mapping's (of the chosen provider, else the first);
  // else the pipeline tag. A text-generation model mapped as conversational chats.
  if (requested == nullptr) {
    std::string task_name;
    if (const auto* entry = provider != "auto" ? mapping_entry(mapping, provider) : nullptr) {
      task_name = entry->task;
    } else if (provider == "auto" && !mapping.empty()) {
      task_name = mapping.front().task;
    }
    if (task_name.empty()) {
      task_name = pipeline_tag;
    }
    if (policy_suffix) {
      task_name = "conversational";
    }
    requested = tasks::find_task(task_name);
    // A sentence-transformers model serves both tasks; source_sentence=/sentences= ask for
    // similarity.
    if (requested != nullptr && same_task(task_name, "sentence-similarity")) {
      const tasks::TaskSpec& similarity = tasks::task(tasks::TaskId::sentence_similarity);
      for (const auto& key : call.param_keys) {
        for (std::string_view field : similarity.fields) {
          if (key == field) {
            requested = &similarity;
          }
        }
      }
    }
    if (requested == nullptr) {
      return fail(ErrorKind::usage,
                  task_name.empty() ? "cannot tell which task " + id + " performs"
                                    : id + "'s task '" + task_name + "' is not one hfrun can run",
                  "pass --task TASK (see `hfrun " + call.command + " --help`)");
    }
  }
  plan.task = requested;
  const std::string task_name(requested->name);
  const std::string& router = client.config().router_url;

  // Chat with no provider chosen, or chosen by a `:provider` suffix: the router routes it (server
  // side, no mapping needed), with the model exactly as given, as the official clients send it.
  if (requested->id == tasks::TaskId::conversational &&
      (provider == "auto" || provider_from_suffix)) {
    m_provider = "auto";
    plan.body_model = id + (suffix.empty() ? "" : ":" + suffix);
    plan.url = router + "/v1/chat/completions";
    plan.via = provider_from_suffix ? suffix + " (routed by the router)" : "the router's choice";
    return plan;
  }

  const hub::ProviderMapping* entry = nullptr;
  if (provider == "auto") {
    for (const auto& candidate : mapping) {
      // The first provider of the user's order that hfrun can run the task on.
      const bool runs = candidate.provider == "hf-inference" ||
                        find_provider_task(candidate.provider, requested->id) != nullptr;
      if (same_task(candidate.task, task_name) && runs) {
        entry = &candidate;
        break;
      }
    }
    if (entry == nullptr && !mapping.empty()) {
      const std::string supported = supported_tasks(mapping);
      return fail(ErrorKind::usage,
                  "model " + id + " is not served for task " + task_name +
                      " by any provider. Supported task: " + supported,
                  task_hint(call.command, id, supported));
    }
    provider = entry != nullptr ? entry->provider : "hf-inference";
  } else {
    entry = mapping_entry(mapping, provider);
    if (entry == nullptr && provider != "hf-inference" && !mapping.empty()) {
      std::string offered;
      for (const auto& e : mapping) {
        offered += (offered.empty() ? "" : ", ") + e.provider;
      }
      return fail(ErrorKind::usage, "model " + id + " is not served by provider " + provider,
                  "providers for it: " + offered);
    }
    if (entry == nullptr && provider != "hf-inference" && mapping.empty() && needs_lookup(call)) {
      return fail(ErrorKind::usage, "no provider serves model " + id,
                  "check `hfrun probe " + id + "`; try --provider hf-inference");
    }
    if (entry != nullptr && !same_task(entry->task, task_name)) {
      return fail(ErrorKind::usage,
                  "model " + id + " is not supported for task " + task_name + " and provider " +
                      provider + ". Supported task: " + entry->task,
                  task_hint(call.command, id, entry->task));
    }
  }
  m_provider = provider;
  plan.via = provider;
  plan.body_model = entry != nullptr && !entry->provider_id.empty() ? entry->provider_id : id;
  if (entry != nullptr) {
    if (auto w = warning_for_status(provider, id, entry->status); !w.empty()) {
      plan.warnings.push_back(std::move(w));
    }
  }
  if (provider == "hf-inference") {
    plan.body_model = id; // no translation on hf-inference
    plan.url = router + "/hf-inference/models/" + id + hf_inference_path(requested->id);
    if (requested->id == tasks::TaskId::text_generation) {
      plan.generation_body = tasks::GenerationBody::inputs;
    }
    return plan;
  }
  const ProviderTask* row = find_provider_task(provider, requested->id);
  if (row == nullptr) {
    const std::string runs = provider_task_names(provider);
    return fail(ErrorKind::usage,
                "hfrun does not know how to run " + task_name + " on provider " + provider,
                "provider " + provider + " runs: " + runs +
                    "; pick another provider with --provider (`hfrun " + call.command +
                    " --list-providers " + id + "` lists them)");
  }
  m_row = row;
  plan.openai_embeddings = row->body == BodyStyle::embeddings;
  plan.url = router + "/" + provider + provider_route(*row, plan.body_model);
  if (row->reply == ReplyStyle::fal_queue) {
    plan.url += "?_subdomain=queue"; // the router's way to fal-ai's queue (fal_ai.py)
  }
  return plan;
}

Result<http::Request> ServerlessBackend::encode(const Plan& plan,
                                                const tasks::Inputs& inputs,
                                                const EncodeContext& context) {
  if (tgi_generation(plan)) {
    // As huggingface_hub sends it: the finish reason comes in the details, and the answer is the
    // continuation alone (a transformers pipeline would repeat the prompt).
    tasks::Inputs tgi = with_tgi_details(inputs);
    if (tgi.params.is_object() && !tgi.params.contains("return_full_text")) {
      tgi.params["return_full_text"] = false;
    }
    return encode_with_codec(plan, tgi, context);
  }
  if (m_row == nullptr) {
    return encode_with_codec(plan, inputs, context);
  }
  switch (m_row->body) {
  case BodyStyle::chat:
  case BodyStyle::completions:
  case BodyStyle::embeddings: {
    HFRUN_TRY_ASSIGN(request, encode_with_codec(plan, inputs, context));
    for (const auto& [name, value] : provider_headers(*m_row)) {
      request.headers.set(name, value);
    }
    return request;
  }
  case BodyStyle::transcription:
  case BodyStyle::speech:
  case BodyStyle::fal_prompt:
  case BodyStyle::fal_text:
  case BodyStyle::fal_audio_url:
  case BodyStyle::fal_image_url:
  case BodyStyle::fal_video_image:
  case BodyStyle::fal_segmentation:
  case BodyStyle::replicate_prompt:
  case BodyStyle::replicate_text:
  case BodyStyle::replicate_audio:
  case BodyStyle::replicate_image:
  case BodyStyle::openai_image:
  case BodyStyle::together_image:
  case BodyStyle::together_image_edit:
  case BodyStyle::together_video:
  case BodyStyle::together_image_video:
  case BodyStyle::nscale_image:
  case BodyStyle::prompt_only:
  case BodyStyle::wavespeed_image:
  case BodyStyle::zai_image:
    break;
  }
  if (inputs.inputs) {
    return fail(ErrorKind::usage,
                "--inputs is hf-inference's body; provider " + std::string(m_row->provider) +
                    " takes --text/--file and key=value parameters",
                "or send the provider's own body with --data JSON");
  }
  HFRUN_TRY_ASSIGN(body, provider_body(*m_row, plan.body_model, inputs, multipart_boundary()));
  http::Request request;
  request.method = "POST";
  request.url = plan.url;
  request.headers.set("Content-Type", body.content_type);
  for (const auto& [name, value] : body.headers) {
    request.headers.set(name, value);
  }
  request.body = http::string_body(std::move(body.bytes));
  return request;
}

Result<Outcome> ServerlessBackend::execute(client::Client& client,
                                           const Plan& plan,
                                           http::Request& request,
                                           const ExecuteOptions& options) {
  if (tgi_generation(plan)) {
    return generate_or_complete(client, plan, request, options, plan.url + "/v1/completions");
  }
  if (m_row != nullptr &&
      (m_row->reply != ReplyStyle::direct || m_row->result != ResultShape::codec)) {
    return run_provider_job(client, plan, *m_row, request, options);
  }
  HFRUN_TRY_ASSIGN(outcome, send_and_decode(client, plan, request, options));
  if (outcome.kind == Outcome::Kind::files) {
    HFRUN_TRY(fetch_result_urls(client, outcome));
  }
  return outcome;
}

} // namespace

std::unique_ptr<Backend> make_serverless_backend() {
  return std::make_unique<ServerlessBackend>();
}

} // namespace hfrun::backends
