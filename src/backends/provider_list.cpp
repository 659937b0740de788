// `hfrun serverless --list-providers MODEL`: the model's provider mapping beside the provider
// table, so a user sees at once what --provider accepts for it.
#include "providers.hpp"

#include <hfrun/hub/model_info.hpp>

namespace hfrun::backends {

Result<std::vector<ProviderSupport>> list_providers(client::Client& client,
                                                    const std::string& model) {
  HFRUN_TRY(hub::validate_repo_id(model));
  hub::ModelQuery query{model, "", {"pipeline_tag", "inferenceProviderMapping"}};
  HFRUN_TRY_ASSIGN(info, hub::fetch_model_info(client, query));
  std::vector<ProviderSupport> out;
  for (const auto& entry : hub::provider_mappings(info)) {
    ProviderSupport support{entry.provider, entry.task, entry.provider_id, entry.status, false, ""};
    const tasks::TaskSpec* task = tasks::find_task(entry.task);
    if (task == nullptr) {
      support.how = "task hfrun does not run";
    } else if (entry.provider == "hf-inference") {
      support.supported = true;
      support.how = "direct";
    } else if (!is_known_provider(entry.provider)) {
      support.how = "provider hfrun does not know";
    } else if (const ProviderTask* row = find_provider_task(entry.provider, task->id)) {
      support.supported = row->key == KeyRule::router;
      support.how = std::string(run_style(*row));
    } else {
      support.how = "pair hfrun does not run";
    }
    out.push_back(std::move(support));
  }
  return out;
}

} // namespace hfrun::backends
