// The output layer: results to stdout, everything else to stderr; --json / --raw / -o; terminal
// detection and colour; a progress bar that only ever draws on a terminal's stderr.
#pragma once

#include <hfrun/cli/run.hpp>
#include <hfrun/error.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hfrun::cli {

enum class ColorMode { auto_detect, always, never };

[[nodiscard]] Io process_io();

struct OutputOptions {
  bool json = false;
  bool raw = false;
  std::optional<std::filesystem::path> output_file; // -o
  ColorMode color = ColorMode::auto_detect;
  bool no_color_env = false; // NO_COLOR set
  bool quiet = false;
  bool progress = true; // --no-progress / HF_HUB_DISABLE_PROGRESS_BARS turn it off
};

class Output {
public:
  Output(Io io, OutputOptions options);

  [[nodiscard]] const OutputOptions& options() const { return m_options; }
  [[nodiscard]] const Io& io() const { return m_io; }
  [[nodiscard]] bool color_out() const { return m_color_out; }
  [[nodiscard]] bool color_err() const { return m_color_err; }
  // Columns of the terminal on stdout; 0 when stdout is not a terminal.
  [[nodiscard]] int terminal_width() const;
  [[nodiscard]] bool progress_enabled() const { return m_options.progress && m_io.err_is_tty && !m_options.quiet; }

  // A result for stdout, newline-terminated; with -o it goes to that file instead (atomically).
  [[nodiscard]] Result<void> result_text(std::string_view text);
  // A JSON document for stdout (or -o), pretty-printed.
  [[nodiscard]] Result<void> result_json(const nlohmann::json& value);
  // Binary bytes (image, audio): to -o, else to stdout unless stdout is a terminal (usage error).
  [[nodiscard]] Result<void> result_binary(std::string_view bytes, std::string_view content_type);
  // Streaming text (chat tokens) straight to stdout, flushed.
  void stream_text(std::string_view text);

  void error(const Error& error);
  void warn(std::string_view message);
  void note(std::string_view message); // informational, hidden by --quiet
  void plain_err(std::string_view line); // -vv header lines, retries: stderr as is

private:
  Io m_io;
  OutputOptions m_options;
  bool m_color_out = false;
  bool m_color_err = false;
};

// Write `bytes` to `path` through a temporary file renamed into place: never a half-written file.
[[nodiscard]] Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// A one-line progress bar on stderr, redrawn at most ~10 times a second; invisible when disabled.
class ProgressBar {
public:
  ProgressBar(const Output& output, std::string label, std::optional<std::uint64_t> total);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  void update(std::uint64_t done);
  void finish();

private:
  void draw(bool final);
  std::FILE* m_err = nullptr;
  bool m_enabled = false;
  std::string m_label;
  std::optional<std::uint64_t> m_total;
  std::uint64_t m_done = 0;
  long long m_last_draw_ms = -1000;
  bool m_finished = false;
};

// "1.5 MiB"
[[nodiscard]] std::string human_bytes(std::uint64_t bytes);

} // namespace hfrun::cli
