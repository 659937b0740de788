// The sink a file download writes into: blobs/<etag>.<8 hex>.incomplete, hashed as the bytes
// arrive, renamed to blobs/<etag> only when size and hash match (hub.md "cache-write algorithm"
// steps 6-7). A mismatch is ErrorKind::bad_response (exit 9) and nothing lands.
#pragma once

#include <cstdint>
#include <functional>
#include <hfrun/cache/cache.hpp>
#include <hfrun/http/message.hpp>
#include <optional>

namespace hfrun::cache {

// Absolute bytes of one blob held so far (resumed ones included), for progress reports.
using BytesHeld = std::function<void(std::uint64_t held)>;

class BlobSink final : public http::Sink {
public:
  BlobSink(const RepoCache& repo, std::string etag, std::uint64_t size, BytesHeld on_bytes = {});
  BlobSink(const BlobSink&) = delete;
  BlobSink& operator=(const BlobSink&) = delete;
  ~BlobSink() override; // removes the .incomplete file unless committed

  [[nodiscard]] Result<void> begin(int status, const http::Headers& headers) override;
  [[nodiscard]] Result<void> write(std::string_view chunk) override;
  [[nodiscard]] Result<void> finish(bool ok) override;

  [[nodiscard]] bool committed() const { return m_committed; }
  [[nodiscard]] std::uint64_t bytes_written() const { return m_written; }

private:
  void discard();

  fs::path m_blob;
  fs::path m_temp;
  std::string m_etag;
  std::uint64_t m_size;
  BytesHeld m_on_bytes;
  std::optional<BlobHasher> m_hasher;
  int m_fd = -1;
  std::uint64_t m_written = 0;
  bool m_committed = false;
};

// The mode a new file gets here: 0666 & ~umask (what Python's probe-file emulation yields).
[[nodiscard]] unsigned default_file_mode();

} // namespace hfrun::cache
