// Media the router generates and inspects: real, decodable files (JPEG through libjpeg, PNG masks
// through zlib, FLAC and WAV written by hand), so clients that check a reply's type get what the
// real service sends (text-to-image answers image/jpeg, text-to-speech audio/flac).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emulator::media {

struct Size {
  int width = 0;
  int height = 0;
};

// A baseline JPEG of w x h pixels whose colours are a function of seed (quality 85, RGB).
[[nodiscard]] std::string make_jpeg(int width, int height, std::uint64_t seed);
// An 8-bit grayscale PNG of w x h: a filled ellipse (255) on black, its place chosen by seed.
[[nodiscard]] std::string make_png_mask(int width, int height, std::uint64_t seed);
// 16 kHz mono 16-bit PCM samples: a few sine tones chosen by seed, `seconds` long.
[[nodiscard]] std::vector<std::int16_t> make_tone(double seconds, std::uint64_t seed);
// FLAC stream (STREAMINFO + verbatim frames) of 16-bit mono samples at rate.
[[nodiscard]] std::string make_flac(const std::vector<std::int16_t>& samples, int rate);
// RIFF/WAVE of 16-bit mono samples at rate.
[[nodiscard]] std::string make_wav(const std::vector<std::int16_t>& samples, int rate);

// Width and height of a PNG, JPEG, GIF or BMP file; nullopt for anything else.
[[nodiscard]] std::optional<Size> image_size(std::string_view bytes);
// True when the bytes start like an image file the hf-inference vision pipelines accept.
[[nodiscard]] bool looks_like_image(std::string_view bytes);
// Duration in seconds of a WAV or FLAC file; nullopt for other formats.
[[nodiscard]] std::optional<double> audio_seconds(std::string_view bytes);

} // namespace emulator::media
