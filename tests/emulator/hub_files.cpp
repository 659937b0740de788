#include "hub_files.hpp"

#include "content.hpp"
#include "hub_api.hpp"
#include "router_provider_tasks.hpp"

#include <charconv>
#include <chrono>
#include <random>
#include <vector>

namespace emulator::hub {
namespace {

constexpr std::size_t k_chunk = 256U << 10U;
constexpr std::int64_t k_url_lifetime_s = 3600;

const std::string& url_secret() {
  static const std::string secret = [] {
    std::random_device rd;
    return std::to_string(rd()) + "-" + std::to_string(rd());
  }();
  return secret;
}

std::string signature(std::string_view path, std::string_view expires) {
  return sha256_hex(url_secret() + "|" + std::string(path) + "|" + std::string(expires))
      .substr(0, 40);
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty()) {
    return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string basename(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string content_type_for(const std::string& path) {
  for (const char* ext :
       {".json", ".md", ".txt", ".py", ".jinja", ".yaml", ".yml", ".gitattributes"}) {
    if (path.ends_with(ext)) {
      return "text/plain; charset=utf-8";
    }
  }
  return "application/octet-stream";
}

void cdn_denied(httplib::Response& res, std::string_view message) {
  res.status = 403;
  res.set_content(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>" +
          std::string(message) + "</Message></Error>",
      "application/xml");
}

} // namespace

void serve_bytes(const httplib::Request& req,
                 httplib::Response& res,
                 std::uint64_t total,
                 ByteReader reader,
                 const std::string& content_type) {
  // httplib applies req.ranges itself after the handler without clamping to the size; the
  // request object is the server's own (non-const) one, so clearing it here is well-defined.
  const_cast<httplib::Request&>(req).ranges.clear();
  res.set_header("Accept-Ranges", "bytes");
  std::uint64_t first = 0;
  std::uint64_t last = total == 0 ? 0 : total - 1;
  bool partial = false;
  const auto range = req.get_header_value("Range");
  if (range.starts_with("bytes=") && range.find(',') == std::string::npos) {
    const std::string_view spec = std::string_view(range).substr(6);
    const auto dash = spec.find('-');
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    if (dash != std::string_view::npos) {
      const auto left = spec.substr(0, dash);
      const auto right = spec.substr(dash + 1);
      if (left.empty() && parse_u64(right, b) && b > 0) { // suffix: the last b bytes
        partial = true;
        first = total > b ? total - b : 0;
        if (total == 0) {
          first = 1; // unsatisfiable
        }
      } else if (parse_u64(left, a) && (right.empty() || (parse_u64(right, b) && b >= a))) {
        partial = true;
        first = a;
        if (!right.empty()) {
          last = std::min(b, last);
        }
      }
    }
    if (partial && first >= total) {
      res.status = 416;
      res.set_header("Content-Range", "bytes */" + std::to_string(total));
      res.set_content("", "text/plain");
      return;
    }
  }
  const std::uint64_t length = total == 0 ? 0 : last - first + 1;
  res.status = partial ? 206 : 200;
  if (partial) {
    res.set_header("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) +
                                        "/" + std::to_string(total));
  }
  if (length == 0) {
    res.set_header("Content-Type", content_type);
    return; // httplib writes Content-Length: 0
  }
  res.set_content_provider(static_cast<std::size_t>(length), content_type,
                           [reader = std::move(reader), first](std::size_t offset, std::size_t len,
                                                               httplib::DataSink& sink) {
                             std::vector<char> buffer(std::min(len, k_chunk));
                             reader(first + offset, buffer.data(), buffer.size());
                             return sink.write(buffer.data(), buffer.size());
                           });
}

std::string signed_cdn_url(const Context& ctx, const Repo& repo, const RepoFile& file) {
  const auto key = storage_key(repo.id);
  const auto path = "/repos/" + key.substr(0, 2) + "/" + key.substr(2, 2) + "/" + key + "/" +
                    file.digest().sha256;
  const auto expires = std::to_string(now_s() + k_url_lifetime_s);
  const auto name = basename(file.path);
  const auto disposition =
      "inline; filename*=UTF-8''" + url_encode(name) + "; filename=\"" + name + "\";";
  return ctx.cdn_url + path + "?response-content-disposition=" + url_encode(disposition) +
         "&Expires=" + expires + "&Signature=" + signature(path, expires) +
         "&Key-Pair-Id=KEMULATOR0000";
}

void resolve(const Context& ctx,
             const httplib::Request& req,
             httplib::Response& res,
             const Caller& caller,
             const std::string& id,
             const std::string& revision,
             const std::string& path,
             bool raw) {
  const auto* repo = find_repo(ctx, req, res, caller, id, false, [&](std::string_view new_id) {
    return "/" + std::string(new_id) + (raw ? "/raw/" : "/resolve/") + url_encode(revision) + "/" +
           url_encode(path, true);
  });
  if (repo == nullptr) {
    return;
  }
  if (repo->disabled) {
    disabled_reply(res);
    return;
  }
  const auto commit = repo->commit_for(revision);
  if (!commit) {
    revision_not_found_reply(res, revision);
    return;
  }
  if (!has_gated_access(*repo, caller)) {
    if (caller.user == nullptr) {
      error_reply(res, 401,
                  "Access to model " + repo->id +
                      " is restricted. You must have access to it and be authenticated to access "
                      "it. Please log in.",
                  "GatedRepo");
    } else {
      error_reply(res, 403,
                  "Access to model " + repo->id +
                      " is restricted and you are not in the authorized list. Visit " +
                      ctx.hub_url + "/" + repo->id + " to ask for access.",
                  "GatedRepo");
    }
    return;
  }
  res.set_header("X-Repo-Commit", *commit);
  const auto* file = repo->file(path);
  if (file == nullptr) {
    error_reply(res, 404, "Entry not found", "EntryNotFound");
    return;
  }
  const auto& digest = file->digest();
  if (file->lfs && !raw) {
    const auto url = signed_cdn_url(ctx, *repo, *file);
    res.status = 302;
    res.set_header("Location", url);
    res.set_header("ETag", "\"" + digest.sha256 + "\"");
    res.set_header("X-Linked-Etag", "\"" + digest.sha256 + "\"");
    res.set_header("X-Linked-Size", std::to_string(file->size));
    res.set_header("Vary", "Origin, Accept");
    res.set_content("Found. Redirecting to " + url, "text/plain; charset=utf-8");
    return;
  }
  const std::string etag = "\"" + digest.git_oid + "\"";
  res.set_header("ETag", etag);
  if (req.get_header_value("If-None-Match") == etag) {
    const_cast<httplib::Request&>(req).ranges.clear();
    res.status = 304;
    return;
  }
  if (file->lfs) { // raw: the pointer file git stores
    const auto pointer = digest.pointer;
    serve_bytes(
        req, res, pointer.size(),
        [pointer](std::uint64_t off, char* out, std::size_t n) {
          pointer.copy(out, n, static_cast<std::size_t>(off));
        },
        "text/plain; charset=utf-8");
    return;
  }
  serve_bytes(
      req, res, file->size,
      [file](std::uint64_t off, char* out, std::size_t n) { file->read(off, out, n); },
      content_type_for(file->path));
}

void cdn_get(const Context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (router::serve_provider_media(req, res)) {
    return; // provider results (router_provider_tasks.cpp), on the CDN like the providers' own
  }
  const_cast<httplib::Request&>(req).ranges.clear();
  const auto segs = path_segments(req);
  // /repos/{aa}/{bb}/{key}/{sha256}
  if (segs.size() != 5 || segs[0] != "repos") {
    cdn_denied(res, "Access Denied");
    return;
  }
  const auto path = req.path;
  const auto expires = req.get_param_value("Expires");
  const auto sig = req.get_param_value("Signature");
  if (expires.empty() || sig.empty() || sig != signature(path, expires)) {
    cdn_denied(res, "Invalid signature");
    return;
  }
  std::uint64_t exp = 0;
  if (!parse_u64(expires, exp) || static_cast<std::int64_t>(exp) < now_s()) {
    cdn_denied(res, "Request has expired");
    return;
  }
  const auto* repo = ctx.repos->model_by_storage_key(segs[3]);
  const RepoFile* file = nullptr;
  if (repo != nullptr) {
    for (const auto& f : repo->files) {
      if (f.lfs && f.digest().sha256 == segs[4]) {
        file = &f;
        break;
      }
    }
  }
  if (file == nullptr) {
    res.status = 404;
    res.set_content(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code></Error>",
        "application/xml");
    return;
  }
  res.set_header("ETag", "\"" + segs[4] + "\"");
  res.set_header("Last-Modified", "Sat, 01 Jun 2024 00:00:00 GMT");
  res.set_header("Cache-Control", "public, max-age=604800, immutable, s-maxage=604800");
  if (const auto d = req.get_param_value("response-content-disposition"); !d.empty()) {
    res.set_header("Content-Disposition", d);
  }
  serve_bytes(
      req, res, file->size,
      [file](std::uint64_t off, char* out, std::size_t n) { file->read(off, out, n); },
      "application/octet-stream");
}

} // namespace emulator::hub
