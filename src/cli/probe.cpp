// hfrun probe MODEL...: which ways each model can run, and the hfrun command for each. The Hub
// requests and the verdicts are the probe layer's (include/hfrun/probe/fetch.hpp); this file parses
// the options and prints.
#include "command.hpp"

#include <hfrun/probe/fetch.hpp>
#include <hfrun/probe/output.hpp>

namespace hfrun::cli {

namespace {

class ProbeCommand final : public Command {
public:
  void setup(CLI::App& sub) override {
    sub.add_option("models", m_models, "Model ids (org/name); several are probed concurrently")
        ->required();
    sub.add_option("--revision", m_revision, "Branch, tag or commit (default: the main branch)");
  }

  Result<void> run(CommandEnv& env) override {
    const auto probes = probe::fetch_reports(env.client, m_models, m_revision);
    if (env.client.dry_run()) {
      return unexpected<Error>(client::dry_run_stop());
    }
    const bool several = m_models.size() > 1;
    std::optional<Error> first_error;
    std::string lines; // --json with several models: JSON Lines, one per model, in the order given
    std::string text;
    for (const auto& one : probes) {
      if (!one.report) {
        const Error& error = one.report.error();
        if (client::is_dry_run_stop(error)) {
          continue;
        }
        if (several) {
          env.out.error(error);
          if (env.global.json) {
            lines += dump_line(probe::failure_json(env.out.shown(one.input), masked(env, error)));
          }
        }
        if (!first_error) {
          first_error = error;
        }
        continue;
      }
      if (!env.global.json) {
        text += (text.empty() ? "" : "\n") +
                probe::render(*one.report, env.out.color_out(), env.out.terminal_width());
      } else if (several) {
        lines += dump_line(probe::to_json(*one.report));
      } else {
        HFRUN_TRY(env.out.result_json(probe::to_json(*one.report)));
      }
    }
    if (!lines.empty()) {
      HFRUN_TRY(env.out.result_text(lines));
    } else if (!text.empty()) {
      HFRUN_TRY(env.out.result_text(text));
    }
    if (first_error) {
      if (!several) {
        return unexpected<Error>(*first_error);
      }
      // Each failure was printed above; the exit code is the first failure's.
      return unexpected<Error>(make_error(first_error->kind, "some models could not be probed"));
    }
    return {};
  }

private:
  static std::string dump_line(const nlohmann::json& document) {
    return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }

  // The error's texts as stderr shows them (secrets masked), for the stdout JSON line.
  static Error masked(CommandEnv& env, const Error& error) {
    Error out = error;
    out.message = env.out.shown(error.message);
    out.server_message = env.out.shown(error.server_message);
    out.request_id = env.out.shown(error.request_id);
    out.hint = env.out.shown(error.hint);
    return out;
  }

  std::vector<std::string> m_models;
  std::string m_revision;
};

} // namespace

std::unique_ptr<Command> make_probe_command() {
  return std::make_unique<ProbeCommand>();
}

} // namespace hfrun::cli
