// SHA-1 over OpenSSL's EVP interface, for git blob ids: the Hub names a regular (non-LFS) file by
// the SHA-1 of "blob <size>\0" + content (its ETag and the tree's `oid`).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hfrun::util {

class Sha1 {
public:
  Sha1();
  ~Sha1();
  Sha1(Sha1&&) noexcept;
  Sha1& operator=(Sha1&&) noexcept;
  Sha1(const Sha1&) = delete;
  Sha1& operator=(const Sha1&) = delete;

  void update(std::string_view bytes);
  // Lower-case hex digest of everything fed so far; the hasher then starts over.
  [[nodiscard]] std::string hex_digest();

private:
  struct Ctx;
  std::unique_ptr<Ctx> m_ctx;
};

// The header git hashes before a blob's content: "blob <size>\0".
[[nodiscard]] std::string git_blob_header(std::uint64_t size);

// The git blob id (lower-case hex SHA-1) of `content`.
[[nodiscard]] std::string git_blob_sha1(std::string_view content);

} // namespace hfrun::util
