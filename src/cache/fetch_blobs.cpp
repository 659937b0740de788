#include "fetch_blobs.hpp"

#include <chrono>
#include <hfrun/cache/blob_sink.hpp>
#include <hfrun/cache/ranged_blob.hpp>
#include <hfrun/http/content_range.hpp>
#include <hfrun/http/url.hpp>
#include <hfrun/util/strings.hpp>
#include <memory>
#include <optional>

namespace hfrun::cache {

namespace {

using Clock = std::chrono::steady_clock;

// Adds up the bytes each blob holds and reports them at most every 100 ms.
class ProgressTracker {
public:
  ProgressTracker(const std::vector<BlobJob>& jobs, ProgressFn report)
      : m_jobs(jobs), m_report(std::move(report)), m_held(jobs.size(), 0),
        m_state(jobs.size(), State::waiting) {}

  BytesHeld hook(std::size_t job) {
    if (!m_report) {
      return {};
    }
    return [this, job](std::uint64_t held) {
      m_held[job] = held;
      if (m_state[job] == State::waiting) {
        m_state[job] = State::running;
        m_started.push_back(job);
      }
      if (held >= m_jobs[job].size && m_state[job] == State::running) {
        m_state[job] = State::done; // every byte is in; a failed check says otherwise later
      }
      const auto now = Clock::now();
      if (now - m_last >= std::chrono::milliseconds(100)) {
        m_last = now;
        report(false);
      }
    };
  }

  void finished(std::size_t job, bool ok) {
    m_state[job] = ok ? State::done : State::failed;
    if (ok) {
      m_held[job] = m_jobs[job].size;
    }
  }

  void report(bool final) const {
    if (!m_report) {
      return;
    }
    DownloadProgress progress;
    progress.final = final;
    progress.files_total = m_jobs.size();
    for (std::size_t i = 0; i < m_jobs.size(); ++i) {
      progress.bytes_total += m_jobs[i].size;
      progress.bytes_done += m_held[i];
      progress.files_done += m_state[i] == State::done ? 1 : 0;
    }
    for (const std::size_t job : m_started) {
      if (m_state[job] == State::running) {
        progress.in_flight.push_back({m_jobs[job].path, m_held[job], m_jobs[job].size});
      }
    }
    m_report(progress);
  }

private:
  enum class State { waiting, running, done, failed };
  const std::vector<BlobJob>& m_jobs;
  ProgressFn m_report;
  std::vector<std::uint64_t> m_held;
  std::vector<State> m_state;
  std::vector<std::size_t> m_started;
  Clock::time_point m_last = Clock::now();
};

bool same_origin(std::string_view a, std::string_view b) {
  const auto pa = http::parse_url(a);
  const auto pb = http::parse_url(b);
  return pa && pb && http::origin_of(*pa) == http::origin_of(*pb);
}

http::Request blob_get(const std::string& url,
                       http::Sink& sink,
                       std::optional<std::pair<std::uint64_t, std::uint64_t>> range) {
  http::Request request;
  request.url = url;
  request.headers.set("Accept-Encoding", "identity");
  if (range) {
    request.headers.set("Range", http::range_header(range->first, range->second));
  }
  request.sink = &sink;
  return request;
}

Error with_path(Error error, const BlobJob& job) {
  error.message = job.path + ": " + error.message;
  return error;
}

// A non-2xx answer to a part's GET on the CDN (the Hub's own answers were checked already).
Error cdn_error(const http::Response& response, const BlobJob& job) {
  const bool transient = response.status >= 500 || response.status == 429;
  return make_error(transient ? ErrorKind::unavailable : ErrorKind::bad_response,
                    job.path + ": the file host answered " + std::to_string(response.status) +
                        " to a byte-range request",
                    transient ? "retry later; the parts already downloaded are kept"
                              : "retry; if it persists, report it with -vv output");
}

// A large blob on its way: the parts, and where to get the rest once the first answer came.
struct RangedJob {
  std::size_t job = 0;
  std::unique_ptr<RangedBlob> blob;
  std::string url; // the final URL after the Hub's redirect
  client::Auth auth = client::Auth::if_trusted;
  std::optional<Error> error;
};

} // namespace

FetchReport fetch_blobs(client::Client& client,
                        const RepoCache& repo,
                        const std::vector<BlobJob>& jobs,
                        const FetchSettings& settings) {
  FetchReport report;
  ProgressTracker tracker(jobs, settings.progress);
  const auto say = [&](std::string_view line) {
    if (settings.note) {
      settings.note(line);
    }
  };
  // A dry run prints each file's plain GET: the ranges follow from answers it never gets.
  const bool use_ranges = !client.dry_run();
  std::vector<RangedJob> ranged;
  std::vector<std::size_t> whole;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!use_ranges || jobs[i].size < k_ranged_from) {
      whole.push_back(i);
      continue;
    }
    auto opened =
        RangedBlob::open(repo, jobs[i].etag, jobs[i].size, 0, settings.resume, tracker.hook(i));
    if (!opened) {
      report.failed.emplace(jobs[i].etag, with_path(opened.error(), jobs[i]));
      continue;
    }
    if ((*opened)->resumed_bytes() > 0) {
      say("resuming " + jobs[i].path + ": " + util::human_bytes((*opened)->resumed_bytes()) +
          " of " + util::human_bytes(jobs[i].size) + " from an earlier run");
    }
    RangedJob job;
    job.job = i;
    job.blob = std::move(*opened);
    ranged.push_back(std::move(job));
  }

  // First wave, for large blobs only: one byte from the Hub (`Range: bytes=0-0`, as hf_transfer
  // asks), whose answer says where the file really is (the CDN), its size there, and whether
  // ranges work. Tiny, so every connection is busy with real bytes right after.
  std::vector<http::Request> requests;
  std::vector<client::Auth> auth;
  std::vector<std::size_t> probed; // into `ranged`
  for (std::size_t k = 0; k < ranged.size(); ++k) {
    RangedJob& r = ranged[k];
    if (r.blob->first_missing() == r.blob->part_count()) {
      continue; // every part came from an earlier run
    }
    requests.push_back(blob_get(jobs[r.job].url, r.blob->probe_sink(),
                                std::pair<std::uint64_t, std::uint64_t>{0, 0}));
    auth.push_back(client::Auth::if_trusted);
    probed.push_back(k);
  }
  auto sent = requests.empty() ? std::vector<Result<http::Response>>{}
                               : client.send_all(requests, auth, settings.connections);
  for (std::size_t k = 0; k < sent.size(); ++k) {
    RangedJob& r = ranged[probed[k]];
    const BlobJob& job = jobs[r.job];
    if (!sent[k]) {
      r.error = with_path(sent[k].error(), job);
    } else if (!sent[k]->ok()) {
      r.error = settings.http_error(*sent[k], job);
    } else {
      r.url = sent[k]->effective_url.empty() ? job.url : sent[k]->effective_url;
      // The token goes to the Hub, never to the host it redirects to (hub.md §4).
      r.auth = same_origin(r.url, job.url) ? client::Auth::if_trusted : client::Auth::never;
    }
  }

  // Second wave: each small blob whole from the Hub, and every missing part of every large blob
  // (in file order) from its final URL, sharing the connections.
  struct Slot {
    bool ranged = false;
    std::size_t index = 0; // into `ranged`, or a job index
  };
  requests.clear();
  auth.clear();
  std::vector<Slot> slots;
  for (std::size_t k = 0; k < ranged.size(); ++k) {
    RangedJob& r = ranged[k];
    if (r.error || r.blob->whole_stream()) {
      continue;
    }
    for (std::size_t part = 0; part < r.blob->part_count(); ++part) {
      if (!r.blob->part_done(part)) {
        requests.push_back(
            blob_get(r.url, r.blob->part_sink(part, false), r.blob->part_bounds(part)));
        auth.push_back(r.auth);
        slots.push_back({true, k});
      }
    }
  }
  std::vector<std::unique_ptr<BlobSink>> sinks(jobs.size());
  for (const std::size_t i : whole) {
    sinks[i] = std::make_unique<BlobSink>(repo, jobs[i].etag, jobs[i].size, tracker.hook(i));
    requests.push_back(blob_get(jobs[i].url, *sinks[i], std::nullopt));
    auth.push_back(client::Auth::if_trusted);
    slots.push_back({false, i});
  }
  sent = requests.empty() ? std::vector<Result<http::Response>>{}
                          : client.send_all(requests, auth, settings.connections);
  for (std::size_t k = 0; k < sent.size(); ++k) {
    const Slot slot = slots[k];
    if (slot.ranged) {
      RangedJob& r = ranged[slot.index];
      if (r.error) {
        continue; // the first failure of a blob says it
      }
      if (!sent[k]) {
        r.error = with_path(sent[k].error(), jobs[r.job]);
      } else if (!sent[k]->ok()) {
        r.error = cdn_error(*sent[k], jobs[r.job]);
      }
      continue;
    }
    const BlobJob& job = jobs[slot.index];
    std::optional<Error> error;
    if (!sent[k]) {
      error = with_path(sent[k].error(), job);
    } else if (!sent[k]->ok()) {
      error = settings.http_error(*sent[k], job);
    } else if (!sinks[slot.index]->committed()) {
      error = make_error(ErrorKind::bad_response, job.path + ": the download did not complete");
    }
    tracker.finished(slot.index, !error);
    if (error) {
      report.failed.emplace(job.etag, std::move(*error));
    } else {
      ++report.fetched;
      report.bytes += sinks[slot.index]->bytes_written();
    }
  }
  sinks.clear();

  std::vector<BlobJob> again;
  for (RangedJob& r : ranged) {
    const BlobJob& job = jobs[r.job];
    if (!r.error && !r.blob->complete()) {
      r.error = make_error(ErrorKind::bad_response, job.path + ": the download did not complete");
    }
    if (!r.error) {
      const std::uint64_t resumed = r.blob->resumed_bytes();
      if (auto committed = r.blob->commit(); !committed) {
        if (resumed > 0 && committed.error().kind == ErrorKind::bad_response) {
          // The earlier run's bytes did not verify: they were thrown away; once more from 0.
          say(job.path + ": the partial file of an earlier run was corrupt; downloading it again");
          again.push_back(job);
          continue;
        }
        r.error = with_path(committed.error(), job);
      } else {
        ++report.fetched;
        report.bytes += r.blob->written_bytes();
        report.resumed += resumed;
      }
    }
    tracker.finished(r.job, !r.error);
    if (r.error) {
      report.failed.emplace(job.etag, std::move(*r.error));
    }
  }
  ranged.clear(); // keeps or removes the partial files of what failed
  tracker.report(true);
  if (!again.empty()) {
    FetchSettings fresh = settings;
    fresh.resume = false;
    FetchReport second = fetch_blobs(client, repo, again, fresh);
    report.fetched += second.fetched;
    report.bytes += second.bytes;
    report.failed.merge(second.failed);
  }
  return report;
}

} // namespace hfrun::cache
