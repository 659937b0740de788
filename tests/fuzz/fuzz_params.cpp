// The user's `key=value`, `key:=json` parameters (src/util/params.cpp), one a line, and what the
// text-generation tasks make of them (src/tasks/generation.cpp: TGI's types, the TGI-only keys, the
// OpenAI completions mapping). `key=@path` reads a file, so lines whose value starts with '@' are
// left out. Checked: whatever parses is a JSON object of the keys given, and serializes (it is sent
// as a request body).
#include "fuzz_input.hpp"

#include <cstdlib>
#include <hfrun/tasks/generation.hpp>
#include <hfrun/util/params.hpp>
#include <hfrun/util/strings.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> items;
  for (auto& line : hfrun::util::split(hfrun::fuzz::as_text(data, size), '\n')) {
    const auto eq = line.find('=');
    if (eq != std::string::npos && eq + 1 < line.size() && line[eq + 1] == '@') {
      continue;
    }
    if (hfrun::util::is_param(line) && (eq == std::string::npos || eq == 0)) {
      std::abort(); // a parameter has a key before its '='
    }
    items.push_back(std::move(line));
  }
  auto params = hfrun::util::parse_params(items);
  if (!params) {
    return 0;
  }
  if (!params->is_object() || params->size() > items.size()) {
    std::abort();
  }
  (void)params->dump();
  if (auto typed = hfrun::tasks::tgi_parameters(*params)) {
    (void)typed->dump();
    (void)hfrun::tasks::tgi_only_parameters(*typed);
    if (auto completions = hfrun::tasks::completions_parameters(*typed)) {
      (void)completions->dump();
    }
  }
  return 0;
}
