// The Hub's JSON API: model info (with expand), model listing, tree listing (paginated),
// paths-info, refs, whoami-v2, and Space info/runtime/host.
#pragma once

#include "hub_common.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emulator::hub {

// The accepted `expand` values (huggingface_hub ExpandModelProperty_T).
[[nodiscard]] const std::vector<std::string_view>& expandable_model_fields();
// The model info JSON (the fields `expand` asks for, or the default set when empty) at `commit`.
[[nodiscard]] nlohmann::ordered_json model_json(const Repo& repo,
                                                const std::string& commit,
                                                const std::vector<std::string>& expand,
                                                bool blobs,
                                                bool list_form);

void model_info(const Context& ctx,
                const httplib::Request& req,
                httplib::Response& res,
                const Caller& caller,
                const Repo& repo,
                const std::string& revision);
void list_models(const Context& ctx,
                 const httplib::Request& req,
                 httplib::Response& res,
                 const Caller& caller);
void tree(const Context& ctx,
          const httplib::Request& req,
          httplib::Response& res,
          const Repo& repo,
          const std::string& revision,
          const std::string& path);
void paths_info(const httplib::Request& req,
                httplib::Response& res,
                const Repo& repo,
                const std::string& revision);
void refs(const httplib::Request& req, httplib::Response& res, const Repo& repo);
void whoami(const httplib::Request& req, httplib::Response& res, const Caller& caller);
// The host and the runtime stage come from ctx (the gradio role's URL, Spaces woken since start).
void space_info(const Context& ctx,
                const httplib::Request& req,
                httplib::Response& res,
                const Repo& space,
                const std::string& revision);
void space_runtime(const Context& ctx, httplib::Response& res, const Repo& space);
void space_host(const Context& ctx, httplib::Response& res, const Repo& space);
void list_spaces(const Context& ctx,
                 const httplib::Request& req,
                 httplib::Response& res,
                 const Caller& caller);

// 404 RevisionNotFound.
void revision_not_found_reply(httplib::Response& res, std::string_view revision);
// 403 for a disabled repo ("Access to this resource is disabled.").
void disabled_reply(httplib::Response& res);

} // namespace emulator::hub
