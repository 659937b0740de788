// HTTP value types shared by every layer above the transport: headers, request, response, and the
// streaming body interfaces (a BodySource feeds an upload, a Sink consumes a download).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <hfrun/error.hpp>
#include <hfrun/http/limits.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hfrun::http {

// Ordered header list with case-insensitive lookup (HTTP names are case-insensitive; order and
// duplicates are kept because Link and Set-Cookie may repeat).
class Headers {
public:
  using Entry = std::pair<std::string, std::string>;

  void add(std::string name, std::string value);
  // Replace every header of that name with one value.
  void set(std::string name, std::string value);
  void remove(std::string_view name);
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> get_all(std::string_view name) const;
  [[nodiscard]] bool has(std::string_view name) const { return get(name).has_value(); }
  [[nodiscard]] const std::vector<Entry>& entries() const { return m_entries; }
  [[nodiscard]] bool empty() const { return m_entries.empty(); }
  void clear() { m_entries.clear(); }

private:
  std::vector<Entry> m_entries;
};

// Case-insensitive ASCII comparison of header names.
[[nodiscard]] bool iequals(std::string_view a, std::string_view b);

// What a body is, for printing an equivalent curl command (--dry-run) without reading it.
struct BodyDescription {
  enum class Kind { bytes, file, base64_json, form_file };
  Kind kind = Kind::bytes;
  std::string bytes;  // Kind::bytes: the whole body
  std::string path;   // Kind::file and Kind::base64_json: the file
  std::string prefix; // Kind::base64_json: body = prefix + base64(file) + suffix
  std::string suffix;
  std::string form_field; // Kind::form_file: curl -F 'field=@path;filename=...;type=...'
  std::string form_filename;
  std::string form_type;
};

// A request body produced piece by piece, so uploads are never held whole in memory. Must be
// rewindable: a retry sends it again from the start.
class BodySource {
public:
  virtual ~BodySource() = default;
  // Total size in bytes when known up front (sets Content-Length), else nullopt (chunked).
  [[nodiscard]] virtual std::optional<std::uint64_t> size() const = 0;
  // Fill up to `capacity` bytes; 0 means the end. An error aborts the transfer.
  [[nodiscard]] virtual Result<std::size_t> read(char* buffer, std::size_t capacity) = 0;
  [[nodiscard]] virtual Result<void> rewind() = 0;
  // How to reproduce this body outside hfrun; nullopt when it cannot be described.
  [[nodiscard]] virtual std::optional<BodyDescription> describe() const { return std::nullopt; }
};

// Where a successful (2xx) response body goes as it arrives. Non-2xx bodies always go to
// Response::body (capped) so errors can be explained, whatever sink the request named.
class Sink {
public:
  virtual ~Sink() = default;
  // Called once the final status and headers are known, before any body bytes.
  [[nodiscard]] virtual Result<void> begin(int status, const Headers& headers) = 0;
  [[nodiscard]] virtual Result<void> write(std::string_view chunk) = 0;
  // The transfer ended: `ok` is true when the whole body arrived. A file sink renames its temp file
  // into place on ok and removes it otherwise.
  [[nodiscard]] virtual Result<void> finish(bool ok) = 0;
  // True once something has reached the user (tokens printed, bytes written to stdout): from then
  // on the request must not be retried.
  [[nodiscard]] virtual bool emitted() const { return false; }
};

struct Timeouts {
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds total{0};      // 0: no overall limit
  std::chrono::milliseconds stall{30'000}; // abort when under 1 byte/s for this long; 0: off
};

// The limits one request runs under: its own (a Space's event stream, an upload) or else the
// transport's, and never an overall limit longer than the transport's (the user's --timeout is a
// cap that no request lifts).
[[nodiscard]] Timeouts effective_timeouts(const std::optional<Timeouts>& request,
                                          const Timeouts& transport);

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::shared_ptr<BodySource> body; // null: no body
  Sink* sink = nullptr;             // null: 2xx body collected into Response::body
  std::optional<Timeouts> timeouts; // null: the transport's defaults
  bool follow_redirects = true;
  std::size_t max_body_in_memory = k_max_body_in_memory; // cap for bodies collected in memory
  // Called as the upload goes out (bytes sent so far, total; total 0 when unknown), at most a few
  // times a second: a progress bar for large uploads. Null: no reports.
  std::function<void(std::uint64_t sent, std::uint64_t total)> upload_progress;
  // A clean-up request that must still go out after Ctrl-C (a Space job's cancel): the
  // cancellation token does not abort it. Give it a short timeout.
  bool survives_cancel = false;
  // False: sent once whatever the retry policy (a visit whose answer does not matter, such as the
  // one that wakes a sleeping Space).
  bool retryable = true;
};

struct Response {
  int status = 0;
  Headers headers;           // the final hop's headers only
  std::string body;          // empty when a sink took a 2xx body
  std::string effective_url; // after redirects
  std::string http_version;  // "1.1", "2"
  std::chrono::milliseconds elapsed{0};
  int redirects = 0;

  [[nodiscard]] bool ok() const { return status >= 200 && status < 300; }
};

} // namespace hfrun::http
