// hfrun endpoint URL|NAME [INPUT] [PARAMS]: an Inference Endpoint or any self-hosted inference
// server; everything but its own options is the generic run-model command's. The management
// subcommands (list, create, ...) are endpoint_manage.cpp's.
#include "endpoint_manage.hpp"
#include "run_model.hpp"

namespace hfrun::cli {

namespace {

class EndpointCommand final : public RunModelCommand {
public:
  EndpointCommand()
      : RunModelCommand("endpoint",
                        "target",
                        "The endpoint's URL (an Inference Endpoint, or any TGI, TEI, vLLM, SGLang, "
                        "llama.cpp, Ollama or Inference Toolkit server), or an Inference "
                        "Endpoint's NAME or NAMESPACE/NAME") {}

protected:
  void add_backend_options(CLI::App& sub) override {
    sub.add_option("--flavor", m_flavor,
                   "The server: tgi, tei, vllm, sglang, llamacpp, ollama, transformers-serve, "
                   "toolkit, openai (default: found by probing the URL)");
    sub.add_option("--wait-timeout", m_wait_timeout_s,
                   "Seconds to wait for a server still starting (connection refused, 503); "
                   "default 600")
        ->check(CLI::NonNegativeNumber);
    sub.add_option("--input-key", m_input_key,
                   "Custom handlers: send {\"NAME\": <text, or the file as base64>, ...params} "
                   "(e.g. --input-key image --file cat.png)");
  }
  void add_backend_commands(CLI::App& sub) override { m_management.setup(sub); }
  std::optional<Result<void>> run_backend_command(CommandEnv& env) override {
    return m_management.run(env);
  }
  std::map<std::string, std::string> backend_options() const override {
    return {{"flavor", m_flavor},
            {"wait_timeout", std::to_string(m_wait_timeout_s)},
            {"input_key", m_input_key}};
  }

private:
  EndpointManagement m_management;
  std::string m_flavor;
  double m_wait_timeout_s = 600;
  std::string m_input_key;
};

} // namespace

std::unique_ptr<Command> make_endpoint_command() {
  return std::make_unique<EndpointCommand>();
}

} // namespace hfrun::cli
