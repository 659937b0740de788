// hfrun local MODEL [INPUT] [PARAMS]: the model run on this machine by a runtime worker
// (docs/local.md); everything but its own options is the generic run-model command's. `hfrun local
// serve MODEL` keeps the worker up in the foreground; `hfrun local --setup RUNTIME` installs a
// runtime's npm packages.
#include "run_model.hpp"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <hfrun/backends/local.hpp>
#include <hfrun/util/process.hpp>

namespace hfrun::cli {

namespace {

namespace fs = std::filesystem;

// The npm packages of each runtime, at the versions tests/local/package.json pins and the workers
// are tested with (tests/local/worker_test.mjs).
struct RuntimePackages {
  const char* runtime;
  std::vector<std::string> packages;
};
const std::vector<RuntimePackages>& runtime_packages() {
  static const std::vector<RuntimePackages> k_packages{
      {"transformers.js",
       {"@huggingface/transformers@4.3.2", "@img/sharp-linux-x64@0.35.5",
        "@img/sharp-libvips-linux-x64@1.3.4"}},
      {"llama.cpp", {"node-llama-cpp@3.22.1", "@node-llama-cpp/linux-x64@3.22.1"}},
  };
  return k_packages;
}

// node-llama-cpp 3.22.1 lists optional binaries never published at that version; npm resolves
// them even with --omit=optional, so they are pinned to 3.21.1 as in tests/local/package.json.
constexpr const char* k_package_json = R"({
  "name": "hfrun-local-runtime",
  "private": true,
  "type": "module",
  "overrides": {
    "@node-llama-cpp/linux-riscv64": "3.21.1",
    "@node-llama-cpp/mac-arm64-metal": "3.21.1",
    "@node-llama-cpp/mac-x64": "3.21.1",
    "@node-llama-cpp/win-arm64": "3.21.1",
    "@node-llama-cpp/win-x64": "3.21.1",
    "@node-llama-cpp/win-x64-cuda": "3.21.1",
    "@node-llama-cpp/win-x64-cuda-ext": "3.21.1",
    "@node-llama-cpp/win-x64-vulkan": "3.21.1"
  }
}
)";

Result<void> setup_runtime(CommandEnv& env, const std::string& name) {
  const backends::RuntimeInfo* runtime = backends::find_runtime(name);
  const auto packages = std::find_if(runtime_packages().begin(), runtime_packages().end(),
                                     [&](const RuntimePackages& p) { return p.runtime == name; });
  if (runtime == nullptr || packages == runtime_packages().end()) {
    return fail(ErrorKind::usage, "unknown runtime '" + name + "' for --setup",
                "use --setup transformers.js or --setup llama.cpp");
  }
  if (!util::find_program("npm")) {
    return fail(ErrorKind::usage,
                "npm is not installed: the " + name + " runtime is an npm package",
                "install Node.js 20 or newer with npm (https://nodejs.org), then run again");
  }
  const fs::path dir = backends::local_runtime_dir(*runtime);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return fail(ErrorKind::usage, "cannot create " + dir.string() + ": " + ec.message());
  }
  if (!fs::exists(dir / "package.json", ec)) {
    std::ofstream out(dir / "package.json", std::ios::binary);
    out << k_package_json;
    if (!out) {
      return fail(ErrorKind::usage, "cannot write " + (dir / "package.json").string());
    }
  }
  env.out.note("installing the " + name + " runtime into " + dir.string() + " with npm");
  util::ProcessOptions process;
  process.argv = {"npm",        "install",   "--prefix",        dir.string(), "--omit=optional",
                  "--no-audit", "--no-fund", "--loglevel=error"};
  process.argv.insert(process.argv.end(), packages->packages.begin(), packages->packages.end());
  // onnxruntime-node's postinstall would download CUDA libraries; its CPU binary is in the package.
  process.env = {"ONNXRUNTIME_NODE_INSTALL=skip"};
  HFRUN_TRY_ASSIGN(child, util::ChildProcess::start(process));
  std::optional<int> status;
  while (!(status = child.exited())) {
    if (env.cancel.cancelled()) {
      return fail(ErrorKind::interrupted,
                  "interrupted while npm installed the " + name + " runtime");
    }
    (void)env.cancel.wait_for(std::chrono::milliseconds(200));
  }
  if (*status != 0) {
    return fail(ErrorKind::unavailable,
                "npm install of the " + name + " runtime failed (exit status " +
                    std::to_string(*status) + ")",
                "npm's message is above; check the network to the npm registry and run again");
  }
  return env.out.result_text(dir.string());
}

class LocalCommand final : public RunModelCommand {
public:
  LocalCommand()
      : RunModelCommand("local",
                        "model",
                        "A Hub model id (MODEL or MODEL:QUANT), a model folder, or a .gguf file") {}

protected:
  void add_backend_options(CLI::App& sub) override {
    sub.add_option("--runtime", m_runtime,
                   "auto (GGUF: llama.cpp, else ONNX: transformers.js, else safetensors: "
                   "transformers), transformers.js, llama.cpp or transformers (Python)")
        ->check(CLI::IsMember({"auto", "transformers.js", "llama.cpp", "transformers"}));
    sub.add_option("--quant", m_quant,
                   "llama.cpp: the GGUF quantization (Q4_K_M; default: the largest that fits in "
                   "memory); transformers.js: the ONNX dtype (fp32, q8, fp16 ...)");
    sub.add_option("--revision", m_revision, "The repo revision (branch, tag or commit)");
    sub.add_option("--threads", m_threads, "llama.cpp's thread count")->check(CLI::PositiveNumber);
    sub.add_option("--ctx", m_ctx, "llama.cpp's context size")->check(CLI::PositiveNumber);
    sub.add_option("--load-timeout", m_load_timeout_s,
                   "Seconds to wait for the runtime to load the model (default 300)")
        ->check(CLI::PositiveNumber);
    sub.add_option("--setup", m_setup,
                   "Install a runtime's npm packages (transformers.js or llama.cpp) into hfrun's "
                   "data folder, then exit");
  }

  void add_backend_commands(CLI::App& sub) override {
    m_serve = sub.add_subcommand("serve", "Keep the model's worker running in the foreground; "
                                          "prints its URL (use it with hfrun endpoint URL)");
    m_serve->fallthrough();
    m_serve->add_option("model", m_serve_model, "The model, as for hfrun local")->required();
    m_serve->add_option("--port", m_port, "The port (default: a free one)")
        ->check(CLI::Range(0, 65535));
    m_serve->add_option("--task", m_serve_task, "Task (default: what the model says it does)");
    m_serve->footer("Example:\n  hfrun local serve ggml-org/gemma-3-1b-it-GGUF:Q4_K_M --port 8080\n"
                    "  hfrun endpoint http://127.0.0.1:8080 --text \"Hello\"");
  }

  std::optional<Result<void>> run_backend_command(CommandEnv& env) override {
    if (!m_setup.empty()) {
      return setup_runtime(env, m_setup);
    }
    if (m_serve != nullptr && m_serve->parsed()) {
      return serve(env);
    }
    return std::nullopt;
  }

  std::map<std::string, std::string> backend_options() const override {
    std::map<std::string, std::string> options{{"runtime", m_runtime},
                                               {"quant", m_quant},
                                               {"revision", m_revision},
                                               {"load_timeout", std::to_string(m_load_timeout_s)}};
    if (m_threads > 0) {
      options["threads"] = std::to_string(m_threads);
    }
    if (m_ctx > 0) {
      options["ctx"] = std::to_string(m_ctx);
    }
    return options;
  }

private:
  Result<void> serve(CommandEnv& env) {
    backends::Call call;
    call.command = "local serve";
    call.target = m_serve_model;
    if (!m_serve_task.empty()) {
      call.task = m_serve_task;
    }
    call.options = backend_options();
    call.options["port"] = std::to_string(m_port);
    HFRUN_TRY_ASSIGN(worker, backends::start_local_worker(env.client, call));
    env.out.note(worker->runtime() + " worker serving " + m_serve_model + " (" + worker->task() +
                 ") until Ctrl-C; e.g. hfrun endpoint " + worker->url() +
                 (worker->runtime() == "llama.cpp"
                      ? " --text \"Hello\""
                      : " --flavor toolkit --task " + worker->task() + " INPUT"));
    HFRUN_TRY(env.out.result_text(worker->url()));
    HFRUN_TRY(env.out.finish()); // the URL reaches a pipe now, not at exit
    HFRUN_TRY(worker->wait(env.cancel));
    // Ctrl-C ends serving: the worker is stopped, and the exit status says how hfrun ended.
    return fail(env.cancel.signal() == SIGTERM ? ErrorKind::terminated : ErrorKind::interrupted,
                "stopped serving " + m_serve_model);
  }

  std::string m_runtime = "auto";
  std::string m_quant;
  std::string m_revision;
  int m_threads = 0;
  int m_ctx = 0;
  double m_load_timeout_s = 300;
  std::string m_setup;
  CLI::App* m_serve = nullptr;
  std::string m_serve_model;
  std::string m_serve_task;
  int m_port = 0;
};

} // namespace

std::unique_ptr<Command> make_local_command() {
  return std::make_unique<LocalCommand>();
}

} // namespace hfrun::cli
