// Streaming message digests over OpenSSL's EVP interface: SHA-256 (LFS files, uploads) and SHA-1
// (git blob ids). Sha256 and Sha1 (sha256.hpp, sha1.hpp) are this with the algorithm fixed.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace hfrun::util {

class Digest {
public:
  enum class Algorithm { sha1, sha256 };

  explicit Digest(Algorithm algorithm);
  ~Digest();
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void update(std::string_view bytes);
  // Lower-case hex digest of everything fed so far; the hasher then starts over.
  [[nodiscard]] std::string hex_digest();

private:
  struct Ctx;
  std::unique_ptr<Ctx> m_ctx;
};

} // namespace hfrun::util
