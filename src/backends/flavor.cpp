#include "flavor.hpp"

#include <array>
#include <chrono>
#include <hfrun/client/errors.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::backends {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct FlavorName {
  Flavor flavor;
  std::string_view name;
};

constexpr std::array k_flavors{
    FlavorName{Flavor::tgi, "tgi"},
    FlavorName{Flavor::tei, "tei"},
    FlavorName{Flavor::vllm, "vllm"},
    FlavorName{Flavor::sglang, "sglang"},
    FlavorName{Flavor::llamacpp, "llamacpp"},
    FlavorName{Flavor::ollama, "ollama"},
    FlavorName{Flavor::transformers_serve, "transformers-serve"},
    FlavorName{Flavor::toolkit, "toolkit"},
    FlavorName{Flavor::openai, "openai"},
};

json json_of(const ProbeAnswer& answer) {
  if (answer.status < 200 || answer.status >= 300) {
    return json();
  }
  return util::parse_untrusted(answer.body);
}

// TEI's model_type is {"embedding": {...}}, {"classifier": {...}} or {"reranker": {...}}.
std::string tei_task(const json& model_type) {
  if (util::json_member(model_type, "classifier") != nullptr) {
    return "text-classification";
  }
  if (util::json_member(model_type, "embedding") != nullptr) {
    return "feature-extraction";
  }
  if (util::json_member(model_type, "reranker") != nullptr) {
    return "text-ranking";
  }
  return "";
}

std::optional<FlavorInfo> from_info(const ProbeAnswer& answer) {
  const json info = json_of(answer);
  if (!info.is_object()) {
    return std::nullopt;
  }
  if (util::string_or(info, "router", "") == "text-generation-router") {
    FlavorInfo f{Flavor::tgi, "GET /info: router text-generation-router",
                 util::string_or(info, "model_pipeline_tag", ""),
                 util::string_or(info, "model_id", "")};
    return f;
  }
  const json* model_type = util::json_object(info, "model_type");
  if (model_type != nullptr && util::json_member(info, "max_input_length") != nullptr) {
    return FlavorInfo{Flavor::tei, "GET /info: model_type and max_input_length (TEI)",
                      tei_task(*model_type), util::string_or(info, "model_id", "")};
  }
  return std::nullopt;
}

std::optional<FlavorInfo> from_props(const ProbeAnswer& answer) {
  const json props = json_of(answer);
  if (util::json_member(props, "default_generation_settings") != nullptr ||
      util::json_member(props, "build_info") != nullptr) {
    std::string model = util::string_or(props, "model_alias", "");
    if (model.empty()) {
      model = util::string_or(props, "model_path", "");
    }
    return FlavorInfo{Flavor::llamacpp, "GET /props: llama.cpp's default_generation_settings", "",
                      model};
  }
  return std::nullopt;
}

std::optional<FlavorInfo> from_models(const ProbeAnswer& answer) {
  const json models = json_of(answer);
  const json* data = util::json_array(models, "data");
  if (data == nullptr) {
    return std::nullopt;
  }
  const json first = data->empty() ? json::object() : (*data)[0];
  const std::string id = util::string_or(first, "id", "");
  const std::string owner = util::string_or(first, "owned_by", "");
  const std::string why = "GET /v1/models: owned_by " + (owner.empty() ? "(none)" : owner);
  if (owner == "vllm") {
    return FlavorInfo{Flavor::vllm, why, "", id};
  }
  if (owner == "sglang") {
    return FlavorInfo{Flavor::sglang, why, "", id};
  }
  if (owner == "llamacpp") {
    return FlavorInfo{Flavor::llamacpp, why, "", id};
  }
  if (!id.empty() && owner == id) {
    return FlavorInfo{Flavor::tgi, why + " (the model id: TGI)", "", id};
  }
  return FlavorInfo{Flavor::openai, why + " (an OpenAI-compatible server)", "", id};
}

bool is_ollama(const ProbeAnswer& answer) {
  return answer.status == 200 && (util::json_member(json_of(answer), "version") != nullptr ||
                                  answer.body.find("Ollama is running") != std::string::npos);
}

} // namespace

std::optional<Flavor> parse_flavor(std::string_view name) {
  for (const auto& f : k_flavors) {
    if (f.name == name) {
      return f.flavor;
    }
  }
  return std::nullopt;
}

std::string_view flavor_name(Flavor flavor) {
  for (const auto& f : k_flavors) {
    if (f.flavor == flavor) {
      return f.name;
    }
  }
  return "toolkit";
}

std::string flavor_names() {
  std::string out;
  for (const auto& f : k_flavors) {
    out += (out.empty() ? "" : ", ") + std::string(f.name);
  }
  return out;
}

FlavorInfo classify(const ProbeAnswers& a) {
  if (auto f = from_info(a.info)) {
    return *f;
  }
  if (auto f = from_props(a.props)) {
    return *f;
  }
  if (is_ollama(a.ollama)) {
    FlavorInfo f{Flavor::ollama, "GET /api/version: Ollama", "", ""};
    if (auto listed = from_models(a.models)) {
      f.model = listed->model;
    }
    return f;
  }
  const json health = json_of(a.health);
  if (auto f = from_models(a.models)) {
    if (f->flavor == Flavor::openai && util::string_or(health, "status", "") == "ok") {
      f->flavor = Flavor::transformers_serve;
      f->why += "; GET /health: {\"status\": \"ok\"} (transformers serve)";
    }
    return *f;
  }
  FlavorInfo f;
  f.flavor = Flavor::toolkit;
  f.why = a.health.status == 200 ? "GET /health answered and nothing else did: the Inference "
                                   "Toolkit or a custom handler"
                                 : "no discovery route answered: assuming the Inference Toolkit "
                                   "or a custom handler (POST / with {\"inputs\": ...})";
  return f;
}

namespace {

bool not_ready(const Result<http::Response>& sent) {
  if (!sent) {
    return sent.error().kind == ErrorKind::network &&
           sent.error().transport == TransportFailure::connect;
  }
  return sent->status == 502 || sent->status == 503 || sent->status == 504;
}

http::Request probe_request(const std::string& base, std::string_view path) {
  http::Request request;
  request.url = base + std::string(path);
  request.retryable = false; // a route a server lacks answers 404 at once; no point waiting
  request.timeouts = http::Timeouts{10s, 15s, 0ms};
  return request;
}

// The first probe, again while the server is not up yet.
Result<http::Response> first_probe(client::Client& client,
                                   const std::string& base,
                                   std::chrono::milliseconds wait_timeout) {
  util::PollSchedule schedule(client.sleeper(), wait_timeout);
  while (true) {
    auto request = probe_request(base, "/info");
    if (wait_timeout >= 1s) {
      // An Inference Endpoint scaled to zero holds this first request until a replica is up
      // (docs/endpoint.md, "Readiness, cold start and state"), so the probe may take that long.
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait_timeout);
      request.headers.set("X-Scale-Up-Timeout", std::to_string(seconds.count()));
      request.timeouts = http::Timeouts{10s, wait_timeout + 15s, 0ms};
    }
    auto sent = client.send(request);
    if (!not_ready(sent) || schedule.expired()) {
      return sent;
    }
    const std::string state = sent ? "HTTP " + std::to_string(sent->status) : "connection refused";
    client.note("waiting for " + base + " to come up (" + state + ", " +
                std::to_string(schedule.waited().count() / 1000) + " s of " +
                std::to_string(wait_timeout.count() / 1000) + " s; --wait-timeout)");
    schedule.wait();
  }
}

} // namespace

Result<FlavorInfo> detect_flavor(client::Client& client,
                                 const std::string& base,
                                 std::chrono::milliseconds wait_timeout) {
  ProbeAnswers answers;
  const auto probe = [&](const char* path, ProbeAnswer& out) -> Result<void> {
    Result<http::Response> sent = fail(ErrorKind::internal, "not sent");
    if (std::string_view(path) == "/info") {
      sent = first_probe(client, base, wait_timeout);
    } else {
      auto request = probe_request(base, path);
      sent = client.send(request);
    }
    if (!sent) {
      if (sent.error().kind == ErrorKind::stopped) {
        return unexpected<Error>(sent.error()); // --dry-run
      }
      if (sent.error().kind == ErrorKind::network) {
        return unexpected<Error>(sent.error()); // connection refused: nobody is there
      }
      out.status = 0;
      return {};
    }
    if (sent->status == 401 || sent->status == 403) {
      Error e = client::error_from_response(*sent, "the endpoint " + base);
      e.kind = ErrorKind::auth;
      return unexpected<Error>(std::move(e));
    }
    out.status = sent->status;
    out.content_type = sent->headers.get("Content-Type").value_or("");
    out.body = std::move(sent->body);
    return {};
  };
  HFRUN_TRY(probe("/info", answers.info));
  if (from_info(answers.info)) {
    return classify(answers);
  }
  HFRUN_TRY(probe("/props", answers.props));
  if (from_props(answers.props)) {
    return classify(answers);
  }
  HFRUN_TRY(probe("/api/version", answers.ollama));
  HFRUN_TRY(probe("/v1/models", answers.models));
  if (!is_ollama(answers.ollama) && from_models(answers.models)) {
    HFRUN_TRY(probe("/health", answers.health));
    return classify(answers);
  }
  if (!is_ollama(answers.ollama)) {
    HFRUN_TRY(probe("/health", answers.health));
  }
  return classify(answers);
}

} // namespace hfrun::backends
