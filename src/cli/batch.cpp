#include "batch.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fmt/core.h>
#include <hfrun/batch/resume.hpp>
#include <hfrun/batch/shard.hpp>
#include <hfrun/http/limiter.hpp>
#include <hfrun/util/fd.hpp>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

namespace hfrun::cli {

namespace {

namespace fs = std::filesystem;

// Newlines in a regular file, for the progress line's ETA; nullopt for pipes and stdin.
std::optional<std::size_t> count_lines(const std::string& path) {
  struct stat st {};
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return std::nullopt;
  }
  std::FILE* in = std::fopen(path.c_str(), "rb");
  if (in == nullptr) {
    return std::nullopt;
  }
  std::size_t lines = 0;
  char buffer[1 << 16];
  char last = '\n';
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, in)) > 0) {
    for (std::size_t i = 0; i < got; ++i) {
      lines += buffer[i] == '\n' ? 1 : 0;
    }
    last = buffer[got - 1];
  }
  std::fclose(in);
  return lines + (last != '\n' ? 1 : 0);
}

// Rows appended to -o FILE: each row one write(2) of the whole line, so a killed run leaves at
// most a torn last line (which --resume drops).
class RowFile {
public:
  static Result<RowFile> open(const fs::path& path, bool append) {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    const int fd = ::open(path.c_str(), flags, 0666);
    if (fd < 0) {
      return fail(ErrorKind::usage, "cannot write " + path.string() + ": " + std::strerror(errno),
                  "check the path given to -o");
    }
    RowFile file;
    file.m_fd = util::UniqueFd(fd);
    file.m_path = path;
    return file;
  }
  Result<void> write(std::string_view line) {
    while (!line.empty()) {
      const ssize_t n = ::write(m_fd.get(), line.data(), line.size());
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return fail(ErrorKind::output_failed,
                    "writing " + m_path.string() + " failed: " + std::strerror(errno),
                    "free some space, then continue with --resume");
      }
      line.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  }

private:
  util::UniqueFd m_fd;
  fs::path m_path;
};

std::string rate_text(std::size_t done, std::chrono::milliseconds elapsed) {
  const double seconds = static_cast<double>(elapsed.count()) / 1000.0;
  return seconds > 0 ? fmt::format("{:.1f}/s", static_cast<double>(done) / seconds) : "-";
}

} // namespace

void add_batch_options(CLI::App& sub, BatchOptions& o) {
  sub.add_option("--batch", o.file,
                 "Run every line of this JSON Lines file (- for stdin); rows to stdout or -o");
  sub.add_option("-j,--concurrency", o.concurrency, "--batch: items in flight at once")
      ->check(CLI::Range(1, 256));
  sub.add_flag("--ordered", o.ordered, "--batch: rows in input order (default: as they finish)");
  sub.add_flag("--resume", o.resume,
               "--batch: keep the ok rows of -o FILE, run only the rest, append to it");
  sub.add_option("--shard", o.shard,
                 "--batch: take lines K, K+N, ... (K/N, auto: Slurm, auto/N: Kubernetes, GNU "
                 "parallel)");
}

Result<void> run_batch(CommandEnv& env,
                       const BatchOptions& options,
                       std::size_t default_concurrency,
                       const MakeItemRunner& make_runner) {
  const auto& output_file = env.out.options().output_file;
  const bool to_file = output_file && output_file->string() != "-";
  if (env.global.raw) {
    return fail(ErrorKind::usage, "--raw does not go with --batch",
                "each row holds the normalized result");
  }
  if (options.resume && !to_file) {
    return fail(ErrorKind::usage, "--resume needs -o FILE",
                "the rows of the earlier run are read back from that file");
  }
  batch::Shard shard;
  if (!options.shard.empty()) {
    HFRUN_TRY_ASSIGN(parsed, batch::parse_shard(options.shard, [](const std::string& name) {
                       const char* value = std::getenv(name.c_str());
                       return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
                     }));
    shard = parsed;
  }
  std::FILE* in = env.out.io().in;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> owned(nullptr, &std::fclose);
  if (options.file != "-") {
    struct stat st {};
    if (::stat(options.file.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) {
      return fail(ErrorKind::usage, "cannot read the batch file '" + options.file + "'",
                  "check the path given to --batch");
    }
    owned.reset(std::fopen(options.file.c_str(), "rb"));
    if (!owned) {
      return fail(ErrorKind::usage,
                  "cannot read the batch file '" + options.file + "': " + std::strerror(errno));
    }
    in = owned.get();
  } else if (in == nullptr || env.out.io().in_is_tty) {
    return fail(ErrorKind::usage, "--batch - reads JSON Lines from stdin, which is a terminal",
                "pipe the lines in, or give a file: --batch inputs.jsonl");
  }
  batch::LineReader reader(in);

  if (env.client.dry_run()) {
    // The request of the first line this shard takes, as curl; nothing is sent.
    HFRUN_TRY_ASSIGN(runner, make_runner(env.client));
    while (auto raw = reader.next()) {
      if (!shard.takes(raw->number)) {
        continue;
      }
      auto parsed = batch::parse_line(*raw);
      if (parsed.error) {
        return unexpected<Error>(*parsed.error);
      }
      auto result = runner(parsed.item);
      return result.ok ? Result<void>() : unexpected<Error>(result.error);
    }
    return {};
  }

  batch::ResumeState resumed;
  if (options.resume) {
    HFRUN_TRY_ASSIGN(state, batch::prepare_resume(*output_file));
    resumed = std::move(state);
  }
  std::optional<RowFile> rows;
  if (to_file) {
    HFRUN_TRY(env.out.check_output_writable());
    HFRUN_TRY_ASSIGN(file, RowFile::open(*output_file, options.resume));
    rows.emplace(std::move(file));
  }

  const std::size_t concurrency =
      options.concurrency != 0 ? options.concurrency : default_concurrency;
  // Every item sends through one client: one connection pool (HTTP/2 streams shared), one limiter.
  http::LimiterPolicy limits;
  limits.max_window = concurrency;
  auto limited = std::make_unique<http::LimitedTransport>(http::make_curl_transport(env.transport),
                                                          limits, &env.cancel);
  const http::LimitedTransport* limiter = limited.get();
  std::mutex err_mutex;
  client::Reporter reporter;
  if (env.global.verbose >= 1) {
    reporter.note = [&](std::string_view line) {
      std::lock_guard lock(err_mutex);
      env.out.note(line);
    };
  }
  client::Client client(env.client.options(), std::move(limited), env.client.sleeper(),
                        std::move(reporter));
  HFRUN_TRY_ASSIGN(item_runner, make_runner(client));
  // Every item's requests are counted here, whatever runs it (the limiter counts per thread).
  const batch::ItemRunner runner = [&item_runner](const batch::Item& item) {
    http::LimitedTransport::reset_attempts_of_this_thread();
    batch::ItemResult result = item_runner(item);
    result.attempts = http::LimitedTransport::attempts_of_this_thread();
    result.retries = http::LimitedTransport::retries_of_this_thread();
    return result;
  };

  StatusLine status(env.out);
  // The ETA needs the line count: the input is read an extra time only when the line is drawn.
  std::optional<std::size_t> total;
  if (status.enabled()) {
    if (const auto lines = count_lines(options.file)) {
      total = (*lines + shard.count - 1 - shard.index) / shard.count;
    }
  }
  batch::EngineOptions engine;
  engine.concurrency = concurrency;
  engine.ordered = options.ordered;
  engine.shard = shard;
  engine.skip = &resumed.done;
  engine.cancel = &env.cancel;
  engine.mask = [&env](std::string_view text) { return env.out.shown(text); };
  if (status.enabled()) {
    engine.on_progress = [&](const batch::Counts& c) {
      std::lock_guard lock(err_mutex);
      const std::size_t done = c.ok + c.failed;
      std::string line = fmt::format("batch: {} done ({} failed), {} in flight, {}", done, c.failed,
                                     c.in_flight, rate_text(done, c.elapsed));
      if (total && done > 0 && *total > done + c.skipped) {
        const double per_item = static_cast<double>(c.elapsed.count()) / static_cast<double>(done);
        const double left_s = per_item * static_cast<double>(*total - done - c.skipped) / 1000.0;
        line += fmt::format(", {} of ~{}, ETA {:.0f} s", done + c.skipped, *total, left_s);
      }
      status.show(line);
    };
  }
  const batch::RowWriter writer = [&](std::string_view line) -> Result<void> {
    if (rows) {
      return rows->write(line);
    }
    env.out.stream_text(line);
    if (env.out.stdout_failed()) {
      return fail(ErrorKind::output_failed, "writing the rows to stdout failed");
    }
    return {};
  };

  auto ran = batch::run_batch(reader, engine, runner, writer);
  status.clear();
  HFRUN_TRY_ASSIGN(summary, std::move(ran));
  const auto& c = summary.counts;
  const std::size_t done = c.ok + c.failed;
  std::string line = fmt::format("batch: {} rows, {} ok, {} failed", done, c.ok, c.failed);
  if (c.skipped > 0 || options.resume) {
    line += fmt::format(", {} already done", c.skipped);
  }
  line += fmt::format("; {:.1f} s, {}; latency p50 {} ms, p95 {} ms; {} retries",
                      static_cast<double>(c.elapsed.count()) / 1000.0, rate_text(done, c.elapsed),
                      summary.p50.count(), summary.p95.count(), c.retries);
  if (limiter->throttled() > 0) {
    line += fmt::format(", {} rate-limited replies (paused and slowed down)", limiter->throttled());
  }
  env.out.note(line);
  if (summary.interrupted) {
    return {}; // the caller reports the interruption (130 / 143)
  }
  if (c.failed > 0) {
    return fail(
        ErrorKind::batch_failed,
        fmt::format("{} of {} items failed (their rows have \"ok\": false)", c.failed, done),
        to_file ? "run again with --resume -o " + output_file->string() + " to retry only those"
                : "write the rows with -o FILE, then --resume retries only the failed");
  }
  return {};
}

} // namespace hfrun::cli
