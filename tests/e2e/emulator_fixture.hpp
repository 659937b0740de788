// End-to-end fixture: one hfrun-emulator for the whole test program (started on free ports), and a
// way to run the hfrun binary against it with a clean environment.
#pragma once

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
  std::string token;
  std::filesystem::path dir;
  std::unique_ptr<BackgroundProcess> process;
};

class EmulatorEnvironment : public ::testing::Environment {
public:
  static Emulator& emulator() { return *s_emulator; }

  void SetUp() override {
    s_emulator = std::make_unique<Emulator>();
    auto& e = *s_emulator;
    e.dir = std::filesystem::temp_directory_path() / ("hfrun-e2e-" + std::to_string(::getpid()));
    std::filesystem::create_directories(e.dir);
    const auto ports = e.dir / "ports.json";
    e.process = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{HFRUN_EMULATOR_BIN, "--port", "0", "--port-file", ports.string(),
                                 "--log", (e.dir / "requests.jsonl").string()},
        std::map<std::string, std::string>{}, (e.dir / "emulator.log").string());
    for (int i = 0; i < 300 && !std::filesystem::exists(ports); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream in(ports);
    auto j = nlohmann::json::parse(in, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "the emulator did not write its port file";
    e.hub = j.value("hub", "");
    e.router = j.value("router", "");
    e.cdn = j.value("cdn", "");
    e.token = j.value("token", std::string(HFRUN_EMULATOR_TOKEN));
  }

  void TearDown() override {
    if (s_emulator) {
      s_emulator->process.reset();
      std::filesystem::remove_all(s_emulator->dir);
      s_emulator.reset();
    }
  }

private:
  static inline std::unique_ptr<Emulator> s_emulator;
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
