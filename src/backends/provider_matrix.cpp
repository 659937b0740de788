// The provider x task matrix of docs/serverless.md, generated from the provider table so the docs
// cannot drift from it (tests/unit/backends/provider_table_test.cpp compares the two).
#include "providers.hpp"

#include <vector>

namespace hfrun::backends {

namespace {

// The matrix says "yes" where --list-providers says "direct".
std::string_view cell(const ProviderTask& row) {
  const std::string_view style = run_style(row);
  return style == "direct" ? "yes" : style;
}

} // namespace

std::string provider_matrix_markdown() {
  std::vector<tasks::TaskId> columns;
  for (const auto& spec : tasks::all_tasks()) {
    for (const auto& row : provider_tasks()) {
      if (row.task == spec.id) {
        columns.push_back(spec.id);
        break;
      }
    }
  }
  std::string out = "| provider |";
  std::string rule = "|---|";
  for (const auto id : columns) {
    out += " " + std::string(tasks::task(id).name) + " |";
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  std::string_view provider;
  for (const auto& row : provider_tasks()) {
    if (row.provider == provider) {
      continue;
    }
    provider = row.provider;
    out += "| " + std::string(provider) + " |";
    for (const auto id : columns) {
      const ProviderTask* pair = find_provider_task(provider, id);
      out += pair != nullptr ? " " + std::string(cell(*pair)) + " |" : " |";
    }
    out += "\n";
  }
  return out;
}

} // namespace hfrun::backends
