#include "content.hpp"

#include <array>
#include <cstring>
#include <memory>
#include <openssl/evp.h>
#include <vector>

namespace emulator {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27U)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31U);
}

void word_bytes(std::uint64_t word, unsigned char* out) {
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<unsigned char>(word >> (8 * i));
  }
}

std::string to_hex(const unsigned char* data, std::size_t n) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = k_digits[data[i] >> 4U];
    out[2 * i + 1] = k_digits[data[i] & 0xfU];
  }
  return out;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

MdCtx digest_init(const EVP_MD* md) {
  MdCtx ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex(ctx.get(), md, nullptr);
  return ctx;
}

std::string digest_final(EVP_MD_CTX* ctx) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx, out.data(), &n);
  return to_hex(out.data(), n);
}

std::string digest(const EVP_MD* md, std::string_view data) {
  auto ctx = digest_init(md);
  EVP_DigestUpdate(ctx.get(), data.data(), data.size());
  return digest_final(ctx.get());
}

} // namespace

void generate_bytes(std::uint64_t seed, std::uint64_t offset, char* out, std::size_t n) {
  auto* dst = reinterpret_cast<unsigned char*>(out);
  std::array<unsigned char, 8> word{};
  while (n > 0) {
    const std::uint64_t index = offset / 8;
    const auto skip = static_cast<std::size_t>(offset % 8);
    if (skip == 0 && n >= 8) {
      word_bytes(splitmix64(seed + index), dst);
      dst += 8;
      offset += 8;
      n -= 8;
      continue;
    }
    word_bytes(splitmix64(seed + index), word.data());
    const std::size_t take = std::min<std::size_t>(8 - skip, n);
    std::memcpy(dst, word.data() + skip, take);
    dst += take;
    offset += take;
    n -= take;
  }
}

std::string sha256_hex(std::string_view data) {
  return digest(EVP_sha256(), data);
}

std::string sha256_generated(std::uint64_t seed, std::uint64_t size) {
  auto ctx = digest_init(EVP_sha256());
  std::vector<char> buffer(1U << 20U);
  for (std::uint64_t offset = 0; offset < size;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - offset));
    generate_bytes(seed, offset, buffer.data(), n);
    EVP_DigestUpdate(ctx.get(), buffer.data(), n);
    offset += n;
  }
  return digest_final(ctx.get());
}

std::string sha1_hex(std::string_view data) {
  return digest(EVP_sha1(), data);
}

std::string git_blob_sha1(std::string_view content) {
  std::string header = "blob " + std::to_string(content.size());
  header.push_back('\0');
  auto ctx = digest_init(EVP_sha1());
  EVP_DigestUpdate(ctx.get(), header.data(), header.size());
  EVP_DigestUpdate(ctx.get(), content.data(), content.size());
  return digest_final(ctx.get());
}

std::string lfs_pointer(std::string_view sha256, std::uint64_t size) {
  return "version https://git-lfs.github.com/spec/v1\noid sha256:" + std::string(sha256) +
         "\nsize " + std::to_string(size) + "\n";
}

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

} // namespace emulator

namespace emulator {

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) {
    return std::nullopt;
  }
  std::size_t size = static_cast<std::size_t>(n);
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) {
    --size;
  }
  out.resize(size);
  return out;
}

} // namespace emulator
