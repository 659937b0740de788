// hfrun local end to end: the built binary runs the tiny real models of tests/local
// (make_tiny_models.py) through the real workers and runtimes (tests/local/node_modules, which
// ctest's local_setup installs), from a scratch Hugging Face cache with HF_HUB_OFFLINE=1 and from a
// folder. Each --json is the shape `hfrun serverless` gives for the task (docs/outputs.md).
// Skipped, saying why, when node, the npm packages or python3's onnx and numpy are missing.
#include "support/emulator_process.hpp"
#include "support/json_schema.hpp"
#include "support/secret_collection.hpp"
#include "support/subprocess.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/util/sha256.hpp>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

namespace hfrun::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path k_local_dir = fs::path(HFRUN_SOURCE_DIR) / "tests" / "local";
constexpr const char* k_commit = "0123456789abcdef0123456789abcdef01234567";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What is missing for these tests, or "".
std::string missing_prerequisite(std::string& python) {
  if (run_process({"/bin/sh", "-c", "command -v node"}, {}).exit_code != 0) {
    return "node not found";
  }
  for (const char* package : {"@huggingface/transformers", "node-llama-cpp"}) {
    if (!fs::exists(k_local_dir / "node_modules" / package / "package.json")) {
      return std::string("tests/local/node_modules has no ") + package +
             " (ctest -R local_setup installs it)";
    }
  }
  // As tests/local/worker_test.mjs: HFRUN_TEST_PYTHON, else Debian's python3.
  const char* chosen = std::getenv("HFRUN_TEST_PYTHON");
  for (const std::string& candidate : {std::string(chosen != nullptr ? chosen : ""),
                                       std::string("/usr/bin/python3"), std::string("python3")}) {
    if (!candidate.empty() &&
        run_process({"/bin/sh", "-c", candidate + " -c 'import onnx, numpy'"}, {}).exit_code == 0) {
      python = candidate;
      return "";
    }
  }
  return "python3 with onnx and numpy not found (Debian: python3-onnx python3-numpy)";
}

// A repo in the cache layout (docs/cache.md): blobs named by sha256, snapshot links relative.
void write_cache_repo(const fs::path& hub_cache,
                      const std::string& id,
                      const std::vector<std::pair<std::string, fs::path>>& files) {
  std::string folder = "models--" + id;
  folder.replace(folder.find('/'), 1, "--");
  const fs::path root = hub_cache / folder;
  fs::create_directories(root / "blobs");
  fs::create_directories(root / "refs");
  for (const auto& [path, source] : files) {
    const std::string bytes = read_file(source);
    const std::string etag = util::sha256_hex(bytes);
    std::ofstream(root / "blobs" / etag, std::ios::binary) << bytes;
    const fs::path link = root / "snapshots" / k_commit / path;
    fs::create_directories(link.parent_path());
    std::string target = "../../blobs/" + etag;
    for (char c : path) {
      if (c == '/') {
        target = "../" + target;
      }
    }
    fs::create_symlink(target, link);
  }
  std::ofstream(root / "refs" / "main", std::ios::binary) << k_commit;
}

std::vector<std::pair<std::string, fs::path>> folder_files(const fs::path& dir) {
  std::vector<std::pair<std::string, fs::path>> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      out.emplace_back(fs::relative(entry.path(), dir).generic_string(), entry.path());
    }
  }
  return out;
}

class LocalE2e : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    s_collection = start_secret_collection();
    std::string python;
    s_skip = missing_prerequisite(python);
    if (!s_skip.empty()) {
      return;
    }
    s_scratch = fs::temp_directory_path() / ("hfrun-local-e2e-" + std::to_string(::getpid()));
    fs::create_directories(s_scratch / "tmp");
    const auto made = run_process({"/bin/sh", "-c",
                                   python + " " + (k_local_dir / "make_tiny_models.py").string() +
                                       " " + (s_scratch / "models").string()},
                                  {}, std::nullopt, std::chrono::seconds(120));
    if (made.exit_code != 0) {
      s_skip = "make_tiny_models.py failed: " + made.err;
      return;
    }
    const fs::path models = s_scratch / "models";
    const fs::path cache = s_scratch / "hub";
    write_cache_repo(cache, "hfrun-test/text-classifier", folder_files(models / "text-classifier"));
    write_cache_repo(cache, "hfrun-test/image-classifier",
                     folder_files(models / "image-classifier"));
    write_cache_repo(cache, "hfrun-test/tiny-llama-GGUF",
                     {{"README.md", models / "text-classifier" / "config.json"},
                      {"tiny-llama-Q8_0.gguf", models / "tiny-llama.gguf"},
                      {"tiny-llama-F32.gguf", models / "tiny-llama.gguf"}});
    write_cache_repo(cache, "hfrun-test/pytorch-only",
                     {{"config.json", models / "text-classifier" / "config.json"},
                      {"model.safetensors", models / "tiny-llama.gguf"}});
    write_cache_repo(cache, "hfrun-test/tensorflow-only",
                     {{"config.json", models / "text-classifier" / "config.json"},
                      {"tf_model.h5", models / "tiny-llama.gguf"}});
    // A model that does not load: the ONNX file is not ONNX.
    write_cache_repo(cache, "hfrun-test/broken-onnx",
                     {{"config.json", models / "text-classifier" / "config.json"},
                      {"tokenizer.json", models / "text-classifier" / "tokenizer.json"},
                      {"onnx/model.onnx", models / "text-classifier" / "config.json"}});
  }
  static void TearDownTestSuite() {
    if (!s_scratch.empty()) {
      if (s_collection) {
        // The tiny models and the world file are this test's inputs, not hfrun's output.
        keep_for_secret_scan(*s_collection, s_scratch, "local-scratch",
                             {"models", "local_world.json"});
      }
      std::error_code ec;
      fs::remove_all(s_scratch, ec);
    }
  }
  void SetUp() override {
    if (!s_skip.empty()) {
      std::cout << "local e2e skipped: " << s_skip << "\n";
      GTEST_SKIP() << s_skip;
    }
  }

  static std::map<std::string, std::string> env() {
    return {{"HF_HUB_OFFLINE", "1"},
            {"HF_HUB_CACHE", (s_scratch / "hub").string()},
            {"HF_HOME", (s_scratch / "hf-home").string()},
            {"HFRUN_LOCAL_RUNTIME_DIR", k_local_dir.string()},
            {"TMPDIR", (s_scratch / "tmp").string()}};
  }
  static ProcessResult hfrun(std::vector<std::string> args,
                             std::map<std::string, std::string> environment = env()) {
    args.insert(args.begin(), HFRUN_BIN);
    return run_process(args, environment, std::nullopt, std::chrono::seconds(120));
  }
  // stdout as JSON; a task's result is also checked against its contract
  // (docs/schemas/tasks.schema.json, the same as serverless's and endpoint's).
  static json parsed(const ProcessResult& r) {
    json doc = json::parse(r.out, nullptr, false);
    if (doc.is_object() && doc.contains("task") && doc["task"].is_string()) {
      const auto errors =
          validate_against("tasks.schema.json", doc, doc["task"].get<std::string>());
      EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors) << "\n" << r.out;
    }
    return doc;
  }
  // Every worker's scratch folder is gone: the worker was stopped with hfrun.
  static void expect_no_worker_left() {
    for (const auto& entry : fs::directory_iterator(s_scratch / "tmp")) {
      ADD_FAILURE() << "left behind: " << entry.path();
    }
  }

  static inline std::string s_skip;
  static inline fs::path s_scratch;
  static inline std::optional<fs::path> s_collection;
};

void expect_labels_shape(const json& j, const std::string& task, const std::string& best) {
  ASSERT_TRUE(j.is_object()) << j.dump();
  EXPECT_EQ(j.size(), 2U) << j.dump(); // task and labels, as serverless gives
  EXPECT_EQ(j["task"], task);
  ASSERT_TRUE(j["labels"].is_array() && !j["labels"].empty()) << j.dump();
  EXPECT_EQ(j["labels"][0]["label"], best) << j.dump();
  double previous = 2;
  for (const auto& l : j["labels"]) {
    ASSERT_TRUE(l["score"].is_number()) << j.dump();
    const double s = l["score"].get<double>();
    EXPECT_TRUE(s >= 0 && s <= previous) << j.dump();
    previous = s;
  }
}

TEST_F(LocalE2e, TextClassificationFromTheCacheOffline) {
  const auto r =
      hfrun({"local", "hfrun-test/text-classifier", "--text", "great good love", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_labels_shape(parsed(r), "text-classification", "POSITIVE");
  EXPECT_EQ(parsed(r)["labels"].size(), 1U); // the Toolkit's default top_k
  expect_no_worker_left();
}

// One worker serves the whole batch (each target is planned once); every line gets its row.
TEST_F(LocalE2e, BatchRunsEveryLineThroughOneWorker) {
  const auto in = s_scratch / "batch.jsonl";
  {
    std::ofstream out(in);
    for (int i = 0; i < 6; ++i) {
      out << nlohmann::json{{"id", i}, {"text", i % 2 == 0 ? "great good love" : "bad awful hate"}}
                 .dump()
          << "\n";
    }
  }
  const auto r =
      hfrun({"local", "hfrun-test/text-classifier", "--batch", in.string(), "--ordered"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  std::istringstream rows(r.out);
  std::string line;
  int n = 0;
  while (std::getline(rows, line)) {
    const auto row = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(row.is_object()) << line;
    EXPECT_EQ(row["id"], n);
    EXPECT_TRUE(row["ok"]) << line;
    EXPECT_EQ(row["result"]["labels"][0]["label"], n % 2 == 0 ? "POSITIVE" : "NEGATIVE") << line;
    ++n;
  }
  EXPECT_EQ(n, 6);
  expect_no_worker_left();
}

TEST_F(LocalE2e, TextClassificationFromAFolderWithVerboseWhy) {
  const auto r = hfrun({"local", (s_scratch / "models" / "text-classifier").string(), "--text",
                        "bad awful hate", "--json", "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_labels_shape(parsed(r), "text-classification", "NEGATIVE");
  EXPECT_NE(r.err.find("transformers.js runs ONNX: onnx/model.onnx"), std::string::npos) << r.err;
}

TEST_F(LocalE2e, FeatureExtractionIsTokenEmbeddingsOfTheHiddenSize) {
  const auto r = hfrun({"local", "hfrun-test/text-classifier", "--task", "feature-extraction",
                        "--text", "good movie", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = parsed(r);
  EXPECT_EQ(j["task"], "feature-extraction");
  EXPECT_EQ(j["dimension"], 8) << j.dump();
  ASSERT_TRUE(j["shape"].is_array() && j["shape"].size() == 3) << j.dump();
  EXPECT_EQ(j["shape"][0], 1);
  EXPECT_EQ(j["shape"][2], 8);
}

TEST_F(LocalE2e, ImageClassificationOfAFile) {
  const auto r = hfrun({"local", "hfrun-test/image-classifier", "--file",
                        (s_scratch / "models" / "images" / "green.png").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_labels_shape(parsed(r), "image-classification", "green");
}

TEST_F(LocalE2e, LlamaCppChatStreamedIsTheSameDocumentAsWhole) {
  const std::vector<std::string> call{"local",         "hfrun-test/tiny-llama-GGUF:Q8_0",
                                      "--text",        "hello",
                                      "--threads",     "1",
                                      "max_tokens:=6", "temperature:=0",
                                      "--json"};
  auto streamed_args = call;
  streamed_args.push_back("--stream");
  const auto whole = hfrun(call);
  const auto streamed = hfrun(streamed_args);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
  const json w = parsed(whole);
  const json s = parsed(streamed);
  EXPECT_EQ(w["task"], "conversational");
  EXPECT_EQ(w["role"], "assistant");
  EXPECT_EQ(w["finish_reason"], "length") << w.dump();
  ASSERT_TRUE(w["content"].is_string() && !w["content"].get<std::string>().empty()) << w.dump();
  EXPECT_EQ(w["usage"]["completion_tokens"], 6) << w.dump();
  EXPECT_EQ(s["content"], w["content"]);
  EXPECT_EQ(s["finish_reason"], "length");
  expect_no_worker_left();
}

TEST_F(LocalE2e, LlamaCppStreamsTokensToStdout) {
  const auto r = hfrun({"local", "hfrun-test/tiny-llama-GGUF:Q8_0", "--text", "hello", "--threads",
                        "1", "max_tokens:=6", "temperature:=0", "--stream"});
  const auto j = hfrun({"local", "hfrun-test/tiny-llama-GGUF:Q8_0", "--text", "hello", "--threads",
                        "1", "max_tokens:=6", "temperature:=0", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_NE(r.out.find(parsed(j)["content"].get<std::string>()), std::string::npos) << r.out;
}

TEST_F(LocalE2e, LlamaCppTextGeneration) {
  const auto r = hfrun({"local", "hfrun-test/tiny-llama-GGUF", "--quant", "F32", "--task",
                        "text-generation", "--text", "once upon", "--threads", "1", "max_tokens:=5",
                        "temperature:=0", "--json", "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = parsed(r);
  EXPECT_EQ(j["task"], "text-generation");
  ASSERT_TRUE(j["generated_text"].is_string() && !j["generated_text"].get<std::string>().empty())
      << j.dump();
  EXPECT_EQ(j["finish_reason"], "length") << j.dump();
  EXPECT_NE(r.err.find("tiny-llama-F32.gguf, quantization F32"), std::string::npos) << r.err;
}

TEST_F(LocalE2e, MissingRuntimeNamesTheSetupCommand) {
  auto environment = env();
  environment["HFRUN_LOCAL_RUNTIME_DIR"] = (s_scratch / "no-runtimes").string();
  const auto r = hfrun({"local", "hfrun-test/text-classifier", "--text", "good"}, environment);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("hfrun local --setup transformers.js"), std::string::npos) << r.err;
}

TEST_F(LocalE2e, NoRunnableWeightsIsExit4PointingAtProbe) {
  const auto r = hfrun({"local", "hfrun-test/tensorflow-only", "--text", "good"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("hfrun probe hfrun-test/tensorflow-only"), std::string::npos) << r.err;
}

// Safetensors go to the Python transformers runtime; a Python without it is exit 2 saying how to
// install it (HFRUN_PYTHON names a Python that has neither, whatever this machine has).
TEST_F(LocalE2e, SafetensorsWithoutPythonTransformersIsExit2) {
  auto environment = env();
  environment["HFRUN_PYTHON"] = "/bin/false";
  const auto r = hfrun({"local", "hfrun-test/pytorch-only", "--text", "good"}, environment);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("pip install transformers torch"), std::string::npos) << r.err;
}

TEST_F(LocalE2e, ForcedRuntimeWithoutItsWeightsIsAUsageError) {
  const auto r =
      hfrun({"local", "hfrun-test/text-classifier", "--runtime", "llama.cpp", "--text", "good"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--runtime transformers.js"), std::string::npos) << r.err;
}

TEST_F(LocalE2e, AWorkerThatCannotLoadIsExit7WithItsStderr) {
  const auto r = hfrun({"local", "hfrun-test/broken-onnx", "--text", "good"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("transformers.js worker exited while loading"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("transformers_js: cannot load the model"), std::string::npos) << r.err;
  expect_no_worker_left();
}

// The worker's pid is in its port file (docs/local.md), in the run's scratch folder under TMPDIR.
int worker_pid(const fs::path& tmp, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& entry : fs::directory_iterator(tmp)) {
      const json port = json::parse(read_file(entry.path() / "port.json"), nullptr, false);
      if (port.is_object() && port.contains("pid") && port["pid"].is_number_integer()) {
        return port["pid"].get<int>();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

TEST_F(LocalE2e, AWorkerThatDiesMidRunIsExit7) {
  // 3000 tokens take the tiny model about 4 s: the kill lands half a second into them.
  std::thread killer([] {
    const int pid = worker_pid(s_scratch / "tmp", std::chrono::seconds(60));
    if (pid > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      ::kill(pid, SIGKILL);
    }
  });
  const auto r = hfrun({"local", "hfrun-test/tiny-llama-GGUF:Q8_0", "--text", "hello", "--threads",
                        "1", "max_tokens:=3000", "--json"});
  killer.join();
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("the llama.cpp worker died during the request (exit status 137)"),
            std::string::npos)
      << r.err;
  expect_no_worker_left();
}

TEST_F(LocalE2e, NotInTheCacheOfflineIsExit4) {
  const auto r = hfrun({"local", "hfrun-test/never-downloaded", "--text", "good"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("HF_HUB_OFFLINE"), std::string::npos) << r.err;
}

TEST_F(LocalE2e, ServeKeepsTheWorkerUntilCtrlC) {
  const fs::path out = s_scratch / "serve.out";
  auto environment = env();
  std::string command;
  for (const auto& [k, v] : environment) {
    command += k + "='" + v + "' ";
  }
  // The URL is printed once the worker listens; then hfrun endpoint runs against it.
  BackgroundProcess serve({"/bin/sh", "-c",
                           command + "exec " + std::string(HFRUN_BIN) +
                               " local serve hfrun-test/text-classifier > " + out.string()},
                          {}, (s_scratch / "serve.err").string());
  std::string url;
  for (int i = 0; i < 600 && url.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    url = read_file(out);
    while (!url.empty() && (url.back() == '\n' || url.back() == '\r')) {
      url.pop_back();
    }
  }
  ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0U) << url << read_file(s_scratch / "serve.err");
  auto online = env();
  online.erase("HF_HUB_OFFLINE"); // hfrun endpoint is a plain client of the URL
  const auto r = hfrun({"endpoint", url, "--flavor", "toolkit", "--task", "text-classification",
                        "--text", "love", "--json"},
                       online);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_labels_shape(parsed(r), "text-classification", "POSITIVE");
  EXPECT_EQ(serve.signal_and_wait(SIGINT), 130);
  expect_no_worker_left();
}

// --setup runs npm (a stand-in on PATH that records its call) in the data folder with the pinned
// packages; a failing npm is exit 7.
TEST_F(LocalE2e, SetupInstallsThePinnedPackagesIntoTheDataFolder) {
  const fs::path bin = s_scratch / "fake-npm";
  fs::create_directories(bin);
  const fs::path record = s_scratch / "npm-call.txt";
  {
    std::ofstream npm(bin / "npm");
    npm << "#!/bin/sh\necho \"ONNXRUNTIME_NODE_INSTALL=$ONNXRUNTIME_NODE_INSTALL $*\" > '"
        << record.string() << "'\nexit ${FAKE_NPM_EXIT:-0}\n";
  }
  fs::permissions(bin / "npm", fs::perms::owner_all);
  auto environment = env();
  environment.erase("HFRUN_LOCAL_RUNTIME_DIR");
  environment["XDG_DATA_HOME"] = (s_scratch / "data").string();
  environment["PATH"] = bin.string() + ":" + std::string(std::getenv("PATH"));
  const fs::path dir = s_scratch / "data" / "hfrun" / "runtimes" / "llama.cpp";

  const auto r = hfrun({"local", "--setup", "llama.cpp"}, environment);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, dir.string() + "\n");
  EXPECT_EQ(read_file(record), "ONNXRUNTIME_NODE_INSTALL=skip install --prefix " + dir.string() +
                                   " --omit=optional --no-audit --no-fund --loglevel=error "
                                   "node-llama-cpp@3.22.1 @node-llama-cpp/linux-x64@3.22.1\n");
  const json package = json::parse(read_file(dir / "package.json"), nullptr, false);
  EXPECT_EQ(package["overrides"]["@node-llama-cpp/mac-x64"], "3.21.1") << package.dump();

  environment["FAKE_NPM_EXIT"] = "1";
  const auto failed = hfrun({"local", "--setup", "transformers.js"}, environment);
  EXPECT_EQ(failed.exit_code, 7) << failed.err;
  EXPECT_NE(read_file(record).find("@huggingface/transformers@4.3.2"), std::string::npos);
}

// Online: the emulator serves the tiny models as Hub repos (content_file) beside files the runtime
// does not need; hfrun local fetches only what it runs into an empty cache, then runs offline from
// it.
class LocalOnlineE2e : public LocalE2e {};

std::vector<std::string> snapshot_files(const fs::path& hub_cache, const std::string& folder) {
  std::vector<std::string> out;
  for (const auto& snapshot : fs::directory_iterator(hub_cache / folder / "snapshots")) {
    for (const auto& entry : fs::recursive_directory_iterator(snapshot.path())) {
      if (!entry.is_directory()) {
        out.push_back(entry.path().lexically_relative(snapshot.path()).generic_string());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(LocalOnlineE2e, FetchesOnlyTheFilesTheRuntimeRuns) {
  const fs::path models = s_scratch / "models";
  json classifier_files = json::array();
  for (const auto& [path, source] : folder_files(models / "text-classifier")) {
    classifier_files.push_back(
        {{"path", path}, {"content_file", source.string()}, {"lfs", path.ends_with(".onnx")}});
  }
  classifier_files.push_back(
      {{"path", "onnx/model_quantized.onnx"},
       {"content_file", (models / "text-classifier/onnx/model.onnx").string()},
       {"lfs", true}});
  classifier_files.push_back(
      {{"path", "pytorch_model.bin"}, {"generated", true}, {"size", 4096}, {"lfs", true}});
  const std::string gguf = (models / "tiny-llama.gguf").string();
  const json world = {
      {"users", json::array({{{"name", "hfrun-test"}, {"token", "hf_local_test_token"}}})},
      {"models",
       json::array(
           {{{"id", "hfrun-test/online-classifier"},
             {"pipeline_tag", "text-classification"},
             {"_files", classifier_files}},
            {{"id", "hfrun-test/online-llama-GGUF"},
             {"_files",
              json::array(
                  {{{"path", "README.md"}, {"content", "# tiny llama\n"}},
                   {{"path", "tiny-llama-Q8_0.gguf"}, {"content_file", gguf}, {"lfs", true}},
                   {{"path", "tiny-llama-F32.gguf"}, {"content_file", gguf}, {"lfs", true}}})}}})}};
  const fs::path world_file = s_scratch / "local_world.json";
  std::ofstream(world_file) << world.dump();
  EmulatorOptions options;
  options.binary = HFRUN_EMULATOR_BIN;
  options.args = {"--world", world_file.string()};
  options.request_log = true; // for the secret scan
  auto emulator = EmulatorProcess::start(options);
  ASSERT_TRUE(emulator) << emulator.error();

  auto online = env();
  online.erase("HF_HUB_OFFLINE");
  const fs::path cache = s_scratch / "online-hub";
  online["HF_HUB_CACHE"] = cache.string();
  online["HF_ENDPOINT"] = (*emulator)->info().hub;
  online["HF_TOKEN"] = (*emulator)->info().token;

  const auto r =
      hfrun({"local", "hfrun-test/online-classifier", "--text", "good love", "--json"}, online);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_labels_shape(parsed(r), "text-classification", "POSITIVE");
  EXPECT_EQ(snapshot_files(cache, "models--hfrun-test--online-classifier"),
            (std::vector<std::string>{"config.json", "onnx/model.onnx", "special_tokens_map.json",
                                      "tokenizer.json", "tokenizer_config.json"}));

  const auto chat = hfrun({"local", "hfrun-test/online-llama-GGUF:Q8_0", "--text", "hi",
                           "--threads", "1", "max_tokens:=3", "--json"},
                          online);
  ASSERT_EQ(chat.exit_code, 0) << chat.err;
  EXPECT_EQ(parsed(chat)["finish_reason"], "length") << chat.out;
  EXPECT_EQ(snapshot_files(cache, "models--hfrun-test--online-llama-GGUF"),
            std::vector<std::string>{"tiny-llama-Q8_0.gguf"});

  // The same run offline, from what was fetched.
  online["HF_HUB_OFFLINE"] = "1";
  const auto again =
      hfrun({"local", "hfrun-test/online-classifier", "--text", "bad", "--json"}, online);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  expect_labels_shape(parsed(again), "text-classification", "NEGATIVE");
  expect_no_worker_left();
  if (s_collection) {
    keep_for_secret_scan(*s_collection, (*emulator)->dir(), "local-emulator",
                         {"emulator.log", "ports.json"});
  }
}

} // namespace
} // namespace hfrun::test
