#include "faults.hpp"

#include "context.hpp"
#include "request_log.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <random>
#include <thread>

namespace emulator {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view k_control_prefix = "/_emulator/";

template <class T> bool parse_number(std::string_view s, T& out) {
  const auto* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

void put_header(httplib::Response& res, const std::string& key, const std::string& value) {
  res.headers.erase(key);
  res.headers.emplace(key, value);
}

const char* reason(int status) {
  switch (status) {
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 408:
    return "Request Timeout";
  case 409:
    return "Conflict";
  case 410:
    return "Gone";
  case 413:
    return "Payload Too Large";
  case 416:
    return "Range Not Satisfiable";
  case 422:
    return "Unprocessable Entity";
  case 429:
    return "Too Many Requests";
  case 500:
    return "Internal Server Error";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  default:
    return "Error";
  }
}

// Replaces the whole response, keeping only the connection headers and the request id.
void replace_response(httplib::Response& res,
                      int status,
                      const std::string& content_type,
                      std::string body) {
  httplib::Headers kept;
  for (const auto& [k, v] : res.headers) {
    if (k == "Connection" || k == "Keep-Alive" || k == "x-request-id") {
      kept.emplace(k, v);
    }
  }
  res.headers = std::move(kept);
  res.status = status;
  res.content_provider_ = nullptr;
  res.content_length_ = 0;
  res.is_chunked_content_provider_ = false;
  res.body = std::move(body);
  put_header(res, "Content-Type", content_type);
  put_header(res, "Content-Length", std::to_string(res.body.size()));
}

struct BodyLimits {
  std::optional<std::uint64_t> reset_after;
  std::optional<std::uint64_t> truncate_after;
  std::optional<std::uint64_t> stall_after;
  std::optional<std::uint64_t> corrupt_at;
  int stall_ms = 0;
  std::uint64_t bandwidth = 0;
  [[nodiscard]] bool any() const {
    return reset_after || truncate_after || stall_after || corrupt_at || bandwidth > 0;
  }
};

struct ShapeState {
  std::uint64_t sent = 0;
  bool started = false;
  bool stalled = false;
  bool cut = false;
  Clock::time_point start;
};

// Writes `n` bytes to `sink`, pausing to hold `limits.bandwidth` and at `limits.stall_after`.
bool shaped_write(httplib::DataSink& sink,
                  const char* data,
                  std::size_t n,
                  ShapeState& st,
                  const BodyLimits& limits) {
  if (!st.started) {
    st.started = true;
    st.start = Clock::now();
  }
  const std::size_t slice =
      limits.bandwidth > 0 ? std::max<std::size_t>(1024, limits.bandwidth / 20) : n;
  while (n > 0) {
    std::size_t take = std::min(n, slice);
    if (limits.stall_after && !st.stalled) {
      if (st.sent >= *limits.stall_after) {
        st.stalled = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(limits.stall_ms));
      } else {
        take =
            static_cast<std::size_t>(std::min<std::uint64_t>(take, *limits.stall_after - st.sent));
      }
    }
    if (!sink.write(data, take)) {
      return false;
    }
    data += take;
    n -= take;
    st.sent += take;
    if (limits.bandwidth > 0) {
      const auto due =
          st.start + std::chrono::microseconds(st.sent * 1000000ULL / limits.bandwidth);
      std::this_thread::sleep_until(due);
    }
  }
  return true;
}

// Routes the response body through a provider that enforces `limits`.
void shape_body(httplib::Response& res, const BodyLimits& limits) {
  if (!res.body.empty()) {
    auto body = std::make_shared<std::string>(std::move(res.body));
    res.body.clear();
    res.content_length_ = body->size();
    res.is_chunked_content_provider_ = false;
    res.content_provider_ = [body](std::size_t offset, std::size_t length,
                                   httplib::DataSink& sink) {
      return sink.write(body->data() + offset, std::min(length, body->size() - offset));
    };
  }
  if (!res.content_provider_) {
    return;
  }
  const bool fixed = res.content_length_ > 0;
  std::optional<std::uint64_t> cut_at;
  if (limits.truncate_after) {
    cut_at = limits.truncate_after;
    if (fixed && *limits.truncate_after < res.content_length_) {
      res.content_length_ = static_cast<std::size_t>(*limits.truncate_after);
      put_header(res, "Content-Length", std::to_string(res.content_length_));
    }
  }
  if (limits.reset_after && (!cut_at || *limits.reset_after < *cut_at)) {
    cut_at = limits.reset_after;
  }
  const bool truncate = cut_at && cut_at == limits.truncate_after;
  auto original = res.content_provider_;
  auto state = std::make_shared<ShapeState>();
  res.content_provider_ = [original, state, limits, cut_at, truncate,
                           fixed](std::size_t offset, std::size_t length,
                                  httplib::DataSink& sink) -> bool {
    if (state->cut) {
      return truncate;
    }
    bool aborted = false;
    httplib::DataSink inner;
    inner.is_writable = [&sink] { return sink.is_writable(); };
    inner.done = [&sink, state] {
      if (!state->cut) {
        sink.done();
      }
    };
    inner.write = [&](const char* d, std::size_t n) -> bool {
      if (state->cut) {
        return false;
      }
      std::size_t allowed = n;
      if (cut_at) {
        allowed = static_cast<std::size_t>(
            std::min<std::uint64_t>(n, *cut_at - std::min(*cut_at, state->sent)));
      }
      // corrupt_at: the byte at that body offset goes out flipped; the length stays the same.
      std::string flipped;
      if (limits.corrupt_at && *limits.corrupt_at >= state->sent &&
          *limits.corrupt_at - state->sent < allowed) {
        flipped.assign(d, allowed);
        auto& byte = flipped[static_cast<std::size_t>(*limits.corrupt_at - state->sent)];
        byte = static_cast<char>(static_cast<unsigned char>(byte) ^ 0xFFU);
        d = flipped.data();
      }
      if (!shaped_write(sink, d, allowed, *state, limits)) {
        return false;
      }
      if (cut_at && state->sent >= *cut_at) {
        state->cut = true;
        if (!truncate) {
          aborted = true;
        } else if (!fixed) {
          sink.done();
        }
        return allowed == n && truncate;
      }
      return true;
    };
    const bool ok = original(offset, length, inner);
    if (aborted) {
      return false;
    }
    return state->cut ? truncate : ok;
  };
}

std::string request_id() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "Root=1-%08llx-%012llx%012llx",
                static_cast<unsigned long long>(now),
                static_cast<unsigned long long>(rng() & 0xffffffffffffULL),
                static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
  return buf;
}

bool is_control(const httplib::Request& req) {
  return req.path.starts_with(k_control_prefix);
}

// The fault of the request this thread is handling: taken before routing, because ignore_range
// must hide Range from the handler, and applied after it. httplib runs the pre-routing handler,
// the route and the post-routing handler of one request on one thread, and post-routing runs for
// every response it writes, so each taken fault is used (and cleared) by its own request.
struct PendingFault {
  std::expected<std::optional<FaultSpec>, std::string> fault;
  std::string hidden_range; // the Range header ignore_range removed, put back for the log
};
thread_local std::optional<PendingFault> t_pending;

void json_reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

} // namespace

std::string http_date(std::chrono::system_clock::time_point t) {
  static constexpr std::array<const char*, 7> k_days = {"Sun", "Mon", "Tue", "Wed",
                                                        "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> k_months = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  // Names spelled out here: strftime's %a/%b follow the locale, and the format is fixed English.
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                k_days.at(static_cast<std::size_t>(tm.tm_wday)), tm.tm_mday,
                k_months.at(static_cast<std::size_t>(tm.tm_mon)), tm.tm_year + 1900, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buf;
}

std::expected<FaultSpec, std::string> parse_fault(std::string_view text) {
  FaultSpec f;
  f.text = std::string(trim(text));
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    const auto part = trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    if (part.empty()) {
      continue;
    }
    const auto eq = part.find('=');
    const auto key = trim(part.substr(0, eq));
    const auto value =
        eq == std::string_view::npos ? std::string_view() : trim(part.substr(eq + 1));
    const auto need_number = [&](auto& out) -> std::expected<void, std::string> {
      std::remove_reference_t<decltype(out)> v{};
      if (!parse_number(value, v)) {
        return std::unexpected("fault key \"" + std::string(key) + "\" needs a number");
      }
      out = v;
      return {};
    };
    std::expected<void, std::string> ok;
    if (key == "status") {
      ok = need_number(f.status);
    } else if (key == "retry_after") {
      // "S" sends delta-seconds; "date:S" the HTTP-date S seconds from now (RFC 9110 §10.2.3 allows
      // both).
      auto seconds = value;
      if (seconds.starts_with("date:")) {
        f.retry_after_date = true;
        seconds.remove_prefix(5);
      }
      int v = 0;
      if (!parse_number(seconds, v)) {
        ok = std::unexpected(
            std::string("fault key \"retry_after\" needs a number or date:<number>"));
      }
      f.retry_after = v;
    } else if (key == "reset_after" || key == "truncate_after" || key == "stall_after" ||
               key == "max_body" || key == "bandwidth" || key == "corrupt_at") {
      std::uint64_t v = 0;
      ok = need_number(v);
      (key == "reset_after"      ? f.reset_after
       : key == "truncate_after" ? f.truncate_after
       : key == "stall_after"    ? f.stall_after
       : key == "max_body"       ? f.max_body
       : key == "corrupt_at"     ? f.corrupt_at
                                 : f.bandwidth) = v;
    } else if (key == "stall_ms") {
      ok = need_number(f.stall_ms);
    } else if (key == "times") {
      ok = need_number(f.times);
    } else if (key == "html_error") {
      f.html_error = 502;
      if (!value.empty()) {
        ok = need_number(f.html_error);
      }
    } else if (key == "invalid_json") {
      f.invalid_json = true;
    } else if (key == "redirect_loop") {
      f.redirect_loop = true;
    } else if (key == "redirect_to") {
      f.redirect_to = std::string(value);
      if (!f.redirect_to.starts_with("http://") && !f.redirect_to.starts_with("https://")) {
        ok = std::unexpected(std::string("fault key \"redirect_to\" needs an http(s) origin"));
      }
    } else if (key == "ignore_range") {
      f.ignore_range = true;
    } else if (key == "role") {
      f.role = std::string(value);
      if (f.role != "hub" && f.role != "router" && f.role != "cdn") {
        ok = std::unexpected(std::string("fault key \"role\" must be hub, router or cdn"));
      }
    } else {
      ok = std::unexpected("unknown fault key \"" + std::string(key) + "\"");
    }
    if (!ok) {
      return std::unexpected(ok.error());
    }
  }
  if (f.status != 0 && (f.status < 100 || f.status > 599)) {
    return std::unexpected(std::string("fault status must be 100..599"));
  }
  return f;
}

std::expected<json, std::string> Faults::add_rules(const json& body, std::string_view posted_to) {
  const json list = body.is_array() ? body : json::array({body});
  std::vector<Rule> added;
  for (const auto& r : list) {
    if (!r.is_object() || !r.contains("fault") || !r["fault"].is_string()) {
      return std::unexpected(std::string("each rule needs a \"fault\" string"));
    }
    auto spec = parse_fault(r["fault"].get<std::string>());
    if (!spec) {
      return std::unexpected(spec.error());
    }
    Rule rule;
    rule.fault = std::move(*spec);
    rule.role = r.value("role", rule.fault.role.empty() ? std::string(posted_to) : rule.fault.role);
    rule.method = r.value("method", "");
    rule.path_prefix = r.value("path_prefix", "/");
    rule.remaining = r.value("times", rule.fault.times);
    added.push_back(std::move(rule));
  }
  std::lock_guard lock(m_mutex);
  m_rules.insert(m_rules.end(), added.begin(), added.end());
  return json{{"added", added.size()}};
}

json Faults::rules() const {
  std::lock_guard lock(m_mutex);
  json out = json::array();
  for (const auto& r : m_rules) {
    out.push_back({{"role", r.role},
                   {"method", r.method},
                   {"path_prefix", r.path_prefix},
                   {"fault", r.fault.text},
                   {"remaining", r.remaining},
                   {"used", r.used}});
  }
  return out;
}

void Faults::reset() {
  std::lock_guard lock(m_mutex);
  m_rules.clear();
  m_header_uses.clear();
}

std::expected<std::optional<FaultSpec>, std::string> Faults::take(std::string_view role,
                                                                  const httplib::Request& req) {
  if (req.has_header("X-Emulator-Fault")) {
    const auto value = req.get_header_value("X-Emulator-Fault");
    auto spec = parse_fault(value);
    if (!spec) {
      return std::unexpected("X-Emulator-Fault: " + spec.error());
    }
    if (!spec->role.empty() && spec->role != role) {
      return std::optional<FaultSpec>();
    }
    std::lock_guard lock(m_mutex);
    auto& uses = m_header_uses[value];
    if (spec->times >= 0 && uses >= spec->times) {
      return std::optional<FaultSpec>();
    }
    ++uses;
    return std::optional<FaultSpec>(std::move(*spec));
  }
  std::lock_guard lock(m_mutex);
  for (auto& r : m_rules) {
    if (r.remaining == 0 || (r.role != "any" && r.role != role) ||
        (!r.method.empty() && r.method != req.method) || !req.path.starts_with(r.path_prefix)) {
      continue;
    }
    if (r.remaining > 0) {
      --r.remaining;
    }
    ++r.used;
    return std::optional<FaultSpec>(r.fault);
  }
  return std::optional<FaultSpec>();
}

void apply_fault(const httplib::Request& req,
                 httplib::Response& res,
                 const FaultSpec* fault,
                 const Shaping& shaping) {
  if (shaping.latency_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(shaping.latency_ms));
  }
  BodyLimits limits;
  limits.bandwidth = shaping.bandwidth;
  if (fault != nullptr) {
    if (fault->stall_ms > 0 && !fault->stall_after) {
      std::this_thread::sleep_for(std::chrono::milliseconds(fault->stall_ms));
    }
    if (fault->max_body && req.body.size() > *fault->max_body) {
      replace_response(res, 413, "application/json", json{{"error", "Payload Too Large"}}.dump());
    } else if (fault->redirect_loop) {
      replace_response(res, 302, "text/plain; charset=utf-8",
                       "Found. Redirecting to " + req.target);
      put_header(res, "Location", req.target);
    } else if (!fault->redirect_to.empty()) {
      // 307 keeps the method and the body, so a POST arrives at the other host as a POST.
      const auto location = fault->redirect_to + req.target;
      replace_response(res, 307, "text/plain; charset=utf-8", "Redirecting to " + location);
      put_header(res, "Location", location);
    } else if (fault->html_error != 0) {
      const auto code = std::to_string(fault->html_error) + " " + reason(fault->html_error);
      replace_response(res, fault->html_error, "text/html",
                       "<html>\r\n<head><title>" + code +
                           "</title></head>\r\n<body>\r\n<center><h1>" + code +
                           "</h1></center>\r\n</body>\r\n</html>\r\n");
    } else if (fault->status != 0) {
      replace_response(
          res, fault->status, "application/json",
          json{{"error", std::string(reason(fault->status)) + " (emulated fault)"}}.dump());
    }
    if (fault->invalid_json) {
      replace_response(res,
                       fault->status != 0 ? fault->status : (res.status > 0 ? res.status : 200),
                       "application/json", "{\"error\": \"unterminated");
    }
    if (fault->retry_after) {
      put_header(res, "Retry-After",
                 fault->retry_after_date ? http_date(std::chrono::system_clock::now() +
                                                     std::chrono::seconds(*fault->retry_after))
                                         : std::to_string(*fault->retry_after));
    }
    if (res.status == 429) {
      const auto window = std::to_string(fault->retry_after.value_or(60));
      put_header(res, "RateLimit", "\"api\";r=0;t=" + window);
      put_header(res, "RateLimit-Policy", "\"fixed window\";\"api\";q=1000;w=300");
    }
    limits.reset_after = fault->reset_after;
    limits.truncate_after = fault->truncate_after;
    limits.stall_after = fault->stall_after;
    limits.stall_ms = fault->stall_ms;
    limits.corrupt_at = fault->corrupt_at;
    if (fault->bandwidth) {
      limits.bandwidth = *fault->bandwidth;
    }
    // Last, because replacing the response above drops every other header.
    put_header(res, "X-Emulator-Fault-Applied", fault->text);
  }
  if (limits.any() && req.method != "HEAD" && req.ranges.empty()) {
    shape_body(res, limits);
  }
}

void configure_server(httplib::Server& server, const std::string& role, Context& ctx) {
  // httplib writes the headers and the body of a response in separate send() calls. With Nagle on,
  // the body of every response after the first on a kept-alive connection waits for the client's
  // delayed ACK (~40 ms on Linux). Set on the listening socket; accepted sockets inherit it.
  server.set_tcp_nodelay(true);
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };
  server.set_keep_alive_max_count(1000);
  const auto max_body = ctx.faults->shaping().max_body;
  server.set_payload_max_length(max_body == 0 ? std::numeric_limits<std::size_t>::max()
                                              : static_cast<std::size_t>(max_body));

  server.Post("/_emulator/faults",
              [&ctx, role](const httplib::Request& req, httplib::Response& res) {
                auto body = json::parse(req.body, nullptr, false);
                if (body.is_discarded()) {
                  json_reply(res, 400, {{"error", "the body must be JSON"}});
                  return;
                }
                auto added = ctx.faults->add_rules(body, role);
                if (!added) {
                  json_reply(res, 400, {{"error", added.error()}});
                  return;
                }
                json_reply(res, 200, {{"rules", ctx.faults->rules()}});
              });
  server.Get("/_emulator/faults", [&ctx](const httplib::Request&, httplib::Response& res) {
    json_reply(res, 200, {{"rules", ctx.faults->rules()}});
  });
  server.Delete("/_emulator/faults", [&ctx](const httplib::Request&, httplib::Response& res) {
    ctx.faults->reset();
    json_reply(res, 200, {{"rules", json::array()}});
  });
  const auto reset = [&ctx](const httplib::Request&, httplib::Response& res) {
    ctx.faults->reset();
    if (ctx.log != nullptr) {
      ctx.log->clear();
    }
    json_reply(res, 200, {{"ok", true}});
  };
  server.Post("/_emulator/reset", reset);
  // httplib answers 400 to a POST without Content-Length before any route runs; `curl -X POST` and
  // many scripts send a body-less reset that way, so it is answered here, before the body is read.
  server.set_pre_routing_handler(
      [reset, role, &ctx](const httplib::Request& req, httplib::Response& res) {
        t_pending.reset();
        if (role == "endpoints") {
          // TGI, TEI, vLLM, llama.cpp and Ollama add no compression layer: their answers go out
          // uncompressed whatever the client accepts. cpp-httplib compresses by the request's
          // Accept-Encoding, so it is dropped here (the server's own Request object, not a const
          // one).
          const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
        }
        if (req.method == "POST" && req.path == "/_emulator/reset" &&
            !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
          reset(req, res);
          return httplib::Server::HandlerResponse::Handled;
        }
        if (!is_control(req)) {
          PendingFault pending{ctx.faults->take(role, req), {}};
          if (pending.fault && pending.fault->has_value() && (*pending.fault)->ignore_range &&
              req.has_header("Range")) {
            // The server's own Request object (not a const one), as above: the route then sees
            // no Range and answers 200 with the whole body, and httplib slices nothing.
            auto& mutable_req = const_cast<httplib::Request&>(req);
            pending.hidden_range = mutable_req.get_header_value("Range");
            mutable_req.headers.erase("Range");
            mutable_req.ranges.clear();
          }
          t_pending = std::move(pending);
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  server.Get("/_emulator/log", [&ctx](const httplib::Request& req, httplib::Response& res) {
    res.status = 200;
    res.set_content(ctx.log != nullptr ? ctx.log->dump(req.get_param_value("role")) : std::string(),
                    "application/x-ndjson");
  });
  server.Get("/_emulator/health", [role](const httplib::Request&, httplib::Response& res) {
    json_reply(res, 200, {{"ok", true}, {"role", role}});
  });

  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty() || res.content_provider_) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        if (res.status == 416) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        res.set_content(json{{"error", reason(res.status)}}.dump(), "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        res.status = 500;
        res.set_content(json{{"error", "emulator bug: " + what}}.dump(), "application/json");
      });
  server.set_post_routing_handler(
      [&ctx, role](const httplib::Request& req, httplib::Response& res) {
        if (is_control(req)) {
          return;
        }
        if (!res.has_header("x-request-id")) {
          res.headers.emplace("x-request-id", request_id());
        }
        // Requests httplib refuses before routing (a malformed request line) take theirs here.
        auto fault = t_pending ? std::move(t_pending->fault) : ctx.faults->take(role, req);
        if (t_pending && !t_pending->hidden_range.empty()) {
          const_cast<httplib::Request&>(req).headers.emplace("Range", t_pending->hidden_range);
        }
        t_pending.reset();
        if (!fault) {
          replace_response(res, 400, "application/json", json{{"error", fault.error()}}.dump());
        } else {
          apply_fault(req, res, fault->has_value() ? &**fault : nullptr, ctx.faults->shaping());
        }
        // Recorded here, just before the status line is written, rather than in httplib's logger
        // (which runs after the whole response is sent): a client that has its answer always finds
        // the exchange in GET /_emulator/log.
        if (ctx.log != nullptr) {
          ctx.log->record(role, req, res);
        }
      });
}

} // namespace emulator
