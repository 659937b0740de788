// The output layer: results to stdout, everything else to stderr; --json / --raw / -o; terminal
// detection and colour; a progress bar that only ever draws on a terminal's stderr.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <hfrun/cli/run.hpp>
#include <hfrun/error.hpp>
#include <hfrun/util/redact.hpp>
#include <hfrun/util/strings.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfrun::cli {

enum class ColorMode { auto_detect, always, never };

[[nodiscard]] Io process_io();

struct OutputOptions {
  bool json = false; // also: each error is followed by one JSON line on stderr
  bool raw = false;
  std::optional<std::filesystem::path> output_file; // -o; "-" is stdout (Output clears it)
  ColorMode color = ColorMode::auto_detect;
  bool no_color_env = false; // NO_COLOR set, or TERM=dumb
  bool quiet = false;        // no warnings, notes or progress; errors still print
  bool progress = true;      // --no-progress / HF_HUB_DISABLE_PROGRESS_BARS turn it off
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
  [[nodiscard]] bool progress_enabled() const {
    return m_options.progress && m_io.err_is_tty && !m_options.quiet;
  }

  // Whether the -o destination can be written (util::check_output_writable); call it before any
  // request is sent, so a bad path is exit 2 and costs nothing. Always fine without -o or with -o
  // -.
  [[nodiscard]] Result<void> check_output_writable() const;

  // A result for stdout, newline-terminated; with -o it goes to that file instead
  // (util::write_output_file: atomic for regular files, in place for devices and FIFOs).
  [[nodiscard]] Result<void> result_text(std::string_view text);
  // A JSON document for stdout (or -o), pretty-printed.
  [[nodiscard]] Result<void> result_json(const nlohmann::json& value);
  // Binary bytes (image, audio): to -o, else to stdout unless stdout is a terminal (usage error;
  // `-o -` writes to stdout anyway).
  [[nodiscard]] Result<void> result_binary(std::string_view bytes, std::string_view content_type);
  // Streaming text (chat tokens) straight to stdout, flushed. A failed write is remembered (see
  // stdout_failed(), finish()) rather than returned, so a stream loop can stay simple.
  void stream_text(std::string_view text);

  // Whether a write or flush of stdout failed (closed, full, EPIPE): a stream should stop at once.
  [[nodiscard]] bool stdout_failed() const { return m_stdout_error.has_value(); }
  // Flushes stdout; the first stdout failure of the run (ErrorKind::output_failed, exit 11), if
  // any. Every command ends with it: output that never arrived is not a success.
  [[nodiscard]] Result<void> finish();

  // Secret values (the token, credential -H values) masked as *** in everything printed on stderr.
  void add_secret(std::string_view secret) { m_redactor.add_secret(secret); }
  void add_header_secret(std::string_view name, std::string_view value) {
    m_redactor.add_header(name, value);
  }

  // stderr lines. Everything shown is masked (add_secret, other tokens' shapes) and terminal
  // control characters from servers are made visible (\x1b), so a reply cannot drive the terminal.
  void error(const Error& error); // with --json also one {"error": {...}} line
  // The human line only, even with --json: for a failure the JSON on stdout already carries
  // (probe's failure line among several models), so the one {"error": ...} line on stderr stays the
  // run's.
  void error_human(const Error& error);
  void warn(std::string_view message);   // hidden by --quiet
  void note(std::string_view message);   // informational, hidden by --quiet
  void plain_err(std::string_view line); // -vv header lines

  // `text` as printed on stderr: secrets masked, control characters made visible.
  [[nodiscard]] std::string shown(std::string_view text) const;

private:
  [[nodiscard]] Result<void> write_stdout(std::string_view bytes);
  void write_err(std::string_view text);
  void print_error(const Error& error, bool json_line);

  Io m_io;
  OutputOptions m_options;
  bool m_color_out = false;
  bool m_color_err = false;
  bool m_stdout_forced = false; // -o -: binary goes to stdout even when it is a terminal
  std::optional<Error> m_stdout_error;
  util::Redactor m_redactor;
};

// Write `bytes` to `path` as -o does (util::write_output_file): a regular file atomically through a
// temporary file, a symlink's target, a device or FIFO in place.
[[nodiscard]] Result<void> write_file_atomically(const std::filesystem::path& path,
                                                 std::string_view bytes);

// `text` with terminal control characters made visible: C0 controls other than \n and \t, DEL and
// invalid UTF-8 bytes as \xNN, C1 controls (U+0080..U+009F) as \u00NN.
[[nodiscard]] std::string neutralize_controls(std::string_view text);

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

// One status line on a terminal's stderr, replaced by each show() ("queue: 2 of 3, ~3 s") and
// erased by clear() or at the end; invisible when progress is disabled (not a terminal, -q,
// --no-progress). The text is shown as Output::shown() makes it (from servers: made safe).
class StatusLine {
public:
  explicit StatusLine(const Output& output)
      : m_output(output), m_enabled(output.progress_enabled()) {}
  ~StatusLine() { clear(); }
  StatusLine(const StatusLine&) = delete;
  StatusLine& operator=(const StatusLine&) = delete;
  [[nodiscard]] bool enabled() const { return m_enabled; }
  void show(std::string_view text);
  void clear();

private:
  const Output& m_output;
  bool m_enabled = false;
  bool m_drawn = false;
};

// Several status lines on a terminal's stderr, redrawn in place by each show() (a download's totals
// and its files in flight) and erased by clear() or at the end; invisible when progress is
// disabled, like StatusLine.
class StatusBlock {
public:
  explicit StatusBlock(const Output& output)
      : m_output(output), m_enabled(output.progress_enabled()) {}
  ~StatusBlock() { clear(); }
  StatusBlock(const StatusBlock&) = delete;
  StatusBlock& operator=(const StatusBlock&) = delete;
  [[nodiscard]] bool enabled() const { return m_enabled; }
  void show(const std::vector<std::string>& lines);
  void clear();

private:
  const Output& m_output;
  bool m_enabled = false;
  std::size_t m_drawn = 0; // lines on screen
};

// Asks on stderr and reads one line of stdin: true only for an answer starting with y or Y. For
// a terminal only (the caller checks Io::in_is_tty and asks for --yes elsewhere).
[[nodiscard]] bool ask_yes_no(const Output& output, std::string_view question);

using util::human_bytes;

} // namespace hfrun::cli
