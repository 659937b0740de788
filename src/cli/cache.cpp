// hfrun cache ls / verify: what the shared Hugging Face cache holds, and whether it is intact
// (docs/cache.md).
#include "command.hpp"

#include <ctime>
#include <hfrun/cache/inspect.hpp>

namespace hfrun::cli {

namespace {

std::string human_size(std::uint64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1000 && unit + 1 < std::size(units)) {
    value /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

std::string iso_time(std::int64_t seconds) {
  if (seconds <= 0) {
    return "-";
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// "model/org/name", as `hf cache ls` names repos.
std::string listed_id(const hub::RepoRef& repo) {
  return std::string(hub::repo_type_name(repo.type)) + "/" + repo.id;
}

Result<hub::RepoRef> parse_repo_arg(const std::string& arg, const std::string& type_flag) {
  hub::RepoRef repo;
  repo.type = hub::parse_repo_type(type_flag).value_or(hub::RepoType::model);
  repo.id = arg;
  // "model/org/name" as `hf cache ls` prints it is accepted too.
  for (const char* prefix : {"model/", "dataset/", "space/"}) {
    const std::string p(prefix);
    if (arg.starts_with(p) && std::count(arg.begin(), arg.end(), '/') == 2) {
      repo.type = *hub::parse_repo_type(p.substr(0, p.size() - 1));
      repo.id = arg.substr(p.size());
    }
  }
  if (repo.id.empty()) {
    return fail(ErrorKind::usage, "a repo id is needed");
  }
  return repo;
}

nlohmann::json repo_json(const cache::RepoInfo& info) {
  nlohmann::json revisions = nlohmann::json::array();
  std::vector<std::string> all_refs;
  for (const auto& revision : info.revisions) {
    revisions.push_back({{"commit", revision.commit},
                         {"refs", revision.refs},
                         {"files", revision.files},
                         {"size", revision.size}});
    all_refs.insert(all_refs.end(), revision.refs.begin(), revision.refs.end());
  }
  return {{"id", listed_id(info.repo)},
          {"repo_id", info.repo.id},
          {"repo_type", std::string(hub::repo_type_name(info.repo.type))},
          {"path", info.path.string()},
          {"size", info.size_on_disk},
          {"blobs", info.blobs},
          {"last_modified", iso_time(info.last_modified)},
          {"refs", all_refs},
          {"revisions", revisions}};
}

class CacheCommand final : public Command {
public:
  void setup(CLI::App& sub) override {
    sub.require_subcommand(1);
    sub.fallthrough();
    m_ls = sub.add_subcommand("ls", "List the repos in the cache (HF_HUB_CACHE), or one repo's "
                                    "revisions and files");
    m_ls->fallthrough();
    m_ls->add_option("repo", m_repo, "Only this repo (org/name, or model/org/name)");
    m_ls->add_option("--repo-type", m_repo_type, "model, dataset or space (default: model)")
        ->check(CLI::IsMember({"model", "dataset", "space"}));
    m_verify = sub.add_subcommand(
        "verify", "Re-hash a repo's blobs against their names; report corrupt blobs, dangling "
                  "links and refs to missing snapshots (exit 9 when any)");
    m_verify->fallthrough();
    m_verify->add_option("repo", m_repo, "The repo (org/name, or model/org/name)")->required();
    m_verify->add_option("--repo-type", m_repo_type, "model, dataset or space (default: model)")
        ->check(CLI::IsMember({"model", "dataset", "space"}));
  }

  Result<void> run(CommandEnv& env) override {
    if (m_verify->parsed()) {
      return verify(env);
    }
    return list(env);
  }

private:
  Result<void> list(CommandEnv& env) {
    std::vector<cache::RepoInfo> repos;
    if (!m_repo.empty()) {
      HFRUN_TRY_ASSIGN(repo, parse_repo_arg(m_repo, m_repo_type));
      const cache::RepoCache folder(env.config.hub_cache, repo);
      std::error_code ec;
      if (!std::filesystem::is_directory(folder.root(), ec)) {
        return fail(ErrorKind::not_found, listed_id(repo) + " is not in the cache (" +
                                              env.config.hub_cache.string() + ")");
      }
      repos.push_back(cache::scan_repo(folder));
    } else {
      repos = cache::scan_cache(env.config.hub_cache);
    }
    if (env.global.json) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& info : repos) {
        list.push_back(repo_json(info));
      }
      return env.out.result_json(list);
    }
    std::string text;
    if (repos.empty()) {
      env.out.note("the cache (" + env.config.hub_cache.string() + ") holds no repos");
      return {};
    }
    char line[512];
    std::snprintf(line, sizeof line, "%-50s %10s %6s  %-20s  %s\n", "ID", "SIZE", "FILES",
                  "LAST_MODIFIED", "REFS");
    text += line;
    for (const auto& info : repos) {
      std::string refs;
      std::uint64_t files = 0;
      for (const auto& revision : info.revisions) {
        files = std::max(files, revision.files);
        for (const auto& ref : revision.refs) {
          refs += (refs.empty() ? "" : ",") + ref;
        }
      }
      std::snprintf(line, sizeof line, "%-50s %10s %6llu  %-20s  %s\n",
                    listed_id(info.repo).c_str(), human_size(info.size_on_disk).c_str(),
                    static_cast<unsigned long long>(files), iso_time(info.last_modified).c_str(),
                    refs.c_str());
      text += line;
      if (!m_repo.empty()) {
        for (const auto& revision : info.revisions) {
          text += "  " + revision.commit + "  " + std::to_string(revision.files) + " files, " +
                  human_size(revision.size) +
                  (revision.refs.empty() ? std::string()
                                         : "  (" +
                                               [&] {
                                                 std::string r;
                                                 for (const auto& ref : revision.refs) {
                                                   r += (r.empty() ? "" : ", ") + ref;
                                                 }
                                                 return r;
                                               }() +
                                               ")") +
                  "\n";
        }
      }
    }
    text.pop_back();
    return env.out.result_text(text);
  }

  Result<void> verify(CommandEnv& env) {
    HFRUN_TRY_ASSIGN(repo, parse_repo_arg(m_repo, m_repo_type));
    const cache::RepoCache folder(env.config.hub_cache, repo);
    HFRUN_TRY_ASSIGN(problems, cache::verify_repo(folder));
    if (env.global.json) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& p : problems) {
        list.push_back({{"kind", std::string(cache::problem_name(p.kind))},
                        {"path", p.path},
                        {"detail", p.detail}});
      }
      HFRUN_TRY(env.out.result_json(
          {{"repo", listed_id(repo)}, {"ok", problems.empty()}, {"problems", list}}));
    } else if (problems.empty()) {
      HFRUN_TRY(env.out.result_text(listed_id(repo) + ": ok (" + folder.root().string() + ")"));
    } else {
      std::string text;
      for (const auto& p : problems) {
        text += std::string(cache::problem_name(p.kind)) + "  " + p.path + "  " + p.detail + "\n";
      }
      text.pop_back();
      HFRUN_TRY(env.out.result_text(text));
    }
    if (!problems.empty()) {
      return fail(ErrorKind::bad_response,
                  listed_id(repo) + ": " + std::to_string(problems.size()) + " problem" +
                      (problems.size() == 1 ? "" : "s") + " in the cache",
                  "`hfrun download " + repo.id + " --force` fetches the files again");
    }
    return {};
  }

  CLI::App* m_ls = nullptr;
  CLI::App* m_verify = nullptr;
  std::string m_repo;
  std::string m_repo_type = "model";
};

} // namespace

std::unique_ptr<Command> make_cache_command() {
  return std::make_unique<CacheCommand>();
}

} // namespace hfrun::cli
