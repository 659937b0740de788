// A file's type from its first bytes: the signature table of signatures.cpp for the formats hfrun
// uploads, then libmagic for the rest. libmagic is loaded with dlopen on that fallback only, so a
// call with a PNG, a WAV or no file at all never maps libmagic, liblzma and libbz2 nor reads its
// database (docs/benchmarks.md, "Where hfrun's extra cost goes"). One magic cookie per thread:
// magic_t is not thread-safe and loading the database costs more than sniffing a file.
#include "sniff.hpp"

#include "signatures.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <dlfcn.h>
#include <fstream>
#include <hfrun/util/strings.hpp>
#include <magic.h>
#include <memory>
#include <string_view>

namespace hfrun::tasks {
namespace {

struct LibraryCloser {
  void operator()(void* handle) const { dlclose(handle); }
};

// libmagic's entry points, resolved once per process; null members when the library is absent
// (the runtime package libmagic1 is a dependency of the .deb, but a missing one only costs the
// extension fallback).
struct MagicApi {
  std::unique_ptr<void, LibraryCloser> library;
  decltype(&magic_open) open = nullptr;
  decltype(&magic_load) load = nullptr;
  decltype(&magic_buffer) buffer = nullptr;
  decltype(&magic_close) close = nullptr;

  [[nodiscard]] bool usable() const { return open && load && buffer && close; }
};

template <typename Fn> Fn symbol(void* library, const char* name) {
  return reinterpret_cast<Fn>(dlsym(library, name));
}

const MagicApi& magic_api() {
  static const MagicApi api = [] {
    MagicApi loaded;
    loaded.library.reset(dlopen("libmagic.so.1", RTLD_NOW | RTLD_LOCAL));
    if (void* lib = loaded.library.get()) {
      loaded.open = symbol<decltype(&magic_open)>(lib, "magic_open");
      loaded.load = symbol<decltype(&magic_load)>(lib, "magic_load");
      loaded.buffer = symbol<decltype(&magic_buffer)>(lib, "magic_buffer");
      loaded.close = symbol<decltype(&magic_close)>(lib, "magic_close");
    }
    return loaded;
  }();
  return api;
}

struct MagicCloser {
  void operator()(magic_set* cookie) const { magic_api().close(cookie); }
};
using MagicHandle = std::unique_ptr<magic_set, MagicCloser>;

MagicHandle open_magic() {
  const MagicApi& api = magic_api();
  if (!api.usable()) {
    return MagicHandle();
  }
  MagicHandle handle(api.open(MAGIC_MIME_TYPE | MAGIC_ERROR));
  if (handle && api.load(handle.get(), nullptr) != 0) {
    handle.reset();
  }
  return handle;
}

std::string libmagic_type(std::string_view head);

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

std::string libmagic_type(std::string_view head) {
  thread_local MagicHandle magic = open_magic();
  if (!magic) {
    return std::string();
  }
  const char* found = magic_api().buffer(magic.get(), head.data(), head.size());
  return found ? canonical(found) : std::string();
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

  const std::string_view bytes(head.data(), got);
  std::string type(signature_type(bytes));
  if (type.empty()) {
    type = libmagic_type(bytes);
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
