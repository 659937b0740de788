// A Transport for tests: records every request it is asked to send (a copy, with the body it
// read) and answers from a queue of prepared results. Fakes over mocks (helper guide).
#pragma once

#include <deque>
#include <hfrun/http/transport.hpp>
#include <string>
#include <vector>

namespace hfrun::http {

class FakeTransport final : public Transport {
public:
  struct Sent {
    std::string method;
    std::string url;
    Headers headers;
    std::string body; // what the BodySource yielded, read to the end
  };

  // Queue the next answer (a Response or an Error), served in order to send() and send_all().
  void push(Result<Response> result) { m_queue.push_back(std::move(result)); }
  void push_status(int status, Headers headers = {}, std::string body = {}) {
    Response r;
    r.status = status;
    r.headers = std::move(headers);
    r.body = std::move(body);
    push(std::move(r));
  }
  void push_failure(TransportFailure failure, std::string message = "transport failure") {
    Error e = make_error(failure == TransportFailure::dns || failure == TransportFailure::connect
                             ? ErrorKind::network
                             : ErrorKind::unavailable,
                         std::move(message));
    e.transport = failure;
    push(unexpected<Error>(std::move(e)));
  }

  Result<Response> send(Request& request) override {
    Sent sent{request.method, request.url, request.headers, {}};
    if (request.body) {
      char buffer[64];
      while (true) {
        auto n = request.body->read(buffer, sizeof buffer);
        if (!n) {
          return unexpected<Error>(n.error());
        }
        if (*n == 0) {
          break;
        }
        sent.body.append(buffer, *n);
      }
    }
    requests.push_back(std::move(sent));
    if (m_queue.empty()) {
      return fail(ErrorKind::internal, "FakeTransport: no queued answer");
    }
    Result<Response> next = std::move(m_queue.front());
    m_queue.pop_front();
    // A 2xx body goes through the request's sink, as the real transport does.
    if (next && next->ok() && request.sink != nullptr) {
      HFRUN_TRY(request.sink->begin(next->status, next->headers));
      if (!next->body.empty()) {
        if (auto written = request.sink->write(next->body); !written) {
          (void)request.sink->finish(false);
          return unexpected<Error>(written.error());
        }
      }
      HFRUN_TRY(request.sink->finish(true));
      next->body.clear();
    }
    return next;
  }

  std::vector<Result<Response>> send_all(std::vector<Request>& batch,
                                         std::size_t max_in_flight) override {
    ++send_all_calls;
    last_max_in_flight = max_in_flight;
    std::vector<Result<Response>> out;
    for (Request& r : batch) {
      out.push_back(send(r));
    }
    return out;
  }

  std::vector<Sent> requests;
  int send_all_calls = 0;
  std::size_t last_max_in_flight = 0;

private:
  std::deque<Result<Response>> m_queue;
};

} // namespace hfrun::http
