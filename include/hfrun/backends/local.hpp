// `hfrun local`: a model run on this machine by a runtime worker (workers/*.mjs, docs/local.md).
// The backend of the table plans by choosing the runtime and the files, fetching them into the
// shared cache, starting the worker and handing the run to the endpoint backend on its loopback
// URL. `hfrun local serve` keeps the same worker up in the foreground.
#pragma once

#include <chrono>
#include <filesystem>
#include <hfrun/backends/backend.hpp>
#include <hfrun/util/cancel.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hfrun::backends {

// Call options of the local backend (all strings, as Call::options carries them):
//   runtime      auto | transformers.js | llama.cpp
//   quant        a GGUF quantization (Q4_K_M) or a transformers.js dtype (fp32, q8, ...)
//   revision     the repo revision (default main)
//   hub_cache    the shared cache folder; offline "1": HF_HUB_OFFLINE
//   runtime_dir  the folder whose node_modules holds the runtime (default: local_runtime_dir())
//   workers_dir  where the workers are (default: local_workers_dir())
//   node         the node program (default "node")
//   threads, ctx llama.cpp's thread count and context size ("" = the worker's defaults)
//   load_timeout seconds to wait for the worker to load the model (default 300)
//   port         the worker's port (default 0: a free one)

// The runtimes, in the order auto tries them.
struct RuntimeInfo {
  std::string name;    // "llama.cpp"
  std::string worker;  // "llama_cpp.mjs"
  std::string package; // the npm package the worker imports ("node-llama-cpp")
};
[[nodiscard]] const std::vector<RuntimeInfo>& local_runtimes();
[[nodiscard]] const RuntimeInfo* find_runtime(std::string_view name);

// HFRUN_LOCAL_RUNTIME_DIR, else $XDG_DATA_HOME/hfrun/runtimes/<name>, else
// ~/.local/share/hfrun/runtimes/<name>.
[[nodiscard]] std::filesystem::path local_runtime_dir(const RuntimeInfo& runtime);
// HFRUN_WORKERS_DIR, else <exe dir>/../share/hfrun/workers, else the source tree's workers/.
[[nodiscard]] std::filesystem::path local_workers_dir();

// What the model's files offer, and the choice made from them (pure, for tests).
struct RepoFile {
  std::string path;
  std::uint64_t size = 0;
};
struct LocalChoice {
  const RuntimeInfo* runtime = nullptr;
  std::vector<std::string> files; // to fetch (repo paths)
  std::string model_path;         // the file (llama.cpp) or folder ("" = the snapshot) to load
  std::string dtype;              // transformers.js --dtype
  std::string why;                // for -v
};
// `available_memory`: bytes the GGUF may take (the largest that fits is the default).
[[nodiscard]] Result<LocalChoice> choose_local_files(const std::vector<RepoFile>& files,
                                                     const std::string& runtime,
                                                     const std::string& quant,
                                                     std::uint64_t available_memory,
                                                     const std::string& model);

// The transformers.js task of a config.json's architectures ("BertForSequenceClassification" ->
// text-classification); "" when it says none.
[[nodiscard]] std::string task_from_architectures(const nlohmann::json& config);

// A started worker, up until destroyed.
class LocalWorker {
public:
  virtual ~LocalWorker() = default;
  [[nodiscard]] virtual const std::string& url() const = 0;
  [[nodiscard]] virtual const std::string& runtime() const = 0;
  [[nodiscard]] virtual const std::string& task() const = 0;
  // Blocks until the worker exits (an Error with its last stderr lines) or `cancel` fires.
  [[nodiscard]] virtual Result<void> wait(const util::CancelToken& cancel) = 0;
};

[[nodiscard]] Result<std::unique_ptr<LocalWorker>> start_local_worker(client::Client& client,
                                                                      const Call& call);

} // namespace hfrun::backends
