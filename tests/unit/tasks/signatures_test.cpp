// The signature table that spares libmagic: each format hfrun uploads is told from its first
// bytes, with the type libmagic itself gives for the same bytes (after sniff.cpp's renames), and
// anything else falls through to libmagic ("").
#include "tasks/signatures.hpp"
#include "tasks/sniff.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <magic.h>
#include <map>
#include <memory>
#include <string>

namespace hfrun::tasks {
namespace {

using namespace std::string_literals;

struct Sample {
  std::string name;
  std::string bytes;
  std::string type;
};

std::string padded(std::string head) {
  head.resize(512, '\0');
  return head;
}

// Headers as the formats' specifications lay them out (a real file's first bytes).
std::vector<Sample> samples() {
  return {
      {"png", padded("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0"s),
       "image/png"},
      {"jpeg", padded("\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0"s), "image/jpeg"},
      {"gif", padded("GIF89a\x01\0\x01\0\x80\0\0"s), "image/gif"},
      {"webp", padded("RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0"s), "image/webp"},
      {"tiff", padded("II*\0\x08\0\0\0"s), "image/tiff"},
      {"wav",
       padded("RIFF\x24\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x80\x3e\0\0\0\x7d\0\0\x02\0\x10\0"s),
       "audio/wav"},
      {"flac", padded("fLaC\0\0\0\x22\x10\0\x10\0"s), "audio/flac"},
      {"mp3-id3", padded("ID3\x03\0\0\0\0\0\0\xff\xfb\x90\x64"s), "audio/mpeg"},
      {"mp3-frame", padded("\xff\xfb\x90\x64"s), "audio/mpeg"},
      {"ogg", padded("OggS\0\x02\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\x01\x1e\x01vorbis"s),
       "audio/ogg"},
      {"mp4",
       padded("\0\0\0\x20"
              "ftypisom\0\0\x02\0isomiso2avc1mp41"s),
       "video/mp4"},
      {"m4a",
       padded("\0\0\0\x1c"
              "ftypM4A \0\0\0\0M4A mp42isom"s),
       "audio/mp4"},
      {"webm",
       padded(
           "\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"s),
       "video/webm"},
      {"pdf", padded("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"s), "application/pdf"},
  };
}

TEST(Signatures, EveryUploadedFormatIsToldFromItsFirstBytes) {
  for (const auto& s : samples()) {
    EXPECT_EQ(signature_type(s.bytes), s.type) << s.name;
  }
}

TEST(Signatures, AnythingElseIsLeftToLibmagic) {
  EXPECT_EQ(signature_type(""), "");
  EXPECT_EQ(signature_type("hello, world\n"), "");
  EXPECT_EQ(signature_type("RIFF\x24\0\0\0AVI LIST"s), "") << "RIFF, but neither WAVE nor WEBP";
  EXPECT_EQ(signature_type("\xff\xfb"s), "") << "too short for an MPEG frame header";
  EXPECT_EQ(signature_type("\xff\xff\xff\xff"s), "") << "no valid MPEG layer/bitrate";
  EXPECT_EQ(signature_type("\x89PN"s), "") << "a truncated PNG signature";
}

struct MagicCloser {
  void operator()(magic_set* m) const { magic_close(m); }
};

// The table agrees with libmagic, so skipping libmagic changes no Content-Type a server sees.
TEST(Signatures, AgreeWithLibmagic) {
  std::unique_ptr<magic_set, MagicCloser> magic(magic_open(MAGIC_MIME_TYPE));
  ASSERT_TRUE(magic && magic_load(magic.get(), nullptr) == 0);
  const std::map<std::string, std::string> renames = {
      {"audio/x-wav", "audio/wav"}, {"audio/x-flac", "audio/flac"}, {"audio/x-m4a", "audio/mp4"}};
  for (const auto& s : samples()) {
    std::string found = magic_buffer(magic.get(), s.bytes.data(), s.bytes.size());
    if (auto r = renames.find(found); r != renames.end()) {
      found = r->second;
    }
    EXPECT_EQ(found, s.type) << s.name;
  }
}

// The fallback still runs for what the table does not know: libmagic (loaded on demand) names
// an HTML page, and a file it cannot name falls back to its extension.
TEST(Signatures, SniffFallsBackToLibmagicThenTheExtension) {
  const auto dir = std::filesystem::temp_directory_path() / "hfrun_signatures_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "page.bin")
        << "<!DOCTYPE html>\n<html><head><title>x</title></head></html>\n";
    std::ofstream(dir / "notes.json") << "{\"a\": 1}\n";
  }
  EXPECT_EQ(*sniff_content_type(dir / "page.bin"), "text/html");
  EXPECT_EQ(*sniff_content_type(dir / "notes.json"), "application/json");
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace hfrun::tasks
