// The local backend (docs/local.md): the runtime and the files are chosen from the model's file
// list (the Hub's tree, the cache snapshot offline, or a folder), only those files are fetched into
// the shared cache, the runtime's worker is started on them and waited for (its port file, or its
// exit with the last stderr lines), and the run goes to the endpoint backend on the worker's
// loopback URL with the flavour given (toolkit for transformers.js, llama.cpp for llama.cpp), so
// the requests, decoding, streaming and errors are the endpoint ones. The worker is stopped when
// the backend is destroyed.
#include "endpoint_backend.hpp"
#include "local_backend.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <hfrun/backends/local.hpp>
#include <hfrun/cache/download.hpp>
#include <hfrun/http/transport.hpp>
#include <hfrun/hub/model_info.hpp>
#include <hfrun/hub/repo_files.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/process.hpp>
#include <thread>
#include <unistd.h>

namespace hfrun::backends {

namespace fs = std::filesystem;

namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string file_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string human_size(std::uint64_t bytes) {
  char buf[32];
  if (bytes >= (1ull << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1ull << 30));
  } else if (bytes >= (1ull << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1ull << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  }
  return buf;
}

// One GGUF model: a file, or the parts of a split one ("-00001-of-00003.gguf"), loaded from the
// first part.
struct GgufModel {
  std::string key; // the path without the split suffix
  std::vector<std::string> parts;
  std::uint64_t size = 0;
};

std::string without_split_suffix(const std::string& path) {
  // name-00001-of-00003.gguf -> name.gguf
  const std::string stem = path.substr(0, path.size() - 5);
  if (stem.size() > 15) {
    const std::string tail = stem.substr(stem.size() - 15); // -00001-of-00003
    if (tail[0] == '-' && tail.substr(6, 4) == "-of-" &&
        std::all_of(tail.begin() + 1, tail.begin() + 6, ::isdigit) &&
        std::all_of(tail.begin() + 10, tail.end(), ::isdigit)) {
      return stem.substr(0, stem.size() - 15) + ".gguf";
    }
  }
  return path;
}

std::vector<GgufModel> gguf_models(const std::vector<RepoFile>& files) {
  std::vector<GgufModel> models;
  for (const auto& f : files) {
    if (!ends_with(upper(f.path), ".GGUF") || upper(file_name(f.path)).find("MMPROJ") == 0) {
      continue;
    }
    const std::string key = without_split_suffix(f.path);
    auto it = std::find_if(models.begin(), models.end(),
                           [&](const GgufModel& m) { return m.key == key; });
    if (it == models.end()) {
      models.push_back({key, {}, 0});
      it = models.end() - 1;
    }
    it->parts.push_back(f.path);
    it->size += f.size;
  }
  for (auto& m : models) {
    std::sort(m.parts.begin(), m.parts.end());
  }
  std::sort(models.begin(), models.end(),
            [](const GgufModel& a, const GgufModel& b) { return a.key < b.key; });
  return models;
}

// Whether the file name holds `quant` as one of its -/. separated words (Q4_K_M in
// model-Q4_K_M.gguf), case-insensitively.
bool names_quant(const std::string& path, const std::string& quant) {
  std::string name = upper(file_name(path));
  name = name.substr(0, name.size() - 5);
  const std::string q = upper(quant);
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find_first_of("-.", start), name.size());
    if (name.substr(start, end - start) == q) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

// transformers.js's dtypes and the ONNX file each loads (onnx/model<suffix>.onnx).
struct DtypeFile {
  const char* dtype;
  const char* suffix;
};
constexpr DtypeFile k_dtypes[] = {
    {"fp32", ""},        {"q8", "_quantized"}, {"fp16", "_fp16"},   {"int8", "_int8"},
    {"uint8", "_uint8"}, {"q4", "_q4"},        {"q4f16", "_q4f16"}, {"bnb4", "_bnb4"},
};

bool has_file(const std::vector<RepoFile>& files, const std::string& path) {
  return std::any_of(files.begin(), files.end(), [&](const RepoFile& f) { return f.path == path; });
}

// The small top-level files a model folder is read with: config, tokenizer, preprocessor.
std::vector<std::string> config_files(const std::vector<RepoFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) {
    if (f.path.find('/') == std::string::npos &&
        (ends_with(f.path, ".json") || ends_with(f.path, ".txt") || ends_with(f.path, ".model"))) {
      out.push_back(f.path);
    }
  }
  return out;
}

// transformers' weights at the top level: the safetensors files, else pytorch_model*.bin; none
// without a config.json.
std::vector<std::string> torch_weights(const std::vector<RepoFile>& files) {
  std::vector<std::string> safetensors;
  std::vector<std::string> bins;
  for (const auto& f : files) {
    if (f.path.find('/') != std::string::npos) {
      continue;
    }
    if (ends_with(f.path, ".safetensors")) {
      safetensors.push_back(f.path);
    } else if (f.path.rfind("pytorch_model", 0) == 0 && ends_with(f.path, ".bin")) {
      bins.push_back(f.path);
    }
  }
  if (!has_file(files, "config.json")) {
    return {};
  }
  return safetensors.empty() ? bins : safetensors;
}

Result<LocalChoice> choose_llama(const std::vector<RepoFile>& files,
                                 const std::string& quant,
                                 std::uint64_t available,
                                 const std::string& model) {
  const auto models = gguf_models(files);
  const GgufModel* chosen = nullptr;
  std::string why;
  if (!quant.empty()) {
    for (const auto& m : models) {
      if (names_quant(m.parts.front(), quant)) {
        chosen = &m;
        break;
      }
    }
    if (chosen == nullptr) {
      std::string names;
      for (const auto& m : models) {
        names += (names.empty() ? "" : ", ") + file_name(m.key);
      }
      return fail(ErrorKind::usage, model + " has no GGUF file for quantization " + quant,
                  "its GGUF files: " + names);
    }
    why = "quantization " + quant;
  } else {
    for (const auto& m : models) {
      if (m.size <= available && (chosen == nullptr || m.size > chosen->size)) {
        chosen = &m;
      }
    }
    if (chosen != nullptr) {
      why = "the largest GGUF that fits in memory (" + human_size(chosen->size) + " of " +
            human_size(available) + " available)";
    } else {
      chosen = &*std::min_element(
          models.begin(), models.end(),
          [](const GgufModel& a, const GgufModel& b) { return a.size < b.size; });
      why = "the smallest GGUF (" + human_size(chosen->size) + "; none fits the " +
            human_size(available) + " of memory available)";
    }
  }
  LocalChoice choice;
  choice.runtime = find_runtime("llama.cpp");
  choice.files = chosen->parts;
  choice.model_path = chosen->parts.front();
  choice.why = "llama.cpp runs GGUF: " + file_name(chosen->parts.front()) + ", " + why;
  return choice;
}

Result<LocalChoice> choose_onnx(const std::vector<RepoFile>& files,
                                const std::string& quant,
                                const std::string& model) {
  const DtypeFile* chosen = nullptr;
  for (const auto& d : k_dtypes) {
    if (!quant.empty() && upper(quant) != upper(d.dtype)) {
      continue;
    }
    if (has_file(files, std::string("onnx/model") + d.suffix + ".onnx")) {
      chosen = &d;
      break;
    }
  }
  if (chosen == nullptr) {
    return fail(ErrorKind::usage,
                model + " has no ONNX weights for transformers.js" +
                    (quant.empty() ? "" : " of dtype " + quant),
                "transformers.js loads onnx/model.onnx (fp32), onnx/model_quantized.onnx (q8), "
                "onnx/model_fp16.onnx ...");
  }
  LocalChoice choice;
  choice.runtime = find_runtime("transformers.js");
  choice.dtype = chosen->dtype;
  const std::string onnx = std::string("onnx/model") + chosen->suffix + ".onnx";
  for (const auto& f : files) {
    const bool root_config = f.path.find('/') == std::string::npos &&
                             (ends_with(f.path, ".json") || ends_with(f.path, ".txt"));
    // External weights: onnx/model.onnx_data, onnx/model.onnx_data_1 ...
    if (root_config || f.path == onnx || f.path.rfind(onnx + "_data", 0) == 0) {
      choice.files.push_back(f.path);
    }
  }
  choice.why = "transformers.js runs ONNX: " + onnx + " (dtype " + choice.dtype + ")";
  return choice;
}

// MemAvailable of /proc/meminfo; 8 GiB when it cannot be read.
std::uint64_t available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") {
      return kib * 1024;
    }
  }
  return 8ull << 30;
}

std::vector<RepoFile> list_folder(const fs::path& root) {
  std::vector<RepoFile> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (!it->is_regular_file(size_ec)) { // follows the cache's symbolic links
      continue;
    }
    // Lexically: fs::relative would resolve the cache's links into blobs/.
    const std::string rel = it->path().lexically_relative(root).generic_string();
    if (rel.rfind(".cache/", 0) == 0 || rel.rfind(".git/", 0) == 0) {
      continue;
    }
    out.push_back({rel, static_cast<std::uint64_t>(fs::file_size(it->path(), size_ec))});
  }
  std::sort(out.begin(), out.end(),
            [](const RepoFile& a, const RepoFile& b) { return a.path < b.path; });
  return out;
}

std::optional<std::string> env_value(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    return std::nullopt;
  }
  return std::string(v);
}

// Where the model is: a folder, a .gguf file, or a repo (the files fetched into the cache).
struct ModelSource {
  bool local_path = false;
  fs::path root; // the folder (or the snapshot once fetched)
  hub::RepoRef repo;
  std::string revision = "main";      // the commit once listed
  std::string revision_name;          // as the user named it (--revision, default main)
  std::string quant;                  // from MODEL:QUANT
  std::vector<RepoFile> files;        // what it holds
  std::optional<nlohmann::json> info; // the Hub's model info (online)
};

Result<ModelSource> find_model(client::Client& client, const Call& call) {
  ModelSource source;
  std::error_code ec;
  const fs::path as_path(call.target);
  if (fs::is_directory(as_path, ec)) {
    source.local_path = true;
    source.root = as_path;
    source.files = list_folder(as_path);
    return source;
  }
  if (fs::is_regular_file(as_path, ec)) {
    if (!ends_with(upper(call.target), ".GGUF")) {
      return fail(ErrorKind::usage, call.target + " is a file, but not a GGUF file",
                  "pass a .gguf file, a model folder, or a Hub model id");
    }
    source.local_path = true;
    source.root = as_path.parent_path().empty() ? fs::path(".") : as_path.parent_path();
    source.files = {
        {as_path.filename().string(), static_cast<std::uint64_t>(fs::file_size(as_path, ec))}};
    return source;
  }
  std::string id = call.target;
  if (const auto colon = id.rfind(':'); colon != std::string::npos) {
    source.quant = id.substr(colon + 1);
    id = id.substr(0, colon);
  }
  HFRUN_TRY(hub::validate_repo_id(id));
  source.repo = hub::RepoRef{hub::RepoType::model, id};
  source.revision = call.option("revision", "main");
  if (source.revision.empty()) {
    source.revision = "main";
  }
  source.revision_name = source.revision;
  const config::Config& config = client.config();
  if (config.offline) {
    // What the snapshot holds, not the repo's whole tree: an earlier hfrun local fetched only
    // what its runtime needed.
    const cache::RepoCache repo_cache(config.hub_cache, source.repo);
    const std::string hint = "HF_HUB_OFFLINE is set, so only the cache (" +
                             config.hub_cache.string() + ") was read; unset it to download";
    std::string commit = source.revision;
    if (!hub::is_commit_hash(commit)) {
      const auto ref = repo_cache.read_ref(commit);
      if (!ref) {
        return fail(ErrorKind::not_found,
                    "revision " + commit + " of model " + id + " is not in the cache", hint);
      }
      commit = *ref;
    }
    std::error_code dir_ec;
    if (!fs::is_directory(repo_cache.snapshot_dir(commit), dir_ec)) {
      return fail(ErrorKind::not_found,
                  "commit " + commit + " of model " + id + " is not in the cache", hint);
    }
    source.root = repo_cache.snapshot_dir(commit);
    source.revision = commit;
    source.files = list_folder(source.root);
    return source;
  }
  hub::ModelQuery query;
  query.id = id;
  query.revision = source.revision == "main" ? "" : source.revision;
  HFRUN_TRY_ASSIGN(info, hub::fetch_model_info(client, query));
  source.info = std::move(info);
  if (const auto renamed = util::json_string(*source.info, "id"); renamed && !renamed->empty()) {
    source.repo.id = *renamed;
  }
  HFRUN_TRY_ASSIGN(commit, hub::resolve_commit(client, source.repo, source.revision));
  source.revision = commit;
  HFRUN_TRY_ASSIGN(tree, hub::list_tree(client, source.repo, commit));
  for (const auto& f : tree) {
    source.files.push_back({f.path, f.content_size()});
  }
  return source;
}

std::string describe_target(const ModelSource& source, const Call& call) {
  return source.local_path ? call.target : source.repo.id;
}

// The task: --task, else what the model says (the Hub's pipeline_tag, config.json's
// architectures), else chat for llama.cpp.
Result<const tasks::TaskSpec*> local_task(const Call& call,
                                          const ModelSource& source,
                                          const LocalChoice& choice,
                                          const fs::path& model_root) {
  HFRUN_TRY_ASSIGN(requested, requested_task(call));
  if (requested != nullptr) {
    return requested;
  }
  if (choice.runtime->name == "llama.cpp") {
    return tasks::find_task("conversational");
  }
  if (source.info) {
    if (const auto tag = util::json_string(*source.info, "pipeline_tag")) {
      if (const tasks::TaskSpec* spec = tasks::find_task(*tag)) {
        return spec;
      }
    }
  }
  std::ifstream in(model_root / "config.json", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string task = task_from_architectures(util::parse_untrusted(text));
  if (!task.empty()) {
    return tasks::find_task(task);
  }
  return fail(ErrorKind::usage,
              "which task does " + describe_target(source, call) + " run? it does not say",
              "pass --task TASK, e.g. --task feature-extraction");
}

// The tasks each worker runs (docs/local.md).
bool worker_runs(const RuntimeInfo& runtime, tasks::TaskId task) {
  using tasks::TaskId;
  if (runtime.name == "llama.cpp") {
    return tasks::is_generation(task);
  }
  if (runtime.name == "transformers") {
    return true; // any pipeline task; the worker says which it cannot load
  }
  switch (task) {
  case TaskId::text_classification:
  case TaskId::feature_extraction:
  case TaskId::image_classification:
  case TaskId::token_classification:
  case TaskId::fill_mask:
  case TaskId::question_answering:
  case TaskId::zero_shot_classification:
    return true;
  default:
    return false;
  }
}

class WorkerProcess final : public LocalWorker {
public:
  WorkerProcess(util::ChildProcess child,
                fs::path scratch,
                std::string url,
                std::string runtime,
                std::string task)
      : m_child(std::move(child)), m_scratch(std::move(scratch)), m_url(std::move(url)),
        m_runtime(std::move(runtime)), m_task(std::move(task)) {}
  ~WorkerProcess() override {
    (void)m_child.stop();
    std::error_code ec;
    fs::remove_all(m_scratch, ec);
  }
  const std::string& url() const override { return m_url; }
  void set_url(std::string url) { m_url = std::move(url); }
  [[nodiscard]] bool exited() { return m_child.exited().has_value(); }
  const std::string& runtime() const override { return m_runtime; }
  const std::string& task() const override { return m_task; }

  Result<void> wait(const util::CancelToken& cancel) override {
    while (!cancel.cancelled()) {
      if (m_child.exited()) {
        return unexpected<Error>(died("stopped"));
      }
      (void)cancel.wait_for(std::chrono::milliseconds(200));
    }
    return {};
  }

  // Whether it died, waiting a moment for an exit under way (a crash seen as a reset connection).
  bool died_now() {
    for (int i = 0; i < 10 && !m_child.exited(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return m_child.exited().has_value();
  }

  Error died(const std::string& when) {
    const auto status = m_child.exited();
    const std::string tail = util::tail_lines(m_scratch / "stderr.log", 5);
    return make_error(ErrorKind::unavailable,
                      "the " + m_runtime + " worker " + when + " (exit status " +
                          (status ? std::to_string(*status) : std::string("?")) + ")" +
                          (tail.empty() ? std::string() : ":\n" + tail),
                      "run again with -v; the worker's own message is above");
  }

private:
  util::ChildProcess m_child;
  fs::path m_scratch;
  std::string m_url;
  std::string m_runtime;
  std::string m_task;
};

struct Started {
  std::unique_ptr<WorkerProcess> worker;
  const tasks::TaskSpec* task = nullptr;
  std::string target; // the model, as the user named it (canonical id for a repo)
  std::string why;
};

// Whether `python` imports transformers and torch (the Python runtime is the user's own pip
// install; --setup installs only the Node runtimes).
Result<void> check_python_runtime(const std::string& python) {
  const std::string hint = "install it with: pip install transformers torch (or set HFRUN_PYTHON "
                           "to a Python that has them)";
  if (!util::find_program(python)) {
    return fail(ErrorKind::usage,
                "the transformers runtime needs Python: " + python + " is not installed", hint);
  }
  util::ProcessOptions process;
  process.argv = {python, "-c", "import transformers, torch"};
  HFRUN_TRY_ASSIGN(child, util::ChildProcess::start(process));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::optional<int> status;
  while (!(status = child.exited()) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (status != std::optional<int>(0)) {
    return fail(ErrorKind::usage,
                "the transformers runtime is not installed (" + python +
                    " cannot import transformers and torch)",
                hint);
  }
  return {};
}

Result<Started> start_worker(client::Client& client, const Call& call) {
  const std::string runtime_option = call.option("runtime", "auto");
  if (runtime_option != "auto" && find_runtime(runtime_option) == nullptr) {
    return fail(ErrorKind::usage, "unknown --runtime " + runtime_option,
                "use auto, transformers.js, llama.cpp or transformers");
  }
  HFRUN_TRY_ASSIGN(source, find_model(client, call));
  const std::string quant = !call.option("quant").empty() ? call.option("quant") : source.quant;
  const std::string target = describe_target(source, call);
  HFRUN_TRY_ASSIGN(
      choice, choose_local_files(source.files, runtime_option, quant, available_memory(), target));
  const RuntimeInfo& runtime = *choice.runtime;

  // The runtime and node, before any download.
  const fs::path runtime_dir = call.option("runtime_dir").empty()
                                   ? local_runtime_dir(runtime)
                                   : fs::path(call.option("runtime_dir"));
  std::error_code ec;
  const bool python = runtime.package.empty();
  const std::string python_program = env_value("HFRUN_PYTHON").value_or("python3");
  if (python) {
    HFRUN_TRY(check_python_runtime(python_program));
  } else if (!fs::exists(runtime_dir / "node_modules" / runtime.package / "package.json", ec)) {
    return fail(ErrorKind::usage,
                "the " + runtime.name + " runtime is not installed (no " + runtime.package +
                    " in " + runtime_dir.string() + ")",
                "install it with: hfrun local --setup " + runtime.name);
  }
  const std::string node = call.option("node", "node");
  if (!python && !util::find_program(node)) {
    return fail(ErrorKind::usage,
                "node is not installed: the " + runtime.name + " runtime runs on Node.js",
                "install Node.js 20 or newer (https://nodejs.org), then run again");
  }
  const fs::path worker_script = local_workers_dir() / runtime.worker;
  if (!fs::exists(worker_script, ec)) {
    return fail(ErrorKind::internal, "the worker " + worker_script.string() + " is missing",
                "reinstall hfrun, or point HFRUN_WORKERS_DIR at its workers/ folder");
  }

  // Only the chosen files, into the shared cache (offline: they must be there).
  fs::path root = source.root;
  if (!source.local_path) {
    cache::DownloadRequest request;
    request.repo = source.repo;
    request.revision = source.revision;
    request.files = choice.files;
    const config::Config& config = client.config();
    if (config.offline) {
      HFRUN_TRY(cache::resolve_offline(config.hub_cache, request));
    } else {
      // By the revision's name, so that its ref is written and a later offline run finds it.
      request.revision = source.revision_name;
      HFRUN_TRY_ASSIGN(fetched,
                       cache::download(client, config.hub_cache, request,
                                       [&client](std::string_view line) { client.note(line); }));
      source.revision = fetched.commit;
    }
    // The snapshot folder (a download of one file answers with the file's path).
    root = cache::RepoCache(config.hub_cache, source.repo).snapshot_dir(source.revision);
  }
  HFRUN_TRY_ASSIGN(task, local_task(call, source, choice, root));
  if (!worker_runs(runtime, task->id)) {
    return fail(ErrorKind::usage,
                "the " + runtime.name + " worker does not run " + std::string(task->name),
                runtime.name == "llama.cpp"
                    ? "llama.cpp runs conversational and text-generation; --runtime transformers "
                      "runs other tasks"
                    : "transformers.js runs text-classification, feature-extraction, "
                      "image-classification, token-classification, fill-mask, "
                      "question-answering and zero-shot-classification");
  }

  // The port file and the worker's stderr, removed with the worker.
  const std::string pattern = env_value("TMPDIR").value_or("/tmp") + "/hfrun-local-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  const char* made = ::mkdtemp(buf.data());
  if (made == nullptr) {
    return fail(ErrorKind::internal, "cannot create a temporary folder for the worker");
  }
  const fs::path scratch(made);
  const fs::path port_file = scratch / "port.json";

  util::ProcessOptions process;
  process.argv = {python ? python_program : node, worker_script.string()};
  if (python) {
    process.argv.insert(process.argv.end(),
                        {"--model-dir", root.string(), "--task", std::string(task->name)});
  } else if (runtime.name == "llama.cpp") {
    process.argv.insert(process.argv.end(), {"--model-file", (root / choice.model_path).string(),
                                             "--model-name", target});
    if (!call.option("threads").empty()) {
      process.argv.insert(process.argv.end(), {"--threads", call.option("threads")});
    }
    if (!call.option("ctx").empty()) {
      process.argv.insert(process.argv.end(), {"--ctx", call.option("ctx")});
    }
  } else {
    process.argv.insert(process.argv.end(), {"--model-dir", root.string(), "--task",
                                             std::string(task->name), "--dtype", choice.dtype});
  }
  process.argv.insert(process.argv.end(),
                      {"--host", "127.0.0.1", "--port", call.option("port", "0"), "--port-file",
                       port_file.string()});
  if (!python) {
    process.argv.insert(process.argv.end(), {"--runtime-dir", runtime_dir.string()});
  }
  process.stderr_to = scratch / "stderr.log";
  auto child = util::ChildProcess::start(process);
  if (!child) {
    fs::remove_all(scratch, ec);
    return unexpected<Error>(child.error());
  }
  auto worker = std::make_unique<WorkerProcess>(std::move(*child), scratch, std::string(),
                                                runtime.name, std::string(task->name));

  // Ready when the port file appears (written whole, then renamed); or it exits.
  const double timeout_s = std::strtod(call.option("load_timeout", "300").c_str(), nullptr);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
  const util::CancelToken* cancel = client.options().retry.cancel;
  int port = 0;
  while (port == 0) {
    if (cancel != nullptr && cancel->cancelled()) {
      return fail(ErrorKind::interrupted,
                  "interrupted while the " + runtime.name + " worker loaded the model");
    }
    if (fs::exists(port_file, ec)) {
      std::ifstream in(port_file, std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
      port = static_cast<int>(util::json_int(util::parse_untrusted(text), "port").value_or(0));
      if (port <= 0 || port > 65535) {
        return fail(ErrorKind::bad_response,
                    "the " + runtime.name + " worker wrote a port file without a port: " + text);
      }
      break;
    }
    if (worker->exited()) {
      return unexpected<Error>(worker->died("exited while loading " + target));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return fail(ErrorKind::unavailable,
                  "the " + runtime.name + " worker did not load " + target + " within " +
                      call.option("load_timeout", "300") + " s",
                  "a large model takes longer: raise --load-timeout");
    }
    if (cancel != nullptr) {
      (void)cancel->wait_for(std::chrono::milliseconds(50));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  worker->set_url("http://127.0.0.1:" + std::to_string(port));
  Started started;
  started.worker = std::move(worker);
  started.task = task;
  started.target = target;
  started.why = choice.why;
  return started;
}

} // namespace

const std::vector<RuntimeInfo>& local_runtimes() {
  static const std::vector<RuntimeInfo> k_runtimes{
      {"llama.cpp", "llama_cpp.mjs", "node-llama-cpp"},
      {"transformers.js", "transformers_js.mjs", "@huggingface/transformers"},
      {"transformers", "transformers_py.py", ""}, // Python: transformers and torch
  };
  return k_runtimes;
}

const RuntimeInfo* find_runtime(std::string_view name) {
  for (const auto& r : local_runtimes()) {
    if (r.name == name) {
      return &r;
    }
  }
  return nullptr;
}

fs::path local_runtime_dir(const RuntimeInfo& runtime) {
  if (const auto dir = env_value("HFRUN_LOCAL_RUNTIME_DIR")) {
    return *dir;
  }
  if (const auto xdg = env_value("XDG_DATA_HOME")) {
    return fs::path(*xdg) / "hfrun" / "runtimes" / runtime.name;
  }
  return fs::path(env_value("HOME").value_or("/")) / ".local" / "share" / "hfrun" / "runtimes" /
         runtime.name;
}

fs::path local_workers_dir() {
  if (const auto dir = env_value("HFRUN_WORKERS_DIR")) {
    return *dir;
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "hfrun" / "workers";
    if (fs::exists(installed / "common.mjs", ec)) {
      return installed;
    }
  }
  // A build that is not installed runs the source tree's workers.
  return fs::path(HFRUN_SOURCE_DIR) / "workers";
}

Result<LocalChoice> choose_local_files(const std::vector<RepoFile>& files,
                                       const std::string& runtime,
                                       const std::string& quant,
                                       std::uint64_t available,
                                       const std::string& model) {
  const bool has_gguf = !gguf_models(files).empty();
  bool has_onnx = false;
  for (const auto& d : k_dtypes) {
    has_onnx = has_onnx || has_file(files, std::string("onnx/model") + d.suffix + ".onnx");
  }
  has_onnx = has_onnx && has_file(files, "config.json");
  if (runtime == "llama.cpp" || (runtime == "auto" && has_gguf)) {
    if (!has_gguf) {
      return fail(ErrorKind::usage, model + " has no GGUF file for llama.cpp",
                  has_onnx ? "its ONNX weights run with --runtime transformers.js"
                           : "`hfrun probe " + model + "` shows which ways can run it");
    }
    auto choice = choose_llama(files, quant, available, model);
    if (choice && runtime == "auto") {
      choice->why = "auto: " + choice->why + " (GGUF files come first)";
    }
    return choice;
  }
  if (runtime == "transformers.js" || (runtime == "auto" && has_onnx)) {
    if (!has_onnx) {
      return fail(ErrorKind::usage,
                  model + " has no ONNX weights for transformers.js (config.json and "
                          "onnx/model*.onnx)",
                  has_gguf ? "its GGUF files run with --runtime llama.cpp"
                           : "`hfrun probe " + model + "` shows which ways can run it");
    }
    auto choice = choose_onnx(files, quant, model);
    if (choice && runtime == "auto") {
      choice->why = "auto: " + choice->why + " (no GGUF file)";
    }
    return choice;
  }
  const auto torch = torch_weights(files);
  if (runtime == "transformers" || (runtime == "auto" && !torch.empty())) {
    if (torch.empty()) {
      return fail(ErrorKind::usage,
                  model + " has no weights for transformers (config.json and *.safetensors or "
                          "pytorch_model*.bin)",
                  has_gguf   ? "its GGUF files run with --runtime llama.cpp"
                  : has_onnx ? "its ONNX weights run with --runtime transformers.js"
                             : "`hfrun probe " + model + "` shows which ways can run it");
    }
    LocalChoice choice;
    choice.runtime = find_runtime("transformers");
    choice.files = config_files(files);
    choice.files.insert(choice.files.end(), torch.begin(), torch.end());
    choice.why = "transformers runs " + file_name(torch.front()) +
                 (torch.size() > 1 ? " (" + std::to_string(torch.size()) + " files)" : "");
    if (runtime == "auto") {
      choice.why = "auto: " + choice.why + " (no GGUF file, no ONNX export)";
    }
    return choice;
  }
  return fail(ErrorKind::not_found,
              model + " has no weights a local runtime runs: no GGUF file (llama.cpp), no ONNX "
                      "export under onnx/ (transformers.js), no safetensors or PyTorch weights "
                      "(transformers)",
              "`hfrun probe " + model +
                  "` shows which ways can run it (Inference Providers, endpoints, Spaces)");
}

std::string task_from_architectures(const nlohmann::json& config) {
  const nlohmann::json* archs = util::json_array(config, "architectures");
  if (archs == nullptr) {
    return {};
  }
  static const std::pair<const char*, const char*> k_heads[] = {
      {"ForSequenceClassification", "text-classification"},
      {"ForImageClassification", "image-classification"},
      {"ForTokenClassification", "token-classification"},
      {"ForMaskedLM", "fill-mask"},
      {"ForQuestionAnswering", "question-answering"},
      {"ForCausalLM", "text-generation"},
      {"Model", "feature-extraction"},
  };
  for (const auto& a : *archs) {
    const auto name = util::as_string(a);
    if (!name) {
      continue;
    }
    for (const auto& [suffix, task] : k_heads) {
      if (ends_with(*name, suffix)) {
        return task;
      }
    }
  }
  return {};
}

Result<std::unique_ptr<LocalWorker>> start_local_worker(client::Client& client, const Call& call) {
  HFRUN_TRY_ASSIGN(started, start_worker(client, call));
  std::unique_ptr<LocalWorker> worker = std::move(started.worker);
  return worker;
}

namespace {

// The client of the worker's loopback requests: the user's options (retries, -H, the cancel token,
// notes), but no token (the worker needs none) and not offline: HF_HUB_OFFLINE forbids the network,
// and a worker hfrun started on 127.0.0.1 is not the network.
std::unique_ptr<client::Client> worker_client(const client::Client& client) {
  client::ClientOptions options = client.options();
  options.config.offline = false;
  options.token = config::Token{};
  http::TransportOptions transport;
  transport.cancel = options.retry.cancel;
  client::Reporter reporter;
  reporter.note = [&client](std::string_view line) { client.note(line); };
  return std::make_unique<client::Client>(std::move(options), http::make_curl_transport(transport),
                                          client.sleeper(), std::move(reporter));
}

class LocalBackend final : public Backend {
public:
  // Starting the worker is the lookup: the files are listed (and fetched) first.
  bool needs_lookup(const Call& call) const override {
    (void)call;
    return true;
  }

  Result<Plan> plan(client::Client& client, const Call& call) override {
    if (client.dry_run()) {
      return fail(ErrorKind::usage,
                  "--dry-run shows a request; hfrun local sends none over the "
                  "network but to its own worker",
                  "run it without --dry-run, or `hfrun local serve MODEL` and then `hfrun "
                  "endpoint http://127.0.0.1:PORT --dry-run`");
    }
    HFRUN_TRY_ASSIGN(started, start_worker(client, call));
    m_worker = std::move(started.worker);
    m_worker_client = worker_client(client);
    Call to_worker;
    to_worker.command = call.command;
    to_worker.target = m_worker->url();
    to_worker.task = std::string(started.task->name);
    to_worker.param_keys = call.param_keys;
    to_worker.options = {{"flavor", m_worker->runtime() == "llama.cpp" ? "llamacpp" : "toolkit"},
                         {"wait_timeout", "0"}};
    m_endpoint = make_endpoint_backend();
    auto planned = m_endpoint->plan(*m_worker_client, to_worker);
    if (!planned) {
      return unexpected<Error>(with_worker_state(std::move(planned.error())));
    }
    Plan plan = std::move(*planned);
    plan.target = started.target;
    if (m_worker->runtime() == "llama.cpp") {
      plan.body_model = started.target; // the worker's --model-name
    }
    plan.via =
        "local " + m_worker->runtime() + " worker at " + m_worker->url() + " (" + started.why + ")";
    return plan;
  }

  Result<http::Request>
  encode(const Plan& plan, const tasks::Inputs& inputs, const EncodeContext& context) override {
    return m_endpoint->encode(plan, inputs, context);
  }

  Result<Outcome> execute(client::Client& client,
                          const Plan& plan,
                          http::Request& request,
                          const ExecuteOptions& options) override {
    (void)client; // the worker's requests go through the worker client (worker_client())
    auto outcome = m_endpoint->execute(*m_worker_client, plan, request, options);
    if (!outcome) {
      return unexpected<Error>(with_worker_state(std::move(outcome.error())));
    }
    return outcome;
  }

private:
  // A worker that died explains the failed request better than the request's own error.
  Error with_worker_state(Error error) {
    WorkerProcess* worker = m_worker.get();
    if (worker != nullptr && error.kind != ErrorKind::interrupted &&
        error.kind != ErrorKind::terminated && worker->died_now()) {
      return worker->died("died during the request");
    }
    return error;
  }

  std::unique_ptr<WorkerProcess> m_worker;
  std::unique_ptr<client::Client> m_worker_client;
  std::unique_ptr<Backend> m_endpoint;
};

} // namespace

std::unique_ptr<Backend> make_local_backend() {
  return std::make_unique<LocalBackend>();
}

} // namespace hfrun::backends
