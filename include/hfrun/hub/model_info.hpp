// Hub API reads: model info (with `expand[]`), and Space runtimes. Many models at once run
// concurrently over the client's shared connection pool.
#pragma once

#include <hfrun/client/client.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hfrun::hub {

struct ModelQuery {
  std::string id;                  // "org/name"
  std::string revision;            // empty: the default branch
  std::vector<std::string> expand; // empty: the Hub's default field set
};

// "{endpoint}/api/models/{id}[/revision/{rev}]?expand[]=a&expand[]=b". The id keeps its slash (as
// both official clients send it); the revision is fully percent-encoded ("refs/pr/1" ->
// "refs%2Fpr%2F1").
[[nodiscard]] std::string model_info_url(const std::string& endpoint, const ModelQuery& query);

// Checks an id is a plausible Hub repo id ("name" or "org/name"), so a typo is a usage error before
// any request.
[[nodiscard]] Result<void> validate_repo_id(const std::string& id);

// GET the model info; 401/404 and friends become Errors (404: exit 4; 401, i.e. missing or private
// and no valid token: exit 3). `inferenceProviderMapping` comes back as the list form, in the Hub's
// order (the user's provider preference), whatever form the Hub sent.
[[nodiscard]] Result<nlohmann::json> fetch_model_info(client::Client& client,
                                                      const ModelQuery& query);

// The same for many models, concurrently; results in order.
[[nodiscard]] std::vector<Result<nlohmann::json>>
fetch_model_infos(client::Client& client, const std::vector<ModelQuery>& queries);

// GET /api/spaces/{id}/runtime for each Space, concurrently. A failed one yields an Error in its
// slot.
[[nodiscard]] std::vector<Result<nlohmann::json>>
fetch_space_runtimes(client::Client& client, const std::vector<std::string>& ids);

// The inference provider mapping of a model info, normalised to a list of
// {"provider","providerId","status","task",...} in the Hub's order (the dict of model_info, or the
// list of list_models). Entries that are not objects or have no string "provider" are skipped;
// the others are passed through as the Hub sent them (their fields still of unknown type).
[[nodiscard]] nlohmann::json provider_mapping_list(const nlohmann::json& model_info);

// One entry of `inferenceProviderMapping`, typed.
struct ProviderMapping {
  std::string provider;    // e.g. "together" (the dict key, or the list entry's "provider")
  std::string task;        // e.g. "conversational", "text-to-image"; "" when the Hub sent none
  std::string provider_id; // the model's id on the provider's side (`providerId`); "" if absent
  std::string status;  // "live", "staging", "error" (or whatever the Hub sent); "live" if absent
  std::string adapter; // "lora" for adapter mappings, else ""
  std::string type;    // "single-model", "tag-filter" ...; "" when absent
};

// The typed entries of model_info's `inferenceProviderMapping`, in the Hub's order, whichever
// shape it came in (a dict keyed by provider, or a list of objects with a "provider" key).
// Malformed entries are skipped: not an object, no provider name, or a `providerId`/`task`/
// `status`/`adapter`/`type` that is neither absent, null nor a string. Never fails.
[[nodiscard]] std::vector<ProviderMapping> provider_mappings(const nlohmann::json& model_info);

} // namespace hfrun::hub
