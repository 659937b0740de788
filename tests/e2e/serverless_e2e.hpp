// Helpers shared by the `hfrun serverless` end-to-end tests: running the binary with a check that
// the token never leaks, the emulator's request log since a point, the peer captures, dry-run
// bodies.
#pragma once

#include "emulator_fixture.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <httplib.h>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace hfrun::test::serverless {

using nlohmann::json;

inline const std::string k_png = std::string(HFRUN_TEST_DATA_DIR) + "/peer-captures/tiny.png";
inline const std::string k_wav = std::string(HFRUN_TEST_DATA_DIR) + "/peer-captures/tiny.wav";
inline const std::string k_captures =
    std::string(HFRUN_TEST_DATA_DIR) + "/peer-captures/inference-requests.jsonl";

inline const std::string k_chat_model = "meta-llama/Llama-3.1-8B-Instruct";

struct RunOptions {
  bool with_token = true;
  std::map<std::string, std::string> env;
  std::optional<std::string> stdin_data;
};

inline RunOptions without_token(std::map<std::string, std::string> env = {}) {
  RunOptions o;
  o.with_token = false;
  o.env = std::move(env);
  return o;
}

inline RunOptions with_env(std::map<std::string, std::string> env) {
  RunOptions o;
  o.env = std::move(env);
  return o;
}

inline RunOptions with_stdin(std::string data) {
  RunOptions o;
  o.stdin_data = std::move(data);
  return o;
}

inline std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) {
    out += (out.empty() ? "" : " ") + a;
  }
  return out;
}

// Runs `hfrun ARGS` against the emulator. Every test goes through here, so every run checks that
// neither the emulator's token nor a token given in `env` appears on stdout or stderr.
inline ProcessResult run(const std::vector<std::string>& args, const RunOptions& options = {}) {
  auto r = hfrun(args, options.with_token, options.env, options.stdin_data);
  std::vector<std::string> secrets{EmulatorEnvironment::emulator().token};
  for (const char* name : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
    if (auto it = options.env.find(name); it != options.env.end() && it->second.size() >= 6) {
      secrets.push_back(it->second);
    }
  }
  for (const auto& secret : secrets) {
    EXPECT_EQ(r.out.find(secret), std::string::npos)
        << "the token leaked on stdout of: hfrun " << joined(args);
    EXPECT_EQ(r.err.find(secret), std::string::npos)
        << "the token leaked on stderr of: hfrun " << joined(args);
  }
  return r;
}

// "hfrun serverless MODEL ARGS..."
inline ProcessResult serverless(const std::string& model,
                                std::vector<std::string> args,
                                const RunOptions& options = {}) {
  args.insert(args.begin(), {"serverless", model});
  return run(args, options);
}

inline std::string describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout ---\n" + r.out.substr(0, 2000) +
         "\n--- stderr ---\n" + r.err.substr(0, 2000);
}

inline json parse_json(const std::string& text) {
  return json::parse(text, nullptr, false);
}

// The emulator's log entries written after construction. The emulator logs a request after its
// response went out, so a reader waits (briefly) for the entries it expects.
class LogWindow {
public:
  LogWindow() : m_start(request_log().size()) {}

  // The new entries of `role` ("" for every role), waiting up to 3 s for at least `at_least`.
  [[nodiscard]] std::vector<json> entries(std::size_t at_least = 1,
                                          const std::string& role = "router") const {
    std::vector<json> out;
    for (int i = 0; i < 150; ++i) {
      out.clear();
      const auto all = request_log();
      for (std::size_t k = m_start; k < all.size(); ++k) {
        if (role.empty() || all[k].value("role", "") == role) {
          out.push_back(all[k]);
        }
      }
      if (out.size() >= at_least) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return out;
  }

  // The single new request of `role` with method POST (the inference call).
  [[nodiscard]] json last_post(const std::string& role = "router") const {
    for (int i = 0; i < 150; ++i) {
      const auto got = entries(1, role);
      for (auto it = got.rbegin(); it != got.rend(); ++it) {
        if ((*it)["method"] == "POST") {
          return *it;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return json();
  }

private:
  std::size_t m_start;
};

inline std::string header(const json& entry, const std::string& lower_name) {
  if (!entry.is_object() || !entry.contains("headers") || !entry["headers"].contains(lower_name)) {
    return {};
  }
  return entry["headers"][lower_name].get<std::string>();
}

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write_bytes(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A fresh folder for one test's files, under the emulator's temporary directory.
inline std::filesystem::path scratch() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = EmulatorEnvironment::emulator().dir / "scratch" /
             (std::string(info->test_suite_name()) + "." + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string sha256_hex(const std::string& bytes) {
  auto r = run_process({"/usr/bin/sha256sum"}, {}, bytes);
  return r.out.substr(0, 64);
}

inline std::string base64_of(const std::string& bytes) {
  auto r = run_process({"/usr/bin/base64", "-w0"}, {}, bytes);
  return r.out;
}

// The official JS client's captured requests (peer-captures/inference-requests.jsonl).
inline std::vector<json> captures() {
  std::vector<json> out;
  std::ifstream in(k_captures);
  std::string line;
  while (std::getline(in, line)) {
    auto j = parse_json(line);
    if (!j.is_discarded()) {
      out.push_back(std::move(j));
    }
  }
  return out;
}

// The body a `--dry-run` curl command sends: the (shell-quoted where needed) --data-binary
// argument, or for base64 JSON the printf prefix + base64 of the file + printf suffix; nullopt when
// there is none.
inline std::optional<std::string> dry_run_body(const std::string& command) {
  auto unquote_at = [&](std::size_t at, std::size_t* end) -> std::optional<std::string> {
    if (at >= command.size()) {
      return std::nullopt;
    }
    if (command[at] != '\'') { // a word that needed no quotes ends at a space or ';'
      const auto stop = command.find_first_of(" ;\n", at);
      if (end != nullptr) {
        *end = stop == std::string::npos ? command.size() : stop;
      }
      return command.substr(at, stop == std::string::npos ? std::string::npos : stop - at);
    }
    std::string out;
    std::size_t i = at + 1;
    while (i < command.size()) {
      if (command[i] == '\'') {
        if (command.compare(i, 4, "'\\''") == 0) {
          out += '\'';
          i += 4;
          continue;
        }
        if (end != nullptr) {
          *end = i + 1;
        }
        return out;
      }
      out += command[i++];
    }
    return std::nullopt;
  };
  if (command.find("| curl") != std::string::npos) {
    const auto p1 = command.find("printf '%s' ");
    std::size_t end = 0;
    auto prefix = unquote_at(p1 + 12, &end);
    const auto b = command.find("base64 -w0 ", end);
    auto path = unquote_at(b + 11, &end);
    const auto p2 = command.find("printf '%s' ", end);
    auto suffix = unquote_at(p2 + 12, &end);
    if (!prefix || !path || !suffix) {
      return std::nullopt;
    }
    return *prefix + base64_of(read_bytes(*path)) + *suffix;
  }
  const auto at = command.find("--data-binary ");
  if (at == std::string::npos) {
    return std::nullopt;
  }
  if (command[at + 14] == '@') {
    auto path = unquote_at(at + 15, nullptr);
    return path ? std::optional<std::string>(read_bytes(*path)) : std::nullopt;
  }
  return unquote_at(at + 14, nullptr);
}

// The emulator's control endpoint for the router role.
inline httplib::Client control() {
  httplib::Client client(EmulatorEnvironment::emulator().router);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  return client;
}

// An X-Emulator-Fault header value the emulator has not seen yet: its `times` counter is kept per
// exact value for the whole program, so each test gets its own (empty ";" parts are ignored).
inline std::string fault(const std::string& spec) {
  static int counter = 0;
  ++counter;
  return "X-Emulator-Fault: " + spec + ";role=router" +
         std::string(static_cast<std::size_t>(counter), ';');
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

} // namespace hfrun::test::serverless
