// SHA-256 over OpenSSL's EVP interface: streaming, one-shot, and of a file read in chunks.
#pragma once

#include <filesystem>
#include <hfrun/error.hpp>
#include <hfrun/util/digest.hpp>
#include <string>
#include <string_view>

namespace hfrun::util {

class Sha256 final : public Digest {
public:
  Sha256() : Digest(Algorithm::sha256) {}
};

// Lower-case hex SHA-256 of `bytes`.
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

// Lower-case hex SHA-256 of a file's content, read in chunks. ErrorKind::usage naming the file when
// it cannot be read.
[[nodiscard]] Result<std::string> sha256_file(const std::filesystem::path& path);

} // namespace hfrun::util
