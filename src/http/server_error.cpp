#include <chrono>
#include <hfrun/http/retry.hpp>
#include <hfrun/http/server_error.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/redact.hpp>
#include <hfrun/util/strings.hpp>
#include <nlohmann/json.hpp>

namespace hfrun::http {

namespace {

using nlohmann::json;

constexpr std::size_t k_max_message = 500;

std::string message_of(const json& value);

// JSON text for a value that is not a string; the replace handler keeps dump() from throwing on
// invalid UTF-8.
std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string string_or_dump(const json& value) {
  return util::as_string(value).value_or(dump(value));
}

// One FastAPI/pydantic validation item: {"loc":["body","messages"],"msg":"Field required"}.
std::string validation_item(const json& item) {
  if (!item.is_object()) {
    return message_of(item);
  }
  std::string where;
  if (auto loc = item.find("loc"); loc != item.end() && loc->is_array()) {
    for (const json& part : *loc) {
      where += (where.empty() ? "" : ".") + string_or_dump(part);
    }
  }
  std::string text;
  if (auto msg = util::json_string(item, "msg")) {
    text = std::move(*msg);
  } else {
    text = message_of(item);
  }
  return where.empty() ? text : where + ": " + text;
}

std::string join_items(const json& list, std::string (*each)(const json&)) {
  std::vector<std::string> parts;
  for (const json& item : list) {
    if (std::string part = each(item); !part.empty()) {
      parts.push_back(std::move(part));
    }
  }
  return util::join(parts, "; ");
}

std::string string_field(const json& object, const char* key) {
  return std::string(util::trim(util::string_or(object, key, "")));
}

std::string message_of(const json& value) {
  if (const auto* text = value.get_ptr<const json::string_t*>()) {
    return std::string(util::trim(*text));
  }
  if (value.is_array()) {
    return join_items(value, message_of);
  }
  if (!value.is_object()) {
    return value.is_null() ? "" : dump(value);
  }
  std::string text;
  if (auto error = value.find("error"); error != value.end() && !error->is_null()) {
    text = message_of(*error);
  } else if (auto detail = value.find("detail"); detail != value.end() && !detail->is_null()) {
    text = detail->is_array() ? join_items(*detail, validation_item) : message_of(*detail);
    // problem+json (Replicate): "title" says what kind of failure "detail" describes.
    if (std::string title = string_field(value, "title"); !title.empty() && !text.empty()) {
      text = title + ": " + text;
    }
  } else if (std::string message = string_field(value, "message"); !message.empty()) {
    text = message;
  } else if (std::string description = string_field(value, "error_description");
             !description.empty()) {
    text = description;
  } else if (auto errors = value.find("errors"); errors != value.end() && errors->is_array()) {
    text = join_items(*errors, message_of);
  } else if (std::string msg = string_field(value, "msg"); !msg.empty()) {
    text = msg;
  } else if (std::string title = string_field(value, "title"); !title.empty()) {
    text = title;
  } else {
    text = dump(value); // an unknown shape: show it rather than nothing
  }
  // TGI/TEI classify their errors; the class helps tell a validation error from an overload.
  if (std::string type = string_field(value, "error_type"); !type.empty() && !text.empty()) {
    text += " [" + type + "]";
  }
  return text;
}

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
    } else {
      if (space) {
        out += ' ';
      }
      space = false;
      out += c;
    }
  }
  return out;
}

// The text inside the first <tag ...>...</tag>, markup and common entities removed.
std::string html_element_text(std::string_view html, std::string_view tag) {
  const std::string lower = util::to_lower(html);
  const std::size_t open = lower.find("<" + std::string(tag));
  if (open == std::string::npos) {
    return "";
  }
  const std::size_t start = lower.find('>', open);
  const std::size_t end =
      start == std::string::npos ? start : lower.find("</" + std::string(tag), start);
  if (end == std::string::npos) {
    return "";
  }
  std::string text;
  bool in_tag = false;
  for (char c : html.substr(start + 1, end - start - 1)) {
    if (c == '<') {
      in_tag = true;
    } else if (c == '>') {
      in_tag = false;
    } else if (!in_tag) {
      text += c;
    }
  }
  for (auto [entity, plain] : {std::pair{"&amp;", "&"},
                               {"&lt;", "<"},
                               {"&gt;", ">"},
                               {"&quot;", "\""},
                               {"&#39;", "'"},
                               {"&nbsp;", " "}}) {
    for (std::size_t at = text.find(entity); at != std::string::npos;
         at = text.find(entity, at + 1)) {
      text.replace(at, std::string_view(entity).size(), plain);
    }
  }
  return collapse_whitespace(text);
}

bool looks_like_html(std::string_view content_type, std::string_view body) {
  const std::string_view head = util::trim(body).substr(0, 256);
  return util::contains_icase(content_type, "html") ||
         util::starts_with_icase(head, "<!doctype html") ||
         util::starts_with_icase(head, "<html") || util::contains_icase(head, "<head>");
}

std::string body_message(const Response& response) {
  const std::string_view body = util::trim(response.body);
  if (body.empty()) {
    return "";
  }
  const std::string content_type = response.headers.get("Content-Type").value_or("");
  if (body.front() == '{' || body.front() == '[' || body.front() == '"') {
    const json parsed = util::parse_untrusted(body);
    if (!parsed.is_discarded()) {
      return message_of(parsed);
    }
  }
  if (looks_like_html(content_type, body)) {
    std::string title = html_element_text(body, "title");
    if (title.empty()) {
      title = html_element_text(body, "h1");
    }
    return title.empty() ? "(HTML page)" : title + " (HTML page)";
  }
  if (body.find('\0') != std::string_view::npos) {
    return "(" + std::to_string(response.body.size()) + " bytes of binary data)";
  }
  return std::string(body);
}

// What to do next, in terms of HTTP alone: the client layer replaces it with what a Hugging Face
// user should do (client/errors.hpp), and the CLI adds the options that help (cli/hints.cpp).
std::string hint_for(ErrorKind kind, const Response& response) {
  const int status = response.status;
  switch (kind) {
  case ErrorKind::auth:
    return "the server refused the credentials, or they lack a permission this call needs";
  case ErrorKind::not_found:
    return "check the name or URL";
  case ErrorKind::rate_limited:
    if (auto wait = server_delay(response.headers, std::chrono::system_clock::now())) {
      return "rate limit reached; the server asks to wait " +
             std::to_string((wait->count() + 999) / 1000) + " s before trying again";
    }
    return "rate limit reached; wait a moment and try again";
  case ErrorKind::rejected:
    if (status == 413) {
      return "the request is too large for this server; send a smaller input";
    }
    return "the server refused the request: check the input and parameters";
  case ErrorKind::unavailable:
    if (status == 503) {
      return "the server is not ready (loading, scaled to zero, paused or overloaded); try again "
             "in a while";
    }
    if (status == 408 || status == 504) {
      return "the server timed out; try again later, or with a smaller input";
    }
    return "the server failed; try again later";
  default:
    return "unexpected HTTP status; rerun with -vv to see the exchange";
  }
}

ErrorKind kind_for(int status, const std::string& error_code) {
  if (error_code == "GatedRepo" || status == 401 || status == 403) {
    return ErrorKind::auth;
  }
  if (status == 404 || status == 410) {
    return ErrorKind::not_found;
  }
  if (status == 402 || status == 429) {
    return ErrorKind::rate_limited;
  }
  // TEI answers 424 when its model backend fails: a server-side failure despite the 4xx.
  if (status == 408 || status == 424 || (status >= 500 && status < 600)) {
    return ErrorKind::unavailable;
  }
  if (status >= 400 && status < 500) {
    return ErrorKind::rejected;
  }
  return ErrorKind::bad_response;
}

} // namespace

std::string extract_server_message(const Response& response) {
  std::string header =
      std::string(util::trim(response.headers.get("X-Error-Message").value_or("")));
  std::string body = body_message(response);
  std::string text;
  if (header.empty()) {
    text = std::move(body);
  } else if (body.empty() || header.find(body) != std::string::npos ||
             body.find(header) != std::string::npos) {
    text = header.size() >= body.size() ? std::move(header) : std::move(body);
  } else {
    text = header + "; " + body;
  }
  return util::truncate_utf8(util::redact(text), k_max_message);
}

std::string request_id(const Headers& headers) {
  for (const char* name : {"x-request-id", "X-Amzn-Trace-Id", "x-amz-cf-id"}) {
    if (auto value = headers.get(name); value && !util::trim(*value).empty()) {
      return std::string(util::trim(*value));
    }
  }
  return "";
}

Error error_from_response(const Response& response, std::string what) {
  const std::string error_code =
      std::string(util::trim(response.headers.get("X-Error-Code").value_or("")));
  Error e;
  e.kind = kind_for(response.status, error_code);
  e.message = what.empty() ? "request" : std::move(what);
  e.http_status = response.status;
  e.server_message = extract_server_message(response);
  e.request_id = request_id(response.headers);
  e.hint = hint_for(e.kind, response);
  return e;
}

} // namespace hfrun::http
