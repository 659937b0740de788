// PRIVATE to the cache layer: fetching a set of blobs into blobs/ (docs/download.md, "How the
// bytes arrive"). Small blobs go as one GET each; large ones as byte ranges against the URL the
// Hub redirects to, all through one send_all so every connection stays busy.
#pragma once

#include <cstdint>
#include <hfrun/cache/download.hpp>
#include <map>
#include <string>
#include <vector>

namespace hfrun::cache {

struct BlobJob {
  std::string etag;
  std::uint64_t size = 0;
  std::string path; // a repo path with this content, for messages
  std::string url;  // its resolve URL on the Hub
};

struct FetchSettings {
  std::size_t connections = k_default_connections;
  bool resume = true;
  ProgressFn progress;
  std::function<void(std::string_view)> note;
  // Builds the error for a non-2xx answer to a blob's request (the Hub's 401/403/404 rules).
  std::function<Error(const http::Response&, const BlobJob&)> http_error;
};

struct FetchReport {
  std::map<std::string, Error> failed; // by etag
  std::size_t fetched = 0;
  std::uint64_t bytes = 0;   // written by this run
  std::uint64_t resumed = 0; // adopted from an earlier run and verified
};

// Every blob lands in blobs/<etag> verified, or is in `failed`. Call with the blobs' locks held.
[[nodiscard]] FetchReport fetch_blobs(client::Client& client,
                                      const RepoCache& repo,
                                      const std::vector<BlobJob>& jobs,
                                      const FetchSettings& settings);

} // namespace hfrun::cache
