// libmagic behind an RAII handle. One database per thread: magic_t is not thread-safe and loading
// the database costs more than sniffing a file.
#include "sniff.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <hfrun/util/strings.hpp>
#include <magic.h>
#include <memory>
#include <string_view>

namespace hfrun::tasks {
namespace {

struct MagicCloser {
  void operator()(magic_set* cookie) const { magic_close(cookie); }
};
using MagicHandle = std::unique_ptr<magic_set, MagicCloser>;

MagicHandle open_magic() {
  MagicHandle handle(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR));
  if (handle && magic_load(handle.get(), nullptr) != 0) {
    handle.reset();
  }
  return handle;
}

// libmagic names some types differently from what servers and browsers send (the JS client sends
// the Blob's type, e.g. audio/wav); use the registered names.
std::string canonical(std::string type) {
  struct Rename {
    std::string_view from, to;
  };
  constexpr std::array k_renames{
      Rename{"audio/x-wav", "audio/wav"},    Rename{"audio/x-flac", "audio/flac"},
      Rename{"audio/x-m4a", "audio/mp4"},    Rename{"audio/x-hx-aac-adts", "audio/aac"},
      Rename{"image/x-ms-bmp", "image/bmp"}, Rename{"audio/x-mp4a-latm", "audio/mp4"},
  };
  for (const auto& r : k_renames) {
    if (type == r.from) {
      return std::string(r.to);
    }
  }
  return type;
}

} // namespace

Result<std::string> sniff_content_type(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return fail(ErrorKind::usage, "cannot read input file " + file.string(),
                "check the path given to --file");
  }
  std::array<char, 4096> head{};
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  const auto got = static_cast<std::size_t>(in.gcount());

  thread_local MagicHandle magic = open_magic();
  std::string type;
  if (magic) {
    if (const char* found = magic_buffer(magic.get(), head.data(), got)) {
      type = canonical(found);
    }
  }
  // Generic answers say nothing a server can use: prefer the extension then.
  if (type.empty() || type == "application/octet-stream" || type == "text/plain" ||
      type == "application/x-empty" || type == "inode/x-empty") {
    std::string guessed = util::mime_type_for_extension(file);
    if (!guessed.empty() || type == "text/plain") {
      return guessed;
    }
    return std::string();
  }
  return type;
}

} // namespace hfrun::tasks
