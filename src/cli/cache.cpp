// hfrun cache ls / verify / rm / prune: what the shared Hugging Face cache holds, whether it is
// intact, and removing from it (docs/cache.md).
#include "command.hpp"

#include <ctime>
#include <hfrun/cache/inspect.hpp>
#include <hfrun/cache/remove.hpp>
#include <hfrun/util/renamed_field.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::cli {

namespace {

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
    nlohmann::json listed = {
        {"commit", revision.commit}, {"refs", revision.refs}, {"files", revision.files}};
    util::put_renamed(listed, "bytes", "size", revision.size);
    revisions.push_back(std::move(listed));
    all_refs.insert(all_refs.end(), revision.refs.begin(), revision.refs.end());
  }
  nlohmann::json out = {{"repo_id", info.repo.id},
                        {"repo_type", std::string(hub::repo_type_name(info.repo.type))},
                        {"path", info.path.string()},
                        {"blobs", info.blobs},
                        {"last_modified", iso_time(info.last_modified)},
                        {"refs", all_refs},
                        {"revisions", revisions}};
  util::put_renamed(out, "repo", "id", listed_id(info.repo));
  util::put_renamed(out, "bytes", "size", info.size_on_disk);
  return out;
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
    m_rm = sub.add_subcommand("rm", "Remove revisions (REPO@REV, a ref or a commit) or whole repos "
                                    "(REPO), and the blobs no remaining snapshot links to");
    m_rm->fallthrough();
    m_rm->add_option("repos", m_targets, "REPO or REPO@REV (org/name, or model/org/name)")
        ->required();
    m_rm->add_option("--repo-type", m_repo_type, "model, dataset or space (default: model)")
        ->check(CLI::IsMember({"model", "dataset", "space"}));
    m_rm->add_flag("--yes,-y", m_yes, "Do not ask for confirmation");
    m_prune = sub.add_subcommand("prune", "Remove stale partial downloads (.incomplete) and blobs "
                                          "no snapshot links to");
    m_prune->fallthrough();
    m_prune->add_flag("--yes,-y", m_yes, "Do not ask for confirmation");
  }

  Result<void> run(CommandEnv& env) override {
    if (m_verify->parsed()) {
      return verify(env);
    }
    if (m_rm->parsed()) {
      return remove(env);
    }
    if (m_prune->parsed()) {
      return prune(env);
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
                    listed_id(info.repo).c_str(),
                    util::human_bytes_decimal(info.size_on_disk).c_str(),
                    static_cast<unsigned long long>(files), iso_time(info.last_modified).c_str(),
                    refs.c_str());
      text += line;
      if (!m_repo.empty()) {
        for (const auto& revision : info.revisions) {
          text += "  " + revision.commit + "  " + std::to_string(revision.files) + " files, " +
                  util::human_bytes_decimal(revision.size) +
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

  Result<void> remove(CommandEnv& env) {
    // Targets grouped by repo, so "a@v1 a@v2" is judged as one plan (a blob both share goes).
    // An empty revision list means the whole repo.
    std::vector<std::pair<hub::RepoRef, std::vector<std::string>>> groups;
    for (const auto& target : m_targets) {
      // The revision follows the last '@' ("org/name@v1.0"); repo ids never hold one.
      const auto at = target.rfind('@');
      HFRUN_TRY_ASSIGN(repo, parse_repo_arg(target.substr(0, at), m_repo_type));
      if (at != std::string::npos && at + 1 == target.size()) {
        return fail(ErrorKind::usage, "an empty revision after '@' in " + target);
      }
      auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
        return g.first.type == repo.type && g.first.id == repo.id;
      });
      const bool whole = at == std::string::npos;
      if (group == groups.end()) {
        groups.emplace_back(repo, std::vector<std::string>{});
        group = std::prev(groups.end());
        if (!whole) {
          group->second.push_back(target.substr(at + 1));
        }
      } else if (whole) {
        group->second.clear();
      } else if (!group->second.empty()) {
        group->second.push_back(target.substr(at + 1));
      }
    }
    std::vector<cache::RemovalPlan> plans;
    for (const auto& [repo, revisions] : groups) {
      HFRUN_TRY_ASSIGN(
          plan, cache::plan_removal(cache::RepoCache(env.config.hub_cache, repo), revisions));
      plans.push_back(std::move(plan));
    }
    return confirm_and_apply(env, plans, "rm");
  }

  Result<void> prune(CommandEnv& env) {
    return confirm_and_apply(env, cache::plan_prune(env.config.hub_cache), "prune");
  }

  Result<void> confirm_and_apply(CommandEnv& env,
                                 const std::vector<cache::RemovalPlan>& plans,
                                 const std::string& verb) {
    std::size_t revisions = 0;
    std::size_t blobs = 0;
    std::uint64_t bytes = 0;
    std::vector<std::string> paths;
    for (const auto& plan : plans) {
      revisions += plan.commits.size();
      blobs += plan.blobs.size();
      bytes += plan.bytes;
      if (plan.whole_repo) {
        paths.push_back(plan.root.string());
        continue;
      }
      for (const auto& commit : plan.commits) {
        paths.push_back((plan.root / "snapshots" / commit).string());
      }
      for (const auto& ref : plan.refs) {
        paths.push_back((plan.root / "refs" / ref).string());
      }
      for (const auto& blob : plan.blobs) {
        paths.push_back((plan.root / "blobs" / blob).string());
      }
    }
    std::string listing;
    for (const auto& path : paths) {
      listing += path + "\n";
    }
    // --json: what was (or would be) removed, one document whatever happened.
    const auto report = [&](bool removed, std::string_view text) -> Result<void> {
      if (env.global.json) {
        return env.out.result_json({{"removed", removed},
                                    {"dry_run", env.global.dry_run},
                                    {"revisions", revisions},
                                    {"blobs", blobs},
                                    {"bytes", bytes},
                                    {"paths", paths}});
      }
      return env.out.result_text(text);
    };
    char mib[32];
    std::snprintf(mib, sizeof mib, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    const std::string summary = std::to_string(revisions) + " revision" +
                                (revisions == 1 ? "" : "s") + ", " + std::to_string(blobs) +
                                " blob" + (blobs == 1 ? "" : "s") + ", " + mib;
    if (plans.empty()) {
      return report(false, "nothing to remove");
    }
    if (env.global.dry_run) {
      return report(false, listing + "would remove " + summary + " (--dry-run)");
    }
    if (!m_yes) {
      if (!env.out.io().in_is_tty) {
        return fail(ErrorKind::usage, "hfrun cache " + verb + " would remove " + summary +
                                          "; not on a terminal: pass --yes");
      }
      if (!ask_yes_no(env.out, listing + "remove " + summary + "? [y/N] ")) {
        return report(false, "nothing removed");
      }
    }
    for (const auto& plan : plans) {
      HFRUN_TRY(cache::apply_removal(plan));
    }
    return report(true, listing + "removed " + summary);
  }

  CLI::App* m_ls = nullptr;
  CLI::App* m_verify = nullptr;
  CLI::App* m_rm = nullptr;
  CLI::App* m_prune = nullptr;
  std::vector<std::string> m_targets;
  bool m_yes = false;
  std::string m_repo;
  std::string m_repo_type = "model";
};

} // namespace

std::unique_ptr<Command> make_cache_command() {
  return std::make_unique<CacheCommand>();
}

} // namespace hfrun::cli
