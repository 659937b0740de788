#include <cerrno>
#include <cstring>
#include <hfrun/batch/lines.hpp>
#include <hfrun/util/json.hpp>

namespace hfrun::batch {

LineReader::LineReader(std::FILE* in, std::size_t max_line) : m_in(in), m_max(max_line) {}

std::optional<RawLine> LineReader::next() {
  for (;;) {
    RawLine line;
    bool any = false;
    int c = 0;
    while ((c = getc_unlocked(m_in)) != EOF) {
      any = true;
      if (c == '\n') {
        break;
      }
      if (line.text.size() >= m_max) {
        line.too_long = true;
        continue; // skip the rest of the line without holding it
      }
      line.text.push_back(static_cast<char>(c));
    }
    if (c == EOF && std::ferror(m_in) != 0) {
      m_error = make_error(ErrorKind::usage,
                           std::string("reading the batch input failed: ") + std::strerror(errno));
      return std::nullopt;
    }
    if (!any) {
      return std::nullopt;
    }
    line.number = ++m_number;
    if (!line.text.empty() && line.text.back() == '\r') {
      line.text.pop_back();
    }
    if (line.too_long) {
      line.text.clear();
      return line;
    }
    if (line.text.find_first_not_of(" \t") == std::string::npos) {
      if (c == EOF) {
        return std::nullopt;
      }
      continue; // a blank line: counted, not an item
    }
    return line;
  }
}

ParsedLine parse_line(const RawLine& line) {
  ParsedLine parsed;
  parsed.item.line = line.number;
  parsed.item.id = line.number;
  const std::string where = "line " + std::to_string(line.number);
  if (line.too_long) {
    parsed.error = make_error(ErrorKind::usage, where + " is too long to be one input");
    return parsed;
  }
  nlohmann::json value = util::parse_untrusted(line.text);
  if (value.is_discarded()) {
    parsed.error = make_error(ErrorKind::usage, where + " is not valid JSON",
                              "each line is one JSON object, e.g. {\"id\": 1, \"text\": \"...\"}");
    return parsed;
  }
  if (!value.is_object()) {
    parsed.error = make_error(ErrorKind::usage, where + " is not a JSON object",
                              "each line is one JSON object, e.g. {\"id\": 1, \"text\": \"...\"}");
    return parsed;
  }
  if (const auto* id = util::json_member(value, "id")) {
    if (id->is_string() || id->is_number_integer() || id->is_number_unsigned()) {
      parsed.item.id = *id;
    } else {
      parsed.error =
          make_error(ErrorKind::usage, where + ": \"id\" must be a string or an integer");
    }
    value.erase("id");
  }
  parsed.item.fields = std::move(value);
  return parsed;
}

std::string id_key(const nlohmann::json& id) {
  return id.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace hfrun::batch
