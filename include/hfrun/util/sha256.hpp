// SHA-256 over OpenSSL's EVP interface: streaming, one-shot, and of a file read in chunks.
#pragma once

#include <filesystem>
#include <hfrun/error.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace hfrun::util {

class Sha256 {
public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  // Lower-case hex digest of everything fed so far; the hasher then starts over.
  [[nodiscard]] std::string hex_digest();

private:
  struct Ctx;
  std::unique_ptr<Ctx> m_ctx;
};

// Lower-case hex SHA-256 of `bytes`.
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

// Lower-case hex SHA-256 of a file's content, read in chunks. ErrorKind::usage naming the file when
// it cannot be read.
[[nodiscard]] Result<std::string> sha256_file(const std::filesystem::path& path);

} // namespace hfrun::util
