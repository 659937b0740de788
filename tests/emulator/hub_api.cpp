#include "hub_api.hpp"

#include "content.hpp"
#include "space_state.hpp"

#include <algorithm>
#include <set>

namespace emulator::hub {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr int k_default_page = 100;
constexpr int k_max_page = 1000;
constexpr const char* k_default_date = "2024-06-01T00:00:00.000Z";

// The order in which the Hub writes model fields.
const std::vector<std::string_view> k_order = {"private",
                                               "pipeline_tag",
                                               "library_name",
                                               "tags",
                                               "downloads",
                                               "likes",
                                               "modelId",
                                               "author",
                                               "sha",
                                               "lastModified",
                                               "gated",
                                               "disabled",
                                               "inference",
                                               "inferenceProviderMapping",
                                               "mask_token",
                                               "widgetData",
                                               "model-index",
                                               "config",
                                               "cardData",
                                               "transformersInfo",
                                               "gguf",
                                               "siblings",
                                               "spaces",
                                               "createdAt",
                                               "safetensors",
                                               "usedStorage",
                                               "downloadsAllTime",
                                               "trendingScore",
                                               "childrenModelCount",
                                               "baseModels",
                                               "evalResults",
                                               "resourceGroup"};

const std::set<std::string_view> k_default_fields = {
    "private",    "pipeline_tag", "library_name", "tags",         "downloads",   "likes",
    "modelId",    "author",       "sha",          "lastModified", "gated",       "disabled",
    "mask_token", "widgetData",   "model-index",  "config",       "cardData",    "transformersInfo",
    "gguf",       "siblings",     "spaces",       "createdAt",    "safetensors", "usedStorage"};

// Fields of /api/models list entries without expand.
const std::set<std::string_view> k_list_fields = {"likes",        "trendingScore", "private",
                                                  "downloads",    "tags",          "pipeline_tag",
                                                  "library_name", "createdAt",     "modelId"};

std::string object_id(std::string_view kind, std::string_view id) {
  return sha1_hex(std::string(kind) + ":" + std::string(id)).substr(0, 24);
}

std::optional<json> model_field(
    const Repo& repo, std::string_view key, const std::string& commit, bool blobs, bool list_form) {
  const auto& info = repo.info;
  const auto passthrough = [&](const char* k) -> std::optional<json> {
    if (info.contains(k) && !info[k].is_null()) {
      return info[k];
    }
    return std::nullopt;
  };
  if (key == "private") {
    return json(repo.is_private);
  }
  if (key == "tags" || key == "spaces") {
    return info.contains(std::string(key)) ? info[std::string(key)] : json::array();
  }
  if (key == "downloads" || key == "likes" || key == "trendingScore" ||
      key == "childrenModelCount") {
    return json(info.value(std::string(key), 0));
  }
  if (key == "downloadsAllTime") {
    return json(info.value("downloadsAllTime", info.value("downloads", 0) * 12));
  }
  if (key == "modelId") {
    return json(repo.id);
  }
  if (key == "author") {
    const auto slash = repo.id.find('/');
    return json(slash == std::string::npos ? repo.id : repo.id.substr(0, slash));
  }
  if (key == "sha") {
    return json(commit);
  }
  if (key == "lastModified" || key == "createdAt") {
    return json(info.value(std::string(key), std::string(k_default_date)));
  }
  if (key == "gated") {
    return repo.gated.empty() ? json(false) : json(repo.gated);
  }
  if (key == "disabled") {
    return json(repo.disabled);
  }
  if (key == "inferenceProviderMapping") {
    json mapping = info.contains("inferenceProviderMapping") ? info["inferenceProviderMapping"]
                                                             : json::object();
    if (!list_form) {
      return mapping;
    }
    // Model listings carry the mapping as a list (huggingface_hub ModelInfo comment), in the
    // world's order like the dict form.
    json list = json::array();
    for (const auto& provider : provider_order(info)) {
      json e = {{"provider", provider}};
      for (const auto& [k, v] : mapping[provider].items()) {
        e[k] = v;
      }
      list.push_back(std::move(e));
    }
    return list;
  }
  if (key == "siblings") {
    json list = json::array();
    for (const auto& f : repo.files) {
      json s = {{"rfilename", f.path}};
      if (blobs) {
        const auto& d = f.digest();
        s["size"] = f.size;
        s["blobId"] = d.git_oid;
        if (f.lfs) {
          s["lfs"] = {{"size", f.size}, {"sha256", d.sha256}, {"pointerSize", d.pointer.size()}};
        }
      }
      list.push_back(std::move(s));
    }
    return list;
  }
  if (key == "usedStorage") {
    return json(info.value("usedStorage", repo.used_storage()));
  }
  return passthrough(std::string(key).c_str());
}

std::vector<std::string> expand_params(const httplib::Request& req) {
  std::vector<std::string> out;
  for (const char* name : {"expand", "expand[]"}) {
    const auto n = req.get_param_value_count(name);
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(req.get_param_value(name, i));
    }
  }
  return out;
}

// Replies 400 when an expand value is unknown.
bool check_expand(const std::vector<std::string>& expand, httplib::Response& res) {
  const auto& allowed = expandable_model_fields();
  for (std::size_t i = 0; i < expand.size(); ++i) {
    if (std::find(allowed.begin(), allowed.end(), expand[i]) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) {
        list += (list.empty() ? "" : ", ") + std::string(a);
      }
      error_reply(res, 400, "\"expand[" + std::to_string(i) + "]\" must be one of [" + list + "]");
      return false;
    }
  }
  return true;
}

bool truthy(const std::string& v) {
  return v == "1" || v == "true" || v == "True";
}

struct TreeEntry {
  const RepoFile* file = nullptr; // nullptr: a directory
  std::string path;
};

// The Hub's per-file scan results. huggingface_hub's RepoFile reads `status`, `avScan` and
// `pickleImportScan` unconditionally (KeyError without them); each scan is {status, pickleImports?,
// message?, version?, ...}. Pickle files list the (innocuous) imports a PyTorch checkpoint has.
ordered_json security_file_status(std::string_view path) {
  const auto file = path.substr(path.rfind('/') + 1);
  const bool pickle = (file.starts_with("pytorch_model") && file.ends_with(".bin")) ||
                      file.ends_with(".pt") || file.ends_with(".pth") || file.ends_with(".pkl") ||
                      file.ends_with(".ckpt");
  ordered_json pickle_scan = {{"status", pickle ? "safe" : "unscanned"}};
  if (pickle) {
    pickle_scan["pickleImports"] = ordered_json::array();
    for (const auto& [module, name] :
         {std::pair{"collections", "OrderedDict"}, std::pair{"torch", "FloatStorage"},
          std::pair{"torch._utils", "_rebuild_tensor_v2"}}) {
      pickle_scan["pickleImports"].push_back(
          {{"module", module}, {"name", name}, {"safety", "innocuous"}});
    }
  }
  return {{"status", "safe"},
          {"avScan", {{"status", "safe"}}},
          {"pickleImportScan", std::move(pickle_scan)}};
}

ordered_json
entry_json(const TreeEntry& e, const Repo& repo, const std::string& commit, bool expand) {
  ordered_json j;
  if (e.file == nullptr) {
    j["type"] = "directory";
    j["oid"] = sha1_hex("tree:" + commit + ":" + e.path);
    j["size"] = 0;
    j["path"] = e.path;
  } else {
    const auto& d = e.file->digest();
    j["type"] = "file";
    j["oid"] = d.git_oid;
    j["size"] = e.file->size;
    j["path"] = e.path;
    if (e.file->lfs) {
      j["lfs"] = {{"oid", d.sha256}, {"size", e.file->size}, {"pointerSize", d.pointer.size()}};
    }
  }
  if (expand) {
    j["lastCommit"] = {{"id", commit},
                       {"title", "Upload folder using huggingface_hub"},
                       {"date", repo.info.value("lastModified", std::string(k_default_date))}};
    if (e.file != nullptr) {
      j["securityFileStatus"] = security_file_status(e.path);
    }
  }
  return j;
}

// Every entry under `dir` ("" = root), depth first, children by name; only direct ones unless
// recursive.
std::vector<TreeEntry> list_entries(const Repo& repo, const std::string& dir, bool recursive) {
  std::map<std::string, const RepoFile*> files;
  std::set<std::string> dirs;
  const std::string prefix = dir.empty() ? "" : dir + "/";
  for (const auto& f : repo.files) {
    if (!f.path.starts_with(prefix)) {
      continue;
    }
    files[f.path] = &f;
    for (auto pos = f.path.find('/', prefix.size()); pos != std::string::npos;
         pos = f.path.find('/', pos + 1)) {
      dirs.insert(f.path.substr(0, pos));
    }
  }
  // Sort so that a directory comes right before its contents.
  std::vector<TreeEntry> all;
  for (const auto& d : dirs) {
    all.push_back({nullptr, d});
  }
  for (const auto& [p, f] : files) {
    all.push_back({f, p});
  }
  const auto key = [](const TreeEntry& e) {
    std::string k = e.path;
    std::replace(k.begin(), k.end(), '/', '\x01');
    return k;
  };
  std::sort(all.begin(), all.end(),
            [&](const TreeEntry& a, const TreeEntry& b) { return key(a) < key(b); });
  if (!recursive) {
    std::erase_if(all, [&](const TreeEntry& e) {
      return e.path.find('/', prefix.size()) != std::string::npos;
    });
  }
  return all;
}

// The query without `cursor`, to build the next page's URL.
std::string query_without_cursor(const httplib::Request& req) {
  std::string out;
  const std::string query = raw_query(req);
  std::string_view q = query;
  while (!q.empty()) {
    const auto amp = q.find('&');
    const auto part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty() || part.starts_with("cursor=")) {
      continue;
    }
    out += (out.empty() ? "" : "&") + std::string(part);
  }
  return out;
}

std::string runtime_stage(const Context& ctx, const Repo& space) {
  return ctx.spaces != nullptr ? ctx.spaces->stage(space.info)
                               : space.info.value("stage", "RUNNING");
}

ordered_json runtime_json(const Context& ctx, const Repo& space) {
  const auto stage = runtime_stage(ctx, space);
  const auto hardware = space.info.value("hardware", "cpu-basic");
  const bool up =
      stage == "RUNNING" || stage == "RUNNING_BUILDING" || stage == "RUNNING_APP_STARTING";
  ordered_json j;
  j["stage"] = stage;
  j["hardware"] = {{"current", up ? json(hardware) : json(nullptr)}, {"requested", hardware}};
  j["storage"] = nullptr;
  j["gcTimeout"] = space.info.value("gcTimeout", 172800);
  j["replicas"] = {{"current", up ? 1 : 0}, {"requested", 1}};
  j["devMode"] = false;
  j["domains"] = json::array({{{"domain", space.info.value("_subdomain", "") + ".hf.space"},
                               {"isCustom", false},
                               {"stage", "READY"}}});
  if (stage == "RUNTIME_ERROR" || stage == "BUILD_ERROR" || stage == "CONFIG_ERROR") {
    j["errorMessage"] = space.info.value(
        "_error_message", "Exit code: 1. Reason: ModuleNotFoundError: No module named 'torch'");
  }
  if (space.info.contains("sdk")) {
    j["sdk"] = space.info["sdk"];
  }
  return j;
}

} // namespace

const std::vector<std::string_view>& expandable_model_fields() {
  static const std::vector<std::string_view> k_fields = {"author",
                                                         "baseModels",
                                                         "cardData",
                                                         "childrenModelCount",
                                                         "config",
                                                         "createdAt",
                                                         "disabled",
                                                         "downloads",
                                                         "downloadsAllTime",
                                                         "evalResults",
                                                         "gated",
                                                         "gguf",
                                                         "inference",
                                                         "inferenceProviderMapping",
                                                         "lastModified",
                                                         "library_name",
                                                         "likes",
                                                         "mask_token",
                                                         "model-index",
                                                         "pipeline_tag",
                                                         "private",
                                                         "resourceGroup",
                                                         "safetensors",
                                                         "sha",
                                                         "siblings",
                                                         "spaces",
                                                         "tags",
                                                         "transformersInfo",
                                                         "trendingScore",
                                                         "usedStorage",
                                                         "widgetData"};
  return k_fields;
}

ordered_json model_json(const Repo& repo,
                        const std::string& commit,
                        const std::vector<std::string>& expand,
                        bool blobs,
                        bool list_form) {
  ordered_json out;
  out["_id"] = repo.info.value("_id", object_id("model", repo.id));
  out["id"] = repo.id;
  for (const auto& key : k_order) {
    const bool wanted =
        expand.empty() ? (list_form ? k_list_fields.contains(key) : k_default_fields.contains(key))
                       : std::find(expand.begin(), expand.end(), key) != expand.end();
    if (!wanted) {
      continue;
    }
    if (auto v = model_field(repo, key, commit, blobs, list_form)) {
      out[std::string(key)] = std::move(*v);
    }
  }
  if (out.contains("inferenceProviderMapping") && out["inferenceProviderMapping"].is_object()) {
    // In the world file's order (the user's preference), not nlohmann::json's sorted one.
    ordered_json ordered = ordered_json::object();
    const auto& mapping = out["inferenceProviderMapping"];
    for (const auto& provider : provider_order(repo.info)) {
      if (mapping.contains(provider)) {
        ordered[provider] = mapping[provider];
      }
    }
    out["inferenceProviderMapping"] = std::move(ordered);
  }
  return out;
}

void revision_not_found_reply(httplib::Response& res, std::string_view revision) {
  error_reply(res, 404, "Invalid rev id: " + std::string(revision), "RevisionNotFound");
}

void disabled_reply(httplib::Response& res) {
  error_reply(res, 403, "Access to this resource is disabled.");
}

void model_info(const Context&,
                const httplib::Request& req,
                httplib::Response& res,
                const Caller&,
                const Repo& repo,
                const std::string& revision) {
  const auto expand = expand_params(req);
  if (!check_expand(expand, res)) {
    return;
  }
  const auto commit = repo.commit_for(revision);
  if (!commit) {
    revision_not_found_reply(res, revision);
    return;
  }
  res.status = 200;
  res.set_content(
      model_json(repo, *commit, expand, truthy(req.get_param_value("blobs")), false).dump(),
      "application/json; charset=utf-8");
}

void list_models(const Context& ctx,
                 const httplib::Request& req,
                 httplib::Response& res,
                 const Caller& caller) {
  if (caller.invalid()) {
    invalid_token_reply(res);
    return;
  }
  const auto expand = expand_params(req);
  if (!check_expand(expand, res)) {
    return;
  }
  const auto search = req.get_param_value("search");
  const auto author = req.get_param_value("author");
  const auto pipeline = req.get_param_value("pipeline_tag");
  const auto library = req.get_param_value("library");
  const auto provider = req.get_param_value("inference_provider");
  std::vector<std::string> filters;
  for (std::size_t i = 0; i < req.get_param_value_count("filter"); ++i) {
    filters.push_back(req.get_param_value("filter", i));
  }
  int limit = k_max_page;
  if (req.has_param("limit")) {
    limit = std::clamp(std::atoi(req.get_param_value("limit").c_str()), 1, k_max_page);
  }
  ordered_json out = ordered_json::array();
  for (const auto& m : ctx.repos->models()) {
    if (static_cast<int>(out.size()) >= limit) {
      break;
    }
    const auto& info = m->info;
    const auto tags = info.value("tags", json::array());
    const auto has_tag = [&](const std::string& t) {
      return std::find(tags.begin(), tags.end(), t) != tags.end();
    };
    if (!m->renamed_to.empty() || !can_see(*m, caller) ||
        (!search.empty() && m->id.find(search) == std::string::npos) ||
        (!author.empty() && !m->id.starts_with(author + "/")) ||
        (!pipeline.empty() && info.value("pipeline_tag", "") != pipeline) ||
        (!library.empty() && info.value("library_name", "") != library && !has_tag(library)) ||
        !std::all_of(filters.begin(), filters.end(), has_tag)) {
      continue;
    }
    if (!provider.empty()) {
      const auto mapping = info.value("inferenceProviderMapping", json::object());
      if (provider == "all" ? mapping.empty() : !mapping.contains(provider)) {
        continue;
      }
    }
    out.push_back(model_json(*m, m->sha, expand, false, true));
  }
  res.status = 200;
  res.set_content(out.dump(), "application/json; charset=utf-8");
}

void tree(const Context& ctx,
          const httplib::Request& req,
          httplib::Response& res,
          const Repo& repo,
          const std::string& revision,
          const std::string& path) {
  if (repo.disabled) {
    disabled_reply(res);
    return;
  }
  const auto commit = repo.commit_for(revision);
  if (!commit) {
    revision_not_found_reply(res, revision);
    return;
  }
  if (!path.empty() && repo.file(path) != nullptr) {
    error_reply(res, 404, "Entry not found", "EntryNotFound");
    return;
  }
  const bool recursive = truthy(req.get_param_value("recursive"));
  const bool expand = truthy(req.get_param_value("expand"));
  const auto entries = list_entries(repo, path, recursive);
  if (!path.empty() && entries.empty()) {
    error_reply(res, 404, "Entry not found", "EntryNotFound");
    return;
  }
  int limit = expand ? 50 : k_default_page;
  if (req.has_param("limit")) {
    limit = std::clamp(std::atoi(req.get_param_value("limit").c_str()), 1, k_max_page);
  }
  std::size_t start = 0;
  if (req.has_param("cursor")) {
    const auto decoded = base64_decode(req.get_param_value("cursor"));
    const auto j = decoded ? json::parse(*decoded, nullptr, false) : json();
    if (!j.is_object() || !j.contains("file_name") || !j["file_name"].is_string()) {
      error_reply(res, 400, "Invalid cursor");
      return;
    }
    const auto last = j["file_name"].get<std::string>();
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const TreeEntry& e) { return e.path == last; });
    start =
        it == entries.end() ? entries.size() : static_cast<std::size_t>(it - entries.begin()) + 1;
  }
  const auto end = std::min(entries.size(), start + static_cast<std::size_t>(limit));
  ordered_json out = ordered_json::array();
  for (auto i = start; i < end; ++i) {
    out.push_back(entry_json(entries[i], repo, *commit, expand));
  }
  if (end < entries.size()) {
    const auto cursor = base64_encode(json{{"file_name", entries[end - 1].path}}.dump());
    std::string url = ctx.hub_url + "/api/models/" + repo.id + "/tree/" + url_encode(revision);
    if (!path.empty()) {
      url += "/" + url_encode(path, true);
    }
    const auto q = query_without_cursor(req);
    url += "?" + (q.empty() ? "" : q + "&") + "cursor=" + url_encode(cursor);
    res.set_header("Link", "<" + url + ">; rel=\"next\"");
  }
  res.status = 200;
  res.set_content(out.dump(), "application/json; charset=utf-8");
}

void paths_info(const httplib::Request& req,
                httplib::Response& res,
                const Repo& repo,
                const std::string& revision) {
  if (repo.disabled) {
    disabled_reply(res);
    return;
  }
  const auto commit = repo.commit_for(revision);
  if (!commit) {
    revision_not_found_reply(res, revision);
    return;
  }
  std::vector<std::string> paths;
  bool expand = false;
  if (req.get_header_value("Content-Type").starts_with("application/json")) {
    const auto body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("paths") || !body["paths"].is_array()) {
      error_reply(res, 400, "\"paths\" is required");
      return;
    }
    for (const auto& p : body["paths"]) {
      if (p.is_string()) {
        paths.push_back(p.get<std::string>());
      }
    }
    expand = body.value("expand", false);
  } else {
    for (std::size_t i = 0; i < req.get_param_value_count("paths"); ++i) {
      paths.push_back(req.get_param_value("paths", i));
    }
    expand = truthy(req.get_param_value("expand"));
  }
  ordered_json out = ordered_json::array();
  for (const auto& p : paths) {
    if (const auto* f = repo.file(p)) {
      out.push_back(entry_json({f, f->path}, repo, *commit, expand));
    } else if (!list_entries(repo, p, false).empty()) {
      out.push_back(entry_json({nullptr, p}, repo, *commit, expand));
    }
  }
  res.status = 200;
  res.set_content(out.dump(), "application/json; charset=utf-8");
}

void refs(const httplib::Request& req, httplib::Response& res, const Repo& repo) {
  ordered_json branches = ordered_json::array();
  ordered_json prs = ordered_json::array();
  ordered_json tags = ordered_json::array();
  for (const auto& [name, commit] : repo.revisions) {
    ordered_json e;
    e["name"] = name;
    if (name.starts_with("refs/pr/")) {
      e["ref"] = name;
      e["targetCommit"] = commit;
      prs.push_back(e);
    } else if (name.starts_with("v")) {
      e["ref"] = "refs/tags/" + name;
      e["targetCommit"] = commit;
      tags.push_back(e);
    } else {
      e["ref"] = "refs/heads/" + name;
      e["targetCommit"] = commit;
      branches.push_back(e);
    }
  }
  ordered_json out;
  out["branches"] = branches;
  out["converts"] = ordered_json::array();
  out["tags"] = tags;
  if (truthy(req.get_param_value("include_prs"))) {
    out["pullRequests"] = prs;
  }
  res.status = 200;
  res.set_content(out.dump(), "application/json; charset=utf-8");
}

void whoami(const httplib::Request&, httplib::Response& res, const Caller& caller) {
  if (caller.invalid()) {
    invalid_token_reply(res);
    return;
  }
  if (caller.user == nullptr) {
    error_reply(res, 401, "Invalid credentials in Authorization header");
    return;
  }
  const auto& u = *caller.user;
  const auto name = u.value("name", "");
  ordered_json out;
  out["type"] = "user";
  out["id"] = u.value("id", object_id("user", name));
  out["name"] = name;
  out["fullname"] = u.value("fullname", name);
  out["email"] = u.value("email", name + "@example.com");
  out["emailVerified"] = true;
  out["canPay"] = false;
  out["periodEnd"] = nullptr;
  out["isPro"] = u.value("isPro", false);
  out["avatarUrl"] = "/avatars/" + object_id("avatar", name) + ".svg";
  ordered_json orgs = ordered_json::array();
  for (const auto& o : u.value("orgs", json::array())) {
    const auto org = o.is_string() ? o.get<std::string>() : o.value("name", "");
    ordered_json e;
    e["type"] = "org";
    e["id"] = object_id("org", org);
    e["name"] = org;
    e["fullname"] = o.is_object() ? o.value("fullname", org) : org;
    e["email"] = nullptr;
    e["canPay"] = false;
    e["periodEnd"] = nullptr;
    e["avatarUrl"] = "/avatars/" + object_id("avatar", org) + ".svg";
    e["roleInOrg"] = o.is_object() ? o.value("roleInOrg", "write") : "write";
    e["isEnterprise"] = false;
    orgs.push_back(e);
  }
  out["orgs"] = orgs;
  ordered_json token;
  token["displayName"] = u.value("_token_name", "hfrun-emulator");
  token["role"] = u.value("_token_role", "read");
  token["createdAt"] = k_default_date;
  out["auth"] = {{"type", "access_token"}, {"accessToken", token}};
  res.status = 200;
  res.set_content(out.dump(), "application/json; charset=utf-8");
}

void space_info(const Context& ctx,
                const httplib::Request& req,
                httplib::Response& res,
                const Repo& space,
                const std::string& revision) {
  // huggingface_hub ExpandSpaceProperty_T.
  static const std::vector<std::string_view> k_space_fields = {
      "author", "cardData", "createdAt", "datasets",      "disabled",      "lastModified",
      "likes",  "models",   "private",   "resourceGroup", "runtime",       "sdk",
      "sha",    "siblings", "subdomain", "tags",          "trendingScore", "usedStorage"};
  const auto expand = expand_params(req);
  for (std::size_t i = 0; i < expand.size(); ++i) {
    if (std::find(k_space_fields.begin(), k_space_fields.end(), expand[i]) ==
        k_space_fields.end()) {
      std::string list;
      for (const auto& a : k_space_fields) {
        list += (list.empty() ? "" : ", ") + std::string(a);
      }
      error_reply(res, 400, "\"expand[" + std::to_string(i) + "]\" must be one of [" + list + "]");
      return;
    }
  }
  const auto commit = space.commit_for(revision);
  if (!commit) {
    revision_not_found_reply(res, revision);
    return;
  }
  const auto slash = space.id.find('/');
  ordered_json out;
  out["_id"] = space.info.value("_id", object_id("space", space.id));
  out["id"] = space.id;
  out["author"] = slash == std::string::npos ? space.id : space.id.substr(0, slash);
  out["sha"] = *commit;
  out["lastModified"] = space.info.value("lastModified", std::string(k_default_date));
  out["private"] = space.is_private;
  out["gated"] = false;
  out["disabled"] = false;
  out["host"] = space_host_url(space.info, ctx.gradio_url);
  out["subdomain"] = space.info.value("_subdomain", "");
  out["likes"] = space.info.value("likes", 0);
  out["sdk"] = space.info.value("sdk", "gradio");
  out["tags"] =
      space.info.value("tags", json::array({space.info.value("sdk", "gradio"), "region:us"}));
  ordered_json siblings = ordered_json::array();
  for (const auto& f : space.files) {
    siblings.push_back({{"rfilename", f.path}});
  }
  out["siblings"] = siblings;
  out["createdAt"] = space.info.value("createdAt", std::string(k_default_date));
  out["runtime"] = runtime_json(ctx, space);
  out["models"] = space.info.value("models", json::array());
  out["usedStorage"] = space.used_storage();
  if (!expand.empty()) {
    ordered_json filtered;
    for (const auto& [k, v] : out.items()) {
      if (k == "_id" || k == "id" || std::find(expand.begin(), expand.end(), k) != expand.end()) {
        filtered[k] = v;
      }
    }
    out = std::move(filtered);
  }
  res.status = 200;
  res.set_content(out.dump(), "application/json; charset=utf-8");
}

void space_runtime(const Context& ctx, httplib::Response& res, const Repo& space) {
  res.status = 200;
  res.set_content(runtime_json(ctx, space).dump(), "application/json; charset=utf-8");
}

void space_host(const Context& ctx, httplib::Response& res, const Repo& space) {
  ordered_json out;
  out["subdomain"] = space.info.value("_subdomain", "");
  out["host"] = space_host_url(space.info, ctx.gradio_url);
  res.status = 200;
  res.set_content(out.dump(), "application/json; charset=utf-8");
}

void list_spaces(const Context& ctx,
                 const httplib::Request& req,
                 httplib::Response& res,
                 const Caller& caller) {
  if (caller.invalid()) {
    invalid_token_reply(res);
    return;
  }
  const auto model = req.get_param_value("models");
  const auto search = req.get_param_value("search");
  std::set<std::string> using_model;
  if (!model.empty()) {
    if (const auto* m = ctx.repos->model(model)) {
      for (const auto& s : m->info.value("spaces", json::array())) {
        using_model.insert(s.get<std::string>());
      }
    }
  }
  ordered_json out = ordered_json::array();
  for (const auto& s : ctx.repos->doc().value("spaces", json::array())) {
    const auto id = s.value("id", "");
    const auto* space = ctx.repos->space(id);
    if (space == nullptr || !can_see(*space, caller) ||
        (!model.empty() && !using_model.contains(id)) ||
        (!search.empty() && id.find(search) == std::string::npos)) {
      continue;
    }
    ordered_json e;
    e["_id"] = space->info.value("_id", object_id("space", id));
    e["id"] = id;
    e["likes"] = space->info.value("likes", 0);
    e["private"] = space->is_private;
    e["sdk"] = space->info.value("sdk", "gradio");
    e["tags"] = space->info.value("tags", json::array());
    e["createdAt"] = space->info.value("createdAt", std::string(k_default_date));
    out.push_back(e);
  }
  res.status = 200;
  res.set_content(out.dump(), "application/json; charset=utf-8");
}

} // namespace emulator::hub
