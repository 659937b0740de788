// A client::Client over the recording fake transport and the fake sleeper, for the tests of the
// layers above the client: canned JSON replies in, the requests sent and the waits asked for out.
#pragma once

#include "unit/http/fake_transport.hpp"
#include "unit/util/fake_sleeper.hpp"

#include <hfrun/client/client.hpp>
#include <memory>
#include <string>

namespace hfrun::test {

struct FakeClient {
  // Default configuration (huggingface.co, the router, the endpoints API), this token, no retries.
  explicit FakeClient(const std::string& token) {
    client::ClientOptions options;
    options.config = config::load_config(config::map_env({{"HOME", "/tmp"}}));
    options.token = config::Token{token, config::TokenSource::env_hf_token, {}};
    options.retry.max_retries = 0;
    auto transport = std::make_unique<http::FakeTransport>();
    fake = transport.get();
    client = std::make_unique<client::Client>(std::move(options), std::move(transport), sleeper,
                                              client::Reporter{});
  }
  // The next reply: this status and JSON body.
  void push(int status, const std::string& body) {
    http::Headers h;
    h.set("Content-Type", "application/json");
    fake->push_status(status, std::move(h), body);
  }

  http::FakeTransport* fake = nullptr;
  util::FakeSleeper sleeper;
  std::unique_ptr<client::Client> client;
};

} // namespace hfrun::test
