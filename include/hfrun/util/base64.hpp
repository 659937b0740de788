// Standard base64 (RFC 4648 §4, with padding), one-shot and streaming.
#pragma once

#include <cstdint>
#include <hfrun/error.hpp>
#include <string>
#include <string_view>

namespace hfrun::util {

// The base64 text of `bytes`.
[[nodiscard]] std::string base64_encode(std::string_view bytes);

// The bytes of padded base64 `text`; ASCII whitespace is skipped. Bad characters or a wrong length
// give ErrorKind::bad_response (decoded data comes from servers).
[[nodiscard]] Result<std::string> base64_decode(std::string_view text);

// Encodes a stream fed in arbitrary pieces; the concatenated output equals base64_encode of the
// concatenated input.
class Base64Encoder {
public:
  // Appends the encoding of every complete 3-byte group seen so far to `out`.
  void feed(std::string_view bytes, std::string& out);
  // Appends the last, padded group (if any) and resets the encoder for reuse.
  void finish(std::string& out);

private:
  unsigned char m_carry[2] = {0, 0};
  std::size_t m_carry_size = 0;
};

// Length of the padded encoding of `n` bytes: 4 * ceil(n / 3).
[[nodiscard]] constexpr std::uint64_t base64_encoded_size(std::uint64_t n) {
  return (n + 2) / 3 * 4;
}

} // namespace hfrun::util
