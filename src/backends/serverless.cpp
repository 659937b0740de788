#include <hfrun/backends/serverless.hpp>

#include <hfrun/backends/providers.hpp>
#include <hfrun/http/bodies.hpp>
#include <hfrun/hub/model_info.hpp>
#include <hfrun/tasks/chat.hpp>

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
  auto st = [](std::string_view t) { return t == "feature-extraction" || t == "sentence-similarity"; };
  return a == b || (st(a) && st(b));
}

std::string warning_for_status(const std::string& provider, const std::string& id, const std::string& status) {
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

const nlohmann::json* mapping_entry(const nlohmann::json& mapping, std::string_view provider) {
  for (const auto& entry : mapping) {
    if (entry.value("provider", "") == provider) {
      return &entry;
    }
  }
  return nullptr;
}

std::string supported_tasks(const nlohmann::json& mapping) {
  std::string out;
  for (const auto& entry : mapping) {
    const std::string task = entry.value("task", "");
    if (!task.empty() && out.find(task) == std::string::npos) {
      out += (out.empty() ? "" : ", ") + task;
    }
  }
  return out;
}

std::string hf_inference_url(const std::string& router, const std::string& id, const tasks::TaskSpec& spec) {
  const std::string base = router + "/hf-inference/models/" + id;
  switch (spec.route) {
  case tasks::Route::model: return base;
  case tasks::Route::pipeline: return base + "/pipeline/" + std::string(spec.name);
  case tasks::Route::chat: return base + "/v1/chat/completions";
  case tasks::Route::completions: return base + "/v1/completions";
  }
  return base;
}

Result<std::string> provider_url(const std::string& router, const ProviderInfo& provider,
                                 const tasks::TaskSpec& spec, const std::string& provider_id) {
  std::string_view route;
  if (spec.id == tasks::TaskId::conversational) {
    route = provider.chat;
  } else if (spec.id == tasks::TaskId::text_generation) {
    route = provider.completions;
  } else if (spec.id == tasks::TaskId::text_to_image) {
    route = provider.text_to_image;
  }
  if (route.empty()) {
    return fail(ErrorKind::usage,
                "hfrun does not know how to run " + std::string(spec.name) + " on provider " +
                    std::string(provider.name),
                "pick another provider with --provider (see `hfrun probe MODEL`)");
  }
  std::string path(route);
  if (const auto at = path.find("{id}"); at != std::string::npos) {
    path.replace(at, 4, provider_id);
  }
  return router + "/" + std::string(provider.name) + path;
}

} // namespace

bool plan_needs_lookup(const ServerlessCall& call) {
  const auto [id, suffix] = split_model(call.model);
  if (!call.task) {
    return true;
  }
  const tasks::TaskSpec* spec = tasks::find_task(*call.task);
  if (spec == nullptr) {
    return false; // planning fails on the unknown task before any request
  }
  if (spec->id == tasks::TaskId::conversational && call.provider == "auto") {
    return false; // the router itself routes chat, a `:provider` suffix included
  }
  const std::string provider = call.provider != "auto" ? call.provider : suffix;
  return provider != "hf-inference";
}

Result<ServerlessPlan> plan_serverless(client::Client& client, const ServerlessCall& call) {
  ServerlessPlan plan;
  const auto [id, suffix] = split_model(call.model);
  plan.hub_id = id;
  HFRUN_TRY(hub::validate_repo_id(id));

  std::string provider = call.provider;
  const bool policy_suffix = is_routing_policy(suffix);
  bool provider_from_suffix = false;
  if (!suffix.empty() && !policy_suffix) {
    if (suffix == "auto") {
      return fail(ErrorKind::usage, "':auto' is not a model suffix the router accepts",
                  "leave the suffix out: the router picks a provider by itself");
    }
    if (find_provider(suffix) == nullptr) {
      return fail(ErrorKind::usage, "unknown provider '" + suffix + "' in '" + call.model + "'",
                  "known providers: " + provider_names() + "; policies: fastest, cheapest, preferred");
    }
    if (provider != "auto" && provider != suffix) {
      return fail(ErrorKind::usage, "the model names provider " + suffix + " but --provider says " + provider);
    }
    provider = suffix;
    provider_from_suffix = call.provider == "auto";
  }
  if (provider != "auto" && find_provider(provider) == nullptr) {
    return fail(ErrorKind::usage, "unknown provider '" + provider + "'",
                "use auto or one of: " + provider_names());
  }

  const tasks::TaskSpec* requested = nullptr;
  if (call.task) {
    requested = tasks::find_task(*call.task);
    if (requested == nullptr) {
      std::string names;
      for (const auto& t : tasks::all_tasks()) {
        names += (names.empty() ? "" : ", ") + std::string(t.name);
      }
      return fail(ErrorKind::usage, "unknown task '" + *call.task + "'", "tasks: " + names);
    }
  }
  if (policy_suffix && requested != nullptr && requested->id != tasks::TaskId::conversational) {
    return fail(ErrorKind::usage, "':" + suffix + "' routing only applies to chat",
                "drop the suffix, or use --task conversational");
  }

  nlohmann::json info = nlohmann::json::object();
  if (plan_needs_lookup(call)) {
    hub::ModelQuery query{id, "", {"pipeline_tag", "inferenceProviderMapping"}};
    HFRUN_TRY_ASSIGN(fetched, hub::fetch_model_info(client, query));
    info = std::move(fetched);
    plan.mapping = hub::provider_mapping_list(info);
  }
  const std::string pipeline_tag = info.value("pipeline_tag", "");

  // The task: --task wins; else the provider mapping's (of the chosen provider, else the first);
  // else the pipeline tag. A text-generation model mapped as conversational chats.
  if (requested == nullptr) {
    std::string task_name;
    if (const auto* entry = provider != "auto" ? mapping_entry(plan.mapping, provider) : nullptr) {
      task_name = entry->value("task", "");
    } else if (provider == "auto" && !plan.mapping.empty()) {
      task_name = plan.mapping.front().value("task", "");
    }
    if (task_name.empty()) {
      task_name = pipeline_tag;
    }
    if (policy_suffix) {
      task_name = "conversational";
    }
    requested = tasks::find_task(task_name);
    // A sentence-transformers model serves both tasks; source_sentence=/sentences= ask for similarity.
    if (requested != nullptr && same_task(task_name, "sentence-similarity")) {
      const tasks::TaskSpec* similarity = tasks::find_task("sentence-similarity");
      for (const auto& key : call.param_keys) {
        for (std::string_view field : similarity->fields) {
          if (key == field) {
            requested = similarity;
          }
        }
      }
    }
    if (requested == nullptr) {
      return fail(ErrorKind::usage,
                  task_name.empty() ? "cannot tell which task " + id + " performs"
                                    : id + "'s task '" + task_name + "' is not one hfrun can run",
                  "pass --task TASK (see `hfrun serverless --help`)");
    }
  }
  plan.task = requested;
  const std::string task_name(requested->name);

  // Chat with no provider chosen, or chosen by a `:provider` suffix: the router routes it (server
  // side, no mapping needed), with the model exactly as given, as the official clients send it.
  if (requested->id == tasks::TaskId::conversational && (provider == "auto" || provider_from_suffix)) {
    plan.provider = "auto";
    plan.body_model = call.model;
    plan.url = client.config().router_url + "/v1/chat/completions";
    return plan;
  }

  const nlohmann::json* entry = nullptr;
  if (provider == "auto") {
    for (const auto& candidate : plan.mapping) {
      if (same_task(candidate.value("task", ""), task_name) && find_provider(candidate.value("provider", "")) != nullptr) {
        entry = &candidate;
        break;
      }
    }
    if (entry == nullptr && !plan.mapping.empty()) {
      const std::string supported = supported_tasks(plan.mapping);
      return fail(ErrorKind::usage,
                  "model " + id + " is not served for task " + task_name + " by any provider. Supported task: " + supported,
                  supported == "conversational" ? "chat with it: hfrun serverless " + id + " --text \"Hello\""
                                                : "run it with --task " + supported);
    }
    provider = entry != nullptr ? entry->value("provider", "") : "hf-inference";
  } else {
    entry = mapping_entry(plan.mapping, provider);
    if (entry == nullptr && provider != "hf-inference" && !plan.mapping.empty()) {
      std::string offered;
      for (const auto& e : plan.mapping) {
        offered += (offered.empty() ? "" : ", ") + e.value("provider", "");
      }
      return fail(ErrorKind::usage, "model " + id + " is not served by provider " + provider,
                  "providers for it: " + offered);
    }
    if (entry == nullptr && provider != "hf-inference" && plan.mapping.empty() && plan_needs_lookup(call)) {
      return fail(ErrorKind::usage, "no provider serves model " + id,
                  "check `hfrun probe " + id + "`; try --provider hf-inference");
    }
    if (entry != nullptr && !same_task(entry->value("task", ""), task_name)) {
      const std::string supported = entry->value("task", "");
      return fail(ErrorKind::usage,
                  "model " + id + " is not supported for task " + task_name + " and provider " + provider +
                      ". Supported task: " + supported,
                  supported == "conversational" ? "chat with it: hfrun serverless " + id + " --text \"Hello\""
                                                : "run it with --task " + supported);
    }
  }
  plan.provider = provider;
  plan.body_model = entry != nullptr ? entry->value("providerId", id) : id;
  if (entry != nullptr) {
    if (auto w = warning_for_status(provider, id, entry->value("status", "live")); !w.empty()) {
      plan.warnings.push_back(std::move(w));
    }
  }
  if (provider == "hf-inference") {
    plan.body_model = id; // no translation on hf-inference
    plan.url = hf_inference_url(client.config().router_url, id, *requested);
    return plan;
  }
  HFRUN_TRY_ASSIGN(url, provider_url(client.config().router_url, *find_provider(provider), *requested, plan.body_model));
  plan.url = std::move(url);
  return plan;
}

Result<std::shared_ptr<http::BodySource>> body_source(const tasks::EncodedBody& body) {
  switch (body.kind) {
  case tasks::BodyKind::json: return http::string_body(body.json);
  case tasks::BodyKind::raw_file: return http::file_body(body.file);
  case tasks::BodyKind::base64_json: return http::base64_json_body(body.prefix, body.file, body.suffix);
  }
  return fail(ErrorKind::internal, "unknown body kind");
}

namespace {

// Text-to-image on third-party providers: their own JSON bodies (huggingface.js providers/*.ts).
Result<nlohmann::json> provider_image_body(const ServerlessPlan& plan, const tasks::Inputs& inputs) {
  if (!inputs.text || inputs.text->empty()) {
    return fail(ErrorKind::usage, "text-to-image needs a prompt: --text \"...\"");
  }
  nlohmann::json params = inputs.params;
  if (plan.provider == "fal-ai") {
    nlohmann::json body = params;
    body["prompt"] = *inputs.text;
    body["sync_mode"] = true;
    return body;
  }
  if (plan.provider == "replicate") {
    nlohmann::json input = params;
    input["prompt"] = *inputs.text;
    return nlohmann::json{{"input", input}};
  }
  nlohmann::json body = params;
  body["prompt"] = *inputs.text;
  if (plan.provider == "together" || plan.provider == "nscale") {
    body["model"] = plan.body_model;
    body["response_format"] = "b64_json";
  }
  return body;
}

} // namespace

Result<http::Request> encode_serverless(const ServerlessPlan& plan, const tasks::Inputs& inputs,
                                        std::optional<bool> stream) {
  http::Request request;
  request.method = "POST";
  request.url = plan.url;
  const tasks::TaskSpec& spec = *plan.task;

  if (spec.id == tasks::TaskId::text_to_image && plan.provider != "hf-inference") {
    HFRUN_TRY_ASSIGN(body, provider_image_body(plan, inputs));
    request.headers.set("Content-Type", "application/json");
    if (plan.provider == "replicate") {
      request.headers.set("Prefer", "wait");
    }
    request.body = http::string_body(body.dump());
    return request;
  }

  tasks::EncodeOptions options;
  options.model = plan.body_model;
  options.stream = stream;
  HFRUN_TRY_ASSIGN(encoded, tasks::encode(spec, inputs, options));
  if (!encoded.content_type.empty()) {
    request.headers.set("Content-Type", encoded.content_type);
  }
  if (!encoded.accept.empty()) {
    request.headers.set("Accept", encoded.accept);
  }
  HFRUN_TRY_ASSIGN(source, body_source(encoded));
  request.body = std::move(source);
  return request;
}

} // namespace hfrun::backends
