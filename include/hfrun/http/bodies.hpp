// Request bodies: in-memory bytes, a file streamed from disk, and a file streamed as base64 inside
// a JSON document ({"inputs":"<base64>",...}), so that no upload is ever held whole in memory.
#pragma once

#include <filesystem>
#include <hfrun/http/message.hpp>
#include <memory>
#include <string>

namespace hfrun::http {

// `bytes` as a body (JSON documents, small payloads).
[[nodiscard]] std::shared_ptr<BodySource> string_body(std::string bytes);

// The file's content, read in chunks as the transport asks for it. size() is the file's size for a
// regular file (Content-Length), nullopt for a pipe (chunked; then it cannot be rewound for a
// retry). ErrorKind::usage naming the file when it cannot be opened.
[[nodiscard]] Result<std::shared_ptr<BodySource>> file_body(const std::filesystem::path& path);

// prefix + base64(file) + suffix, encoded chunk by chunk as it is sent. For a regular file size()
// is exact: prefix + 4 * ceil(n / 3) + suffix. The caller makes prefix and suffix valid JSON
// around a string value, e.g. `{"inputs":"` and `","parameters":{...}}`.
[[nodiscard]] Result<std::shared_ptr<BodySource>>
base64_json_body(std::string prefix, const std::filesystem::path& path, std::string suffix);

// One file as a multipart/form-data body (RFC 7578), streamed from disk: an HTML form's file field,
// as Gradio's /upload wants it.
struct MultipartFile {
  std::string field;        // the form field: "files"
  std::string filename;     // what the server is told the file is called
  std::string content_type; // the part's type: "image/png", "application/octet-stream"
  std::filesystem::path path;
};
struct MultipartBody {
  std::shared_ptr<BodySource> body;
  std::string content_type; // "multipart/form-data; boundary=..." for the request's header
};
[[nodiscard]] Result<MultipartBody> multipart_file_body(const MultipartFile& part);

} // namespace hfrun::http
