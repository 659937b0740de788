#include "file_io.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <hfrun/cache/blob_sink.hpp>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace hfrun::cache {

unsigned default_file_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666U & ~static_cast<unsigned>(mask);
}

BlobSink::BlobSink(const RepoCache& repo, std::string etag, std::uint64_t size, BytesHeld on_bytes)
    : m_blob(repo.blob_path(etag)), m_etag(std::move(etag)), m_size(size),
      m_on_bytes(std::move(on_bytes)) {}

BlobSink::~BlobSink() {
  discard();
}

void BlobSink::discard() {
  if (m_fd >= 0) {
    ::close(m_fd);
    m_fd = -1;
  }
  if (!m_temp.empty() && !m_committed) {
    ::unlink(m_temp.c_str());
  }
  m_temp.clear();
}

Result<void> BlobSink::begin(int status, const http::Headers&) {
  // A retried transfer starts over with a fresh file.
  discard();
  m_written = 0;
  m_committed = false;
  if (status != 200) {
    // A 206 to a request without Range would be only part of the file.
    return fail(ErrorKind::bad_response,
                "expected 200 for the whole file, got " + std::to_string(status));
  }
  std::error_code ec;
  fs::create_directories(m_blob.parent_path(), ec);
  if (ec) {
    return unexpected<Error>(cache_write_error(m_blob.parent_path(), ec.value()));
  }
  // Process-unique, as huggingface_hub >= 1.18 names it: concurrent writers never share a file.
  m_temp = m_blob.string() + "." + temp_suffix() + ".incomplete";
  m_fd = ::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (m_fd < 0) {
    const int err = errno;
    m_temp.clear();
    return unexpected<Error>(cache_write_error(m_blob, err));
  }
  m_hasher.emplace(m_etag, m_size);
  return {};
}

Result<void> BlobSink::write(std::string_view chunk) {
  if (m_fd < 0 || !m_hasher) {
    return fail(ErrorKind::internal, "BlobSink written before begin()");
  }
  m_hasher->update(chunk);
  if (const int err = write_fully(m_fd, chunk); err != 0) {
    return unexpected<Error>(cache_write_error(m_temp, err));
  }
  m_written += chunk.size();
  if (m_on_bytes) {
    m_on_bytes(m_written);
  }
  return {};
}

Result<void> BlobSink::finish(bool ok) {
  if (m_fd < 0 || !m_hasher) {
    return {};
  }
  if (!ok) {
    discard();
    return {};
  }
  if (const std::string wrong = m_hasher->mismatch(); !wrong.empty()) {
    discard();
    return unexpected<Error>(corrupt_blob_error(m_etag, wrong));
  }
  if (auto published = publish_blob(m_fd, m_temp, m_blob); !published) {
    discard();
    return published;
  }
  m_committed = true;
  m_temp.clear();
  return {};
}

} // namespace hfrun::cache
