// hfrun download: huggingface_hub's `hf download` into the shared cache (docs/download.md).
#include "command.hpp"
#include "download_progress.hpp"

#include <hfrun/cache/download.hpp>

namespace hfrun::cli {

namespace {

class DownloadCommand final : public Command {
public:
  void setup(CLI::App& sub) override {
    sub.add_option("repo", m_repo, "Repo id (org/name)")->required();
    sub.add_option("files", m_files, "Only these files (paths in the repo)");
    sub.add_option("--include", m_include,
                   "Only paths matching this glob (fnmatch: * crosses /; \"dir/\" = \"dir/*\"); "
                   "repeatable")
        ->allow_extra_args(false);
    sub.add_option("--exclude", m_exclude, "Skip paths matching this glob; repeatable")
        ->allow_extra_args(false);
    sub.add_option("--revision", m_revision, "Branch, tag or commit (default: main)");
    sub.add_option("--repo-type", m_repo_type, "model, dataset or space (default: model)")
        ->check(CLI::IsMember({"model", "dataset", "space"}));
    sub.add_option("--local-dir", m_local_dir,
                   "Also place the files under DIR, with huggingface_hub's .cache/huggingface "
                   "metadata");
    sub.add_flag("--force", m_force,
                 "Download again even what the cache already has (and do not resume partial "
                 "files of an earlier run)");
    sub.add_option("--connections", m_connections,
                   "Connections at once, for files and the byte ranges of large files together")
        ->check(CLI::Range(1, 64))
        ->default_val(cache::k_default_connections);
  }

  Result<void> run(CommandEnv& env) override {
    cache::DownloadRequest request;
    request.repo.type = hub::parse_repo_type(m_repo_type).value_or(hub::RepoType::model);
    request.repo.id = m_repo;
    request.revision = m_revision.empty() ? "main" : m_revision;
    request.files = m_files;
    request.include = m_include;
    request.exclude = m_exclude;
    request.force = m_force;
    request.connections = m_connections;
    DownloadProgressView view(env.out, m_repo);
    if (view.enabled()) {
      request.progress = [&view](const cache::DownloadProgress& p) { view.update(p); };
    }
    if (!m_local_dir.empty()) {
      request.local_dir = std::filesystem::path(m_local_dir);
    }
    if (!request.files.empty() && (!request.include.empty() || !request.exclude.empty())) {
      env.out.warn("--include/--exclude are ignored when files are named");
      request.include.clear();
      request.exclude.clear();
    }
    Result<cache::DownloadResult> done = [&]() -> Result<cache::DownloadResult> {
      if (env.config.offline) {
        return cache::resolve_offline(env.config.hub_cache, request);
      }
      return cache::download(env.client, env.config.hub_cache, request,
                             [&](std::string_view line) { env.out.note(line); });
    }();
    HFRUN_TRY(done);
    if (env.global.json) {
      return env.out.result_json({{"path", done->path.string()},
                                  {"commit", done->commit},
                                  {"files", done->files},
                                  {"downloaded", done->fetched},
                                  {"bytes_downloaded", done->bytes_fetched},
                                  {"bytes_resumed", done->bytes_resumed}});
    }
    return env.out.result_text(done->path.string());
  }

private:
  std::string m_repo;
  std::vector<std::string> m_files;
  std::vector<std::string> m_include;
  std::vector<std::string> m_exclude;
  std::string m_revision;
  std::string m_repo_type = "model";
  std::string m_local_dir;
  bool m_force = false;
  std::size_t m_connections = cache::k_default_connections;
};

} // namespace

std::unique_ptr<Command> make_download_command() {
  return std::make_unique<DownloadCommand>();
}

} // namespace hfrun::cli
