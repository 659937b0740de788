#include "signatures.hpp"

#include <array>

namespace hfrun::tasks {

namespace {

struct Signature {
  std::size_t offset;
  std::string_view bytes;
  std::string_view type;
};

using namespace std::string_view_literals;

// Fixed prefixes. Containers whose type depends on a second field (RIFF, ftyp, Matroska) are
// told apart in signature_type below.
constexpr std::array k_signatures{
    Signature{0, "\x89PNG\r\n\x1a\n"sv, "image/png"},
    Signature{0, "\xff\xd8\xff"sv, "image/jpeg"},
    Signature{0, "GIF87a"sv, "image/gif"},
    Signature{0, "GIF89a"sv, "image/gif"},
    Signature{0, "II*\0"sv, "image/tiff"},
    Signature{0, "MM\0*"sv, "image/tiff"},
    Signature{0, "fLaC"sv, "audio/flac"},
    Signature{0, "ID3"sv, "audio/mpeg"},
    Signature{0, "%PDF-"sv, "application/pdf"},
};

bool at(std::string_view head, std::size_t offset, std::string_view bytes) {
  return head.size() >= offset + bytes.size() && head.substr(offset, bytes.size()) == bytes;
}

// ISO base media (MP4, M4A, MOV): "ftyp" at 4, the major brand after it.
std::string_view iso_media_type(std::string_view head) {
  if (!at(head, 4, "ftyp"))
    return {};
  const std::string_view brand = head.size() >= 12 ? head.substr(8, 4) : std::string_view{};
  if (brand == "M4A " || brand == "M4B ")
    return "audio/mp4";
  if (brand == "qt  ")
    return "video/quicktime";
  if (brand.starts_with("3gp"))
    return "video/3gpp";
  return "video/mp4";
}

// Matroska/WebM: the EBML magic, then the DocType element's value.
std::string_view matroska_type(std::string_view head) {
  if (!at(head, 0, "\x1a\x45\xdf\xa3"sv))
    return {};
  const auto doc_type = head.substr(0, 64).find("\x42\x82"sv);
  if (doc_type == std::string_view::npos)
    return {};
  const std::string_view rest = head.substr(doc_type + 3);
  if (rest.starts_with("webm"))
    return "video/webm";
  if (rest.starts_with("matroska"))
    return "video/x-matroska";
  return {};
}

std::string_view riff_type(std::string_view head) {
  if (!at(head, 0, "RIFF"))
    return {};
  if (at(head, 8, "WAVE"))
    return "audio/wav";
  if (at(head, 8, "WEBP"))
    return "image/webp";
  return {};
}

// MPEG audio without an ID3 tag: an 11-bit frame sync, layer III, a valid bitrate and rate.
std::string_view mpeg_audio_type(std::string_view head) {
  if (head.size() < 3)
    return {};
  const auto b1 = static_cast<unsigned char>(head[1]);
  const auto b2 = static_cast<unsigned char>(head[2]);
  const bool sync = static_cast<unsigned char>(head[0]) == 0xff && (b1 & 0xe0) == 0xe0;
  const bool layer3 = (b1 & 0x06) == 0x02;
  const bool version_ok = (b1 & 0x18) != 0x08;
  const bool bitrate_ok = (b2 & 0xf0) != 0xf0 && (b2 & 0xf0) != 0;
  const bool rate_ok = (b2 & 0x0c) != 0x0c;
  return sync && layer3 && version_ok && bitrate_ok && rate_ok ? "audio/mpeg" : std::string_view{};
}

// Ogg: the codec is named in the first packet ("\x01vorbis", "OpusHead", "\x80theora").
std::string_view ogg_type(std::string_view head) {
  if (!at(head, 0, "OggS"))
    return {};
  const std::string_view first = head.substr(0, 128);
  if (first.find("\x80theora"sv) != std::string_view::npos)
    return "video/ogg";
  return "audio/ogg";
}

} // namespace

std::string_view signature_type(std::string_view head) {
  for (const auto& s : k_signatures) {
    if (at(head, s.offset, s.bytes))
      return s.type;
  }
  for (const auto classify :
       {riff_type, iso_media_type, matroska_type, ogg_type, mpeg_audio_type}) {
    if (const auto type = classify(head); !type.empty())
      return type;
  }
  return {};
}

} // namespace hfrun::tasks
