// The recorded replies of huggingface.js's test suite (HFRUN_TAPES_FILE), each with the task
// tests/data/tasks/tape_tasks.json gives it: one loader for the decode and the mutation tests.
#pragma once

#include "support.hpp"

#include <hfrun/tasks/task.hpp>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace hfrun::tasks::test {

struct Tape {
  std::string url;
  std::string request;
  int status = 0;
  std::string content_type;
  std::string body;    // binary replies: the decoded bytes
  bool binary = false; // the recording held the body as base64 bytes
  const TaskSpec* spec = nullptr;
};

struct TapeSet {
  std::vector<Tape> tapes;                // those a rule gives a known task
  std::vector<std::string> unmapped;      // urls no rule or skip entry covers
  std::vector<std::string> unknown_tasks; // tasks a rule names that the task table lacks
};

// The fixtures are hfrun's own (trusted): read with nlohmann's throwing accessors.
inline TapeSet load_tape_set() {
  struct Rule {
    std::regex url;
    std::optional<std::regex> body;
    std::string task; // empty: skipped
  };
  const nlohmann::json fixture = nlohmann::json::parse(read_file(data_dir() / "tape_tasks.json"));
  std::vector<Rule> rules;
  for (const auto& s : fixture["skip"]) {
    rules.push_back({std::regex(s["url"].get<std::string>()), std::nullopt, ""});
  }
  for (const auto& r : fixture["rules"]) {
    Rule rule{std::regex(r["url"].get<std::string>()), std::nullopt, r["task"].get<std::string>()};
    if (r.contains("body")) {
      rule.body = std::regex(r["body"].get<std::string>());
    }
    rules.push_back(std::move(rule));
  }
  TapeSet set;
  const nlohmann::json tapes = nlohmann::json::parse(read_file(HFRUN_TAPES_FILE));
  for (const auto& [key, t] : tapes.items()) {
    const std::string url = t["url"].get<std::string>();
    const nlohmann::json& init_body =
        t["init"].contains("body") ? t["init"]["body"] : nlohmann::json("");
    const std::string request =
        init_body.is_string() ? init_body.get<std::string>() : init_body.dump();
    const Rule* match = nullptr;
    for (const auto& rule : rules) {
      if (std::regex_search(url, rule.url) &&
          (!rule.body || std::regex_search(request, *rule.body))) {
        match = &rule;
        break;
      }
    }
    if (match == nullptr) {
      set.unmapped.push_back(url);
      continue;
    }
    if (match->task.empty()) {
      continue;
    }
    const TaskSpec* spec = find_task(match->task);
    if (spec == nullptr) {
      set.unknown_tasks.push_back(match->task);
      continue;
    }
    const nlohmann::json& response = t["response"];
    Tape tape{url,
              request,
              response["status"].get<int>(),
              response["headers"].value("content-type", ""),
              response["body"].get<std::string>(),
              false,
              spec};
    constexpr std::string_view k_binary = "data:application/octet-stream;base64,";
    if (tape.body.starts_with(k_binary)) {
      tape.body = base64_decode(std::string_view(tape.body).substr(k_binary.size()))
                      .value_or("<bad base64>");
      tape.binary = true;
    }
    set.tapes.push_back(std::move(tape));
  }
  return set;
}

} // namespace hfrun::tasks::test
