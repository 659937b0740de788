// A large blob fetched as byte ranges over several connections, the hf_transfer way
// (docs/download.md, "Parallel byte ranges"): each part is written at its offset into
// blobs/<etag>.<8 hex>.incomplete, the hash follows the contiguous prefix as it grows (so it is
// done when the last byte lands, not in a second pass), and a journal beside the file lists the
// finished parts so a later run resumes them. Resumed bytes are never trusted: they are hashed with
// the rest, and a mismatch throws them away.
#pragma once

#include <cstdint>
#include <functional>
#include <hfrun/cache/blob_sink.hpp>
#include <hfrun/http/message.hpp>
#include <memory>
#include <utility>
#include <vector>

namespace hfrun::cache {

// Files from this size on are fetched in ranges; smaller ones in one stream each (many at once).
inline constexpr std::uint64_t k_ranged_from = 16u << 20;

// The part size for a file: about 64 equal parts, between 8 and 64 MiB, rounded up to whole MiB
// (a 1 GiB file: 64 parts of 16 MiB), so the last wave of parts in flight is short.
[[nodiscard]] std::uint64_t part_size_for(std::uint64_t size);

class RangedBlob {
public:
  // Opens the partial file of blob `etag` (`size` bytes, parts of `part_size`). With `resume`, an
  // earlier run's partial file of the same blob and size is adopted with the parts its journal
  // lists (the journal's part size wins). Call it with the blob's lock held (FileLock), so no other
  // process writes the partial files of this blob meanwhile.
  [[nodiscard]] static Result<std::unique_ptr<RangedBlob>> open(const RepoCache& repo,
                                                                std::string etag,
                                                                std::uint64_t size,
                                                                std::uint64_t part_size,
                                                                bool resume,
                                                                BytesHeld on_bytes = {});
  RangedBlob(const RangedBlob&) = delete;
  RangedBlob& operator=(const RangedBlob&) = delete;
  // Unless committed: keeps the partial file and journal when some part is done (a later run
  // resumes them), removes them otherwise or after discard().
  ~RangedBlob();

  [[nodiscard]] std::size_t part_count() const;
  [[nodiscard]] bool part_done(std::size_t part) const;
  // The first and last byte (inclusive) of a part.
  [[nodiscard]] std::pair<std::uint64_t, std::uint64_t> part_bounds(std::size_t part) const;
  // The first part not done yet; part_count() when every part is.
  [[nodiscard]] std::size_t first_missing() const;
  // The sink of one part's ranged GET: it takes only a 206 with exactly that range of a file of
  // this size. With `may_be_whole`, a 200 (the server ignored Range) restarts the blob as one
  // stream of the whole file instead.
  [[nodiscard]] http::Sink& part_sink(std::size_t part, bool may_be_whole);
  // The sink of the first, one-byte request (`Range: bytes=0-0`): a 206 must say the file has this
  // size (its byte is dropped); a 200 (the server ignored Range) is the whole file in one stream.
  [[nodiscard]] http::Sink& probe_sink();

  [[nodiscard]] bool whole_stream() const { return m_whole; }
  [[nodiscard]] bool complete() const;
  [[nodiscard]] std::uint64_t resumed_bytes() const { return m_resumed; }
  [[nodiscard]] std::uint64_t written_bytes() const { return m_written_this_run; }
  [[nodiscard]] const fs::path& partial_path() const { return m_temp; }

  // Checks size and hash, then fsync, mode 0666 & ~umask, rename into blobs/<etag>, journal gone.
  // A mismatch is ErrorKind::bad_response and removes the partial file and journal.
  [[nodiscard]] Result<void> commit();
  // Removes the partial file and journal now.
  void discard();

private:
  class PartSink;
  class ProbeSink;
  RangedBlob(const RepoCache& repo, std::string etag, std::uint64_t size, BytesHeld on_bytes);
  [[nodiscard]] Result<void> create_fresh(std::uint64_t part_size);
  [[nodiscard]] bool adopt_earlier_run();
  [[nodiscard]] Result<void> restart_whole();
  [[nodiscard]] Result<void> write_at(std::size_t part, std::string_view bytes);
  [[nodiscard]] Result<void> finish_part(std::size_t part);
  // Feeds the hasher every byte of the contiguous prefix written so far; `bytes` (just written at
  // `offset`) is used instead of reading the file back when it covers what is to be hashed.
  [[nodiscard]] Result<void> advance_hash(std::uint64_t offset, std::string_view bytes);
  [[nodiscard]] std::size_t part_of(std::uint64_t offset) const;
  [[nodiscard]] std::uint64_t held() const;
  void close_files();

  fs::path m_blob;
  fs::path m_temp;
  fs::path m_journal;
  std::string m_etag;
  std::uint64_t m_size = 0;
  std::uint64_t m_part_size = 0;
  BytesHeld m_on_bytes;
  std::unique_ptr<BlobHasher> m_hasher;
  int m_fd = -1;
  int m_journal_fd = -1;
  bool m_whole = false;
  bool m_committed = false;
  bool m_discarded = false;
  std::vector<std::uint64_t> m_written; // per part
  std::vector<bool> m_done;
  std::vector<std::unique_ptr<PartSink>> m_sinks;
  std::unique_ptr<ProbeSink> m_probe;
  std::vector<char> m_read_buffer; // 1 MiB once a part must be read back to be hashed
  std::uint64_t m_hashed = 0;
  std::uint64_t m_resumed = 0;
  std::uint64_t m_written_this_run = 0;
};

} // namespace hfrun::cache
