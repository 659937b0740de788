#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <hfrun/batch/engine.hpp>
#include <hfrun/util/renamed_field.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace hfrun::batch {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Latencies in logarithmic buckets 2% wide: p50/p95 to within 2% with memory flat in the number
// of items (an hour is bucket ~760).
class LatencyHistogram {
public:
  void add(milliseconds latency) {
    const double ms = static_cast<double>(std::max<std::int64_t>(latency.count(), 0));
    const auto bucket = static_cast<std::size_t>(std::log1p(ms) / std::log(k_step));
    m_counts[std::min(bucket, m_counts.size() - 1)] += 1;
    ++m_total;
  }
  [[nodiscard]] milliseconds percentile(double p) const {
    if (m_total == 0) {
      return milliseconds(0);
    }
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(m_total)));
    std::size_t seen = 0;
    for (std::size_t b = 0; b < m_counts.size(); ++b) {
      seen += m_counts[b];
      if (seen >= std::max<std::size_t>(rank, 1)) {
        // The bucket's lower edge: what the latencies in it are at least.
        return milliseconds(
            static_cast<std::int64_t>(std::expm1(static_cast<double>(b) * std::log(k_step))));
      }
    }
    return milliseconds(0);
  }

private:
  static constexpr double k_step = 1.02;
  std::array<std::size_t, 1024> m_counts{};
  std::size_t m_total = 0;
};

struct Job {
  std::size_t seq = 0;
  Item item;
  std::optional<Error> parse_error;
};

nlohmann::json text_or_null(const std::string& text,
                            const std::function<std::string(std::string_view)>& mask) {
  if (text.empty()) {
    return nullptr;
  }
  return mask ? mask(text) : text;
}

} // namespace

std::string row_line(const Item& item,
                     const ItemResult& result,
                     milliseconds elapsed,
                     const std::function<std::string(std::string_view)>& mask) {
  nlohmann::json row = {{"id", item.id}, {"line", item.line}, {"ok", result.ok}};
  if (result.ok) {
    row["result"] = result.result;
  } else {
    const Error& e = result.error;
    row["error"] = {
        {"kind", kind_name(e.kind)},
        {"exit_code", exit_code_for(e.kind)},
        {"message", text_or_null(e.message, mask)},
        {"status", e.http_status ? nlohmann::json(*e.http_status) : nlohmann::json(nullptr)},
        {"server_message", text_or_null(e.server_message, mask)},
        {"request_id", text_or_null(e.request_id, mask)},
        {"hint", text_or_null(e.hint, mask)},
    };
  }
  std::optional<int> status = result.status;
  if (!status && !result.ok && result.error.http_status) {
    status = *result.error.http_status;
  }
  row["status"] = status ? nlohmann::json(*status) : nlohmann::json(nullptr);
  util::put_renamed(row, "duration_ms", "elapsed_ms", elapsed.count());
  row["attempts"] = result.attempts;
  return row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<Summary> run_batch(LineReader& reader,
                          const EngineOptions& options,
                          const ItemRunner& runner,
                          const RowWriter& writer) {
  const std::size_t workers = std::max<std::size_t>(options.concurrency, 1);
  const std::size_t window = options.reorder_window != 0 ? options.reorder_window : 4 * workers;
  const auto started = Clock::now();

  std::mutex mutex;
  std::condition_variable work_ready; // a job was queued, or the input ended
  std::condition_variable space;      // a job was taken or a row written
  std::condition_variable finished;   // the run is over (the progress thread)
  std::deque<Job> queue;
  bool input_done = false;
  bool stop = false;
  bool over = false;
  std::optional<Error> run_error;
  Counts counts;
  LatencyHistogram latencies;
  std::map<std::size_t, std::optional<std::string>> held; // --ordered: rows waiting their turn
  std::size_t next_write = 0;
  std::size_t next_seq = 0;

  auto write = [&](const std::string& line) {
    if (run_error) {
      return;
    }
    if (auto written = writer(line); !written) {
      run_error = std::move(written.error());
      stop = true;
    }
  };
  // Under the lock. nullopt: the item has no row (it was interrupted and runs again on --resume).
  auto emit = [&](std::size_t seq, std::optional<std::string> line) {
    if (!options.ordered) {
      if (line) {
        write(*line);
      }
      return;
    }
    held.emplace(seq, std::move(line));
    while (!held.empty() && held.begin()->first == next_write) {
      if (held.begin()->second) {
        write(*held.begin()->second);
      }
      held.erase(held.begin());
      ++next_write;
    }
  };
  auto cancelled = [&] { return options.cancel != nullptr && options.cancel->cancelled(); };

  auto work = [&] {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex);
        work_ready.wait(lock, [&] { return !queue.empty() || input_done || stop; });
        if (stop || queue.empty() || cancelled()) {
          // After Ctrl-C a queued item does not start (no row: it runs again on --resume); the
          // reader, maybe waiting for room in the queue, is woken to see the cancel.
          lock.unlock();
          space.notify_all();
          return;
        }
        job = std::move(queue.front());
        queue.pop_front();
        ++counts.in_flight;
      }
      space.notify_one();
      ItemResult result;
      const auto item_started = Clock::now();
      if (job.parse_error) {
        result.error = *job.parse_error;
      } else {
        result = runner(job.item);
      }
      const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - item_started);
      const bool lost = !result.ok && cancelled() &&
                        (result.error.kind == ErrorKind::interrupted ||
                         result.error.kind == ErrorKind::terminated);
      std::optional<std::string> line;
      if (!lost) {
        line = row_line(job.item, result, elapsed, options.mask);
      }
      {
        std::lock_guard lock(mutex);
        --counts.in_flight;
        if (!lost) {
          ++(result.ok ? counts.ok : counts.failed);
          counts.retries += result.retries;
          latencies.add(elapsed);
        }
        emit(job.seq, std::move(line));
      }
      space.notify_all();
    }
  };

  std::vector<std::thread> pool;
  pool.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) {
    pool.emplace_back(work);
  }
  std::thread progress;
  if (options.on_progress) {
    progress = std::thread([&] {
      std::unique_lock lock(mutex);
      while (!over) {
        finished.wait_for(lock, options.progress_every, [&] { return over; });
        if (!over) {
          counts.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
          options.on_progress(counts);
        }
      }
    });
  }

  while (auto raw = reader.next()) {
    if (cancelled()) {
      break;
    }
    if (!options.shard.takes(raw->number)) {
      continue;
    }
    ParsedLine parsed = parse_line(*raw);
    if (!parsed.error && options.skip != nullptr &&
        options.skip->contains(id_key(parsed.item.id))) {
      std::lock_guard lock(mutex);
      ++counts.skipped;
      continue;
    }
    std::unique_lock lock(mutex);
    space.wait(lock, [&] {
      return stop || cancelled() ||
             (queue.size() < workers && (!options.ordered || next_seq - next_write < window));
    });
    if (stop || cancelled()) {
      break;
    }
    queue.push_back(Job{next_seq++, std::move(parsed.item), std::move(parsed.error)});
    lock.unlock();
    work_ready.notify_one();
  }
  {
    std::lock_guard lock(mutex);
    input_done = true;
    if (cancelled()) {
      stop = true; // queued items never started: they have no row and run again on --resume
    }
  }
  work_ready.notify_all();
  for (auto& t : pool) {
    t.join();
  }
  Summary summary;
  {
    std::lock_guard lock(mutex);
    // Rows held behind an item that never finished (Ctrl-C) are written still, in order.
    for (auto& [seq, line] : held) {
      if (line) {
        write(*line);
      }
    }
    held.clear();
    over = true;
    counts.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
    summary.counts = counts;
    summary.p50 = latencies.percentile(0.50);
    summary.p95 = latencies.percentile(0.95);
    summary.interrupted = cancelled();
  }
  finished.notify_all();
  if (progress.joinable()) {
    progress.join();
  }
  if (options.on_progress) {
    options.on_progress(summary.counts);
  }
  if (run_error) {
    return unexpected<Error>(std::move(*run_error));
  }
  if (reader.error()) {
    return unexpected<Error>(*reader.error());
  }
  return summary;
}

} // namespace hfrun::batch
