#include <hfrun/hub/model_info.hpp>
#include <hfrun/probe/evaluate.hpp>
#include <hfrun/probe/fetch.hpp>
#include <hfrun/probe/request.hpp>
#include <map>
#include <set>

namespace hfrun::probe {

std::vector<ModelProbe> fetch_reports(client::Client& client,
                                      const std::vector<std::string>& models,
                                      const std::string& revision) {
  std::vector<hub::ModelQuery> queries;
  for (const auto& model : models) {
    hub::ModelQuery query{model, revision, {}};
    for (auto field : expand_fields()) {
      query.expand.emplace_back(field);
    }
    queries.push_back(std::move(query));
  }
  auto infos = hub::fetch_model_infos(client, queries);

  // One concurrent round for the runtime of every Space of every model.
  std::vector<std::string> space_ids;
  std::set<std::string> seen;
  for (const auto& info : infos) {
    if (info) {
      for (auto& id : spaces_to_check(*info)) {
        if (seen.insert(id).second) {
          space_ids.push_back(std::move(id));
        }
      }
    }
  }
  std::map<std::string, nlohmann::json> runtimes;
  if (!space_ids.empty()) {
    auto fetched = hub::fetch_space_runtimes(client, space_ids);
    for (std::size_t i = 0; i < space_ids.size() && i < fetched.size(); ++i) {
      if (fetched[i]) {
        runtimes[space_ids[i]] = std::move(*fetched[i]);
      }
    }
  }

  std::vector<ModelProbe> out;
  out.reserve(models.size());
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (!infos[i]) {
      out.push_back(ModelProbe{models[i], unexpected<Error>(std::move(infos[i].error()))});
      continue;
    }
    Report report = evaluate(*infos[i], runtimes);
    report.input = models[i];
    out.push_back(ModelProbe{models[i], std::move(report)});
  }
  return out;
}

} // namespace hfrun::probe
