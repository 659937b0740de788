// The libcurl transport: every request, single or batched, runs through one multi handle so that
// connections (and HTTP/2 streams) are reused across the whole process.
#include "curl_handles.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <hfrun/http/transport.hpp>
#include <hfrun/util/redact.hpp>
#include <hfrun/util/strings.hpp>
#include <mutex>
#include <optional>
#include <thread>

namespace hfrun::http {

namespace detail {

void ensure_curl_global() {
  struct Global {
    Global() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    ~Global() { curl_global_cleanup(); }
    Global(const Global&) = delete;
    Global& operator=(const Global&) = delete;
  };
  static Global global;
}

bool slist_append(CurlSlist& list, const char* line) {
  curl_slist* grown = curl_slist_append(list.get(), line);
  if (grown == nullptr) {
    return false;
  }
  (void)list.release(); // curl_slist_append returns the same head, or a new one for an empty list
  list.reset(grown);
  return true;
}

} // namespace detail

namespace {

using detail::CurlEasy;
using detail::CurlMulti;
using detail::CurlSlist;
using Clock = std::chrono::steady_clock;

std::string masked_header_line(std::string_view name, std::string_view value) {
  return std::string(name) + ": " + util::redact_header(name, value);
}

struct Job;

// One request in flight: everything libcurl points into must live as long as the transfer.
struct Transfer {
  Request* request = nullptr;
  std::size_t index = 0;
  Job* job = nullptr; // the call it belongs to
  CurlEasy easy;
  CurlSlist header_list;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  Response response;
  bool status_known = false;
  bool sink_started = false;
  std::size_t header_bytes = 0;     // of the current response's header block
  std::optional<Error> abort_error; // why a callback stopped the transfer
  Clock::time_point started = Clock::now();
  const TransportOptions* options = nullptr;
};

// One send() or send_all() call: its requests, how many may be in flight at once, their results.
// Owned by the calling thread, which waits until the dispatcher marks it finished.
struct Job {
  std::vector<Request*>* requests = nullptr;
  std::size_t limit = 1;
  std::size_t next = 0;
  std::size_t in_flight = 0;
  std::size_t done = 0;
  std::vector<std::optional<Result<Response>>> results;
  std::vector<std::unique_ptr<Transfer>> transfers;
  bool finished = false; // guarded by the transport's mutex
};

int current_status(Transfer& t) {
  long code = 0;
  curl_easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &code);
  return static_cast<int>(code);
}

// Header lines of every hop arrive here; a new status line starts a new header block so only the
// final hop's headers survive a redirect.
size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const size_t total = size * count;
  std::string_view line(data, total);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  t.header_bytes = line.starts_with("HTTP/") ? total : t.header_bytes + total;
  if (t.header_bytes > k_max_response_headers) {
    t.abort_error =
        make_error(ErrorKind::bad_response, "response headers larger than " +
                                                util::human_bytes(k_max_response_headers) +
                                                " (the server never ended them)");
    return 0; // anything but `total` makes libcurl abort the transfer
  }
  if (line.starts_with("HTTP/")) {
    t.response.headers.clear();
    if (t.options->header_log) {
      t.options->header_log("< " + std::string(line));
    }
    return total;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    t.response.headers.add(std::string(name), std::string(value));
    if (t.options->header_log) {
      t.options->header_log("< " + masked_header_line(name, value));
    }
  }
  return total;
}

// Body bytes: 2xx bodies go to the request's sink (or memory); error bodies always to memory,
// capped, so the error can be explained whatever the request wanted done with a success.
size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const size_t total = size * count;
  if (!t.status_known) {
    t.response.status = current_status(t);
    t.status_known = true;
  }
  const std::string_view chunk(data, total);
  if (t.response.ok() && t.request->sink != nullptr) {
    if (!t.sink_started) {
      if (auto begun = t.request->sink->begin(t.response.status, t.response.headers); !begun) {
        t.abort_error = std::move(begun.error());
        return CURL_WRITEFUNC_ERROR;
      }
      t.sink_started = true;
    }
    if (auto written = t.request->sink->write(chunk); !written) {
      t.abort_error = std::move(written.error());
      return CURL_WRITEFUNC_ERROR;
    }
    return total;
  }
  const size_t cap = t.request->max_body_in_memory;
  if (t.response.body.size() + total > cap) {
    if (t.response.ok()) {
      t.abort_error = make_error(ErrorKind::bad_response, "response body larger than " +
                                                              util::human_bytes(cap) +
                                                              " (the most hfrun keeps in memory)");
      return CURL_WRITEFUNC_ERROR;
    }
    t.response.body.append(chunk.substr(0, cap - t.response.body.size()));
    return total; // an error body is only for the message: keep its start, drop the rest
  }
  t.response.body.append(chunk);
  return total;
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  auto got = t.request->body->read(buffer, size * count);
  if (!got) {
    t.abort_error = std::move(got.error());
    return CURL_READFUNC_ABORT;
  }
  return *got;
}

// libcurl rewinds the upload itself when it must resend it (a 307/308 redirect, a retried reused
// connection); only a rewind to the start is ever asked for.
int on_seek(void* user, curl_off_t offset, int origin) {
  auto& t = *static_cast<Transfer*>(user);
  if (offset != 0 || origin != SEEK_SET) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  return t.request->body->rewind() ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
}

// Polled by libcurl during transfers; the only way to stop one promptly on Ctrl-C.
// Also reports upload progress to the request's callback.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t ultotal, curl_off_t ulnow) {
  auto& t = *static_cast<Transfer*>(user);
  if (t.options->cancel != nullptr && t.options->cancel->cancelled() &&
      !t.request->survives_cancel) {
    t.abort_error = make_error(ErrorKind::interrupted, "interrupted");
    return 1;
  }
  if (t.request->upload_progress && ulnow > 0) {
    t.request->upload_progress(static_cast<std::uint64_t>(ulnow),
                               static_cast<std::uint64_t>(ultotal));
  }
  return 0;
}

Error transport_error(CURLcode code, const Transfer& t) {
  Error e;
  const char* detail = t.error_buffer[0] != '\0' ? t.error_buffer.data() : curl_easy_strerror(code);
  e.message = std::string(detail);
  switch (code) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    e.kind = ErrorKind::network;
    e.transport = TransportFailure::dns;
    e.hint = "check the host name, your DNS and proxy settings (HTTPS_PROXY, NO_PROXY)";
    break;
  case CURLE_COULDNT_CONNECT:
    e.kind = ErrorKind::network;
    e.transport = TransportFailure::connect;
    e.hint = "is the server running and reachable? check the URL and your network";
    break;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
    e.kind = ErrorKind::network;
    e.transport = TransportFailure::tls;
    e.hint = "TLS failed; set CURL_CA_BUNDLE or SSL_CERT_FILE for a custom CA";
    break;
  case CURLE_OPERATION_TIMEDOUT: {
    e.kind = ErrorKind::unavailable;
    const bool stalled = std::strstr(detail, "too slow") != nullptr;
    e.transport = stalled ? TransportFailure::stalled : TransportFailure::timeout;
    e.hint = stalled ? "the transfer stalled; retry later" : "the time limit was reached";
    break;
  }
  case CURLE_TOO_MANY_REDIRECTS:
    e.kind = ErrorKind::bad_response;
    e.transport = TransportFailure::too_many_redirects;
    e.hint = "the server redirects in a loop";
    break;
  case CURLE_URL_MALFORMAT:
  case CURLE_UNSUPPORTED_PROTOCOL:
    e.kind = ErrorKind::usage;
    e.transport = TransportFailure::other;
    e.hint = "check the URL";
    break;
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_PARTIAL_FILE:
  case CURLE_GOT_NOTHING:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
    e.kind = ErrorKind::network;
    e.transport = TransportFailure::reset;
    e.hint = "the connection broke mid-transfer; retry";
    break;
  case CURLE_BAD_CONTENT_ENCODING:
    // The bytes arrived but do not decompress: damaged in transit (retried, as a reset is), and
    // after the retries a bad response, not a network failure (docs/exit-codes.md).
    e.kind = ErrorKind::bad_response;
    e.transport = TransportFailure::reset;
    e.hint = "the compressed body could not be decoded (damaged in transit); retry";
    break;
  default:
    e.kind = ErrorKind::network;
    e.transport = TransportFailure::other;
    break;
  }
  return e;
}

class CurlTransport final : public Transport {
public:
  explicit CurlTransport(TransportOptions options) : m_options(std::move(options)) {
    detail::ensure_curl_global();
    m_multi.reset(curl_multi_init());
    if (m_options.user_agent.empty()) {
      m_options.user_agent = std::string("hfrun/") + HFRUN_VERSION;
    }
    const long limit =
        static_cast<long>(m_options.max_concurrency == 0 ? 1 : m_options.max_concurrency);
    curl_multi_setopt(m_multi.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, limit);
    curl_multi_setopt(m_multi.get(), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  }

  ~CurlTransport() override {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
      m_wake.notify_one();
    }
    if (m_dispatcher.joinable()) {
      m_dispatcher.join();
    }
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<Response> send(Request& request) override {
    std::vector<Request*> one{&request};
    auto results = run(one, 0);
    return std::move(results.front());
  }

  std::vector<Result<Response>> send_all(std::vector<Request>& requests,
                                         std::size_t max_in_flight) override {
    std::vector<Request*> pointers;
    pointers.reserve(requests.size());
    for (auto& r : requests) {
      pointers.push_back(&r);
    }
    return run(pointers, max_in_flight);
  }

private:
  // Configure one easy handle. Every setopt result is checked: a silently ignored option would send
  // a different request than the one asked for.
  Result<void> prepare(Transfer& t) {
    CURL* h = t.easy.get();
    const Request& r = *t.request;
    const Timeouts timeouts = effective_timeouts(r.timeouts, m_options.timeouts);
    bool ok = true;
    auto set = [&](CURLoption option, auto value) {
      ok = ok && curl_easy_setopt(h, option, value) == CURLE_OK;
    };
    set(CURLOPT_URL, r.url.c_str());
    set(CURLOPT_ERRORBUFFER, t.error_buffer.data());
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_USERAGENT, m_options.user_agent.c_str());
    set(CURLOPT_ACCEPT_ENCODING, "");
    set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    set(CURLOPT_FOLLOWLOCATION, r.follow_redirects ? 1L : 0L);
    set(CURLOPT_MAXREDIRS, static_cast<long>(m_options.max_redirects));
    // Custom Authorization headers are not sent to another host or port after a redirect
    // (libcurl >= 7.58/7.83); UNRESTRICTED_AUTH stays off so this holds.
    set(CURLOPT_UNRESTRICTED_AUTH, 0L);
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts.connect.count()));
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts.total.count()));
    if (timeouts.stall.count() > 0) {
      set(CURLOPT_LOW_SPEED_LIMIT, 1L);
      set(CURLOPT_LOW_SPEED_TIME, static_cast<long>((timeouts.stall.count() + 999) / 1000));
    }
    // Larger reads than the 16 KiB default: fewer callbacks and syscalls per byte on multi-GB
    // downloads (a read hands over what has arrived, so streams are not delayed by it).
    set(CURLOPT_BUFFERSIZE, 256L * 1024L);
    set(CURLOPT_HEADERFUNCTION, &on_header);
    set(CURLOPT_HEADERDATA, &t);
    set(CURLOPT_WRITEFUNCTION, &on_body);
    set(CURLOPT_WRITEDATA, &t);
    set(CURLOPT_PRIVATE, &t);
    if (m_options.cancel != nullptr || r.upload_progress) {
      set(CURLOPT_NOPROGRESS, 0L);
      set(CURLOPT_XFERINFOFUNCTION, &on_progress);
      set(CURLOPT_XFERINFODATA, &t);
    }
    if (m_options.insecure) {
      set(CURLOPT_SSL_VERIFYPEER, 0L);
      set(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!m_options.ca_bundle.empty()) {
      set(CURLOPT_CAINFO, m_options.ca_bundle.c_str());
    }

    if (r.method == "HEAD") {
      set(CURLOPT_NOBODY, 1L);
    } else if (r.method == "POST") {
      set(CURLOPT_POST, 1L);
      if (!r.body) {
        set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
      }
    } else if (r.method != "GET") {
      set(CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }
    if (r.body) {
      const auto size = r.body->size();
      if (r.method != "POST") {
        set(CURLOPT_UPLOAD, 1L);
        set(CURLOPT_INFILESIZE_LARGE, size ? static_cast<curl_off_t>(*size) : curl_off_t{-1});
      } else {
        set(CURLOPT_POSTFIELDSIZE_LARGE, size ? static_cast<curl_off_t>(*size) : curl_off_t{-1});
      }
      set(CURLOPT_READFUNCTION, &on_read);
      set(CURLOPT_READDATA, &t);
      set(CURLOPT_SEEKFUNCTION, &on_seek);
      set(CURLOPT_SEEKDATA, &t);
      if (auto rewound = r.body->rewind(); !rewound) {
        return unexpected<Error>(rewound.error());
      }
    }

    bool has_expect = false;
    for (const auto& [name, value] : r.headers.entries()) {
      has_expect = has_expect || iequals(name, "Expect");
      // "Name;" is how curl sends a header with an empty value (CURLOPT_HTTPHEADER).
      std::string line = name;
      line += value.empty() ? ";" : ": ";
      line += value;
      ok = ok && detail::slist_append(t.header_list, line.c_str());
    }
    if (r.body && !has_expect) {
      // No "Expect: 100-continue" round trip before uploads.
      ok = ok && detail::slist_append(t.header_list, "Expect:");
    }
    set(CURLOPT_HTTPHEADER, t.header_list.get());
    if (!ok) {
      return fail(ErrorKind::internal, "could not configure the HTTP request for " + r.url);
    }
    if (m_options.header_log) {
      m_options.header_log("> " + r.method + " " + r.url);
      for (const auto& [name, value] : r.headers.entries()) {
        m_options.header_log("> " + masked_header_line(name, value));
      }
    }
    return {};
  }

  Result<Response> complete(Transfer& t, CURLcode code) {
    CURL* h = t.easy.get();
    t.response.status = current_status(t);
    char* effective = nullptr;
    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
    t.response.effective_url = effective != nullptr ? effective : t.request->url;
    long redirects = 0;
    curl_easy_getinfo(h, CURLINFO_REDIRECT_COUNT, &redirects);
    t.response.redirects = static_cast<int>(redirects);
    long version = 0;
    curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &version);
    t.response.http_version = version == CURL_HTTP_VERSION_2_0   ? "2"
                              : version == CURL_HTTP_VERSION_3   ? "3"
                              : version == CURL_HTTP_VERSION_1_0 ? "1.0"
                                                                 : "1.1";
    t.response.elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t.started);

    Sink* sink = t.response.ok() ? t.request->sink : nullptr;
    if (code == CURLE_OK && sink != nullptr && !t.sink_started) {
      // An empty 2xx body still opens and closes the sink (an empty file is a valid result).
      if (auto begun = sink->begin(t.response.status, t.response.headers); !begun) {
        return unexpected<Error>(begun.error());
      }
      t.sink_started = true;
    }
    if (sink != nullptr && t.sink_started) {
      auto finished = sink->finish(code == CURLE_OK && !t.abort_error);
      if (code == CURLE_OK && !finished) {
        return unexpected<Error>(finished.error());
      }
    }
    if (t.abort_error) {
      Error e = *t.abort_error;
      if (e.transport == TransportFailure::none) {
        e.transport = TransportFailure::aborted;
      }
      return unexpected<Error>(std::move(e));
    }
    if (code != CURLE_OK) {
      Error e = transport_error(code, t);
      e.message = t.request->method + " " + t.request->url + ": " + e.message;
      return unexpected<Error>(std::move(e));
    }
    return std::move(t.response);
  }

  // Every call hands its job to the one dispatcher thread, which drives the one multi handle for
  // all of them: calls from several threads at once (batch mode) share the connections and HTTP/2
  // streams, and libcurl's handles are only ever touched by that thread. Callbacks (sinks, upload
  // progress, the header log) run there while the calling thread waits.
  std::vector<Result<Response>> run(std::vector<Request*>& requests, std::size_t max_in_flight) {
    Job job;
    job.requests = &requests;
    job.limit = max_in_flight != 0               ? max_in_flight
                : m_options.max_concurrency == 0 ? 1
                                                 : m_options.max_concurrency;
    job.results.resize(requests.size());
    job.transfers.resize(requests.size());
    {
      std::unique_lock lock(m_mutex);
      if (!m_dispatcher.joinable()) {
        m_dispatcher = std::thread([this] { dispatch(); });
      }
      m_incoming.push_back(&job);
      m_wake.notify_one();
      curl_multi_wakeup(m_multi.get());
      m_finished.wait(lock, [&] { return job.finished; });
    }
    std::vector<Result<Response>> out;
    out.reserve(job.results.size());
    for (auto& r : job.results) {
      out.push_back(r ? std::move(*r) : fail(ErrorKind::internal, "request was never run"));
    }
    return out;
  }

  void start_next(Job& job) {
    const std::size_t i = job.next++;
    auto t = std::make_unique<Transfer>();
    t->request = (*job.requests)[i];
    t->index = i;
    t->job = &job;
    t->options = &m_options;
    t->easy.reset(curl_easy_init());
    if (!t->easy) {
      job.results[i] = fail(ErrorKind::internal, "could not create a libcurl handle");
      ++job.done;
      return;
    }
    if (auto prepared = prepare(*t); !prepared) {
      job.results[i] = unexpected<Error>(prepared.error());
      ++job.done;
      return;
    }
    if (curl_multi_add_handle(m_multi.get(), t->easy.get()) != CURLM_OK) {
      job.results[i] = fail(ErrorKind::internal, "could not schedule the HTTP request");
      ++job.done;
      return;
    }
    t->started = Clock::now();
    job.transfers[i] = std::move(t);
    ++job.in_flight;
    ++m_in_flight;
  }

  // Over HTTP/1.1 each transfer in flight needs a connection of its own: the pool holds what the
  // jobs in progress may run at once together. It only grows: lowering the cap would make libcurl
  // close idle connections that the next request (a batch's next item) wants again. Each job's own
  // limit is kept by start_next's caller, whatever the pool's size.
  void size_pool(const std::vector<Job*>& active) {
    std::size_t total = 0;
    for (const Job* job : active) {
      total += std::min(job->limit, job->requests->size());
    }
    const long limit = static_cast<long>(std::clamp<std::size_t>(total, 1, 1024));
    if (limit > m_pool_size &&
        curl_multi_setopt(m_multi.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, limit) == CURLM_OK) {
      m_pool_size = limit;
    }
  }

  void dispatch() {
    std::vector<Job*> active;
    for (;;) {
      {
        std::unique_lock lock(m_mutex);
        if (active.empty()) {
          m_wake.wait(lock, [&] { return !m_incoming.empty() || m_stopping; });
        }
        if (m_stopping && active.empty() && m_incoming.empty()) {
          return;
        }
        const bool grew = !m_incoming.empty();
        active.insert(active.end(), m_incoming.begin(), m_incoming.end());
        m_incoming.clear();
        if (grew) {
          size_pool(active);
        }
      }
      for (Job* job : active) {
        while (job->in_flight < job->limit && job->next < job->requests->size()) {
          start_next(*job);
        }
      }
      if (m_in_flight > 0) {
        int running = 0;
        curl_multi_perform(m_multi.get(), &running);
        int queued = 0;
        while (CURLMsg* message = curl_multi_info_read(m_multi.get(), &queued)) {
          if (message->msg != CURLMSG_DONE) {
            continue;
          }
          Transfer* raw = nullptr;
          curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &raw);
          const CURLcode code = message->data.result;
          curl_multi_remove_handle(m_multi.get(), message->easy_handle);
          Job& job = *raw->job;
          const std::size_t index = raw->index;
          job.results[index] = complete(*raw, code);
          job.transfers[index].reset();
          --job.in_flight;
          --m_in_flight;
          ++job.done;
        }
      }
      const auto before = active.size();
      {
        std::lock_guard lock(m_mutex);
        std::erase_if(active, [&](Job* job) {
          if (job->done < job->requests->size()) {
            return false;
          }
          job->finished = true;
          return true;
        });
        if (active.size() != before) {
          m_finished.notify_all();
        }
      }
      const bool startable = std::any_of(active.begin(), active.end(), [](const Job* job) {
        return job->in_flight < job->limit && job->next < job->requests->size();
      });
      if (m_in_flight > 0 && !startable) {
        // Woken early by curl_multi_wakeup when a job arrives.
        curl_multi_poll(m_multi.get(), nullptr, 0, 200, nullptr);
      }
    }
  }

  TransportOptions m_options;
  CurlMulti m_multi;
  std::mutex m_mutex;
  std::condition_variable m_wake;     // a job arrived, or the transport is going away
  std::condition_variable m_finished; // a job finished
  std::vector<Job*> m_incoming;       // guarded by m_mutex
  bool m_stopping = false;            // guarded by m_mutex
  std::size_t m_in_flight = 0;        // dispatcher thread only
  long m_pool_size = 0;               // dispatcher thread only
  std::thread m_dispatcher;
};

} // namespace

std::unique_ptr<Transport> make_curl_transport(const TransportOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

} // namespace hfrun::http
