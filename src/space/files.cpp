// Files in and out of a Gradio app (spaces.md §5): uploads streamed from disk as multipart, output
// FileData found in the results and fetched atomically.
#include <hfrun/client/errors.hpp>
#include <hfrun/http/bodies.hpp>
#include <hfrun/http/sinks.hpp>
#include <hfrun/http/url.hpp>
#include <hfrun/space/session.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/strings.hpp>
#include <system_error>

namespace hfrun::space {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool is_file_data(const json& value) {
  if (!value.is_object() || util::json_member(value, "path") == nullptr) {
    return false;
  }
  if (const json* meta = util::json_object(value, "meta")) {
    return util::string_or(*meta, "_type", "") == "gradio.FileData";
  }
  // sse_v1/v2 FileData has no meta (spaces.md §4.8); it still has path plus url or orig_name.
  return util::json_member(value, "url") != nullptr ||
         util::json_member(value, "orig_name") != nullptr;
}

void collect(const App& app, json& value, std::vector<OutputFile>& out, int depth) {
  if (depth > 16) {
    return;
  }
  if (is_file_data(value)) {
    OutputFile file;
    const std::string path = util::string_or(value, "path", "");
    file.url = util::string_or(value, "url", "");
    if (file.url.empty() && !path.empty()) {
      file.url = path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0
                     ? path
                     : app.config.base() + "/file=" + path;
    }
    file.name = util::string_or(value, "orig_name", "");
    if (file.name.empty()) {
      file.name = fs::path(path).filename().string();
    }
    file.mime_type = util::string_or(value, "mime_type", "");
    file.value = &value;
    if (!file.url.empty()) {
      out.push_back(std::move(file));
    }
    return;
  }
  if (value.is_array() || value.is_object()) {
    for (auto& child : value) {
      collect(app, child, out, depth + 1);
    }
  }
}

bool same_origin(const std::string& a, const std::string& b) {
  const auto pa = http::parse_url(a);
  const auto pb = http::parse_url(b);
  return pa && pb && http::origin_of(*pa) == http::origin_of(*pb);
}

} // namespace

Result<std::string> upload_file(client::Client& client,
                                const App& app,
                                const fs::path& path,
                                const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (!ec && app.config.max_file_size && size > *app.config.max_file_size) {
    return fail(ErrorKind::rejected,
                path.string() + " is " + util::human_bytes(size) + "; " + app.name() +
                    " accepts files up to " + util::human_bytes(*app.config.max_file_size),
                "nothing was sent; use a smaller file");
  }
  http::MultipartFile part;
  part.field = "files";
  part.filename = path.filename().string();
  // What the part is said to be; Gradio keeps the name and sniffs the content itself.
  part.content_type = util::mime_type_for_extension(part.filename);
  if (part.content_type.empty()) {
    part.content_type = "application/octet-stream";
  }
  part.path = path;
  HFRUN_TRY_ASSIGN(multipart, http::multipart_file_body(part));
  http::Request request;
  request.method = "POST";
  request.url = app.config.base() + "/upload";
  request.headers.set("Content-Type", multipart.content_type);
  request.body = multipart.body;
  request.upload_progress = progress;
  // A large upload may take long; only a stalled one is given up.
  request.timeouts = http::Timeouts{10s, 0ms, 60s};
  app.prepare(request);
  HFRUN_TRY_ASSIGN(response, client.send(request, client::Auth::never));
  if (!response.ok()) {
    Error e =
        client::error_from_response(response, "upload of " + path.string() + " to " + app.name());
    if (response.status == 413) {
      e.kind = ErrorKind::rejected;
      e.hint = "the app accepts smaller files only";
    }
    return unexpected<Error>(std::move(e));
  }
  const json body = util::parse_untrusted(response.body);
  if (body.is_array() && !body.empty()) {
    if (auto server_path = util::as_string(body[0]); server_path && !server_path->empty()) {
      return *server_path;
    }
  }
  return fail(ErrorKind::bad_response,
              app.name() + ": the upload answer is not a list of server paths");
}

std::vector<OutputFile> find_output_files(const App& app, json& data) {
  std::vector<OutputFile> out;
  collect(app, data, out, 0);
  return out;
}

Result<std::uint64_t> download_file(client::Client& client,
                                    const App& app,
                                    const std::string& url,
                                    const fs::path& path) {
  http::FileSink sink(path);
  http::Request request;
  request.url = url;
  request.sink = &sink;
  request.timeouts = http::Timeouts{10s, 0ms, 60s};
  if (same_origin(url, app.config.root) || same_origin(url, app.target.host)) {
    app.prepare(request);
  }
  HFRUN_TRY_ASSIGN(response, client.send(request, client::Auth::never));
  if (!response.ok()) {
    Error e = client::error_from_response(response, "the output file " + url);
    if (response.status == 403 || response.status == 404) {
      e.kind = ErrorKind::not_found;
      e.hint = "the app no longer has the file (Gradio keeps outputs for a while only); run again";
    }
    return unexpected<Error>(std::move(e));
  }
  if (!sink.committed()) {
    return fail(ErrorKind::output_failed, "could not write " + path.string());
  }
  return sink.bytes_written();
}

} // namespace hfrun::space
