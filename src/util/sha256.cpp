#include <array>
#include <cstdlib>
#include <hfrun/util/fd.hpp>
#include <hfrun/util/sha256.hpp>
#include <openssl/evp.h>

namespace hfrun::util {

struct Sha256::Ctx {
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx;

  Ctx() : ctx(EVP_MD_CTX_new()) { reset(); }
  void reset() {
    // Allocation or init only fail on OOM or a broken OpenSSL install; nothing sensible to do then.
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
      std::abort();
    }
  }
};

Sha256::Sha256() : m_ctx(std::make_unique<Ctx>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::string_view bytes) {
  EVP_DigestUpdate(m_ctx->ctx.get(), bytes.data(), bytes.size());
}

std::string Sha256::hex_digest() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(m_ctx->ctx.get(), digest.data(), &size);
  m_ctx->reset();
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out += k_hex[digest[i] >> 4];
    out += k_hex[digest[i] & 0xF];
  }
  return out;
}

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
