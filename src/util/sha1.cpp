#include <array>
#include <hfrun/util/sha1.hpp>

namespace hfrun::util {

std::string git_blob_header(std::uint64_t size) {
  std::string header = "blob " + std::to_string(size);
  header.push_back('\0');
  return header;
}

std::string git_blob_sha1(std::string_view content) {
  Sha1 hasher;
  hasher.update(git_blob_header(content.size()));
  hasher.update(content);
  return hasher.hex_digest();
}

} // namespace hfrun::util
