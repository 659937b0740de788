#include <array>
#include <hfrun/util/fd.hpp>
#include <hfrun/util/sha256.hpp>

namespace hfrun::util {

std::string sha256_hex(std::string_view bytes) {
  Sha256 hasher;
  hasher.update(bytes);
  return hasher.hex_digest();
}

Result<std::string> sha256_file(const std::filesystem::path& path) {
  HFRUN_TRY_ASSIGN(fd, open_for_reading(path));
  Sha256 hasher;
  std::array<char, 1 << 16> buffer{};
  while (true) {
    HFRUN_TRY_ASSIGN(n, read_some(fd.get(), buffer.data(), buffer.size(), path));
    if (n == 0) {
      return hasher.hex_digest();
    }
    hasher.update(std::string_view(buffer.data(), n));
  }
}

} // namespace hfrun::util
