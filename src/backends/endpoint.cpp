// The endpoint backend: a dedicated Inference Endpoint or any self-hosted server, by URL. plan()
// finds the server's flavour (--flavor, else the probes of flavor.cpp) and the route of the task
// on that flavour; encode() and execute() are the shared task codec's: the servers' bodies and
// answers are the hf-inference and OpenAI shapes the codec already speaks (docs/endpoint.md).
#include "endpoint_backend.hpp"
#include "flavor.hpp"

#include <cstdlib>
#include <hfrun/http/bodies.hpp>
#include <hfrun/http/url.hpp>
#include <hfrun/hub/endpoints.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::backends {

namespace {

using tasks::TaskId;

bool openai_flavor(Flavor f) {
  switch (f) {
  case Flavor::tgi:
  case Flavor::vllm:
  case Flavor::sglang:
  case Flavor::llamacpp:
  case Flavor::ollama:
  case Flavor::transformers_serve:
  case Flavor::openai:
    return true;
  case Flavor::tei:
  case Flavor::toolkit:
    return false;
  }
  return false;
}

// The path of a task on a flavour, or nullopt when that server does not run it.
std::optional<std::string> route(Flavor flavor, TaskId task) {
  if (flavor == Flavor::toolkit) {
    return std::string(); // POST / for every task: the toolkit's pipeline decides
  }
  if (flavor == Flavor::tei) {
    if (task == TaskId::feature_extraction) {
      return std::string("/embed");
    }
    if (task == TaskId::text_classification) {
      return std::string("/predict");
    }
    if (task == TaskId::text_ranking) {
      return std::string("/rerank");
    }
    return std::nullopt;
  }
  if (flavor == Flavor::ollama) {
    // Its own routes (NDJSON streams); it serves the OpenAI ones too, with the same answers.
    if (task == TaskId::conversational) {
      return std::string("/api/chat");
    }
    if (task == TaskId::text_generation) {
      return std::string("/api/generate");
    }
    if (task == TaskId::feature_extraction) {
      return std::string("/api/embed");
    }
    return std::nullopt;
  }
  if (flavor == Flavor::tgi && task == TaskId::text_generation) {
    return std::string("/generate"); // its own route, with details; /generate_stream streams
  }
  if (openai_flavor(flavor)) {
    if (task == TaskId::conversational) {
      return std::string("/v1/chat/completions");
    }
    if (task == TaskId::text_generation) {
      return std::string("/v1/completions");
    }
    if (task == TaskId::feature_extraction && flavor != Flavor::tgi) {
      return std::string("/v1/embeddings");
    }
  }
  return std::nullopt;
}

// What the server itself says it does, as a task of the codec.
const tasks::TaskSpec* server_task(const FlavorInfo& info) {
  if (info.flavor == Flavor::tei) {
    return tasks::find_task(info.task.empty() ? "feature-extraction" : info.task);
  }
  if (openai_flavor(info.flavor)) {
    // Chat is what these servers are run for; text-generation is --task text-generation.
    return tasks::find_task("conversational");
  }
  return nullptr;
}

// A named endpoint's flavour and task, from its image and model (docs/endpoint.md, "Flavours and
// how they are found"): no data-plane probe needed. Older endpoints show TGI as a custom image; its
// URL says which.
FlavorInfo flavor_of_endpoint(const hub::InferenceEndpoint& e) {
  FlavorInfo f;
  f.task = e.task;
  f.model = e.repository;
  const auto image_says = [&](std::string_view needle) {
    return e.image_url.find(needle) != std::string::npos;
  };
  if (e.image == "tgi" || e.image == "tgiNeuron" ||
      (e.image == "custom" && image_says("text-generation-inference"))) {
    f.flavor = Flavor::tgi;
  } else if (e.image == "tei" || (e.image == "custom" && image_says("text-embeddings-inference"))) {
    f.flavor = Flavor::tei;
  } else if (e.image == "vLLM" || e.image == "vLLMNeuron" ||
             (e.image == "custom" && image_says("vllm"))) {
    f.flavor = Flavor::vllm;
  } else if (e.image == "sGLang" || (e.image == "custom" && image_says("sglang"))) {
    f.flavor = Flavor::sglang;
  } else if (e.image == "llamacpp" || (e.image == "custom" && image_says("llama.cpp"))) {
    f.flavor = Flavor::llamacpp;
  } else if (e.image == "hfServe") {
    f.flavor = Flavor::transformers_serve;
  } else {
    f.flavor = Flavor::toolkit; // huggingface (the toolkit), huggingfaceNeuron, other custom
  }
  f.why = "the endpoint's image " + (e.image.empty() ? std::string("(none)") : e.image) +
          (e.image_url.empty() ? std::string() : " " + e.image_url);
  if (f.flavor == Flavor::tei && f.task.empty()) {
    f.task = "feature-extraction";
  }
  return f;
}

// The endpoint NAME names, once it can take a request: paused and failed end here (exit 7),
// pending and initializing are waited for (--wait-timeout), scaled to zero is woken by the call.
Result<hub::InferenceEndpoint> resolve_endpoint(client::Client& client,
                                                const std::string& target,
                                                std::chrono::milliseconds wait_timeout) {
  const auto ref = hub::parse_endpoint_ref(target);
  if (!ref) {
    return fail(ErrorKind::usage,
                "'" + target + "' is neither a URL nor an endpoint name (NAME or NAMESPACE/NAME)",
                "pass the endpoint's URL (http://... or https://...), or its name as `hfrun "
                "endpoint list` shows it");
  }
  hub::EndpointsApi api(client);
  HFRUN_TRY_ASSIGN(ns, api.resolve_namespace(ref->namespace_name));
  HFRUN_TRY_ASSIGN(endpoint, api.get(ns, ref->name));
  HFRUN_TRY_ASSIGN(ready, hub::wait_for_endpoint(client, std::move(endpoint), wait_timeout));
  if (hub::endpoint_action(ready) == hub::EndpointAction::wake) {
    HFRUN_TRY(hub::wake_endpoint(client, ready, wait_timeout));
  }
  return ready;
}

class EndpointBackend final : public Backend {
public:
  // --input-key NAME: a custom handler's own body, {"NAME": <the text, or the file as base64>,
  // ...parameters at the top level}, the file streamed (the seed's {"image": "<base64>"}).
  Result<http::Request>
  encode(const Plan& plan, const tasks::Inputs& inputs, const EncodeContext& context) override {
    if (const auto model = util::json_string(inputs.params, "model");
        model && !plan.body_model.empty() && m_input_key.empty()) {
      // model=NAME names the served model (an Ollama tag, a vLLM --served-model-name) when the
      // probe did not learn it, as with --flavor and --task.
      Plan named = plan;
      named.body_model = *model;
      tasks::Inputs rest = inputs;
      rest.params.erase("model");
      return encode(named, rest, context);
    }
    if (m_input_key.empty()) {
      if (m_flavor == Flavor::tgi && plan.task->id == TaskId::text_generation) {
        // finish_reason and token counts come in TGI's details, which it sends when asked.
        Plan routed = plan;
        if (context.stream.value_or(false)) {
          routed.url = m_base + "/generate_stream";
        }
        return encode_with_codec(routed, with_tgi_details(inputs), context);
      }
      return encode_with_codec(plan, inputs, context);
    }
    nlohmann::json rest = inputs.params.is_object() ? inputs.params : nlohmann::json::object();
    if (rest.contains(m_input_key)) {
      return fail(ErrorKind::usage, "parameter " + m_input_key + " is also the --input-key",
                  "drop one of them");
    }
    http::Request request;
    request.method = "POST";
    request.url = plan.url;
    request.headers.set("Content-Type", "application/json");
    const std::string key = nlohmann::json(m_input_key).dump();
    if (inputs.file) {
      const std::string suffix = rest.empty() ? "\"}" : "\"," + rest.dump().substr(1);
      HFRUN_TRY_ASSIGN(body, http::base64_json_body("{" + key + ":\"", *inputs.file, suffix));
      request.body = body;
      return request;
    }
    if (!inputs.text && !inputs.inputs) {
      return fail(ErrorKind::usage, "--input-key " + m_input_key + " needs an input",
                  "give --text TEXT, --file PATH or --inputs JSON");
    }
    rest[m_input_key] = inputs.inputs ? *inputs.inputs : nlohmann::json(*inputs.text);
    request.body = http::string_body(rest.dump());
    return request;
  }

  bool needs_lookup(const Call& call) const override {
    return !http::parse_url(call.target) || call.option("flavor").empty() ||
           (!call.task && call.option("flavor") != "toolkit");
  }

  Result<Plan> plan(client::Client& client, const Call& call) override {
    const double wait_s = std::strtod(call.option("wait_timeout", "600").c_str(), nullptr);
    const auto wait_timeout = std::chrono::milliseconds(static_cast<long long>(wait_s * 1000));
    std::string base;
    FlavorInfo from_control_plane;
    if (http::parse_url(call.target)) {
      base = util::without_trailing_slash(call.target);
    } else {
      // An endpoint NAME: its URL, flavour and task come from the management API.
      HFRUN_TRY_ASSIGN(endpoint, resolve_endpoint(client, call.target, wait_timeout));
      base = util::without_trailing_slash(endpoint.url);
      from_control_plane = flavor_of_endpoint(endpoint);
    }
    // The token goes to the URL the user named (product.md), also over plain http.
    client.trust_origin(base);

    HFRUN_TRY_ASSIGN(requested, requested_task(call));
    FlavorInfo info = from_control_plane;
    const bool known = !from_control_plane.why.empty();
    const std::string forced = call.option("flavor");
    if (!forced.empty()) {
      const auto flavor = parse_flavor(forced);
      if (!flavor) {
        return fail(ErrorKind::usage, "unknown --flavor " + forced,
                    "use one of: " + flavor_names());
      }
      info.flavor = *flavor;
      info.why = "--flavor " + forced;
    }
    if (!known && (forced.empty() || (requested == nullptr && info.flavor != Flavor::toolkit))) {
      const std::string why = info.why;
      HFRUN_TRY_ASSIGN(found, detect_flavor(client, base, wait_timeout));
      if (forced.empty()) {
        info = std::move(found);
      } else {
        info.task = found.task;
        info.model = found.model;
        info.why = why;
      }
    }
    // The endpoint's own task decides on the toolkit and TEI; the OpenAI-speaking servers chat
    // unless --task says otherwise, as when found by probing.
    if (requested == nullptr && known && !info.task.empty() && !openai_flavor(info.flavor)) {
      requested = tasks::find_task(info.task);
    }
    if (requested == nullptr) {
      requested = server_task(info);
    }
    if (requested == nullptr) {
      return fail(ErrorKind::usage,
                  "which task does this " + std::string(flavor_name(info.flavor)) +
                      " endpoint run? it does not say",
                  "pass --task TASK, e.g. --task image-classification (`hfrun " + call.command +
                      " --help`)");
    }
    const auto path = route(info.flavor, requested->id);
    if (!path) {
      return fail(ErrorKind::usage,
                  std::string(flavor_name(info.flavor)) + " servers do not run " +
                      std::string(requested->name),
                  "pick the task the server runs with --task, or force its flavour with --flavor");
    }
    Plan plan;
    plan.task = requested;
    plan.target = base;
    plan.url = base + *path;
    m_flavor = info.flavor;
    m_base = base;
    if (info.flavor == Flavor::tgi || info.flavor == Flavor::toolkit) {
      plan.generation_body = tasks::GenerationBody::inputs;
    }
    plan.openai_embeddings = openai_flavor(info.flavor);
    plan.ollama = info.flavor == Flavor::ollama;
    if (openai_flavor(info.flavor)) {
      // OpenAI bodies name a model; TGI ignores it, llama.cpp takes any, vLLM and Ollama want
      // the served one.
      plan.body_model = info.model.empty() ? std::string(flavor_name(info.flavor)) : info.model;
    }
    plan.via = std::string(flavor_name(info.flavor)) + " (" + info.why + ")";
    m_input_key = call.option("input_key");
    if (!m_input_key.empty() && info.flavor != Flavor::toolkit) {
      return fail(ErrorKind::usage, "--input-key is for custom handlers (--flavor toolkit), not " +
                                        std::string(flavor_name(info.flavor)) + " servers");
    }
    return plan;
  }

  Result<Outcome> execute(client::Client& client,
                          const Plan& plan,
                          http::Request& request,
                          const ExecuteOptions& options) override {
    if (m_flavor == Flavor::toolkit && options.stream) {
      // The toolkit answers one JSON document, never a stream.
      ExecuteOptions whole = options;
      whole.stream = false;
      return send_and_decode(client, plan, request, whole);
    }
    if (m_flavor == Flavor::tgi && plan.task->id == TaskId::text_generation &&
        m_input_key.empty()) {
      // A server forced to --flavor tgi that has only the OpenAI routes still answers.
      return generate_or_complete(client, plan, request, options, m_base + "/v1/completions");
    }
    return send_and_decode(client, plan, request, options);
  }

private:
  Flavor m_flavor = Flavor::toolkit;
  std::string m_base;
  std::string m_input_key;
};

} // namespace

std::unique_ptr<Backend> make_endpoint_backend() {
  return std::make_unique<EndpointBackend>();
}

} // namespace hfrun::backends
