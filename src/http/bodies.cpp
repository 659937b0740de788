#include <algorithm>
#include <cerrno>
#include <cstring>
#include <hfrun/http/bodies.hpp>
#include <hfrun/util/base64.hpp>
#include <hfrun/util/fd.hpp>
#include <hfrun/util/strings.hpp>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace hfrun::http {

namespace {

namespace fs = std::filesystem;

class StringBody final : public BodySource {
public:
  explicit StringBody(std::string bytes) : m_bytes(std::move(bytes)) {}
  std::optional<std::uint64_t> size() const override { return m_bytes.size(); }
  Result<std::size_t> read(char* buffer, std::size_t capacity) override {
    const std::size_t n = m_bytes.copy(buffer, capacity, m_offset);
    m_offset += n;
    return n;
  }
  Result<void> rewind() override {
    m_offset = 0;
    return {};
  }
  std::optional<BodyDescription> describe() const override {
    BodyDescription d;
    d.kind = BodyDescription::Kind::bytes;
    d.bytes = m_bytes;
    return d;
  }

private:
  std::string m_bytes;
  std::size_t m_offset = 0;
};

// A file read front to back that never yields more or fewer bytes than the size announced in
// Content-Length: a file that changes while being sent is an error, not a corrupt upload.
class FileReader {
public:
  static Result<FileReader> open(const fs::path& path) {
    HFRUN_TRY_ASSIGN(fd, util::open_for_reading(path));
    FileReader reader;
    reader.m_path = path;
    struct stat st {};
    if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode)) {
      reader.m_size = static_cast<std::uint64_t>(st.st_size);
    }
    reader.m_fd = std::move(fd);
    return reader;
  }

  [[nodiscard]] std::optional<std::uint64_t> size() const { return m_size; }
  [[nodiscard]] const fs::path& path() const { return m_path; }

  Result<std::size_t> read(char* buffer, std::size_t capacity) {
    if (m_size) {
      capacity = static_cast<std::size_t>(std::min<std::uint64_t>(capacity, *m_size - m_offset));
      if (capacity == 0) {
        return std::size_t{0};
      }
    }
    HFRUN_TRY_ASSIGN(n, util::read_some(m_fd.get(), buffer, capacity, m_path));
    if (n == 0 && m_size && m_offset < *m_size) {
      return fail(ErrorKind::usage,
                  "input file '" + m_path.string() + "' shrank while it was being sent",
                  "do not modify the file during the upload");
    }
    m_offset += n;
    return n;
  }

  Result<void> rewind() {
    if (m_offset == 0) {
      return {};
    }
    if (::lseek(m_fd.get(), 0, SEEK_SET) != 0) {
      return fail(ErrorKind::usage,
                  "cannot send '" + m_path.string() + "' again: " + std::strerror(errno),
                  "a pipe can be read only once; save the input to a file to allow retries");
    }
    m_offset = 0;
    return {};
  }

private:
  fs::path m_path;
  util::UniqueFd m_fd;
  std::optional<std::uint64_t> m_size;
  std::uint64_t m_offset = 0;
};

class FileBody final : public BodySource {
public:
  explicit FileBody(FileReader file) : m_file(std::move(file)) {}
  std::optional<std::uint64_t> size() const override { return m_file.size(); }
  Result<std::size_t> read(char* buffer, std::size_t capacity) override {
    return m_file.read(buffer, capacity);
  }
  Result<void> rewind() override { return m_file.rewind(); }
  std::optional<BodyDescription> describe() const override {
    BodyDescription d;
    d.kind = BodyDescription::Kind::file;
    d.path = m_file.path().string();
    return d;
  }

private:
  FileReader m_file;
};

// prefix + the file (as base64, or as it is) + suffix, read chunk by chunk.
class FramedFileBody final : public BodySource {
public:
  FramedFileBody(std::string prefix,
                 FileReader file,
                 std::string suffix,
                 bool base64,
                 std::optional<BodyDescription> description)
      : m_prefix(std::move(prefix)), m_suffix(std::move(suffix)), m_file(std::move(file)),
        m_raw(k_raw_chunk), m_base64(base64), m_description(std::move(description)) {}

  std::optional<std::uint64_t> size() const override {
    if (!m_file.size()) {
      return std::nullopt;
    }
    const std::uint64_t n = *m_file.size();
    return m_prefix.size() + (m_base64 ? util::base64_encoded_size(n) : n) + m_suffix.size();
  }

  Result<std::size_t> read(char* buffer, std::size_t capacity) override {
    std::size_t total = 0;
    while (total < capacity && m_phase != Phase::done) {
      switch (m_phase) {
      case Phase::prefix:
        total += copy_from(m_prefix, buffer + total, capacity - total);
        if (m_offset == m_prefix.size()) {
          next(Phase::encoded);
        }
        break;
      case Phase::encoded:
        if (m_offset < m_pending.size()) {
          total += copy_from(m_pending, buffer + total, capacity - total);
        } else if (m_file_done) {
          next(Phase::suffix);
        } else {
          HFRUN_TRY(refill());
        }
        break;
      case Phase::suffix:
        total += copy_from(m_suffix, buffer + total, capacity - total);
        if (m_offset == m_suffix.size()) {
          next(Phase::done);
        }
        break;
      case Phase::done:
        break;
      }
    }
    return total;
  }

  Result<void> rewind() override {
    HFRUN_TRY(m_file.rewind());
    m_encoder = util::Base64Encoder();
    m_pending.clear();
    m_file_done = false;
    next(Phase::prefix);
    return {};
  }

  std::optional<BodyDescription> describe() const override { return m_description; }

private:
  enum class Phase { prefix, encoded, suffix, done };
  static constexpr std::size_t k_raw_chunk = std::size_t{48} * 1024; // encodes to 64 KiB

  void next(Phase phase) {
    m_phase = phase;
    m_offset = 0;
  }

  std::size_t copy_from(const std::string& source, char* out, std::size_t capacity) {
    const std::size_t n = source.copy(out, capacity, m_offset);
    m_offset += n;
    return n;
  }

  Result<void> refill() {
    m_pending.clear();
    m_offset = 0;
    HFRUN_TRY_ASSIGN(n, m_file.read(m_raw.data(), m_raw.size()));
    if (n == 0) {
      if (m_base64) {
        m_encoder.finish(m_pending);
      }
      m_file_done = true;
    } else if (m_base64) {
      m_encoder.feed(std::string_view(m_raw.data(), n), m_pending);
    } else {
      m_pending.assign(m_raw.data(), n);
    }
    return {};
  }

  std::string m_prefix;
  std::string m_suffix;
  FileReader m_file;
  util::Base64Encoder m_encoder;
  std::vector<char> m_raw;
  std::string m_pending; // encoded text not yet handed out
  bool m_base64 = true;
  std::optional<BodyDescription> m_description;
  bool m_file_done = false;
  Phase m_phase = Phase::prefix;
  std::size_t m_offset = 0; // position within the current phase's string
};

} // namespace

std::shared_ptr<BodySource> string_body(std::string bytes) {
  return std::make_shared<StringBody>(std::move(bytes));
}

Result<std::shared_ptr<BodySource>> file_body(const std::filesystem::path& path) {
  HFRUN_TRY_ASSIGN(file, FileReader::open(path));
  return std::shared_ptr<BodySource>(std::make_shared<FileBody>(std::move(file)));
}

Result<std::shared_ptr<BodySource>>
base64_json_body(std::string prefix, const std::filesystem::path& path, std::string suffix) {
  HFRUN_TRY_ASSIGN(file, FileReader::open(path));
  BodyDescription d;
  d.kind = BodyDescription::Kind::base64_json;
  d.path = path.string();
  d.prefix = prefix;
  d.suffix = suffix;
  return std::shared_ptr<BodySource>(std::make_shared<FramedFileBody>(
      std::move(prefix), std::move(file), std::move(suffix), true, std::move(d)));
}

namespace {

// A quoted-string of a Content-Disposition parameter (RFC 7578 §4.2): quotes and backslashes
// escaped, line breaks (which would end the header) percent-encoded as browsers do.
std::string disposition_quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

} // namespace

Result<MultipartBody> multipart_file_body(const MultipartFile& part) {
  HFRUN_TRY_ASSIGN(file, FileReader::open(part.path));
  // Random enough that no file holds it by chance; the file is not scanned for it, as curl and
  // browsers do not scan either.
  const std::string boundary = "----hfrun-" + util::random_string(24, "0123456789abcdef");
  const std::string prefix =
      "--" + boundary +
      "\r\nContent-Disposition: form-data; name=" + disposition_quoted(part.field) +
      "; filename=" + disposition_quoted(part.filename) + "\r\nContent-Type: " + part.content_type +
      "\r\n\r\n";
  const std::string suffix = "\r\n--" + boundary + "--\r\n";
  BodyDescription d;
  d.kind = BodyDescription::Kind::form_file;
  d.path = part.path.string();
  d.form_field = part.field;
  d.form_filename = part.filename;
  d.form_type = part.content_type;
  MultipartBody out;
  out.content_type = "multipart/form-data; boundary=" + boundary;
  out.body = std::make_shared<FramedFileBody>(prefix, std::move(file), suffix, false, std::move(d));
  return out;
}

} // namespace hfrun::http
