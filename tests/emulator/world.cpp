#include "world.hpp"

#include "content.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

namespace emulator {
namespace {

using nlohmann::json;

constexpr std::uint64_t k_max_inline_generated =
    16ULL << 20U; // non-LFS generated files are hashed eagerly

std::string default_sha(std::string_view type, std::string_view id, std::string_view revision) {
  return sha1_hex("hfrun-emulator:" + std::string(type) + ":" + std::string(id) + "@" +
                  std::string(revision));
}

FileDigests inline_digests(const RepoFile& f) {
  FileDigests d;
  if (f.lfs) {
    d.sha256 = sha256_hex(*f.content);
    d.pointer = lfs_pointer(d.sha256, f.size);
    d.git_oid = git_blob_sha1(d.pointer);
  } else {
    d.git_oid = git_blob_sha1(*f.content);
  }
  return d;
}

FileDigests lfs_digests(std::string sha256, std::uint64_t size) {
  FileDigests d;
  d.sha256 = std::move(sha256);
  d.pointer = lfs_pointer(d.sha256, size);
  d.git_oid = git_blob_sha1(d.pointer);
  return d;
}

template <class T> std::shared_future<T> ready(T value) {
  std::promise<T> p;
  p.set_value(std::move(value));
  return p.get_future().share();
}

using Jobs = std::vector<std::pair<std::promise<FileDigests>, const RepoFile*>>;

// One "_files" entry, or an error message.
std::expected<RepoFile, std::string> parse_file(const json& j, std::string_view repo_id) {
  if (!j.is_object() || !j.contains("path") || !j["path"].is_string()) {
    return std::unexpected("a file of " + std::string(repo_id) + " has no \"path\"");
  }
  RepoFile f;
  f.path = j["path"].get<std::string>();
  if (f.path.empty() || f.path.front() == '/' || f.path.find("..") != std::string::npos) {
    return std::unexpected("bad file path \"" + f.path + "\" in " + std::string(repo_id));
  }
  if (j.contains("content") && j["content"].is_string()) {
    f.content = j["content"].get<std::string>();
  } else if (j.contains("json")) {
    f.content = j["json"].dump(2) + "\n";
  } else if (j.contains("content_file") && j["content_file"].is_string()) {
    // A file's bytes from disk, e.g. a test's real model (tests/e2e/local_test.cpp).
    std::ifstream in(j["content_file"].get<std::string>(), std::ios::binary);
    if (!in) {
      return std::unexpected("cannot read content_file " + j["content_file"].get<std::string>() +
                             " of " + std::string(repo_id));
    }
    f.content.emplace(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else if (j.value("generated", false) && j.contains("size") && j["size"].is_number_unsigned()) {
    f.size = j["size"].get<std::uint64_t>();
  } else {
    return std::unexpected("file " + f.path + " of " + std::string(repo_id) +
                           " needs \"content\", \"json\" or \"generated\": true with \"size\"");
  }
  if (f.content) {
    f.size = f.content->size();
  }
  f.lfs = j.value("lfs", !f.content.has_value());
  f.seed = j.contains("seed") ? j["seed"].get<std::uint64_t>()
                              : fnv1a64(std::string(repo_id) + "/" + f.path);
  if (!f.content && !f.lfs && f.size > k_max_inline_generated) {
    return std::unexpected("generated file " + f.path + " of " + std::string(repo_id) +
                           " must be LFS above 16 MiB");
  }
  return f;
}

std::string readme_for(const json& j, std::string_view id) {
  std::string text = "---\n";
  if (j.contains("cardData") && j["cardData"].is_object()) {
    for (const auto& [k, v] : j["cardData"].items()) {
      text += k + ": " + (v.is_string() ? v.get<std::string>() : v.dump()) + "\n";
    }
  }
  text += "---\n\n# " + std::string(id) + "\n\nServed by hfrun-emulator.\n";
  return text;
}

std::expected<std::unique_ptr<Repo>, std::string>
parse_repo(const json& j, std::string type, Jobs& jobs) {
  if (!j.is_object() || !j.contains("id") || !j["id"].is_string()) {
    return std::unexpected("a " + type + " entry has no string \"id\"");
  }
  auto repo = std::make_unique<Repo>();
  repo->type = std::move(type);
  repo->id = j["id"].get<std::string>();
  repo->info = j;
  repo->renamed_to = j.value("_renamed_to", "");
  repo->sha = j.contains("sha") && j["sha"].is_string() ? j["sha"].get<std::string>()
                                                        : default_sha(repo->type, repo->id, "main");
  repo->revisions["main"] = repo->sha;
  if (j.contains("_revisions") && j["_revisions"].is_object()) {
    for (const auto& [name, commit] : j["_revisions"].items()) {
      repo->revisions[name] =
          commit.is_string() ? commit.get<std::string>() : default_sha(repo->type, repo->id, name);
    }
  }
  repo->is_private = j.value("private", false);
  const auto slash = repo->id.find('/');
  repo->owner =
      j.value("_owner", slash == std::string::npos ? repo->id : repo->id.substr(0, slash));
  if (j.contains("gated") && j["gated"].is_string()) {
    repo->gated = j["gated"].get<std::string>();
  }
  repo->disabled = j.value("disabled", false);

  std::vector<RepoFile> files;
  if (j.contains("_files")) {
    for (const auto& fj : j["_files"]) {
      auto f = parse_file(fj, repo->id);
      if (!f) {
        return std::unexpected(f.error());
      }
      files.push_back(std::move(*f));
    }
  } else if (j.contains("siblings") && j["siblings"].is_array()) {
    for (const auto& s : j["siblings"]) {
      RepoFile f;
      f.path = s.value("rfilename", "");
      f.content = "placeholder for " + f.path + "\n";
      f.size = f.content->size();
      files.push_back(std::move(f));
    }
  }
  if (j.contains("_generated_files") && j["_generated_files"].is_object()) {
    const auto& g = j["_generated_files"];
    const auto count = g.value("count", 0);
    const auto digits = g.value("digits", 4);
    for (int i = 0; i < count; ++i) {
      std::string number = std::to_string(i);
      if (static_cast<int>(number.size()) < digits) {
        number.insert(0, static_cast<std::size_t>(digits) - number.size(), '0');
      }
      RepoFile f;
      f.path = g.value("prefix", "file-") + number + g.value("suffix", ".txt");
      f.content = "generated file " + std::to_string(i) + " of " + repo->id + "\n";
      f.size = f.content->size();
      files.push_back(std::move(f));
    }
  }
  const auto has = [&](std::string_view path) {
    return std::any_of(files.begin(), files.end(),
                       [&](const RepoFile& f) { return f.path == path; });
  };
  if (!j.contains("_files") && !j.contains("siblings") && repo->renamed_to.empty()) {
    if (!has("README.md")) {
      RepoFile f;
      f.path = "README.md";
      f.content = readme_for(j, repo->id);
      files.push_back(std::move(f));
    }
    if (j.contains("config") && !has("config.json") && repo->type == "model") {
      RepoFile f;
      f.path = "config.json";
      f.content = j["config"].dump(2) + "\n";
      files.push_back(std::move(f));
    }
  }
  std::sort(files.begin(), files.end(),
            [](const RepoFile& a, const RepoFile& b) { return a.path < b.path; });
  for (auto& f : files) {
    if (f.content) {
      f.size = f.content->size();
      f.digests = ready(inline_digests(f));
    }
  }
  repo->files = std::move(files);
  // Generated files: digests now, or from a precomputed "sha256", or in the background.
  std::map<std::string, std::string> given;
  if (j.contains("_files")) {
    for (const auto& fj : j["_files"]) {
      if (fj.contains("sha256") && fj["sha256"].is_string()) {
        given[fj["path"].get<std::string>()] = fj["sha256"].get<std::string>();
      }
    }
  }
  for (auto& f : repo->files) {
    if (f.content) {
      continue;
    }
    if (!f.lfs) {
      std::string bytes(static_cast<std::size_t>(f.size), '\0');
      generate_bytes(f.seed, 0, bytes.data(), bytes.size());
      FileDigests d;
      d.git_oid = git_blob_sha1(bytes);
      f.digests = ready(std::move(d));
    } else if (auto it = given.find(f.path); it != given.end()) {
      f.digests = ready(lfs_digests(it->second, f.size));
    } else {
      std::promise<FileDigests> promise;
      f.digests = promise.get_future().share();
      jobs.emplace_back(std::move(promise), &f);
    }
  }
  return repo;
}

bool string_array(const json& j) {
  return j.is_array() &&
         std::all_of(j.begin(), j.end(), [](const json& e) { return e.is_string(); });
}

void merge_into(json& base, const json& extra) {
  if (base.is_object() && extra.is_object()) {
    for (const auto& [k, v] : extra.items()) {
      if (!base.contains(k)) {
        base[k] = v;
      } else {
        merge_into(base[k], v);
      }
    }
  } else if (string_array(base) && string_array(extra)) {
    for (const auto& e : extra) {
      if (std::find(base.begin(), base.end(), e) == base.end()) {
        base.push_back(e);
      }
    }
  }
  // Anything else: the earlier value stays.
}

std::string subdomain_of(std::string_view id) {
  std::string out;
  for (const char c : id) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      out.push_back('-');
    }
  }
  return out;
}

} // namespace

void RepoFile::read(std::uint64_t offset, char* out, std::size_t n) const {
  if (content) {
    std::memcpy(out, content->data() + offset, n);
  } else {
    generate_bytes(seed, offset, out, n);
  }
}

std::optional<std::string> Repo::commit_for(std::string_view revision) const {
  if (revision ==
      "HEAD") { // git's name for the default branch; @huggingface/hub's modelInfo uses it
    revision = "main";
  }
  if (auto it = revisions.find(revision); it != revisions.end()) {
    return it->second;
  }
  for (const auto& [name, commit] : revisions) {
    if (commit == revision) {
      return commit;
    }
  }
  return std::nullopt;
}

const RepoFile* Repo::file(std::string_view path) const {
  auto it = std::lower_bound(files.begin(), files.end(), path,
                             [](const RepoFile& f, std::string_view p) { return f.path < p; });
  return it != files.end() && it->path == path ? &*it : nullptr;
}

std::uint64_t Repo::used_storage() const {
  std::uint64_t total = 0;
  for (const auto& f : files) {
    total += f.size;
  }
  return total;
}

std::string storage_key(std::string_view repo_id) {
  return sha256_hex("models/" + std::string(repo_id));
}

std::expected<std::unique_ptr<World>, std::string> World::build(nlohmann::json doc) {
  std::unique_ptr<World> world(new World());
  if (!doc.is_object()) {
    return std::unexpected("the world must be a JSON object");
  }
  Jobs jobs;
  std::set<std::string> referenced_spaces;
  for (const auto& m : doc.value("models", json::array())) {
    auto repo = parse_repo(m, "model", jobs);
    if (!repo) {
      return std::unexpected(repo.error());
    }
    if (world->m_model_index.contains((*repo)->id)) {
      return std::unexpected("model " + (*repo)->id + " is listed twice");
    }
    for (const auto& s : m.value("spaces", json::array())) {
      if (s.is_string()) {
        referenced_spaces.insert(s.get<std::string>());
      }
    }
    world->m_model_index[(*repo)->id] = repo->get();
    world->m_storage_index[storage_key((*repo)->id)] = repo->get();
    world->m_models.push_back(std::move(*repo));
  }
  auto spaces = doc.value("spaces", json::array());
  for (const auto& id : referenced_spaces) {
    const bool listed = std::any_of(spaces.begin(), spaces.end(), [&](const json& s) {
      return s.is_object() && s.value("id", "") == id;
    });
    if (!listed) {
      spaces.push_back(
          {{"id", id}, {"stage", "RUNNING"}, {"hardware", "cpu-basic"}, {"sdk", "gradio"}});
    }
  }
  for (auto& s : spaces) {
    if (s.is_object() && s.contains("id") && !s.contains("_host")) {
      const auto sub = subdomain_of(s["id"].get<std::string>());
      s["_subdomain"] = sub;
      s["_host"] = "https://" + sub + ".hf.space";
    }
    auto repo = parse_repo(s, "space", jobs);
    if (!repo) {
      return std::unexpected(repo.error());
    }
    world->m_space_index[(*repo)->id] = repo->get();
    world->m_spaces.push_back(std::move(*repo));
  }
  doc["spaces"] = spaces;
  for (const auto& u : doc.value("users", json::array())) {
    if (!u.is_object() || !u.contains("name") || !u.contains("token")) {
      return std::unexpected("a user needs \"name\" and \"token\"");
    }
  }
  world->m_doc = std::move(doc);
  world->start_hashing(std::move(jobs));
  return world;
}

void World::start_hashing(std::vector<std::pair<std::promise<FileDigests>, const RepoFile*>> jobs) {
  if (jobs.empty()) {
    return;
  }
  m_hasher = std::thread([this, jobs = std::move(jobs)]() mutable {
    for (auto& [promise, file] : jobs) {
      if (m_stop) {
        promise.set_value(lfs_digests(std::string(64, '0'), file->size));
        continue;
      }
      promise.set_value(lfs_digests(sha256_generated(file->seed, file->size), file->size));
    }
  });
}

World::~World() {
  m_stop = true;
  if (m_hasher.joinable()) {
    m_hasher.join();
  }
}

const Repo* World::model(std::string_view id) const {
  auto it = m_model_index.find(id);
  return it == m_model_index.end() ? nullptr : it->second;
}

const Repo* World::space(std::string_view id) const {
  auto it = m_space_index.find(id);
  return it == m_space_index.end() ? nullptr : it->second;
}

const Repo* World::model_by_storage_key(std::string_view key) const {
  auto it = m_storage_index.find(key);
  return it == m_storage_index.end() ? nullptr : it->second;
}

const nlohmann::json* World::user_for_token(std::string_view token) const {
  if (token.empty() || !m_doc.contains("users")) {
    return nullptr;
  }
  for (const auto& u : m_doc["users"]) {
    if (u.value("token", "") == token) {
      return &u;
    }
  }
  return nullptr;
}

std::vector<std::string> World::tokens() const {
  std::vector<std::string> out;
  for (const auto& u : m_doc.value("users", json::array())) {
    out.push_back(u.value("token", ""));
  }
  return out;
}

nlohmann::json merge_worlds(const std::vector<nlohmann::json>& docs) {
  json out = json::object();
  for (const auto& doc : docs) {
    if (!doc.is_object()) {
      continue;
    }
    for (const auto& [key, value] : doc.items()) {
      if ((key == "models" || key == "spaces" || key == "users") && value.is_array()) {
        const char* id_key = key == "users" ? "name" : "id";
        auto& list = out[key];
        if (!list.is_array()) {
          list = json::array();
        }
        for (const auto& entry : value) {
          auto it = std::find_if(list.begin(), list.end(), [&](const json& e) {
            return e.is_object() && entry.is_object() && e.contains(id_key) &&
                   entry.contains(id_key) && e[id_key] == entry[id_key];
          });
          if (it == list.end()) {
            list.push_back(entry);
          } else {
            merge_into(*it, entry);
          }
        }
      } else if (!out.contains(key)) {
        out[key] = value;
      }
    }
  }
  return out;
}

} // namespace emulator
