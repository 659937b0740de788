#include "file_io.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <hfrun/cache/cache.hpp>
#include <hfrun/util/sha1.hpp>
#include <hfrun/util/sha256.hpp>
#include <hfrun/util/strings.hpp>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace hfrun::cache {

namespace {

std::string_view folder_prefix(hub::RepoType type) {
  switch (type) {
  case hub::RepoType::dataset:
    return "datasets";
  case hub::RepoType::space:
    return "spaces";
  case hub::RepoType::model:
    break;
  }
  return "models";
}

bool is_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return !text.empty();
}

Error io_error(const std::string& what, const fs::path& path, int err) {
  return make_error(ErrorKind::output_failed,
                    what + " " + path.string() + ": " + std::strerror(err),
                    "check the cache folder's permissions and free space (HF_HUB_CACHE)");
}

Result<void> make_dirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return unexpected<Error>(io_error("cannot create", dir, ec.value()));
  }
  return {};
}

// Writes `content` to `target` through a temp file beside it and rename().
Result<void> write_replace(const fs::path& target, std::string_view content) {
  const fs::path temp = target.string() + "." + temp_suffix() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    return unexpected<Error>(io_error("cannot create", temp, errno));
  }
  if (const int err = write_fully(fd, content); err != 0) {
    ::close(fd);
    ::unlink(temp.c_str());
    return unexpected<Error>(io_error("cannot write", temp, err));
  }
  ::close(fd);
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return unexpected<Error>(io_error("cannot rename to", target, err));
  }
  return {};
}

} // namespace

std::string repo_folder_name(const hub::RepoRef& repo) {
  std::string out(folder_prefix(repo.type));
  out += "--";
  for (char c : repo.id) {
    if (c == '/') {
      out += "--";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<hub::RepoRef> parse_repo_folder(std::string_view folder) {
  const auto sep = folder.find("--");
  if (sep == std::string_view::npos) {
    return std::nullopt;
  }
  const auto prefix = folder.substr(0, sep);
  hub::RepoRef repo;
  if (prefix == "models") {
    repo.type = hub::RepoType::model;
  } else if (prefix == "datasets") {
    repo.type = hub::RepoType::dataset;
  } else if (prefix == "spaces") {
    repo.type = hub::RepoType::space;
  } else {
    return std::nullopt;
  }
  std::string id(folder.substr(sep + 2));
  if (id.empty()) {
    return std::nullopt;
  }
  // "--" is not allowed in Hub repo ids, so every remaining "--" was a "/".
  for (auto at = id.find("--"); at != std::string::npos; at = id.find("--", at + 1)) {
    id.replace(at, 2, "/");
  }
  repo.id = std::move(id);
  return repo;
}

std::string normalize_etag(std::string_view etag) {
  if (etag.starts_with("W/")) {
    etag.remove_prefix(2);
  }
  std::string out;
  for (char c : etag) {
    if (c != '"') {
      out += c;
    }
  }
  return out;
}

std::string blob_link_target(std::string_view path, std::string_view etag) {
  std::string target = "../../";
  for (char c : path) {
    if (c == '/') {
      target += "../";
    }
  }
  target += "blobs/";
  target += etag;
  return target;
}

BlobHash blob_hash_kind(std::string_view etag) {
  if (etag.size() == 64 && is_hex(etag)) {
    return BlobHash::sha256;
  }
  if (etag.size() == 40 && is_hex(etag)) {
    return BlobHash::git_sha1;
  }
  return BlobHash::unknown;
}

struct BlobHasher::State {
  std::string etag;
  std::uint64_t expected = 0;
  std::uint64_t seen = 0;
  BlobHash kind = BlobHash::unknown;
  util::Sha256 sha256;
  util::Sha1 sha1;
};

BlobHasher::BlobHasher(std::string etag, std::uint64_t expected_size)
    : m_state(std::make_unique<State>()) {
  m_state->kind = blob_hash_kind(etag);
  m_state->etag = std::move(etag);
  m_state->expected = expected_size;
  if (m_state->kind == BlobHash::git_sha1) {
    // The header carries the size: a body of another length cannot match anyway.
    m_state->sha1.update(util::git_blob_header(expected_size));
  }
}
BlobHasher::~BlobHasher() = default;
BlobHasher::BlobHasher(BlobHasher&&) noexcept = default;
BlobHasher& BlobHasher::operator=(BlobHasher&&) noexcept = default;

void BlobHasher::update(std::string_view bytes) {
  m_state->seen += bytes.size();
  if (m_state->kind == BlobHash::sha256) {
    m_state->sha256.update(bytes);
  } else if (m_state->kind == BlobHash::git_sha1) {
    m_state->sha1.update(bytes);
  }
}

std::string BlobHasher::mismatch() {
  State& s = *m_state;
  if (s.seen != s.expected) {
    return "size " + std::to_string(s.seen) + " bytes, expected " + std::to_string(s.expected);
  }
  std::string got;
  if (s.kind == BlobHash::sha256) {
    got = s.sha256.hex_digest();
  } else if (s.kind == BlobHash::git_sha1) {
    got = s.sha1.hex_digest();
  } else {
    return {};
  }
  if (got != s.etag) {
    return std::string(s.kind == BlobHash::sha256 ? "sha256 " : "git blob sha1 ") + got +
           ", expected " + s.etag;
  }
  return {};
}

RepoCache::RepoCache(fs::path hub_cache, hub::RepoRef repo)
    : m_hub_cache(std::move(hub_cache)), m_repo(std::move(repo)) {}

fs::path RepoCache::root() const {
  return m_hub_cache / repo_folder_name(m_repo);
}
fs::path RepoCache::blob_path(std::string_view etag) const {
  return root() / "blobs" / std::string(etag);
}
fs::path RepoCache::snapshot_dir(std::string_view commit) const {
  return root() / "snapshots" / std::string(commit);
}
fs::path RepoCache::pointer_path(std::string_view commit, std::string_view path) const {
  return snapshot_dir(commit) / std::string(path);
}
fs::path RepoCache::ref_path(std::string_view revision) const {
  return root() / "refs" / std::string(revision);
}
fs::path RepoCache::no_exist_path(std::string_view commit, std::string_view path) const {
  return root() / ".no_exist" / std::string(commit) / std::string(path);
}
fs::path RepoCache::tree_path(std::string_view commit) const {
  return root() / "trees" / (std::string(commit) + ".json");
}
fs::path RepoCache::lock_path(std::string_view etag) const {
  return m_hub_cache / ".locks" / repo_folder_name(m_repo) / (std::string(etag) + ".lock");
}

std::optional<std::string> RepoCache::read_ref(std::string_view revision) const {
  std::ifstream in(ref_path(revision), std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Other writers (hf-hub, llama.cpp, old tools) may have left whitespace: read it trimmed.
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.pop_back();
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.erase(text.begin());
  }
  if (text.empty()) {
    return std::nullopt;
  }
  return text;
}

Result<void> RepoCache::write_ref(std::string_view revision, std::string_view commit) const {
  const fs::path path = ref_path(revision);
  {
    // Exact content, not read_ref's trimmed view: a ref with a newline is rewritten without it.
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (text == commit) {
        return {};
      }
    }
  }
  HFRUN_TRY(make_dirs(path.parent_path()));
  return write_replace(path, commit);
}

bool RepoCache::has_blob(std::string_view etag, std::uint64_t size) const {
  struct stat st {};
  return ::stat(blob_path(etag).c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         static_cast<std::uint64_t>(st.st_size) == size;
}

bool RepoCache::has_file(std::string_view commit, std::string_view path) const {
  struct stat st {};
  return ::stat(pointer_path(commit, path).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<void>
RepoCache::link(std::string_view commit, std::string_view path, std::string_view etag) const {
  const fs::path pointer = pointer_path(commit, path);
  HFRUN_TRY(make_dirs(pointer.parent_path()));
  const std::string target = blob_link_target(path, etag);
  // A fresh link beside the pointer renamed over it: a reader never sees the entry missing.
  const fs::path temp = pointer.string() + "." + temp_suffix() + ".tmp";
  if (::symlink(target.c_str(), temp.c_str()) != 0) {
    return unexpected<Error>(io_error("cannot create the link", temp, errno));
  }
  if (::rename(temp.c_str(), pointer.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return unexpected<Error>(io_error("cannot create the link", pointer, err));
  }
  return {};
}

Result<void> RepoCache::mark_missing(std::string_view commit, std::string_view path) const {
  const fs::path marker = no_exist_path(commit, path);
  HFRUN_TRY(make_dirs(marker.parent_path()));
  const int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    return unexpected<Error>(io_error("cannot create", marker, errno));
  }
  ::close(fd);
  return {};
}

Result<void> ensure_cachedir_tag(const fs::path& hub_cache) {
  const fs::path tag = hub_cache / "CACHEDIR.TAG";
  std::error_code ec;
  if (fs::exists(tag, ec)) {
    return {};
  }
  HFRUN_TRY(make_dirs(hub_cache));
  // The signature line is what the standard requires (https://bford.info/cachedir/).
  return write_replace(tag, "Signature: 8a477f597d28d172789f06886806bc55\n"
                            "# This file is a cache directory tag created by hfrun.\n"
                            "# For information about cache directory tags see "
                            "https://bford.info/cachedir/\n");
}

Result<FileLock> FileLock::acquire(const fs::path& path,
                                   const std::function<void(std::string_view)>& waiting) {
  HFRUN_TRY(make_dirs(path.parent_path()));
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0664);
  if (fd < 0) {
    return unexpected<Error>(io_error("cannot open the lock file", path, errno));
  }
  // filelock chmods to 0o664 so that users of one group can share a cache; umask would narrow it.
  (void)::fchmod(fd, 0664);
  auto last_note = std::chrono::steady_clock::now();
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      // No flock on this filesystem (some NFS/CIFS): the lock is best-effort, go on without it.
      return FileLock(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (waiting && std::chrono::steady_clock::now() - last_note >= std::chrono::seconds(10)) {
      waiting("still waiting to acquire lock on " + path.string());
      last_note = std::chrono::steady_clock::now();
    }
  }
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : m_fd(other.m_fd) {
  other.m_fd = -1;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
    m_fd = other.m_fd;
    other.m_fd = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (m_fd >= 0) {
    ::close(m_fd); // closing the descriptor releases the flock
  }
}

std::string temp_suffix() {
  return util::random_string(8, "0123456789abcdef");
}

std::vector<std::string> snapshot_entries(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_symlink(ec) || !it->is_directory(ec)) {
      out.push_back(it->path().lexically_relative(dir).generic_string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace hfrun::cache
