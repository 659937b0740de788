// The batch input (src/batch): JSON Lines read by the streaming line reader (with a line limit the
// selector chooses, so over-long lines are hit), each line parsed into its id and fields, --shard
// specs, and --resume on an earlier output file. Checked: line numbers only grow, a kept line holds
// no line break and fits the limit, a shard takes a line only when its spec is valid, and resuming
// twice changes nothing the second time.
#include "fuzz_input.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <hfrun/batch/lines.hpp>
#include <hfrun/batch/resume.hpp>
#include <hfrun/batch/shard.hpp>
#include <unistd.h>

namespace {

// One output file per fuzzing process, for --resume.
const std::filesystem::path& resume_file() {
  static const std::filesystem::path path = [] {
    const char* tmp = std::getenv("TMPDIR");
    return std::filesystem::path(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") /
           ("hfrun-fuzz-resume-" + std::to_string(::getpid()) + ".jsonl");
  }();
  return path;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace batch = hfrun::batch;
  const auto split = hfrun::fuzz::selector_and_rest(hfrun::fuzz::as_text(data, size));
  const std::uint8_t selector = split.first;
  const std::string_view text = split.second;
  const std::size_t max_line =
      (selector & 0x80) != 0 ? 1 + (selector & 0x3f) : std::size_t{64} << 20;

  std::FILE* in = ::fmemopen(const_cast<char*>(text.data()), text.size(), "r");
  if (in == nullptr) {
    return 0; // fmemopen refuses an empty buffer
  }
  batch::LineReader reader(in, max_line);
  std::size_t last = 0;
  std::string first;
  while (auto line = reader.next()) {
    if (line->number <= last || line->text.find('\n') != std::string::npos ||
        line->text.size() > max_line || (line->too_long && !line->text.empty())) {
      std::abort();
    }
    last = line->number;
    if (first.empty()) {
      first = line->text;
    }
    const batch::ParsedLine parsed = batch::parse_line(*line);
    if (parsed.item.line != line->number || !parsed.item.fields.is_object()) {
      std::abort();
    }
    (void)batch::id_key(parsed.item.id);
  }
  std::fclose(in);

  // The first line as a --shard spec, with the job systems' variables read from the next bytes.
  const auto env = [&](const std::string& name) -> std::optional<std::string> {
    if ((selector & 0x40) == 0) {
      return std::nullopt;
    }
    return std::string(text.substr(std::min(text.size(), name.size() % 8), 3));
  };
  if (auto shard = batch::parse_shard(first, env)) {
    if (shard->count == 0 || shard->index >= shard->count) {
      std::abort();
    }
    (void)shard->takes(last + 1);
  }

  // The bytes as the output of an earlier run, resumed twice: the second pass finds it whole.
  if ((selector & 0x7) == 0) {
    const auto& path = resume_file();
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(text.data(), static_cast<std::streamsize>(text.size()));
    if (auto state = batch::prepare_resume(path)) {
      const std::string whole = read_file(path);
      auto again = batch::prepare_resume(path);
      if (!again || again->kept != state->kept || again->dropped != 0 || again->torn_tail ||
          read_file(path) != whole) {
        std::abort();
      }
    }
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
  return 0;
}
