#include "media.hpp"

#include "router_util.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <numbers>
#include <zlib.h>

// libjpeg's header needs <cstdio> first and is C.
extern "C" {
#include <jpeglib.h>
}

namespace emulator::media {

namespace {

void put_be32(std::string& out, std::uint32_t v) {
  out += static_cast<char>((v >> 24U) & 0xFFU);
  out += static_cast<char>((v >> 16U) & 0xFFU);
  out += static_cast<char>((v >> 8U) & 0xFFU);
  out += static_cast<char>(v & 0xFFU);
}

void put_le32(std::string& out, std::uint32_t v) {
  for (unsigned i = 0; i < 4; ++i)
    out += static_cast<char>((v >> (8U * i)) & 0xFFU);
}

void put_le16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v & 0xFFU);
  out += static_cast<char>((v >> 8U) & 0xFFU);
}

std::uint32_t be32(std::string_view b, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24U) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16U) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8U) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

std::uint32_t le32(std::string_view b, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8U) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16U) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24U);
}

std::uint16_t le16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>(
      static_cast<unsigned char>(b[at]) |
      (static_cast<unsigned>(static_cast<unsigned char>(b[at + 1])) << 8U));
}

std::uint16_t be16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>(
      (static_cast<unsigned>(static_cast<unsigned char>(b[at])) << 8U) |
      static_cast<unsigned char>(b[at + 1]));
}

void png_chunk(std::string& out, std::string_view type, std::string_view data) {
  put_be32(out, static_cast<std::uint32_t>(data.size()));
  std::string body(type);
  body += data;
  out += body;
  put_be32(out, static_cast<std::uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(body.data()),
                                                 static_cast<uInt>(body.size()))));
}

// MSB-first bit writer for FLAC frames.
class BitWriter {
public:
  void put(std::uint64_t value, unsigned bits) {
    for (unsigned i = bits; i-- > 0;) {
      m_acc = static_cast<unsigned char>((m_acc << 1U) | ((value >> i) & 1U));
      if (++m_count == 8) {
        m_bytes += static_cast<char>(m_acc);
        m_acc = 0;
        m_count = 0;
      }
    }
  }
  [[nodiscard]] std::string& bytes() { return m_bytes; }

private:
  std::string m_bytes;
  unsigned char m_acc = 0;
  unsigned m_count = 0;
};

unsigned char crc8(std::string_view data) {
  unsigned crc = 0;
  for (const char c : data) {
    crc ^= static_cast<unsigned char>(c);
    for (int i = 0; i < 8; ++i)
      crc = (crc & 0x80U) != 0 ? ((crc << 1U) ^ 0x07U) & 0xFFU : (crc << 1U) & 0xFFU;
  }
  return static_cast<unsigned char>(crc);
}

std::uint16_t crc16(std::string_view data) {
  unsigned crc = 0;
  for (const char c : data) {
    crc ^= static_cast<unsigned>(static_cast<unsigned char>(c)) << 8U;
    for (int i = 0; i < 8; ++i)
      crc = (crc & 0x8000U) != 0 ? ((crc << 1U) ^ 0x8005U) & 0xFFFFU : (crc << 1U) & 0xFFFFU;
  }
  return static_cast<std::uint16_t>(crc);
}

int flac_rate_code(int rate) {
  switch (rate) {
  case 8000:
    return 4;
  case 16000:
    return 5;
  case 22050:
    return 6;
  case 24000:
    return 7;
  case 32000:
    return 8;
  case 44100:
    return 9;
  case 48000:
    return 10;
  default:
    return 0; // from STREAMINFO
  }
}

} // namespace

std::string make_jpeg(int width, int height, std::uint64_t seed) {
  width = std::clamp(width, 8, 4096);
  height = std::clamp(height, 8, 4096);
  router::Rng rng(seed);
  const double r0 = rng.uniform() * 255;
  const double g0 = rng.uniform() * 255;
  const double b0 = rng.uniform() * 255;
  const double r1 = rng.uniform() * 255;
  const double g1 = rng.uniform() * 255;
  const double b1 = rng.uniform() * 255;

  jpeg_compress_struct cinfo{};
  jpeg_error_mgr jerr{};
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 85, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<unsigned char> row(static_cast<std::size_t>(width) * 3);
  while (cinfo.next_scanline < cinfo.image_height) {
    const double ty = static_cast<double>(cinfo.next_scanline) / height;
    for (int x = 0; x < width; ++x) {
      const double t = (static_cast<double>(x) / width + ty) / 2;
      const auto at = static_cast<std::size_t>(x) * 3;
      row[at] = static_cast<unsigned char>(r0 + (r1 - r0) * t);
      row[at + 1] = static_cast<unsigned char>(g0 + (g1 - g0) * t);
      row[at + 2] = static_cast<unsigned char>(b0 + (b1 - b0) * t);
    }
    JSAMPROW rows[1] = {row.data()};
    jpeg_write_scanlines(&cinfo, rows, 1);
  }
  jpeg_finish_compress(&cinfo);
  std::string out(reinterpret_cast<const char*>(buffer), size);
  jpeg_destroy_compress(&cinfo);
  std::free(buffer); // NOLINT: allocated by libjpeg with malloc
  return out;
}

std::string make_png_mask(int width, int height, std::uint64_t seed) {
  width = std::clamp(width, 1, 4096);
  height = std::clamp(height, 1, 4096);
  router::Rng rng(seed);
  const double cx = (0.3 + 0.4 * rng.uniform()) * width;
  const double cy = (0.3 + 0.4 * rng.uniform()) * height;
  const double rx = (0.15 + 0.25 * rng.uniform()) * width;
  const double ry = (0.15 + 0.25 * rng.uniform()) * height;
  std::string raw;
  raw.reserve(static_cast<std::size_t>(height) * (static_cast<std::size_t>(width) + 1));
  for (int y = 0; y < height; ++y) {
    raw += '\0'; // filter: none
    for (int x = 0; x < width; ++x) {
      const double dx = (x + 0.5 - cx) / rx;
      const double dy = (y + 0.5 - cy) / ry;
      raw += dx * dx + dy * dy <= 1.0 ? static_cast<char>(0xFF) : '\0';
    }
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_size, '\0');
  compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size,
            reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
            Z_BEST_SPEED);
  packed.resize(packed_size);

  std::string out = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put_be32(ihdr, static_cast<std::uint32_t>(width));
  put_be32(ihdr, static_cast<std::uint32_t>(height));
  ihdr +=
      std::string{'\x08', '\x00', '\x00', '\x00', '\x00'}; // 8-bit grayscale, deflate, no interlace
  png_chunk(out, "IHDR", ihdr);
  png_chunk(out, "IDAT", packed);
  png_chunk(out, "IEND", "");
  return out;
}

std::vector<std::int16_t> make_tone(double seconds, std::uint64_t seed) {
  constexpr int k_rate = 16000;
  router::Rng rng(seed);
  const double f1 = 220 + 440 * rng.uniform();
  const double f2 = 220 + 440 * rng.uniform();
  const auto count = static_cast<std::size_t>(std::clamp(seconds, 0.05, 30.0) * k_rate);
  std::vector<std::int16_t> samples(count);
  for (std::size_t i = 0; i < count; ++i) {
    const double t = static_cast<double>(i) / k_rate;
    const double f = i < count / 2 ? f1 : f2;
    samples[i] = static_cast<std::int16_t>(8000 * std::sin(2 * std::numbers::pi * f * t));
  }
  return samples;
}

std::string make_flac(const std::vector<std::int16_t>& samples, int rate) {
  constexpr std::size_t k_block = 4096;
  std::string out = "fLaC";
  {
    BitWriter info;
    info.put(1, 1); // last metadata block
    info.put(0, 7); // STREAMINFO
    info.put(34, 24);
    info.put(k_block, 16);
    info.put(k_block, 16);
    info.put(0, 24); // frame sizes unknown
    info.put(0, 24);
    info.put(static_cast<std::uint64_t>(rate), 20);
    info.put(0, 3);  // one channel
    info.put(15, 5); // 16 bits per sample
    info.put(samples.size(), 36);
    for (int i = 0; i < 16; ++i)
      info.put(0, 8); // MD5 unknown (allowed)
    out += info.bytes();
  }
  const int rate_code = flac_rate_code(rate);
  std::uint64_t frame_number = 0;
  for (std::size_t start = 0; start < samples.size(); start += k_block, ++frame_number) {
    const std::size_t n = std::min(k_block, samples.size() - start);
    BitWriter frame;
    frame.put(0x3FFE, 14); // sync
    frame.put(0, 1);
    frame.put(0, 1);                        // fixed block size
    frame.put(n == k_block ? 0xC : 0x7, 4); // 4096, or a 16-bit size at the header's end
    frame.put(static_cast<std::uint64_t>(rate_code), 4);
    frame.put(0, 4); // mono
    frame.put(4, 3); // 16 bits
    frame.put(0, 1);
    if (frame_number < 0x80) {
      frame.put(frame_number, 8);
    } else {
      frame.put(0xC0U | ((frame_number >> 6U) & 0x1FU), 8);
      frame.put(0x80U | (frame_number & 0x3FU), 8);
    }
    if (n != k_block)
      frame.put(n - 1, 16);
    frame.put(crc8(frame.bytes()), 8);
    frame.put(0x02, 8); // subframe: VERBATIM, no wasted bits
    for (std::size_t i = 0; i < n; ++i)
      frame.put(static_cast<std::uint16_t>(samples[start + i]), 16);
    frame.put(crc16(frame.bytes()), 16);
    out += frame.bytes();
  }
  return out;
}

std::string make_wav(const std::vector<std::int16_t>& samples, int rate) {
  const auto data_size = static_cast<std::uint32_t>(samples.size() * 2);
  std::string out = "RIFF";
  put_le32(out, 36 + data_size);
  out += "WAVEfmt ";
  put_le32(out, 16);
  put_le16(out, 1); // PCM
  put_le16(out, 1); // mono
  put_le32(out, static_cast<std::uint32_t>(rate));
  put_le32(out, static_cast<std::uint32_t>(rate) * 2);
  put_le16(out, 2);
  put_le16(out, 16);
  out += "data";
  put_le32(out, data_size);
  for (const std::int16_t s : samples)
    put_le16(out, static_cast<std::uint16_t>(s));
  return out;
}

std::optional<Size> image_size(std::string_view b) {
  if (b.size() >= 24 && b.substr(0, 8) == "\x89PNG\r\n\x1a\n") {
    return Size{static_cast<int>(be32(b, 16)), static_cast<int>(be32(b, 20))};
  }
  if (b.size() >= 10 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a")) {
    return Size{le16(b, 6), le16(b, 8)};
  }
  if (b.size() >= 26 && b.substr(0, 2) == "BM") {
    return Size{static_cast<int>(le32(b, 18)), std::abs(static_cast<int>(le32(b, 22)))};
  }
  if (b.size() >= 4 && static_cast<unsigned char>(b[0]) == 0xFF &&
      static_cast<unsigned char>(b[1]) == 0xD8) {
    std::size_t at = 2;
    while (at + 9 < b.size()) {
      if (static_cast<unsigned char>(b[at]) != 0xFF)
        return std::nullopt;
      const auto marker = static_cast<unsigned char>(b[at + 1]);
      if (marker == 0xFF) {
        ++at;
        continue;
      }
      const bool sof =
          marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof)
        return Size{be16(b, at + 7), be16(b, at + 5)};
      at += 2 + be16(b, at + 2);
    }
  }
  return std::nullopt;
}

bool looks_like_image(std::string_view b) {
  if (image_size(b))
    return true;
  return b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP";
}

std::optional<double> audio_seconds(std::string_view b) {
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WAVE") {
    std::size_t at = 12;
    std::uint32_t byte_rate = 0;
    while (at + 8 <= b.size()) {
      const std::string_view id = b.substr(at, 4);
      const std::uint32_t size = le32(b, at + 4);
      if (id == "fmt " && at + 16 <= b.size())
        byte_rate = le32(b, at + 16);
      if (id == "data") {
        if (byte_rate == 0)
          return std::nullopt;
        const std::size_t available = std::min<std::size_t>(size, b.size() - at - 8);
        return static_cast<double>(available) / byte_rate;
      }
      at += 8 + size + (size & 1U);
    }
    return std::nullopt;
  }
  if (b.size() >= 42 && b.substr(0, 4) == "fLaC") {
    // STREAMINFO starts at 8: rate is 20 bits at bit offset 80, total samples 36 bits at 108.
    const std::string_view info = b.substr(8, 34);
    const auto byte = [&](std::size_t i) {
      return static_cast<std::uint64_t>(static_cast<unsigned char>(info[i]));
    };
    const std::uint64_t rate = (byte(10) << 12U) | (byte(11) << 4U) | (byte(12) >> 4U);
    const std::uint64_t total = ((byte(13) & 0x0FU) << 32U) | (byte(14) << 24U) |
                                (byte(15) << 16U) | (byte(16) << 8U) | byte(17);
    if (rate == 0)
      return std::nullopt;
    return static_cast<double>(total) / static_cast<double>(rate);
  }
  return std::nullopt;
}

} // namespace emulator::media
