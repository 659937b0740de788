// File downloads: /{id}/resolve|raw/{rev}/{path} on the Hub (small files served directly, LFS
// files redirected to the CDN origin with a signed URL) and the CDN origin itself. Both answer
// single Range requests with 206 / Content-Range and stream generated content without buffering.
#pragma once

#include "hub_common.hpp"

#include <functional>

namespace emulator::hub {

// Reads `n` bytes at `offset` of some content into `out`.
using ByteReader = std::function<void(std::uint64_t offset, char* out, std::size_t n)>;

// Answers GET/HEAD for `total` bytes from `reader`: 200, 206 for one satisfiable Range, 416 for
// an unsatisfiable one (Content-Range: bytes */total). Other ranges are ignored (200), as RFC 9110
// allows. Clears httplib's own range handling, which does not clamp the end to the size.
void serve_bytes(const httplib::Request& req,
                 httplib::Response& res,
                 std::uint64_t total,
                 ByteReader reader,
                 const std::string& content_type);

void resolve(const Context& ctx,
             const httplib::Request& req,
             httplib::Response& res,
             const Caller& caller,
             const std::string& id,
             const std::string& revision,
             const std::string& path,
             bool raw);

// The signed CDN URL of an LFS file (valid for an hour).
[[nodiscard]] std::string
signed_cdn_url(const Context& ctx, const Repo& repo, const RepoFile& file);

void cdn_get(const Context& ctx, const httplib::Request& req, httplib::Response& res);

} // namespace emulator::hub
