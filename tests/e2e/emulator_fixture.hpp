// End-to-end fixture: one hfrun-emulator for the whole test program (started on free ports), and a
// way to run the hfrun binary against it with a clean environment.
#pragma once

#include "support/emulator_process.hpp"
#include "support/secret_collection.hpp"
#include "support/subprocess.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace hfrun::test {

struct Emulator {
  std::string hub;
  std::string router;
  std::string cdn;
  std::string gradio;
  std::string endpoints; // the inference servers ({endpoints}/servers/{name}) and endpoints' URLs
  std::string endpoints_api; // the Inference Endpoints API (HFRUN_ENDPOINTS_API_URL = this + /v2)
  std::string token;
  std::filesystem::path dir; // the launcher's private directory (requests.jsonl is the request log)
  std::unique_ptr<EmulatorProcess> process;
};

// One emulator per test program (per process): each ctest entry runs its own program, so entries
// run in parallel without sharing an emulator, its fault rules or its log.
class EmulatorEnvironment : public ::testing::Environment {
public:
  static Emulator& emulator() { return *s_emulator; }

  void SetUp() override {
    m_collection = start_secret_collection();
    s_emulator = std::make_unique<Emulator>();
    auto& e = *s_emulator;
    EmulatorOptions options;
    options.binary = HFRUN_EMULATOR_BIN;
    options.request_log = true;
    auto started = EmulatorProcess::start(options);
    ASSERT_TRUE(started) << started.error();
    e.process = std::move(*started);
    e.dir = e.process->dir();
    e.hub = e.process->info().hub;
    e.router = e.process->info().router;
    e.cdn = e.process->info().cdn;
    e.gradio = e.process->info().gradio;
    e.endpoints = e.process->info().endpoints;
    e.endpoints_api = e.process->info().endpoints_api;
    e.token = e.process->info().token.empty() ? std::string(HFRUN_EMULATOR_TOKEN)
                                              : e.process->info().token;
  }

  void TearDown() override {
    // Everything hfrun wrote lies in the emulator's folder (HF_HOME, scratch(), request log); the
    // emulator's own output and port file are not hfrun's.
    if (m_collection && s_emulator) {
      keep_for_secret_scan(*m_collection, s_emulator->dir, "emulator-dir",
                           {"emulator.log", "ports.json"});
    }
    s_emulator.reset();
  }

private:
  static inline std::unique_ptr<Emulator> s_emulator;
  std::optional<std::filesystem::path> m_collection;
};

// Run hfrun with the emulator's URLs, a private HF_HOME, and (unless `with_token` is false) its
// token.
inline ProcessResult hfrun(const std::vector<std::string>& args,
                           bool with_token = true,
                           std::map<std::string, std::string> env = {},
                           const std::optional<std::string>& stdin_data = std::nullopt) {
  auto& e = EmulatorEnvironment::emulator();
  env.emplace("HF_ENDPOINT", e.hub);
  env.emplace("HFRUN_ROUTER_URL", e.router);
  env.emplace("HFRUN_ENDPOINTS_API_URL", e.endpoints_api + "/v2");
  env.emplace("HF_HOME", (e.dir / "home").string());
  if (with_token) {
    env.emplace("HF_TOKEN", e.token);
  }
  std::vector<std::string> argv{HFRUN_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, env, stdin_data);
}

// The emulator's request log, one JSON object per request.
inline std::vector<nlohmann::json> request_log() {
  std::vector<nlohmann::json> out;
  std::ifstream in(EmulatorEnvironment::emulator().dir / "requests.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded()) {
      out.push_back(std::move(j));
    }
  }
  return out;
}

} // namespace hfrun::test
