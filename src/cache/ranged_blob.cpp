#include "file_io.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <hfrun/cache/blob_sink.hpp>
#include <hfrun/cache/ranged_blob.hpp>
#include <hfrun/http/content_range.hpp>
#include <hfrun/util/strings.hpp>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace hfrun::cache {

namespace {

constexpr std::uint64_t k_mib = 1u << 20;
constexpr std::string_view k_journal_suffix = ".parts.incomplete";
constexpr std::string_view k_journal_magic = "hfrun-parts 1";

std::optional<std::uint64_t> to_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

Result<void> write_all_fd(int fd, std::string_view bytes, const fs::path& path) {
  if (const int err = write_fully(fd, bytes); err != 0) {
    return unexpected<Error>(cache_write_error(path, err));
  }
  return {};
}

} // namespace

std::uint64_t part_size_for(std::uint64_t size) {
  const std::uint64_t even = (size / 64 + k_mib - 1) / k_mib * k_mib;
  return std::clamp<std::uint64_t>(even, 8 * k_mib, 64 * k_mib);
}

// One part's GET: checks that the answer is that range of this file, then writes at its offset.
class RangedBlob::PartSink final : public http::Sink {
public:
  PartSink(RangedBlob& blob, std::size_t part) : m_blob(blob), m_part(part) {}
  void allow_whole(bool may_be_whole) { m_may_be_whole = may_be_whole; }

  Result<void> begin(int status, const http::Headers& headers) override {
    HFRUN_TRY(flush());
    m_skip = 0;
    if (status == 200 && m_may_be_whole) {
      // The server ignored Range (a CDN that compresses, a plain file server): one stream then.
      HFRUN_TRY(m_blob.restart_whole());
      m_part = 0;
      return {};
    }
    const auto [first, last] = m_blob.part_bounds(m_part);
    if (status != 206) {
      return fail(ErrorKind::bad_response, "expected 206 Partial Content for bytes " +
                                               std::to_string(first) + "-" + std::to_string(last) +
                                               ", got " + std::to_string(status));
    }
    const auto range = http::parse_content_range(headers.get("Content-Range").value_or(""));
    if (!range || range->first != first || range->last != last || range->total != m_blob.m_size) {
      return fail(ErrorKind::bad_response,
                  "asked for bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                      std::to_string(m_blob.m_size) + ", got Content-Range '" +
                      headers.get("Content-Range").value_or("") + "'");
    }
    // A resent part: what an earlier attempt of this run already wrote is skipped, not rewritten
    // (it may be hashed already).
    m_skip = m_blob.m_written[m_part];
    return {};
  }

  Result<void> write(std::string_view chunk) override {
    if (m_skip > 0) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(m_skip, chunk.size()));
      chunk.remove_prefix(n);
      m_skip -= n;
    }
    // libcurl hands over at most 16 KiB at a time: gathered, a part costs 16 times fewer
    // pwrite calls.
    m_buffer.append(chunk);
    if (m_buffer.size() >= k_write_size) {
      return flush();
    }
    return {};
  }

  Result<void> finish(bool ok) override {
    // The bytes of a broken transfer are good as far as they go: kept, so a resend skips them.
    HFRUN_TRY(flush());
    if (!ok) {
      return {};
    }
    return m_blob.finish_part(m_part);
  }

private:
  static constexpr std::size_t k_write_size = 256u << 10;

  Result<void> flush() {
    if (m_buffer.empty()) {
      return {};
    }
    auto written = m_blob.write_at(m_part, m_buffer);
    m_buffer.clear();
    return written;
  }

  RangedBlob& m_blob;
  std::size_t m_part;
  bool m_may_be_whole = false;
  std::uint64_t m_skip = 0;
  std::string m_buffer; // bytes received, not yet written
};

// The first request's sink: it learns the size the file host reports, or takes the whole file.
class RangedBlob::ProbeSink final : public http::Sink {
public:
  explicit ProbeSink(RangedBlob& blob) : m_blob(blob) {}

  Result<void> begin(int status, const http::Headers& headers) override {
    m_whole = status == 200;
    if (m_whole) {
      return m_blob.part_sink(0, true).begin(status, headers);
    }
    if (status != 206) {
      return fail(ErrorKind::bad_response,
                  "expected 206 Partial Content for bytes 0-0, got " + std::to_string(status));
    }
    const std::string value = headers.get("Content-Range").value_or("");
    const auto range = http::parse_content_range(value);
    if (!range || range->total != m_blob.m_size) {
      return fail(ErrorKind::bad_response,
                  "the file host's Content-Range '" + value + "' does not name a file of the " +
                      std::to_string(m_blob.m_size) + " bytes the repo lists");
    }
    return {};
  }
  Result<void> write(std::string_view chunk) override {
    return m_whole ? m_blob.part_sink(0, true).write(chunk) : Result<void>{};
  }
  Result<void> finish(bool ok) override {
    return m_whole ? m_blob.part_sink(0, true).finish(ok) : Result<void>{};
  }

private:
  RangedBlob& m_blob;
  bool m_whole = false;
};

http::Sink& RangedBlob::probe_sink() {
  if (!m_probe) {
    m_probe = std::make_unique<ProbeSink>(*this);
  }
  return *m_probe;
}

RangedBlob::RangedBlob(const RepoCache& repo,
                       std::string etag,
                       std::uint64_t size,
                       BytesHeld on_bytes)
    : m_blob(repo.blob_path(etag)), m_etag(std::move(etag)), m_size(size),
      m_on_bytes(std::move(on_bytes)) {}

RangedBlob::~RangedBlob() {
  close_files();
  if (m_committed) {
    return;
  }
  const bool resumable =
      !m_whole && !m_discarded && std::find(m_done.begin(), m_done.end(), true) != m_done.end();
  if (!resumable) {
    discard();
  }
}

void RangedBlob::close_files() {
  if (m_fd >= 0) {
    ::close(m_fd);
    m_fd = -1;
  }
  if (m_journal_fd >= 0) {
    ::close(m_journal_fd);
    m_journal_fd = -1;
  }
}

void RangedBlob::discard() {
  close_files();
  if (!m_temp.empty()) {
    ::unlink(m_temp.c_str());
  }
  if (!m_journal.empty()) {
    ::unlink(m_journal.c_str());
  }
  m_discarded = true;
}

Result<std::unique_ptr<RangedBlob>> RangedBlob::open(const RepoCache& repo,
                                                     std::string etag,
                                                     std::uint64_t size,
                                                     std::uint64_t part_size,
                                                     bool resume,
                                                     BytesHeld on_bytes) {
  std::unique_ptr<RangedBlob> blob(
      new RangedBlob(repo, std::move(etag), size, std::move(on_bytes)));
  std::error_code ec;
  fs::create_directories(blob->m_blob.parent_path(), ec);
  if (ec) {
    return unexpected<Error>(cache_write_error(blob->m_blob.parent_path(), ec.value()));
  }
  if (!resume || !blob->adopt_earlier_run()) {
    HFRUN_TRY(blob->create_fresh(part_size == 0 ? part_size_for(size) : part_size));
  }
  // Adopted parts at the start are hashed now, from the file.
  HFRUN_TRY(blob->advance_hash(0, {}));
  return blob;
}

Result<void> RangedBlob::create_fresh(std::uint64_t part_size) {
  m_part_size = std::max<std::uint64_t>(1, part_size);
  const std::size_t parts =
      m_size == 0 ? 1 : static_cast<std::size_t>((m_size + m_part_size - 1) / m_part_size);
  m_written.assign(parts, 0);
  m_done.assign(parts, false);
  m_hasher = std::make_unique<BlobHasher>(m_etag, m_size);
  m_hashed = 0;
  const std::string stem = m_blob.string() + "." + temp_suffix();
  m_temp = stem + ".incomplete";
  m_journal = stem + std::string(k_journal_suffix);
  m_fd = ::open(m_temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (m_fd < 0) {
    const int err = errno;
    m_temp.clear();
    m_journal.clear();
    return unexpected<Error>(cache_write_error(m_blob, err));
  }
  m_journal_fd =
      ::open(m_journal.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (m_journal_fd < 0) {
    const int err = errno;
    m_journal.clear();
    return unexpected<Error>(cache_write_error(m_temp, err));
  }
  return write_all_fd(m_journal_fd,
                      std::string(k_journal_magic) + " " + std::to_string(m_size) + " " +
                          std::to_string(m_part_size) + "\n",
                      m_journal);
}

// An earlier run's partial file of this blob: <etag>.<8 hex>.incomplete beside a journal
// "hfrun-parts 1 SIZE PART_SIZE" + one finished part index per line. A torn last line (the run was
// killed while appending) is ignored; so is a journal of another size.
bool RangedBlob::adopt_earlier_run() {
  std::error_code ec;
  const std::string prefix = m_etag + ".";
  for (const auto& entry : fs::directory_iterator(m_blob.parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix) || !name.ends_with(k_journal_suffix)) {
      continue;
    }
    const std::string stem =
        entry.path().string().substr(0, entry.path().string().size() - k_journal_suffix.size());
    const fs::path data = stem + ".incomplete";
    std::ifstream in(entry.path(), std::ios::binary);
    std::string header;
    if (!std::getline(in, header)) {
      continue;
    }
    const auto fields = util::split(header, ' ');
    if (fields.size() != 4 || fields[0] + " " + fields[1] != k_journal_magic ||
        to_number(fields[2]) != m_size) {
      continue;
    }
    const auto part_size = to_number(fields[3]);
    struct stat st {};
    if (!part_size || *part_size < k_mib || ::stat(data.c_str(), &st) != 0 ||
        !S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) > m_size) {
      continue;
    }
    const int fd = ::open(data.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      continue;
    }
    const int journal_fd = ::open(entry.path().c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (journal_fd < 0) {
      ::close(fd);
      continue;
    }
    m_part_size = *part_size;
    const std::size_t parts = static_cast<std::size_t>((m_size + m_part_size - 1) / m_part_size);
    m_written.assign(parts, 0);
    m_done.assign(parts, false);
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) {
        break; // no newline: torn by a kill mid-append
      }
      const auto part = to_number(line);
      if (!part || *part >= parts || m_done[*part]) {
        continue;
      }
      const auto [first, last] = part_bounds(*part);
      if (last >= static_cast<std::uint64_t>(st.st_size)) {
        continue; // the file is shorter than the journal says: not done after all
      }
      m_done[*part] = true;
      m_written[*part] = last - first + 1;
      m_resumed += last - first + 1;
    }
    m_fd = fd;
    m_journal_fd = journal_fd;
    m_temp = data;
    m_journal = entry.path();
    m_hasher = std::make_unique<BlobHasher>(m_etag, m_size);
    m_hashed = 0;
    if (m_on_bytes) {
      m_on_bytes(held());
    }
    return true;
  }
  return false;
}

Result<void> RangedBlob::restart_whole() {
  if (::ftruncate(m_fd, 0) != 0) {
    return unexpected<Error>(cache_write_error(m_temp, errno));
  }
  if (m_journal_fd >= 0) {
    ::close(m_journal_fd);
    m_journal_fd = -1;
    ::unlink(m_journal.c_str());
  }
  m_whole = true;
  m_written.assign(1, 0);
  m_done.assign(1, false);
  m_hasher = std::make_unique<BlobHasher>(m_etag, m_size);
  m_hashed = 0;
  m_resumed = 0;
  if (m_on_bytes) {
    m_on_bytes(0);
  }
  return {};
}

std::size_t RangedBlob::part_count() const {
  return m_done.size();
}

bool RangedBlob::part_done(std::size_t part) const {
  return part < m_done.size() && m_done[part];
}

std::pair<std::uint64_t, std::uint64_t> RangedBlob::part_bounds(std::size_t part) const {
  if (m_whole) {
    return {0, m_size == 0 ? 0 : m_size - 1};
  }
  const std::uint64_t first = static_cast<std::uint64_t>(part) * m_part_size;
  const std::uint64_t last = std::min(first + m_part_size, m_size) - 1;
  return {first, last};
}

std::size_t RangedBlob::first_missing() const {
  const auto it = std::find(m_done.begin(), m_done.end(), false);
  return static_cast<std::size_t>(it - m_done.begin());
}

std::size_t RangedBlob::part_of(std::uint64_t offset) const {
  return m_whole ? 0 : static_cast<std::size_t>(offset / m_part_size);
}

bool RangedBlob::complete() const {
  return std::all_of(m_done.begin(), m_done.end(), [](bool done) { return done; });
}

std::uint64_t RangedBlob::held() const {
  std::uint64_t total = 0;
  for (const auto written : m_written) {
    total += written;
  }
  return total;
}

http::Sink& RangedBlob::part_sink(std::size_t part, bool may_be_whole) {
  if (m_sinks.size() < m_done.size()) {
    m_sinks.resize(m_done.size());
  }
  if (!m_sinks[part]) {
    m_sinks[part] = std::make_unique<PartSink>(*this, part);
  }
  m_sinks[part]->allow_whole(may_be_whole);
  return *m_sinks[part];
}

Result<void> RangedBlob::write_at(std::size_t part, std::string_view bytes) {
  const auto [first, last] = part_bounds(part);
  const std::uint64_t length = last - first + 1;
  if (m_written[part] + bytes.size() > length) {
    return fail(ErrorKind::bad_response,
                "the server sent more than the " + std::to_string(length) + " bytes asked for");
  }
  const std::uint64_t offset = first + m_written[part];
  if (const int err = write_fully(m_fd, bytes, offset); err != 0) {
    return unexpected<Error>(cache_write_error(m_temp, err));
  }
  m_written[part] += bytes.size();
  m_written_this_run += bytes.size();
  HFRUN_TRY(advance_hash(offset, bytes));
  if (m_on_bytes) {
    m_on_bytes(held());
  }
  return {};
}

Result<void> RangedBlob::finish_part(std::size_t part) {
  const auto [first, last] = part_bounds(part);
  if (m_written[part] != last - first + 1) {
    return fail(ErrorKind::bad_response, "bytes " + std::to_string(first) + "-" +
                                             std::to_string(last) + " ended after " +
                                             std::to_string(m_written[part]) + " bytes");
  }
  m_done[part] = true;
  // Start writing the part to disk now, in the background, so the fsync before the rename has
  // only the last parts left to wait for. Advisory: a failure here changes nothing.
  (void)::sync_file_range(m_fd, static_cast<off_t>(first), static_cast<off_t>(last - first + 1),
                          SYNC_FILE_RANGE_WRITE);
  if (m_journal_fd >= 0) {
    // After the part's bytes were written: a killed run's journal never lists a part it lacks.
    HFRUN_TRY(write_all_fd(m_journal_fd, std::to_string(part) + "\n", m_journal));
  }
  return {};
}

Result<void> RangedBlob::advance_hash(std::uint64_t offset, std::string_view bytes) {
  while (m_hashed < m_size) {
    const std::size_t part = part_of(m_hashed);
    const std::uint64_t available = part_bounds(part).first + m_written[part];
    if (available <= m_hashed) {
      break;
    }
    if (!bytes.empty() && offset <= m_hashed && available <= offset + bytes.size()) {
      m_hasher->update(bytes.substr(static_cast<std::size_t>(m_hashed - offset),
                                    static_cast<std::size_t>(available - m_hashed)));
      m_hashed = available;
      continue;
    }
    if (m_read_buffer.empty()) {
      m_read_buffer.resize(1u << 20);
    }
    while (m_hashed < available) {
      const auto want = static_cast<std::size_t>(
          std::min<std::uint64_t>(m_read_buffer.size(), available - m_hashed));
      const auto n = ::pread(m_fd, m_read_buffer.data(), want, static_cast<off_t>(m_hashed));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return fail(
            ErrorKind::output_failed,
            "cannot read back " + m_temp.string() + ": " +
                (n == 0 ? std::string("it is shorter than written") : std::strerror(errno)));
      }
      m_hasher->update(std::string_view(m_read_buffer.data(), static_cast<std::size_t>(n)));
      m_hashed += static_cast<std::uint64_t>(n);
    }
  }
  return {};
}

Result<void> RangedBlob::commit() {
  if (!complete()) {
    return fail(ErrorKind::internal, "RangedBlob::commit before every part landed");
  }
  HFRUN_TRY(advance_hash(0, {}));
  if (const std::string wrong = m_hasher->mismatch(); !wrong.empty()) {
    const bool resumed = m_resumed > 0;
    discard();
    return unexpected<Error>(corrupt_blob_error(
        m_etag, wrong + (resumed ? " (it resumed an earlier run's partial file)" : "")));
  }
  if (m_journal_fd >= 0) {
    ::close(m_journal_fd);
    m_journal_fd = -1;
  }
  if (auto published = publish_blob(m_fd, m_temp, m_blob); !published) {
    discard();
    return published;
  }
  m_committed = true;
  if (!m_journal.empty()) {
    ::unlink(m_journal.c_str());
  }
  return {};
}

} // namespace hfrun::cache
