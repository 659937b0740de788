#include <algorithm>
#include <hfrun/http/message.hpp>

namespace hfrun::http {

namespace {
char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
} // namespace

Timeouts effective_timeouts(const std::optional<Timeouts>& request, const Timeouts& transport) {
  Timeouts t = request.value_or(transport);
  if (transport.total.count() > 0 && (t.total.count() == 0 || transport.total < t.total)) {
    t.total = transport.total;
  }
  return t;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

void Headers::add(std::string name, std::string value) {
  m_entries.emplace_back(std::move(name), std::move(value));
}

void Headers::set(std::string name, std::string value) {
  remove(name);
  add(std::move(name), std::move(value));
}

void Headers::remove(std::string_view name) {
  std::erase_if(m_entries, [&](const Entry& e) { return iequals(e.first, name); });
}

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& [key, value] : m_entries) {
    if (iequals(key, name)) {
      return value;
    }
  }
  return std::nullopt;
}

std::vector<std::string> Headers::get_all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : m_entries) {
    if (iequals(key, name)) {
      out.push_back(value);
    }
  }
  return out;
}

} // namespace hfrun::http
