// hfrun serverless MODEL [INPUT] [PARAMS]: Inference Providers through the router. Everything but
// --provider, --list-providers and the hidden --provider-matrix is the generic run-model
// command's.
#include "run_model.hpp"

#include <fmt/format.h>
#include <hfrun/backends/providers.hpp>

namespace hfrun::cli {

namespace {

Result<void> print_providers(CommandEnv& env, const std::string& model) {
  if (model.empty()) {
    return fail(ErrorKind::usage, "--list-providers needs a model",
                "hfrun serverless --list-providers org/name");
  }
  HFRUN_TRY_ASSIGN(entries, backends::list_providers(env.client, model));
  if (env.global.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : entries) {
      out.push_back({{"provider", e.provider},
                     {"task", e.task},
                     {"providerId", e.provider_id},
                     {"status", e.status},
                     {"supported", e.supported},
                     {"how", e.how}});
    }
    return env.out.result_json(nlohmann::json{{"model", model}, {"providers", out}});
  }
  if (entries.empty()) {
    return env.out.result_text("no Inference Provider maps " + model +
                               " (hf-inference may still serve it: --provider hf-inference)");
  }
  std::string text = fmt::format("{:<16} {:<30} {:<8} {}\n", "provider", "task", "status", "hfrun");
  for (const auto& e : entries) {
    text += fmt::format("{:<16} {:<30} {:<8} {}\n", e.provider, e.task, e.status,
                        e.supported ? "yes (" + e.how + ")" : "no (" + e.how + ")");
  }
  text.pop_back();
  return env.out.result_text(text);
}

class ServerlessCommand final : public RunModelCommand {
public:
  ServerlessCommand()
      : RunModelCommand("serverless",
                        "model",
                        "Model id (org/name), optionally with :provider or :fastest, :cheapest, "
                        ":preferred for chat") {}

protected:
  void add_backend_options(CLI::App& sub) override {
    sub.add_option("--provider", m_provider, "Inference Provider, or auto")->capture_default_str();
    sub.add_flag("--list-providers", m_list_providers,
                 "List the providers that map MODEL, for which task, their status and whether "
                 "hfrun runs the pair (no inference; --json for JSON)");
    // The provider x task matrix of docs/serverless.md, generated from the provider table.
    sub.add_flag("--provider-matrix", m_matrix, "Print the provider x task matrix (Markdown)")
        ->group("");
  }
  std::map<std::string, std::string> backend_options() const override {
    return {{"provider", m_provider}};
  }
  std::optional<Result<void>> run_backend_command(CommandEnv& env) override {
    if (m_matrix) {
      return env.out.result_text(backends::provider_matrix_markdown());
    }
    if (m_list_providers) {
      return print_providers(env, target());
    }
    return std::nullopt;
  }

private:
  std::string m_provider = "auto";
  bool m_list_providers = false;
  bool m_matrix = false;
};

} // namespace

std::unique_ptr<Command> make_serverless_command() {
  return std::make_unique<ServerlessCommand>();
}

} // namespace hfrun::cli
