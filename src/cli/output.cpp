#include "output.hpp"

#include <hfrun/util/atomic_file.hpp>

#include <chrono>
#include <cmath>
#include <sys/ioctl.h>
#include <unistd.h>

namespace hfrun::cli {

namespace {

bool want_color(ColorMode mode, bool is_tty, bool no_color_env) {
  switch (mode) {
  case ColorMode::always: return true;
  case ColorMode::never: return false;
  case ColorMode::auto_detect: return is_tty && !no_color_env;
  }
  return false;
}

long long now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void write_all(std::FILE* stream, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stream);
}

} // namespace

Io process_io() {
  Io io;
  io.out_is_tty = ::isatty(STDOUT_FILENO) == 1;
  io.err_is_tty = ::isatty(STDERR_FILENO) == 1;
  io.in_is_tty = ::isatty(STDIN_FILENO) == 1;
  return io;
}

Output::Output(Io io, OutputOptions options) : m_io(io), m_options(std::move(options)) {
  m_color_out = want_color(m_options.color, m_io.out_is_tty, m_options.no_color_env);
  m_color_err = want_color(m_options.color, m_io.err_is_tty, m_options.no_color_env);
}

int Output::terminal_width() const {
  winsize size{};
  if (m_io.out_is_tty && m_io.out == stdout && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 &&
      size.ws_col > 20) {
    return size.ws_col;
  }
  return 0;
}

Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  HFRUN_TRY_ASSIGN(file, util::AtomicFile::create(path));
  HFRUN_TRY(file.write(bytes));
  return file.commit();
}

Result<void> Output::result_text(std::string_view text) {
  std::string line(text);
  if (line.empty() || line.back() != '\n') {
    line += '\n';
  }
  if (m_options.output_file) {
    return write_file_atomically(*m_options.output_file, line);
  }
  write_all(m_io.out, line);
  std::fflush(m_io.out);
  return {};
}

Result<void> Output::result_json(const nlohmann::json& value) {
  // Invalid UTF-8 from a server must not abort the dump: replace it.
  return result_text(value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

Result<void> Output::result_binary(std::string_view bytes, std::string_view content_type) {
  if (m_options.output_file) {
    HFRUN_TRY(write_file_atomically(*m_options.output_file, bytes));
    note("wrote " + m_options.output_file->string() + " (" +
         (content_type.empty() ? std::string("unknown type") : std::string(content_type)) + ", " +
         human_bytes(bytes.size()) + ")");
    return {};
  }
  if (m_io.out_is_tty) {
    return fail(ErrorKind::usage,
                "the result is binary (" + std::string(content_type.empty() ? "unknown type" : content_type) +
                    ") and stdout is a terminal",
                "write it to a file with -o PATH, or pipe stdout elsewhere");
  }
  write_all(m_io.out, bytes);
  std::fflush(m_io.out);
  return {};
}

void Output::stream_text(std::string_view text) {
  write_all(m_io.out, text);
  std::fflush(m_io.out);
}

void Output::error(const Error& error) {
  const std::string prefix = m_color_err ? "\x1b[1;31mhfrun: error:\x1b[0m " : "hfrun: error: ";
  write_all(m_io.err, prefix + describe(error) + "\n");
  std::fflush(m_io.err);
}

void Output::warn(std::string_view message) {
  const std::string prefix = m_color_err ? "\x1b[1;33mhfrun: warning:\x1b[0m " : "hfrun: warning: ";
  write_all(m_io.err, prefix + std::string(message) + "\n");
  std::fflush(m_io.err);
}

void Output::note(std::string_view message) {
  if (m_options.quiet) {
    return;
  }
  write_all(m_io.err, "hfrun: " + std::string(message) + "\n");
  std::fflush(m_io.err);
}

void Output::plain_err(std::string_view line) {
  write_all(m_io.err, std::string(line) + "\n");
  std::fflush(m_io.err);
}

std::string human_bytes(std::uint64_t bytes) {
  static constexpr const char* k_units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024.0 && unit < 4) {
    value /= 1024.0;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.1f %s", value, k_units[unit]);
  return buffer;
}

ProgressBar::ProgressBar(const Output& output, std::string label, std::optional<std::uint64_t> total)
    : m_err(output.io().err), m_enabled(output.progress_enabled()), m_label(std::move(label)),
      m_total(total) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::uint64_t done) {
  m_done = done;
  const long long now = now_ms();
  if (now - m_last_draw_ms >= 100) {
    m_last_draw_ms = now;
    draw(false);
  }
}

void ProgressBar::finish() {
  if (m_finished) {
    return;
  }
  m_finished = true;
  draw(true);
}

void ProgressBar::draw(bool final) {
  if (!m_enabled) {
    return;
  }
  std::string line = "\r" + m_label + " ";
  if (m_total && *m_total > 0) {
    constexpr int k_width = 30;
    const double fraction = std::min(1.0, static_cast<double>(m_done) / static_cast<double>(*m_total));
    const int filled = static_cast<int>(std::lround(fraction * k_width));
    line += "[" + std::string(static_cast<std::size_t>(filled), '#') +
            std::string(static_cast<std::size_t>(k_width - filled), ' ') + "] ";
    line += std::to_string(static_cast<int>(fraction * 100)) + "% ";
    line += human_bytes(m_done) + "/" + human_bytes(*m_total);
  } else {
    line += human_bytes(m_done);
  }
  line += "\x1b[K"; // clear what a longer previous line left behind
  if (final) {
    line += "\n";
  }
  write_all(m_err, line);
  std::fflush(m_err);
}

} // namespace hfrun::cli
