#include <array>
#include <hfrun/util/base64.hpp>

namespace hfrun::util {

namespace {

constexpr std::string_view k_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void encode_group(const unsigned char* in, std::size_t n, std::string& out) {
  const unsigned v = (unsigned{in[0]} << 16) | (n > 1 ? unsigned{in[1]} << 8 : 0u) |
                     (n > 2 ? unsigned{in[2]} : 0u);
  out += k_alphabet[(v >> 18) & 63];
  out += k_alphabet[(v >> 12) & 63];
  out += n > 1 ? k_alphabet[(v >> 6) & 63] : '=';
  out += n > 2 ? k_alphabet[v & 63] : '=';
}

constexpr std::array<int, 256> make_decode_table() {
  std::array<int, 256> table{};
  for (auto& v : table) {
    v = -1;
  }
  for (std::size_t i = 0; i < k_alphabet.size(); ++i) {
    table[static_cast<unsigned char>(k_alphabet[i])] = static_cast<int>(i);
  }
  return table;
}

constexpr auto k_decode = make_decode_table();

bool is_base64_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

} // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve(base64_encoded_size(bytes.size()));
  Base64Encoder encoder;
  encoder.feed(bytes, out);
  encoder.finish(out);
  return out;
}

void Base64Encoder::feed(std::string_view bytes, std::string& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  while (m_carry_size > 0 && m_carry_size < 3 && n > 0) {
    if (m_carry_size == 2) {
      const unsigned char group[3] = {m_carry[0], m_carry[1], *p};
      encode_group(group, 3, out);
      m_carry_size = 0;
    } else {
      m_carry[m_carry_size++] = *p;
    }
    ++p;
    --n;
  }
  out.reserve(out.size() + n / 3 * 4 + 4);
  for (; n >= 3; p += 3, n -= 3) {
    encode_group(p, 3, out);
  }
  for (; n > 0; ++p, --n) {
    m_carry[m_carry_size++] = *p;
  }
}

void Base64Encoder::finish(std::string& out) {
  if (m_carry_size > 0) {
    encode_group(m_carry, m_carry_size, out);
  }
  m_carry_size = 0;
}

Result<std::string> base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  unsigned v = 0;
  int bits = 0;
  std::size_t symbols = 0;
  std::size_t padding = 0;
  for (char c : text) {
    if (is_base64_space(c)) {
      continue;
    }
    if (c == '=') {
      ++padding;
      ++symbols;
      continue;
    }
    const int d = k_decode[static_cast<unsigned char>(c)];
    if (d < 0 || padding > 0) {
      return fail(ErrorKind::bad_response, "invalid base64 data");
    }
    ++symbols;
    v = (v << 6) | static_cast<unsigned>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xFF);
    }
  }
  // Padded base64 always comes in 4-symbol groups with at most two '=' at the end.
  if (symbols % 4 != 0 || padding > 2 || (padding > 0 && bits == 0)) {
    return fail(ErrorKind::bad_response, "invalid base64 data (bad length or padding)");
  }
  return out;
}

} // namespace hfrun::util
