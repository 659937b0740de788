// hfrun serverless MODEL [INPUT] [PARAMS]: Inference Providers through the router.
#include "command.hpp"
#include "params.hpp"
#include "runner.hpp"

#include <hfrun/backends/serverless.hpp>

#include <filesystem>

namespace hfrun::cli {

namespace {

class ServerlessCommand final : public Command {
public:
  void setup(CLI::App& sub) override {
    sub.add_option("model", m_model, "Model id (org/name), optionally with :provider or :fastest, "
                                     ":cheapest, :preferred for chat")
        ->required();
    sub.add_option("args", m_args, "INPUT (a file path or text) and parameters key=value, "
                                   "key:=json, key=@file");
    add_input_options(sub, m_input);
    sub.add_option("--task", m_task, "Task (default: from the provider mapping or pipeline tag)");
    sub.add_option("--provider", m_provider, "Inference Provider, or auto")->capture_default_str();
  }

  Result<void> run(CommandEnv& env) override {
    backends::ServerlessCall call;
    call.model = m_model;
    call.provider = m_provider;
    if (!m_task.empty()) {
      call.task = m_task;
    }
    for (const auto& arg : m_args) {
      if (is_param(arg)) {
        call.param_keys.push_back(arg.substr(0, arg.find_first_of(":=")));
      }
    }
    if (env.client.dry_run() && backends::plan_needs_lookup(call)) {
      env.out.note("dry run: the task and provider come from this Hub request; pass --task (and "
                   "--provider) to see the inference request itself");
    }
    HFRUN_TRY_ASSIGN(plan, backends::plan_serverless(env.client, call));
    for (const auto& warning : plan.warnings) {
      env.out.warn(warning);
    }
    HFRUN_TRY_ASSIGN(prepared, prepare_inputs(env, *plan.task, m_input, m_args));
    const bool stream = decide_stream(env, *plan.task, m_input);
    HFRUN_TRY_ASSIGN(request, backends::encode_serverless(plan, prepared.inputs, stream_flag(*plan.task, m_input, stream)));
    if (env.global.verbose >= 1) {
      env.out.note("task " + std::string(plan.task->name) + " via " +
                   (plan.provider == "auto" ? std::string("the router's choice") : plan.provider) + ": POST " + request.url);
    }
    return run_task_request(env, *plan.task, request, prepared, stream);
  }

private:
  std::string m_model;
  std::vector<std::string> m_args;
  InputOptions m_input;
  std::string m_task;
  std::string m_provider = "auto";
};

} // namespace

std::unique_ptr<Command> make_serverless_command() { return std::make_unique<ServerlessCommand>(); }

} // namespace hfrun::cli
