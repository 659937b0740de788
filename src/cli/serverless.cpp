// hfrun serverless MODEL [INPUT] [PARAMS]: Inference Providers through the router. Everything but
// --provider is the generic run-model command's.
#include "run_model.hpp"

namespace hfrun::cli {

namespace {

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
  }
  std::map<std::string, std::string> backend_options() const override {
    return {{"provider", m_provider}};
  }

private:
  std::string m_provider = "auto";
};

} // namespace

std::unique_ptr<Command> make_serverless_command() {
  return std::make_unique<ServerlessCommand>();
}

} // namespace hfrun::cli
