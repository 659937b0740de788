// The predicate table. Each predicate restates one `displayOnModelPage` of huggingface.js
// local-apps.ts @ fe42e680 (hub.md §2.1); JS truthiness is kept where it matters (a context_length
// of 0 or "" is false; `tags.includes` is an exact element match).
#include <array>
#include <hfrun/probe/commands.hpp>
#include <hfrun/probe/local_apps.hpp>
#include <hfrun/util/json.hpp>

namespace hfrun::probe {

using nlohmann::json;

namespace facts {
namespace {

using util::json_member;

// JavaScript's `!!value`.
bool truthy(const json* value) {
  if (value == nullptr || value->is_null()) {
    return false;
  }
  if (auto b = util::as_bool(*value)) {
    return *b;
  }
  if (auto number = util::as_number(*value)) {
    return *number != 0.0;
  }
  if (value->is_string()) {
    return !value->get_ref<const std::string&>().empty();
  }
  return true; // objects and arrays, even empty ones
}

bool pipeline_is(const json& model_info, std::string_view task) {
  return string_field(model_info, "pipeline_tag") == task;
}

bool is_text_generation_pipeline(const json& model_info) {
  return pipeline_is(model_info, "text-generation") ||
         pipeline_is(model_info, "image-text-to-text");
}

bool is_quantized_for_servers(const json& model_info) {
  return has_quant_method(model_info, "awq") || has_quant_method(model_info, "gptq") ||
         has_quant_method(model_info, "aqlm") || has_quant_method(model_info, "marlin");
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// gguf.chat_template ?? config.chat_template_jinja ?? config.tokenizer_config.chat_template
const json* chat_template(const json& model_info) {
  const json* gguf = json_member(model_info, "gguf");
  const json* config = json_member(model_info, "config");
  const json* tokenizer_config =
      config != nullptr ? json_member(*config, "tokenizer_config") : nullptr;
  for (const json* candidate :
       {gguf != nullptr ? json_member(*gguf, "chat_template") : nullptr,
        config != nullptr ? json_member(*config, "chat_template_jinja") : nullptr,
        tokenizer_config != nullptr ? json_member(*tokenizer_config, "chat_template") : nullptr}) {
    if (candidate != nullptr && !candidate->is_null()) {
      return candidate;
    }
  }
  return nullptr;
}

} // namespace

std::string string_field(const json& model_info, std::string_view key) {
  return util::string_or(model_info, key, "");
}

bool has_tag(const json& model_info, std::string_view tag) {
  const json* tags = json_member(model_info, "tags");
  if (tags == nullptr || !tags->is_array()) {
    return false;
  }
  for (const auto& t : *tags) {
    if (t.is_string() && t.get_ref<const std::string&>() == tag) {
      return true;
    }
  }
  return false;
}

bool has_quant_method(const json& model_info, std::string_view method) {
  const json* config = json_member(model_info, "config");
  const json* quant = config != nullptr ? json_member(*config, "quantization_config") : nullptr;
  return quant != nullptr && string_field(*quant, "quant_method") == method;
}

bool is_llamacpp_gguf(const json& model_info) {
  const json* gguf = json_member(model_info, "gguf");
  return gguf != nullptr && truthy(json_member(*gguf, "context_length"));
}

bool has_gguf_files(const json& model_info) {
  const json* gguf = json_member(model_info, "gguf");
  if ((gguf != nullptr && gguf->is_object()) || has_tag(model_info, "gguf")) {
    return true;
  }
  const json* siblings = json_member(model_info, "siblings");
  if (siblings != nullptr && siblings->is_array()) {
    for (const auto& sibling : *siblings) {
      if (ends_with(string_field(sibling, "rfilename"), ".gguf")) {
        return true;
      }
    }
  }
  return false;
}

bool is_vllm_model(const json& model_info) {
  return (is_quantized_for_servers(model_info) || is_llamacpp_gguf(model_info) ||
          has_tag(model_info, "transformers")) &&
         is_text_generation_pipeline(model_info);
}

bool is_tool_calling_agent_model(const json& model_info) {
  if (!(is_llamacpp_gguf(model_info) || has_tag(model_info, "mlx")) ||
      !has_tag(model_info, "conversational")) {
    return false;
  }
  const json* tmpl = chat_template(model_info);
  if (tmpl == nullptr) {
    return false;
  }
  if (tmpl->is_string()) { // String.prototype.includes: a substring
    return tmpl->get_ref<const std::string&>().find("tools") != std::string::npos;
  }
  if (tmpl->is_array()) { // Array.prototype.includes: an element equal to "tools"
    for (const auto& element : *tmpl) {
      if (element.is_string() && element.get_ref<const std::string&>() == "tools") {
        return true;
      }
    }
  }
  return false;
}

} // namespace facts

namespace {

using namespace facts;

bool gguf(const json& m) {
  return is_llamacpp_gguf(m);
}
bool gguf_or_mlx(const json& m) {
  return is_llamacpp_gguf(m) || has_tag(m, "mlx");
}
bool vllm(const json& m) {
  return is_vllm_model(m);
}
bool sglang(const json& m) {
  bool weights = has_quant_method(m, "awq") || has_quant_method(m, "gptq") ||
                 has_quant_method(m, "aqlm") || has_quant_method(m, "marlin") ||
                 has_tag(m, "transformers");
  std::string pipeline = string_field(m, "pipeline_tag");
  return weights && !is_llamacpp_gguf(m) &&
         (pipeline == "text-generation" || pipeline == "image-text-to-text");
}
bool mlx_lm(const json& m) {
  return string_field(m, "pipeline_tag") == "text-generation" && has_tag(m, "mlx");
}
bool tgi(const json& m) {
  return has_tag(m, "text-generation-inference");
}
bool diffusers_image(const json& m) {
  return string_field(m, "library_name") == "diffusers" &&
         (string_field(m, "pipeline_tag") == "text-to-image" || has_tag(m, "lora"));
}
bool jellybox(const json& m) {
  return is_llamacpp_gguf(m) || (diffusers_image(m) && has_tag(m, "safetensors"));
}
bool diffusionbee(const json& m) {
  return string_field(m, "library_name") == "diffusers" &&
         string_field(m, "pipeline_tag") == "text-to-image";
}
bool joyfusion(const json& m) {
  return has_tag(m, "coreml") && has_tag(m, "joyfusion") &&
         string_field(m, "pipeline_tag") == "text-to-image";
}
bool unsloth(const json& m) {
  return has_tag(m, "unsloth") || is_llamacpp_gguf(m);
}
bool docker_model_runner(const json& m) {
  return is_llamacpp_gguf(m) || is_vllm_model(m);
}
bool lemonade(const json& m) {
  return is_llamacpp_gguf(m) || has_tag(m, "ryzenai-hybrid") || has_tag(m, "ryzenai-npu");
}
bool agent(const json& m) {
  return is_tool_calling_agent_model(m);
}

// An empty snippet means the app has no command line: the site's menu opens it.
constexpr std::array k_apps = {
    LocalApp{"llama.cpp", "llama.cpp", gguf, "llama-server -hf {id}"},
    LocalApp{"node-llama-cpp", "node-llama-cpp", gguf, ""},
    LocalApp{"vllm", "vLLM", vllm, "vllm serve {id}"},
    LocalApp{"sglang", "SGLang", sglang, "python3 -m sglang.launch_server --model-path {id}"},
    LocalApp{"mlx-lm", "MLX LM", mlx_lm, "mlx_lm.generate --model {id} --prompt \"Hello\""},
    LocalApp{"tgi", "TGI", tgi,
             "docker run --gpus all -p 8080:80 ghcr.io/huggingface/text-generation-inference "
             "--model-id {id}"},
    LocalApp{"lmstudio", "LM Studio", gguf_or_mlx, "lmstudio://open_from_hf?model={id}"},
    LocalApp{"localai", "LocalAI", gguf, ""},
    LocalApp{"jan", "Jan", gguf, "jan://models/huggingface/{id}"},
    LocalApp{"backyard", "Backyard AI", gguf, "https://backyard.ai/hf/model/{id}"},
    LocalApp{"sanctum", "Sanctum", gguf, "sanctum://open_from_hf?model={id}"},
    LocalApp{"msty", "Msty", gguf, "msty://models/search/hf/{id}"},
    LocalApp{"ollama", "Ollama", gguf, "ollama run hf.co/{id}"},
    LocalApp{"recursechat", "RecurseChat", gguf,
             "recursechat://new-hf-gguf-model?hf-model-id={id}"},
    LocalApp{"atomic-chat", "Atomic Chat", gguf_or_mlx, ""},
    LocalApp{"jellybox", "Jellybox", jellybox, ""},
    LocalApp{"drawthings", "Draw Things", diffusers_image, ""},
    LocalApp{"diffusionbee", "DiffusionBee", diffusionbee,
             "https://diffusionbee.com/huggingface_import?model_id={id}"},
    LocalApp{"joyfusion", "JoyFusion", joyfusion,
             "https://joyfusion.app/import_from_hf?repo_id={id}"},
    LocalApp{"unsloth", "Unsloth Studio", unsloth, ""},
    LocalApp{"docker-model-runner", "Docker Model Runner", docker_model_runner,
             "docker model run hf.co/{id}"},
    LocalApp{"lemonade", "Lemonade", lemonade, ""},
    LocalApp{"pi", "Pi", agent, ""},
    LocalApp{"hermes-agent", "Hermes Agent", agent, ""},
    LocalApp{"openclaw", "OpenClaw", agent, ""},
};

} // namespace

std::span<const LocalApp> local_apps() {
  return k_apps;
}

std::string local_app_snippet(const LocalApp& app, std::string_view model) {
  std::string_view snippet = app.snippet;
  if (snippet.empty()) {
    return "Use this model → " + std::string(app.label);
  }
  // Links take the id as is; commands take it as one shell word.
  bool is_link = snippet.find("://") != std::string_view::npos;
  std::string id = is_link ? std::string(model) : shell_quote(model);
  std::string out;
  std::size_t pos = 0;
  while (true) {
    std::size_t at = snippet.find("{id}", pos);
    if (at == std::string_view::npos) {
      out.append(snippet.substr(pos));
      break;
    }
    out.append(snippet.substr(pos, at - pos));
    out += id;
    pos = at + 4;
  }
  return out;
}

} // namespace hfrun::probe
