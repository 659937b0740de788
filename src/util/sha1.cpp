#include <array>
#include <cstdlib>
#include <hfrun/util/sha1.hpp>
#include <openssl/evp.h>

namespace hfrun::util {

struct Sha1::Ctx {
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx;

  Ctx() : ctx(EVP_MD_CTX_new()) { reset(); }
  void reset() {
    // Allocation or init only fail on OOM or a broken OpenSSL install; nothing sensible to do then.
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1) {
      std::abort();
    }
  }
};

Sha1::Sha1() : m_ctx(std::make_unique<Ctx>()) {}
Sha1::~Sha1() = default;
Sha1::Sha1(Sha1&&) noexcept = default;
Sha1& Sha1::operator=(Sha1&&) noexcept = default;

void Sha1::update(std::string_view bytes) {
  EVP_DigestUpdate(m_ctx->ctx.get(), bytes.data(), bytes.size());
}

std::string Sha1::hex_digest() {
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
