// A Response as a server would send it, for tests that turn replies into errors.
#pragma once

#include <hfrun/http/message.hpp>
#include <string>

namespace hfrun::http {

inline Response reply(int status, std::string body, std::string content_type = "application/json") {
  Response r;
  r.status = status;
  r.body = std::move(body);
  if (!content_type.empty()) {
    r.headers.add("Content-Type", std::move(content_type));
  }
  return r;
}

} // namespace hfrun::http
