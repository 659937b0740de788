#include <array>
#include <cstdlib>
#include <hfrun/util/digest.hpp>
#include <openssl/evp.h>

namespace hfrun::util {

struct Digest::Ctx {
  struct Free {
    void operator()(EVP_MD_CTX* handle) const { EVP_MD_CTX_free(handle); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx;
  const EVP_MD* md;

  explicit Ctx(Algorithm algorithm)
      : ctx(EVP_MD_CTX_new()), md(algorithm == Algorithm::sha1 ? EVP_sha1() : EVP_sha256()) {
    reset();
  }
  void reset() {
    // Allocation or init only fail on OOM or a broken OpenSSL install; nothing sensible to do then.
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) {
      std::abort();
    }
  }
};

Digest::Digest(Algorithm algorithm) : m_ctx(std::make_unique<Ctx>(algorithm)) {}
Digest::~Digest() = default;
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

void Digest::update(std::string_view bytes) {
  EVP_DigestUpdate(m_ctx->ctx.get(), bytes.data(), bytes.size());
}

std::string Digest::hex_digest() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(m_ctx->ctx.get(), digest.data(), &size);
  m_ctx->reset();
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::size_t{size} * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out += k_hex[digest[i] >> 4];
    out += k_hex[digest[i] & 0xF];
  }
  return out;
}

} // namespace hfrun::util
