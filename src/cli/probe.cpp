// hfrun probe MODEL...: which ways each model can run, and the hfrun command for each. The Hub
// requests and the verdicts are the probe layer's (include/hfrun/probe/fetch.hpp); this file parses
// the options and prints.
#include "batch.hpp"
#include "command.hpp"

#include <hfrun/probe/fetch.hpp>
#include <hfrun/probe/output.hpp>
#include <hfrun/util/json.hpp>

namespace hfrun::cli {

namespace {

class ProbeCommand final : public Command {
public:
  void setup(CLI::App& sub) override {
    sub.add_option("models", m_models, "Model ids (org/name); several are probed concurrently");
    sub.add_option("--revision", m_revision, "Branch, tag or commit (default: the main branch)");
    add_batch_options(sub, m_batch);
  }

  Result<void> run(CommandEnv& env) override {
    if (!m_batch.file.empty()) {
      if (!m_models.empty()) {
        return fail(ErrorKind::usage, "with --batch the models come from the lines",
                    "one {\"model\": \"org/name\"} per line (\"revision\" too, if needed)");
      }
      const std::string revision = m_revision;
      return run_batch(env, m_batch, 8, [revision](client::Client& client) {
        return Result<batch::ItemRunner>([&client, revision](const batch::Item& item) {
          return probe_item(client, item, revision);
        });
      });
    }
    if (m_models.empty()) {
      return fail(ErrorKind::usage, "hfrun probe needs a MODEL", "or --batch FILE, a model a line");
    }
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
          env.out.error_human(error); // with --json, its failure line on stdout is the JSON
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
  // One line of a probe batch: {"model": "org/name", "revision": "..."} (the id's report as --json
  // prints it).
  static batch::ItemResult
  probe_item(client::Client& client, const batch::Item& item, const std::string& revision) {
    batch::ItemResult result;
    const auto model = util::json_string(item.fields, "model");
    if (!model || model->empty()) {
      result.error = make_error(ErrorKind::usage, "the line has no \"model\"",
                                "one {\"model\": \"org/name\"} per line");
      return result;
    }
    const std::string line_revision = util::string_or(item.fields, "revision", revision);
    auto probes = probe::fetch_reports(client, {*model}, line_revision);
    if (probes.empty()) {
      result.error = make_error(ErrorKind::internal, "probe returned no report");
      return result;
    }
    auto& one = probes.front();
    if (!one.report) {
      result.error = one.report.error();
      return result;
    }
    result.ok = true;
    result.result = probe::to_json(*one.report);
    return result;
  }

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
  BatchOptions m_batch;
};

} // namespace

std::unique_ptr<Command> make_probe_command() {
  return std::make_unique<ProbeCommand>();
}

} // namespace hfrun::cli
