// Names and paths from users and servers (src/hub, src/cache): repo ids, tree paths (a file name
// from the server must never leave the snapshot folder), commits, Link headers of tree pages,
// etags, cache folder names.
#include "fuzz_input.hpp"

#include <cstdlib>
#include <hfrun/cache/cache.hpp>
#include <hfrun/hub/model_info.hpp>
#include <hfrun/hub/repo_files.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = hfrun::fuzz::as_text(data, size);
  const std::string owned(text);
  (void)hfrun::hub::validate_repo_id(owned);
  (void)hfrun::hub::is_commit_hash(text);
  (void)hfrun::hub::next_link(text);
  (void)hfrun::hub::parse_repo_type(text);
  (void)hfrun::cache::normalize_etag(text);
  (void)hfrun::cache::blob_hash_kind(text);
  if (hfrun::hub::is_safe_repo_path(text)) {
    // What the cache then builds from it stays inside the snapshot folder.
    const std::string target = hfrun::cache::blob_link_target(text, "etag");
    if (target.find("/blobs/etag") == std::string::npos) {
      std::abort();
    }
    if (text.find("..") != std::string_view::npos &&
        (text == ".." || text.starts_with("../") || text.find("/../") != std::string_view::npos ||
         text.ends_with("/.."))) {
      std::abort(); // a path that climbs out was called safe
    }
    if (text.starts_with('/') || text.find('\0') != std::string_view::npos) {
      std::abort();
    }
  }
  if (auto repo = hfrun::cache::parse_repo_folder(text)) {
    (void)hfrun::cache::repo_folder_name(*repo);
  }
  return 0;
}
