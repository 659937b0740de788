// SHA-1 over OpenSSL's EVP interface, for git blob ids: the Hub names a regular (non-LFS) file by
// the SHA-1 of "blob <size>\0" + content (its ETag and the tree's `oid`).
#pragma once

#include <cstdint>
#include <hfrun/util/digest.hpp>
#include <string>
#include <string_view>

namespace hfrun::util {

class Sha1 final : public Digest {
public:
  Sha1() : Digest(Algorithm::sha1) {}
};

// The header git hashes before a blob's content: "blob <size>\0".
[[nodiscard]] std::string git_blob_header(std::uint64_t size);

// The git blob id (lower-case hex SHA-1) of `content`.
[[nodiscard]] std::string git_blob_sha1(std::string_view content);

} // namespace hfrun::util
