#include "output.hpp"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <hfrun/util/atomic_file.hpp>
#include <hfrun/util/strings.hpp>
#include <sys/ioctl.h>
#include <unistd.h>

namespace hfrun::cli {

namespace {

bool want_color(ColorMode mode, bool is_tty, bool no_color_env) {
  switch (mode) {
  case ColorMode::always:
    return true;
  case ColorMode::never:
    return false;
  case ColorMode::auto_detect:
    return is_tty && !no_color_env;
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

Error stdout_error(int err) {
  std::string hint = "the result was received but not written; run again";
  if (err == EPIPE) {
    hint = "the program reading hfrun's output exited before the end";
  } else if (err == ENOSPC) {
    hint = "the disk is full";
  } else if (err == EBADF) {
    hint = "stdout is closed or not writable; redirect it to a file or use -o PATH";
  }
  return make_error(ErrorKind::output_failed,
                    std::string("cannot write to stdout: ") + std::strerror(err), hint);
}

nlohmann::json text_or_null(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

} // namespace

std::string neutralize_controls(std::string_view text) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  const auto escape_byte = [&](unsigned char byte) {
    out += "\\x";
    out += k_hex[byte >> 4];
    out += k_hex[byte & 0xF];
  };
  for (std::size_t at = 0; at < text.size();) {
    const auto byte = static_cast<unsigned char>(text[at]);
    if (byte < 0x80) {
      if ((byte < 0x20 && byte != '\n' && byte != '\t') || byte == 0x7F) {
        escape_byte(byte);
      } else {
        out += static_cast<char>(byte);
      }
      ++at;
      continue;
    }
    const std::size_t length = util::utf8_sequence_length(text, at);
    if (length == 0) {
      escape_byte(byte); // a lone 0x9b is CSI to an 8-bit terminal
      ++at;
      continue;
    }
    if (length == 2 && byte == 0xC2 && static_cast<unsigned char>(text[at + 1]) < 0xA0) {
      const auto c1 = static_cast<unsigned char>(text[at + 1]);
      out += "\\u00";
      out += k_hex[c1 >> 4];
      out += k_hex[c1 & 0xF];
    } else {
      out.append(text, at, length);
    }
    at += length;
  }
  return out;
}

Io process_io() {
  Io io;
  io.out_is_tty = ::isatty(STDOUT_FILENO) == 1;
  io.err_is_tty = ::isatty(STDERR_FILENO) == 1;
  io.in_is_tty = ::isatty(STDIN_FILENO) == 1;
  return io;
}

Output::Output(Io io, OutputOptions options) : m_io(io), m_options(std::move(options)) {
  if (m_options.output_file && m_options.output_file->string() == "-") {
    m_options.output_file.reset(); // -o - is stdout, as with curl
    m_stdout_forced = true;
  }
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
  return util::write_output_file(path, bytes);
}

Result<void> Output::check_output_writable() const {
  if (!m_options.output_file) {
    return {};
  }
  return util::check_output_writable(*m_options.output_file);
}

Result<void> Output::write_stdout(std::string_view bytes) {
  if (m_stdout_error) {
    return unexpected<Error>(*m_stdout_error);
  }
  int err = 0;
  errno = 0;
  if (std::fwrite(bytes.data(), 1, bytes.size(), m_io.out) != bytes.size() ||
      std::fflush(m_io.out) != 0 || std::ferror(m_io.out) != 0) {
    err = errno != 0 ? errno : EIO;
  }
  if (err != 0) {
    m_stdout_error = stdout_error(err);
    return unexpected<Error>(*m_stdout_error);
  }
  return {};
}

Result<void> Output::finish() {
  if (!m_stdout_error) {
    errno = 0;
    if (std::fflush(m_io.out) != 0 || std::ferror(m_io.out) != 0) {
      m_stdout_error = stdout_error(errno != 0 ? errno : EIO);
    }
  }
  if (m_stdout_error) {
    return unexpected<Error>(*m_stdout_error);
  }
  return {};
}

Result<void> Output::result_text(std::string_view text) {
  std::string line(text);
  if (line.empty() || line.back() != '\n') {
    line += '\n';
  }
  if (m_options.output_file) {
    return write_file_atomically(*m_options.output_file, line);
  }
  return write_stdout(line);
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
  if (m_io.out_is_tty && !m_stdout_forced) {
    return fail(
        ErrorKind::usage,
        "the result is binary (" +
            std::string(content_type.empty() ? "unknown type" : content_type) +
            ") and stdout is a terminal",
        "write it to a file with -o PATH (-o - for stdout anyway), or pipe stdout elsewhere");
  }
  return write_stdout(bytes);
}

void Output::stream_text(std::string_view text) {
  (void)write_stdout(text); // remembered: stdout_failed(), finish()
}

std::string Output::shown(std::string_view text) const {
  return neutralize_controls(m_redactor.apply(text));
}

void Output::write_err(std::string_view text) {
  write_all(m_io.err, text);
  std::fflush(m_io.err);
}

void Output::error(const Error& error) {
  print_error(error, m_options.json);
}

void Output::error_human(const Error& error) {
  print_error(error, false);
}

void Output::print_error(const Error& error, bool json_line) {
  Error masked = error;
  masked.message = shown(error.message);
  masked.server_message = shown(error.server_message);
  masked.request_id = shown(error.request_id);
  masked.hint = shown(error.hint);
  const std::string prefix = m_color_err ? "\x1b[1;31mhfrun: error:\x1b[0m " : "hfrun: error: ";
  std::string text = prefix + describe(masked) + "\n";
  if (json_line) {
    // For scripts that read stderr as JSON: the same facts, one line, after the human one.
    const nlohmann::json line = {
        {"error",
         {{"kind", kind_name(masked.kind)},
          {"exit_code", exit_code_for(masked.kind)},
          {"status",
           masked.http_status ? nlohmann::json(*masked.http_status) : nlohmann::json(nullptr)},
          {"message", masked.message},
          {"server_message", text_or_null(masked.server_message)},
          {"request_id", text_or_null(masked.request_id)},
          {"hint", text_or_null(masked.hint)}}}};
    text += line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  write_err(text);
}

void Output::warn(std::string_view message) {
  if (m_options.quiet) {
    return;
  }
  const std::string prefix = m_color_err ? "\x1b[1;33mhfrun: warning:\x1b[0m " : "hfrun: warning: ";
  write_err(prefix + shown(message) + "\n");
}

void Output::note(std::string_view message) {
  if (m_options.quiet) {
    return;
  }
  write_err("hfrun: " + shown(message) + "\n");
}

void Output::plain_err(std::string_view line) {
  write_err(shown(line) + "\n");
}

ProgressBar::ProgressBar(const Output& output,
                         std::string label,
                         std::optional<std::uint64_t> total)
    : m_err(output.io().err), m_enabled(output.progress_enabled()), m_label(std::move(label)),
      m_total(total) {}

ProgressBar::~ProgressBar() {
  finish();
}

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
    const double fraction =
        std::min(1.0, static_cast<double>(m_done) / static_cast<double>(*m_total));
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

void StatusLine::show(std::string_view text) {
  if (!m_enabled) {
    return;
  }
  std::string line = m_output.shown(text);
  if (const int width = 120; line.size() > static_cast<std::size_t>(width)) {
    line = util::truncate_utf8(line, static_cast<std::size_t>(width));
  }
  write_all(m_output.io().err, "\r" + line + "\x1b[K");
  std::fflush(m_output.io().err);
  m_drawn = true;
}

namespace {

// Up to the start of a block of `lines` lines whose cursor is at the end of its last line.
std::string block_home(std::size_t lines) {
  std::string out = "\r";
  if (lines > 1) {
    out += "\x1b[" + std::to_string(lines - 1) + "A";
  }
  return out;
}

} // namespace

void StatusBlock::show(const std::vector<std::string>& lines) {
  if (!m_enabled) {
    return;
  }
  std::string text = m_drawn > 0 ? block_home(m_drawn) : "\r";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string line = m_output.shown(lines[i]);
    if (constexpr std::size_t k_width = 120; line.size() > k_width) {
      line = util::truncate_utf8(line, k_width);
    }
    text += (i == 0 ? "" : "\n") + line + "\x1b[K";
  }
  text += "\x1b[J"; // lines a taller previous block left below
  write_all(m_output.io().err, text);
  std::fflush(m_output.io().err);
  m_drawn = lines.size();
}

void StatusBlock::clear() {
  if (m_enabled && m_drawn > 0) {
    write_all(m_output.io().err, block_home(m_drawn) + "\x1b[J");
    std::fflush(m_output.io().err);
    m_drawn = 0;
  }
}

void StatusLine::clear() {
  if (m_enabled && m_drawn) {
    write_all(m_output.io().err, "\r\x1b[K");
    std::fflush(m_output.io().err);
    m_drawn = false;
  }
}

} // namespace hfrun::cli

namespace hfrun::cli {

bool ask_yes_no(const Output& output, std::string_view question) {
  std::fprintf(output.io().err, "%.*s", static_cast<int>(question.size()), question.data());
  std::fflush(output.io().err);
  char answer[16] = {};
  return std::fgets(answer, sizeof answer, output.io().in) != nullptr &&
         (answer[0] == 'y' || answer[0] == 'Y');
}

} // namespace hfrun::cli
