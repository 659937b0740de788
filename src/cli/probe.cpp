// hfrun probe MODEL...: which ways each model can run, and the hfrun command for each.
#include "command.hpp"

#include <hfrun/hub/model_info.hpp>
#include <hfrun/probe/evaluate.hpp>
#include <hfrun/probe/output.hpp>
#include <hfrun/probe/request.hpp>

#include <map>
#include <set>

namespace hfrun::cli {

namespace {

class ProbeCommand final : public Command {
public:
  void setup(CLI::App& sub) override {
    sub.add_option("models", m_models, "Model ids (org/name); several are probed concurrently")->required();
    sub.add_option("--revision", m_revision, "Branch, tag or commit (default: the main branch)");
  }

  Result<void> run(CommandEnv& env) override {
    std::vector<hub::ModelQuery> queries;
    for (const auto& model : m_models) {
      hub::ModelQuery q{model, m_revision, {}};
      for (auto field : probe::expand_fields()) {
        q.expand.emplace_back(field);
      }
      queries.push_back(std::move(q));
    }
    auto infos = hub::fetch_model_infos(env.client, queries);

    // One concurrent round for the runtime of every Space of every model.
    std::vector<std::string> space_ids;
    std::set<std::string> seen;
    for (const auto& info : infos) {
      if (info) {
        for (auto& id : probe::spaces_to_check(*info)) {
          if (seen.insert(id).second) {
            space_ids.push_back(std::move(id));
          }
        }
      }
    }
    std::map<std::string, nlohmann::json> runtimes;
    if (!space_ids.empty()) {
      auto fetched = hub::fetch_space_runtimes(env.client, space_ids);
      for (std::size_t i = 0; i < space_ids.size(); ++i) {
        if (fetched[i]) {
          runtimes[space_ids[i]] = std::move(*fetched[i]);
        }
      }
    }

    std::optional<Error> first_error;
    nlohmann::json documents = nlohmann::json::array();
    std::string text;
    for (std::size_t i = 0; i < infos.size(); ++i) {
      if (!infos[i]) {
        if (client::is_dry_run_stop(infos[i].error())) {
          continue;
        }
        if (m_models.size() > 1) {
          env.out.error(infos[i].error());
        }
        if (!first_error) {
          first_error = infos[i].error();
        }
        continue;
      }
      const probe::Report report = probe::evaluate(*infos[i], runtimes);
      if (env.global.json) {
        documents.push_back(probe::to_json(report));
      } else {
        text += (text.empty() ? "" : "\n") + probe::render(report, env.out.color_out(), env.out.terminal_width());
      }
    }
    if (env.client.dry_run()) {
      return unexpected<Error>(client::dry_run_stop());
    }
    if (env.global.json && !documents.empty()) {
      if (m_models.size() == 1) {
        HFRUN_TRY(env.out.result_json(documents.front()));
      } else {
        // Several models: JSON Lines, one report per line, in the order given.
        std::string lines;
        for (const auto& document : documents) {
          lines += document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        }
        HFRUN_TRY(env.out.result_text(lines));
      }
    } else if (!text.empty()) {
      HFRUN_TRY(env.out.result_text(text));
    }
    if (first_error) {
      if (m_models.size() == 1) {
        return unexpected<Error>(*first_error);
      }
      // Each failure was printed above; the exit code is the first failure's.
      Error summary = make_error(first_error->kind, "some models could not be probed");
      return unexpected<Error>(std::move(summary));
    }
    return {};
  }

private:
  std::vector<std::string> m_models;
  std::string m_revision;
};

} // namespace

std::unique_ptr<Command> make_probe_command() { return std::make_unique<ProbeCommand>(); }

} // namespace hfrun::cli
