#include <hfrun/space/output_names.hpp>
#include <string>
#include <system_error>

namespace hfrun::space {

namespace {

namespace fs = std::filesystem;

// The length of the longest prefix of `text` no longer than `limit` that ends on a UTF-8 boundary.
std::size_t utf8_cut(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) {
    return text.size();
  }
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) {
    --cut; // text[cut] continues a multi-byte character: cut before that character
  }
  return cut;
}

std::string shortened(const std::string& name) {
  if (name.size() <= k_max_output_name) {
    return name;
  }
  const auto dot = name.rfind('.');
  const std::size_t extension = dot == std::string::npos ? 0 : name.size() - dot;
  if (extension > 0 && extension <= 16) {
    const std::string_view stem(name.data(), dot);
    return std::string(stem.substr(0, utf8_cut(stem, k_max_output_name - extension))) +
           name.substr(dot);
  }
  return name.substr(0, utf8_cut(name, k_max_output_name));
}

} // namespace

std::string safe_output_name(std::string_view name, std::size_t index) {
  const auto slash = name.find_last_of("/\\");
  std::string safe(slash == std::string_view::npos ? name : name.substr(slash + 1));
  if (safe == "." || safe == "..") {
    safe.clear();
  }
  for (char& c : safe) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      c = '_';
    }
  }
  if (!safe.empty() && (safe.front() == '.' || safe.front() == '-')) {
    safe.front() = '_';
  }
  if (safe.empty()) {
    return "output-" + std::to_string(index + 1);
  }
  return shortened(safe);
}

fs::path free_output_path(const fs::path& wanted) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(wanted, ec))) {
    return wanted;
  }
  for (int i = 1;; ++i) {
    fs::path candidate = wanted.parent_path() / (wanted.stem().string() + "-" + std::to_string(i) +
                                                 wanted.extension().string());
    if (!fs::exists(fs::symlink_status(candidate, ec))) {
      return candidate;
    }
  }
}

} // namespace hfrun::space
